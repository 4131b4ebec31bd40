"""Start-up as a person sees it: from process start to a screen that is drawn and takes keys.

    python benchmarks/startup.py --db sqlite:////tmp/bench_small.db [--runs 15]

Each program runs in a real terminal: a pseudo-terminal of 100x30 that is the process's
controlling terminal, as in a terminal emulator. The clock starts just before the process is
spawned. Once the screen shows its ready text (the login's "Password" field; the floor's table
header), a marker character is typed; the clock stops when the program draws that character
(into the login's e-mail field, which has the focus; into the floor's table). So a program that
paints early but is too busy to answer a key is not counted as ready.

The two programs run in turn, A B A B ..., after one warm-up pair; the figures are the medians
of each and the median of the pair-by-pair ratios (pairing keeps the ratio fair when the
machine's speed drifts). The CPU time of each program's main thread (the one that draws and
answers keys) when its key came back is printed too: it barely moves when other programs load
the machine, unlike the wall-clock times, which are the goal's figures and want a quiet
machine.

The floor is ``floor_app.py``: the smallest Textual app showing one DataTable. Goal: TekToro's
login within 1.2x the floor.
"""

from __future__ import annotations

import argparse
import fcntl
import math
import os
import select
import signal
import statistics
import struct
import subprocess
import sys
import termios
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
COLUMNS, LINES = 100, 30
MARKER = "§"
"""Typed once the screen is drawn; drawn back by a program that takes keys. It appears nowhere
else on either screen."""
RESEND_SECONDS = 0.25
"""A marker that has not come back by then is typed again (in case a key fell between focus
changes); the clock still runs from the start."""
TIMEOUT_SECONDS = 30.0
QUIT = b"\x11"  # ctrl+q: Textual's quit key


@dataclass(frozen=True)
class Program:
    """A program to start, and the text that says its screen has been drawn."""

    label: str
    argv: tuple[str, ...]
    ready_text: str


def floor_program() -> Program:
    """The smallest Textual app with one DataTable."""
    return Program(
        "floor app (one DataTable)", (sys.executable, str(HERE / "floor_app.py")), "Value"
    )


def login_program(url: str) -> Program:
    """TekToro as a user starts it (``tektoro --db URL``), from this source tree."""
    return Program("TekToro login", (sys.executable, "-m", "tektoro_tui", "--db", url), "Password")


def _terminal() -> tuple[int, int]:
    """A pseudo-terminal of COLUMNS x LINES; its slave end does not echo (the program draws)."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
    attrs = termios.tcgetattr(slave)
    attrs[3] &= ~termios.ECHO
    termios.tcsetattr(slave, termios.TCSANOW, attrs)
    return master, slave


def _make_controlling_terminal() -> None:
    """In the child: its own session, with the pseudo-terminal as controlling terminal."""
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


@dataclass(frozen=True)
class Start:
    """Seconds from spawning a program until its screen was drawn, and until it drew a key;
    and the CPU seconds its main thread had used by then."""

    drawn: float
    keys: float
    cpu: float


def _cpu_seconds(pid: int) -> float:
    """CPU time used so far by the main thread of process ``pid`` (Linux; NaN elsewhere).

    The main thread is the one that draws and answers keys. Its CPU time hardly moves when other
    programs load the machine, so it tells a real change from noise on a shared computer; work
    moved to other threads (TekToro's database worker) shows in the wall-clock times only.
    """
    try:
        return int(Path(f"/proc/{pid}/task/{pid}/schedstat").read_text().split()[0]) / 1e9
    except (OSError, ValueError, IndexError):
        return math.nan


def time_to_keys(program: Program, env: dict[str, str]) -> Start:
    """How long ``program`` took to draw its screen and to draw a key typed once it had."""
    master, slave = _terminal()
    ready = program.ready_text.encode()
    marker = MARKER.encode()
    start = time.perf_counter()
    proc = subprocess.Popen(
        program.argv,
        stdin=slave,
        stdout=slave,
        stderr=slave,
        cwd=ROOT,
        env=env,
        start_new_session=True,
        preexec_fn=_make_controlling_terminal,  # safe: this process starts no threads
    )
    os.close(slave)
    try:
        return _wait_for_keys(master, proc, ready, marker, start)
    finally:
        _stop(master, proc)


def _wait_for_keys(
    master: int, proc: subprocess.Popen[bytes], ready: bytes, marker: bytes, start: float
) -> Start:
    """Read the program's output until ``ready`` shows, type ``marker`` and wait for it."""
    shown = b""
    typed_at: float | None = None
    drawn = 0.0
    after = 0  # where in the output the marker may first appear
    while time.perf_counter() - start < TIMEOUT_SECONDS:
        readable, _, _ = select.select([master], [], [], 0.01)
        now = time.perf_counter()
        if readable:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the program has gone
                chunk = b""
            if not chunk:
                break
            shown += chunk
            now = time.perf_counter()
        if typed_at is None:
            if ready in shown:
                after = len(shown)
                os.write(master, marker)
                typed_at = now
                drawn = now - start
            continue
        if marker in shown[after:]:
            return Start(drawn, now - start, _cpu_seconds(proc.pid))
        if now - typed_at > RESEND_SECONDS:
            os.write(master, marker)
            typed_at = now
    tail = shown[-400:].decode(errors="replace")
    raise RuntimeError(f"no ready screen taking keys (exit {proc.poll()}); last output: {tail!r}")


def _stop(master: int, proc: subprocess.Popen[bytes]) -> None:
    """Quit the program with ctrl+q; kill its process group if it does not go in time."""
    try:
        os.write(master, QUIT)
        deadline = time.monotonic() + 5
        while proc.poll() is None and time.monotonic() < deadline:
            # keep reading so a program drawing its last frame is never blocked on output
            readable, _, _ = select.select([master], [], [], 0.05)
            if readable:
                os.read(master, 65536)
    except OSError:
        pass
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    os.close(master)


@dataclass(frozen=True)
class Comparison:
    """Medians (seconds) of the program and the floor, and the median pair-by-pair ratios."""

    floor: Start
    program: Start
    ratio: float
    cpu_ratio: float
    runs: int

    def rows(self) -> list[tuple[str, float, str]]:
        """(label, milliseconds, note) of each median; the ratio is the goal's figure."""
        return [
            ("start -> floor app drawn (one DataTable)", self.floor.drawn * 1000, ""),
            ("start -> floor app drawn and taking keys", self.floor.keys * 1000, "floor"),
            ("start -> login drawn", self.program.drawn * 1000, ""),
            (
                "start -> login drawn and taking keys",
                self.program.keys * 1000,
                f"{self.ratio:.2f}x floor (median of {self.runs} A/B pairs; goal <= 1.20x)",
            ),
            ("main thread's CPU by then: floor app", self.floor.cpu * 1000, ""),
            (
                "main thread's CPU by then: TekToro",
                self.program.cpu * 1000,
                f"{self.cpu_ratio:.2f}x floor (steadier than wall time on a busy machine)",
            ),
        ]


def compare(program: Program, floor: Program, runs: int, env: dict[str, str]) -> Comparison:
    """``program`` against ``floor``, alternated A B A B after one warm-up pair."""
    time_to_keys(program, env)
    time_to_keys(floor, env)
    a: list[Start] = []
    b: list[Start] = []
    for _ in range(runs):
        a.append(time_to_keys(program, env))
        b.append(time_to_keys(floor, env))
    ratios = [x.keys / y.keys for x, y in zip(a, b, strict=True)]
    cpu_ratios = [x.cpu / y.cpu for x, y in zip(a, b, strict=True)]
    return Comparison(
        _median(b), _median(a), statistics.median(ratios), statistics.median(cpu_ratios), runs
    )


def _median(starts: list[Start]) -> Start:
    return Start(
        statistics.median(s.drawn for s in starts),
        statistics.median(s.keys for s in starts),
        statistics.median(s.cpu for s in starts),
    )


def bench_env() -> dict[str, str]:
    """The environment of both programs: a capable terminal, no benchmark exit hook, and
    bytecode caches written (the warm-up pair writes them, as a user's first start does)."""
    env = dict(os.environ, TERM="xterm-256color", COLUMNS=str(COLUMNS), LINES=str(LINES))
    env.pop("TEKTORO_EXIT_ON_READY", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.setdefault("TEKTORO_HOME", str(HERE / ".home"))
    return env


def startup_comparison(url: str, runs: int) -> Comparison:
    """TekToro's login screen against the floor app on the database at ``url``."""
    return compare(login_program(url), floor_program(), runs, bench_env())


def main() -> None:
    """Print the medians and the ratio."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--db", default="sqlite:////tmp/bench_small.db")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    rows = startup_comparison(args.db, args.runs).rows()
    width = max(len(label) for label, _, _ in rows)
    print(f"{'measure'.ljust(width)}  median ms  note")
    for label, ms, note in rows:
        print(f"{label.ljust(width)}  {ms:9.1f}  {note}")


if __name__ == "__main__":
    main()
