"""Safe file names for exported documents and reports.

Invoice numbers ("FV/2026/03/0001") and report titles come from people; written as file names
they must not create folders, hide as dot-files, or hit names Windows reserves.
"""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

MAX_LENGTH = 120
FALLBACK = "export"
_SEPARATORS = re.compile(r"[\s/\\:|]+")
_UNSAFE = re.compile(r"[^\w.\-]+")
_REPEATS = re.compile(r"([-_.])\1+")
_WINDOWS_RESERVED = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    *(f"COM{i}" for i in range(1, 10)),
    *(f"LPT{i}" for i in range(1, 10)),
}


def safe_filename(text: str) -> str:
    """``text`` as a portable file name: "FV/2026/03/0001" -> "FV-2026-03-0001".

    Letters of any alphabet and digits are kept ("Łukasz_Wróbel"); separators and spaces become
    "-", anything else "_"; no leading dots or dashes; at most 120 characters; never empty.
    """
    name = unicodedata.normalize("NFC", text).strip()
    name = _SEPARATORS.sub("-", name)
    name = _UNSAFE.sub("_", name)
    name = _REPEATS.sub(r"\1", name)
    name = re.sub(r"[-_]+\.", ".", name)
    name = name.lstrip(".-_").rstrip(".-_ ")
    if not name:
        return FALLBACK
    stem, dot, rest = name.partition(".")
    if stem.upper() in _WINDOWS_RESERVED:
        name = f"{stem}_{dot}{rest}"
    return _shorten(name)


def _shorten(name: str) -> str:
    """Cut ``name`` to MAX_LENGTH characters, keeping a short extension such as ".xlsx"."""
    if len(name) <= MAX_LENGTH:
        return name
    stem, dot, extension = name.rpartition(".")
    if dot and stem and len(extension) <= 10:
        return stem[: MAX_LENGTH - len(extension) - 1].rstrip(".-_") + "." + extension
    return name[:MAX_LENGTH].rstrip(".-_")


def write_atomic(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file, so a reader never sees half a file."""
    with atomic_file(path) as file:
        file.write(data)
    return Path(path)


@contextmanager
def atomic_file(path: Path) -> Iterator[BinaryIO]:
    """A binary file to write that becomes ``path`` only when the block ends without an error
    (a temporary file beside it until then, removed on error): a reader never sees half a
    file, and a failed export leaves what was there before."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            yield file
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
