"""The footer of every screen and dialog: Textual's compact footer, fitted to the terminal.

Two things differ from Textual's ``Footer(compact=True)``:

- **It fits.** Textual lays the keys out in one row and cuts what does not fit in the middle of
  a word ("m Mas", "^l Log o" at 80 columns). This footer shows whole keys only: when they do
  not all fit, the keys that work everywhere go first (Log out, Back: they always work and F1
  lists them), then the screen's own keys from the last; Help always stays and then says how
  many keys it is hiding ("f1 Help +3"), so nothing is out of reach. The footer is laid out
  again when the terminal is resized.
- **It is cheap.** Textual hands ``compact`` to each key, and each key then adds its
  ``-compact`` class after it is mounted: one restyle per key, every time the footer is rebuilt
  (on every change of focus), tens of milliseconds on a screen with fifteen keys. Here each key
  gets the class before it is mounted. And Textual rebuilds the footer whenever the screen's
  bindings may have changed (every move of the focus, every form field entered), even when the
  keys it would show are the same: opening a list and a form rebuilt it some forty times. Here
  it is rebuilt only when what it shows (the keys, their descriptions, whether they work, the
  width) has changed, at most once per refresh.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from . import keymap

HELP_KEY = keymap.HELP.split(",")[0]
"""The key that is never hidden: it shows every key of the screen."""

FIRST_HIDDEN = (keymap.LOG_OUT, keymap.BACK)
"""Keys that work everywhere (and are listed by Help), hidden before any of the screen's own:
Log out first."""

PALETTE_CLASS = "-command-palette"


@dataclass(frozen=True)
class FooterSlot:
    """One key as the footer would show it: its width in columns and when it gives way."""

    width: int
    rank: int
    """-1: never hidden (Help, the palette key); otherwise higher ranks are hidden first, and
    among equal ranks the later key."""


def key_width(widget: FooterKey) -> int:
    """The columns a compact footer key takes: the key, a space and its description, then a
    one-column margin (the palette key, docked right, has a one-column border instead)."""
    width = cell_len(widget.key_display)
    if widget.description:
        width += 1 + cell_len(widget.description)
    return width + 1


def hidden_keys(slots: list[FooterSlot], width: int) -> list[int]:
    """The indexes of the keys to leave out so that the rest, with Help's " +N", fit ``width``.

    Nothing is left out when everything fits; otherwise keys go in rank order until what is
    left, plus the few columns Help needs to say how many are hidden, fits.
    """
    total = sum(slot.width for slot in slots)
    if total <= width:
        return []
    order = sorted(
        (i for i, slot in enumerate(slots) if slot.rank >= 0),
        key=lambda i: (-slots[i].rank, -i),
    )
    hidden: list[int] = []
    for index in order:
        hidden.append(index)
        total -= slots[index].width
        if total + cell_len(f" +{len(hidden)}") <= width:
            break
    return hidden


def slot_of(widget: FooterKey) -> FooterSlot:
    """How wide ``widget`` is and when it gives way."""
    if widget.key == HELP_KEY or widget.has_class(PALETTE_CLASS):
        rank = -1
    elif widget.key in FIRST_HIDDEN:
        rank = len(FIRST_HIDDEN) - FIRST_HIDDEN.index(widget.key)
    else:
        rank = 0
    return FooterSlot(key_width(widget), rank)


class KeyFooter(Footer):
    """A compact footer that shows whole keys only, and says how many it has left out."""

    def __init__(self) -> None:
        """A footer in the compact style, for a screen or a dialog."""
        super().__init__(compact=True)
        self._laid_out_for = 0
        self._composed: tuple[object, ...] | None = None
        self._rebuild_pending = False

    def compose(self) -> ComposeResult:
        """Textual's keys, each already marked compact, as many as fit the footer's width."""
        self._composed = self._shows()
        widgets = list(super().compose())
        keys = [widget for widget in widgets if isinstance(widget, FooterKey)]
        width = self._width()
        self._laid_out_for = width
        hidden = hidden_keys([slot_of(key) for key in keys], width)
        if hidden:
            for key in keys:
                if key.key == HELP_KEY:
                    key.description = f"{key.description} +{len(hidden)}"
        left_out = {id(keys[index]) for index in hidden}
        for widget in widgets:
            if id(widget) in left_out:
                continue
            if isinstance(widget, FooterKey):
                widget.add_class("-compact", update=False)
            yield widget

    def _width(self) -> int:
        """The columns the footer has: the screen's width (it is docked along its bottom)."""
        return self.size.width or self.screen.size.width or self.app.size.width

    def _shows(self) -> tuple[object, ...]:
        """What the footer shows, for telling whether a rebuild would change anything: the
        width and each shown key (and the palette's) with its description, whether it works
        and its tooltip."""
        if not self._bindings_ready:
            return ()
        palette = self.app.COMMAND_PALETTE_BINDING
        keys = tuple(
            (key, binding.description, enabled, tooltip)
            for key, (_, binding, enabled, tooltip) in self.screen.active_bindings.items()
            if binding.show or key == palette
        )
        return (self._width(), keys)

    def bindings_changed(self, screen: Screen[object]) -> None:
        """The screen's bindings may have changed: rebuild after the refresh, if that changes
        what is shown (Textual rebuilds every time)."""
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen and not self._rebuild_pending:
            self._rebuild_pending = True
            self.call_after_refresh(self._rebuild_if_changed)

    async def _rebuild_if_changed(self) -> None:
        self._rebuild_pending = False
        if self.is_attached and self._shows() != self._composed:
            await self.recompose()

    def on_resize(self, event: events.Resize) -> None:
        """Lay the keys out again when the footer's width has changed."""
        if event.size.width != self._laid_out_for and self._bindings_ready:
            self.call_after_refresh(self.recompose)
