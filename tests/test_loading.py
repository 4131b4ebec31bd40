"""The collector pause of a start: off while loading, back on (and never left off) after."""

from __future__ import annotations

import subprocess
import sys


def _run(code: str) -> str:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_a_pause_ends_with_collection_on_and_the_start_frozen() -> None:
    code = (
        "import gc\n"
        "from tektoro_tui.loading import pause_collection, resume_collection\n"
        "pause_collection()\n"
        "paused = gc.isenabled()\n"
        "resume_collection()\n"
        "print(paused, gc.isenabled(), gc.get_freeze_count() > 0)\n"
    )
    assert _run(code) == "False True True"


def test_resuming_without_a_pause_changes_nothing() -> None:
    code = (
        "import gc\n"
        "from tektoro_tui.loading import resume_collection\n"
        "gc.disable()\n"
        "resume_collection()\n"
        "off = gc.isenabled()\n"
        "gc.enable()\n"
        "resume_collection()\n"
        "print(off, gc.isenabled(), gc.get_freeze_count())\n"
    )
    assert _run(code) == "False True 0"
