"""Every import runs downhill: wiring, flows, chat toolkit, services, drawing, rules, core, storage.

Read from the source with ast, so a new import that climbs fails here before review.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "conversations", "storage", "playground")

# Higher layers may import lower ones, never the other way round.
LAYERS = {
    "wiring": 8,
    "conversations": 7,
    "bot.chat": 6,
    "bot.web": 6,
    "bot.services": 5,
    "bot.render": 4,
    "bot.village": 3,
    "bot.core": 2,
    "storage": 1,
}
# The demo is the one place that joins the bot and the playground server.
JOINS_PLAYGROUND = {"bot.demo", "bot.demo_seed", "bot.cli"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _layer(module: str) -> str | None:
    """The layer a module of ours belongs to; None for the playground and outside code."""
    for prefix in ("bot.chat", "bot.web", "bot.services", "bot.render", "bot.village", "bot.core"):
        if module == prefix or module.startswith(prefix + "."):
            return prefix
    top = module.split(".")[0]
    if top == "bot":
        return "wiring"
    if top in ("conversations", "storage"):
        return top
    return None


def _imports(path: Path, module: str) -> set[str]:
    """The modules a file imports at any level, relative imports resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def _ours(name: str) -> bool:
    return name.split(".")[0] in PACKAGES


def _sources() -> list[tuple[str, Path]]:
    return sorted(
        (_module_name(path), path)
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
    )


def _existing(name: str, known: set[str]) -> str:
    """The module an imported name lives in (from bot.chat import replies -> bot.chat.replies)."""
    return name if name in known else name.rpartition(".")[0]


def test_every_import_runs_downhill() -> None:
    known = {module for module, _ in _sources()}
    climbs = []
    for module, path in _sources():
        layer = _layer(module)
        if layer is None:
            continue
        for imported in {_existing(name, known) for name in _imports(path, module)}:
            target = _layer(imported) if _ours(imported) else None
            if target is not None and LAYERS[target] > LAYERS[layer]:
                climbs.append(f"{module} ({layer}) imports {imported} ({target})")
    assert not climbs, "imports that climb:\n" + "\n".join(sorted(climbs))


def test_the_playground_imports_nothing_of_the_bot() -> None:
    leaks = [
        f"{module} imports {name}"
        for module, path in _sources()
        if module.split(".")[0] == "playground"
        for name in _imports(path, module)
        if name.split(".")[0] in ("bot", "conversations", "storage")
    ]
    assert not leaks, "\n".join(leaks)


def test_only_the_demo_joins_the_bot_and_the_playground() -> None:
    joins = {
        module
        for module, path in _sources()
        if _layer(module) is not None
        and any(name.split(".")[0] == "playground" for name in _imports(path, module))
    }
    assert joins <= JOINS_PLAYGROUND, sorted(joins - JOINS_PLAYGROUND)


@pytest.mark.parametrize(
    ("source", "imported"),
    [("conversations.board", "bot.app"), ("bot.core.config", "bot.chat.replies")],
)
def test_the_check_sees_a_climb(source: str, imported: str) -> None:
    """Guard the guard: a climbing import is one the layer table ranks higher."""
    source_layer, target_layer = _layer(source), _layer(imported)
    assert source_layer is not None and target_layer is not None
    assert LAYERS[target_layer] > LAYERS[source_layer]
