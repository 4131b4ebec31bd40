"""The buttons of the entry screens (log in, set up, register), light to start.

Textual's :class:`~textual.widgets.Button` brings 7 kB of styles (flat and ANSI looks, the
success, warning and error variants) that are parsed and matched before the first screen is
drawn: measured, about a third of what TekToro's login costs more than a bare Textual app. The
entry screens show only a default and a primary button, so they use :class:`EntryButton`,
which looks the same with just those styles; the full styles load with the first form that
shows a Textual button.
"""

from __future__ import annotations

from textual.widgets import Button


class EntryButton(Button, inherit_css=False):
    """A Button with Textual's default look, in its default and primary variants only."""

    DEFAULT_CSS = """
    EntryButton {
        width: auto;
        min-width: 16;
        height: auto;
        line-pad: 1;
        text-align: center;
        content-align: center middle;
        pointer: pointer;
        text-style: bold;
        color: $button-foreground;
        background: $surface;
        border: none;
        border-top: tall $surface-lighten-1;
        border-bottom: tall $surface-darken-1;
        &:disabled {
            text-opacity: 0.6;
            pointer: not-allowed;
        }
        &:focus {
            text-style: $button-focus-text-style;
            background-tint: $foreground 5%;
        }
        &:hover {
            border-top: tall $surface;
            background: $surface-darken-1;
        }
        &.-active {
            background: $surface;
            border-bottom: tall $surface-lighten-1;
            border-top: tall $surface-darken-1;
            tint: $background 30%;
        }
        &.-primary {
            color: $button-color-foreground;
            background: $primary;
            border-top: tall $primary-lighten-3;
            border-bottom: tall $primary-darken-3;
            &:hover {
                background: $primary-darken-2;
                border-top: tall $primary;
            }
            &.-active {
                background: $primary;
                border-bottom: tall $primary-lighten-3;
                border-top: tall $primary-darken-3;
            }
        }
    }
    """
