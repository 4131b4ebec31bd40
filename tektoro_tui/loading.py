"""Starting without the cyclic garbage collector in the way.

A start loads a few hundred modules and builds some 100,000 objects that live as long as the
program: classes, SQLAlchemy tables and mappers, Textual's styles. None of them is garbage, yet
while they are being made the collector walks them again and again: about a tenth of a one-shot
command's time, and in the TUI a collection run by the database worker holds up the screen too.

So the entry points pause automatic collection first thing (:func:`pause_collection`), and the
program resumes it once the database is open (:func:`resume_collection`). Resuming moves
everything alive into the permanent generation (``gc.freeze``), so later collections skip what
the start loaded. Without a pause (tests, the app run by other code) resuming does nothing.
"""

from __future__ import annotations

import gc

_paused = False


def pause_collection() -> None:
    """Switch automatic garbage collection off until :func:`resume_collection`."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume_collection() -> None:
    """End a pause begun by :func:`pause_collection`: freeze what is loaded, collect again."""
    global _paused
    if not _paused:
        return
    _paused = False
    gc.freeze()
    gc.enable()
