"""Rules of the code base that no linter checks for us.

A private name (``_x``) belongs to its module: a caller elsewhere that needs it shows a
missing public function or a missing module. Ruff's PLC2701 skips first-party imports, so
this test reads the package's syntax trees itself.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "tektoro_tui"


def _private(name: str) -> bool:
    """``_x`` but not ``__x__`` or an enum's ``_sunder_`` names."""
    return name.startswith("_") and not name.startswith("__") and not name.endswith("_")


def _module_of(path: Path) -> list[str]:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return parts[:-1] if parts[-1] == "__init__" else parts


def _absolute(path: Path, node: ast.ImportFrom) -> str:
    """The dotted module an ``import from`` names, relative imports resolved."""
    if not node.level:
        return node.module or ""
    base = _module_of(path)
    if path.name != "__init__.py":
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def private_uses(path: Path, source: str | None = None) -> list[str]:
    """Every private name of another of our modules that ``path`` imports or reaches into
    (``source`` stands in for the file's text when given)."""
    text = path.read_text(encoding="utf-8") if source is None else source
    tree = ast.parse(text)
    found: list[str] = []
    imported: set[str] = set()  # local names bound to one of our modules, classes, functions
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            source = _absolute(path, node)
            if not source.startswith("tektoro_tui"):
                continue
            if any(_private(part) for part in source.split(".")):
                found.append(f"{path.name}:{node.lineno} imports from {source}")
            for alias in node.names:
                if _private(alias.name):
                    found.append(f"{path.name}:{node.lineno} imports {source}.{alias.name}")
                else:
                    imported.add(alias.asname or alias.name)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in imported
            and _private(node.attr)
        ):
            found.append(f"{path.name}:{node.lineno} uses {node.value.id}.{node.attr}")
    return found


def test_no_module_uses_another_modules_private_names() -> None:
    offences = [use for path in sorted(PACKAGE.rglob("*.py")) for use in private_uses(path)]
    assert offences == []


def test_the_check_finds_a_private_import() -> None:
    """The rule above would pass vacuously if the walker found nothing; show it finds one."""
    sample = PACKAGE / "services" / "invoicing" / "_probe_for_house_rules.py"
    source = (
        "from .common import _secret\nfrom . import payments\npayments._hidden()\n"
        "from ..base import ServiceBase\nServiceBase._has()\n"
    )
    uses = private_uses(sample, source)
    assert uses == [
        "_probe_for_house_rules.py:1 imports tektoro_tui.services.invoicing.common._secret",
        "_probe_for_house_rules.py:3 uses payments._hidden",
        "_probe_for_house_rules.py:5 uses ServiceBase._has",
    ]
