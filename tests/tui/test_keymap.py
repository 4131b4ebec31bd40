"""The one key map: every key one meaning, every action one key, no single-letter navigation.

Checked over the key map itself and over the ``BINDINGS`` of every screen, widget and dialog
of the app, so a key added anywhere with another meaning fails here.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections import defaultdict
from pathlib import Path

import pytest
from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import ModalScreen

import tektoro_tui.screens
import tektoro_tui.widgets
from tektoro_tui.app import TektoroApp
from tektoro_tui.screens.areas import AREAS
from tektoro_tui.widgets import keymap
from tektoro_tui.widgets.dialogs.master_preview import MasterPreviewDialog
from tektoro_tui.widgets.keymap import DIALOG_KEYS, GLOBAL_KEYS, SCREEN_KEYS, KeyMeaning
from tektoro_tui.widgets.unsaved import UnsavedChanges

DOCS = Path(__file__).parents[2] / "docs" / "keys.md"


def _classes() -> list[type[DOMNode]]:
    """Every screen, widget and dialog class of the app that declares its own bindings."""
    found: dict[str, type[DOMNode]] = {}
    for package in (tektoro_tui.screens, tektoro_tui.widgets):
        for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            module = importlib.import_module(info.name)
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if (
                    issubclass(cls, DOMNode)
                    and cls.__module__ == module.__name__
                    and "BINDINGS" in cls.__dict__
                ):
                    found[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return list(found.values())


CLASSES = _classes()
DIALOGS = [cls for cls in CLASSES if issubclass(cls, ModalScreen)]
SCREENS = [cls for cls in CLASSES if not issubclass(cls, ModalScreen)]


def _bindings(cls: type[DOMNode] | type[App[object]]) -> list[tuple[str, str]]:
    """(single key, action) of each of the class's own bindings."""
    pairs = []
    for binding in cls.__dict__["BINDINGS"]:
        assert isinstance(binding, Binding), f"{cls.__name__} binds with a tuple"
        pairs += [(key.strip(), binding.action) for key in binding.key.split(",")]
    return pairs


def _by_key(meanings: tuple[KeyMeaning, ...]) -> dict[str, KeyMeaning]:
    found: dict[str, KeyMeaning] = {}
    for meaning in meanings:
        for key in meaning.key.split(","):
            assert key not in found, (
                f"{key} has two meanings: {found[key].meaning!r} and {meaning.meaning!r}"
            )
            found[key] = meaning
    return found


@pytest.mark.parametrize("meanings", [GLOBAL_KEYS, SCREEN_KEYS, DIALOG_KEYS])
def test_each_key_of_the_map_has_one_meaning(meanings: tuple[KeyMeaning, ...]) -> None:
    _by_key(meanings)


def test_the_app_and_the_screens_never_share_a_key() -> None:
    shared = set(_by_key(GLOBAL_KEYS)) & set(_by_key(SCREEN_KEYS)) - {keymap.BACK}
    assert not shared


def test_each_action_of_the_map_has_one_key() -> None:
    keys_of: dict[str, set[str]] = defaultdict(set)
    for meaning in SCREEN_KEYS:
        for action in meaning.actions:
            keys_of[action].add(meaning.key)
    assert {action: keys for action, keys in keys_of.items() if len(keys) > 1} == {}


@pytest.mark.parametrize("cls", SCREENS, ids=lambda cls: cls.__name__)
def test_every_screen_key_means_what_the_map_says(cls: type[DOMNode]) -> None:
    meanings = _by_key(SCREEN_KEYS)
    for key, action in _bindings(cls):
        assert key in meanings, f"{cls.__name__}: {key} is not in the key map"
        assert keymap.action_allowed(meanings[key], action), (
            f"{cls.__name__}: {key} means {meanings[key].meaning!r}, not {action}"
        )


@pytest.mark.parametrize("cls", DIALOGS, ids=lambda cls: cls.__name__)
def test_every_dialog_key_means_what_the_map_says(cls: type[DOMNode]) -> None:
    meanings = _by_key(DIALOG_KEYS)
    for key, action in _bindings(cls):
        assert key in meanings, f"{cls.__name__}: {key} is not in the dialogs' key map"
        assert keymap.action_allowed(meanings[key], action), (
            f"{cls.__name__}: {key} means {meanings[key].meaning!r}, not {action}"
        )


def test_the_app_binds_only_its_global_keys_and_no_letter() -> None:
    meanings = _by_key(GLOBAL_KEYS)
    for key, action in _bindings(TektoroApp):
        assert key in meanings, f"the app binds {key}, which is not a global key"
        assert keymap.action_allowed(meanings[key], action)
        assert len(key) > 1, f"the app binds the single character {key}"


def test_an_action_has_the_same_key_on_every_screen() -> None:
    keys_of: dict[str, set[str]] = defaultdict(set)
    for cls in SCREENS:
        for key, action in _bindings(cls):
            keys_of[action].add(key)
    assert {action: keys for action, keys in keys_of.items() if len(keys) > 1} == {}


def test_no_screen_navigates_on_a_key() -> None:
    """Going to another area is Ctrl+G, the palette or a menu: never a screen's own key."""
    for cls in CLASSES:
        for key, action in _bindings(cls):
            assert not action.startswith(("app.open", "open(")), f"{cls.__name__}: {key}"


def test_every_area_has_its_own_letter_in_go_to() -> None:
    letters = [area.hotkey for area in AREAS]
    assert len(set(letters)) == len(letters)
    assert all(len(letter) == 1 and letter.islower() for letter in letters)


def test_docs_keys_is_the_key_map() -> None:
    expected = keymap.markdown(tuple((area.hotkey, area.title) for area in AREAS))
    assert DOCS.read_text(encoding="utf-8") == expected, (
        "docs/keys.md is out of date: write keymap.markdown(...) to it"
    )


def test_every_screen_and_dialog_that_saves_a_form_asks_before_it_is_left() -> None:
    """Whatever binds Save (Ctrl+S) holds a form, so it tracks its unsaved changes (the
    master-invoice preview's Ctrl+S generates what it shows and holds no form)."""
    savers = {
        cls.__name__
        for cls in CLASSES
        if any(key == keymap.SAVE for key, _ in _bindings(cls))
        and not issubclass(cls, MasterPreviewDialog)
    }
    assert savers >= {"FormModal", "SettingsScreen", "TimeCardScreen", "DocumenterScreen"}
    forgetful = {
        cls.__name__
        for cls in CLASSES
        if cls.__name__ in savers and not issubclass(cls, UnsavedChanges)
    }
    assert forgetful == set()
