"""The package's layout: every module has a place, and imports only point down.

Read from the source with :mod:`ast` (nothing is imported), every import counted, those inside
functions included. ``LAYERS`` below is the table of ``docs/architecture.md``: a module may import
from its own package and from places in lower layers, never from its own layer or above. Imports
under ``if TYPE_CHECKING:`` are annotations only and may name any place, but never a private name.

A new module needs a row here (and in ``docs/architecture.md``): the test names it.
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import policymatch

PACKAGE = Path(policymatch.__file__).parent

#: Lowest first. A place is a top-level module or sub-package of ``policymatch``.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("errors", "version", "params"),
    ("units", "fields", "files", "validation", "descriptions", "packaged"),
    ("text",),
    ("aliases", "index"),
    ("profile",),
    ("formatting",),
    ("models",),
    ("rules",),
    ("benefits",),
    ("audience", "questions", "corpus", "schema"),
    ("display", "extract"),
    ("batch", "explain"),
    ("matcher",),
    ("server",),
    ("cli",),
    ("__init__", "__main__"),
)
#: Sub-packages whose modules are their own: from outside, only the package itself is imported.
WINGS = ("batch", "extract")
#: Places that may use only the public API: names a module lists in ``__all__``.
FRONTS = ("cli", "server")

_LAYER = {place: rank for rank, places in enumerate(LAYERS) for place in places}


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, e.g. "policymatch.batch.run"
    target: str  # the imported module, e.g. "policymatch.rules"
    names: tuple[str, ...]  # the names taken from it ("" for ``import x``)
    line: int
    typing_only: bool

    def __str__(self) -> str:
        return f"{self.module}:{self.line} imports {', '.join(self.names) or self.target} " \
               f"from {self.target}"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _walk(node: ast.AST, typing_only: bool = False) -> Iterator[tuple[ast.AST, bool]]:
    for child in ast.iter_child_nodes(node):
        inside = typing_only or (isinstance(child, ast.If) and _is_type_checking(child.test))
        if isinstance(child, ast.If) and _is_type_checking(child.test):
            for stmt in child.body:
                yield stmt, True
                yield from _walk(stmt, True)
            for stmt in child.orelse:
                yield stmt, typing_only
                yield from _walk(stmt, typing_only)
            continue
        yield child, inside
        yield from _walk(child, inside)


def imports_of(name: str, path: Path, source: str | None = None) -> list[Import]:
    tree = ast.parse(source if source is not None else path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[Import] = []
    for node, typing_only in _walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            if target == "policymatch" or target.startswith("policymatch."):
                found.append(Import(name, target, tuple(a.name for a in node.names), node.lineno,
                                    typing_only))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "policymatch" or alias.name.startswith("policymatch."):
                    found.append(Import(name, alias.name, (), node.lineno, typing_only))
    return found


def place(module: str) -> str:
    """``policymatch.batch.run`` → ``batch``; ``policymatch`` → ``__init__``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _resolve(imp: Import, known: dict[str, Path]) -> list[str]:
    """The modules an import reaches: ``from policymatch.batch import io`` names a module."""
    out = [imp.target]
    for n in imp.names:
        if f"{imp.target}.{n}" in known:
            out.append(f"{imp.target}.{n}")
    return out


def layer_problems(graph: dict[str, list[Import]], known: dict[str, Path]) -> list[str]:
    problems: list[str] = []
    for module, found in graph.items():
        here = place(module)
        if here not in _LAYER:
            problems.append(f"{module} has no place in LAYERS (tests/test_layout.py and "
                            "docs/architecture.md): give it one, or fold it into the module "
                            "that owns it")
            continue
        for imp in found:
            for name in imp.names:
                if name.startswith("_") and not name.startswith("__"):
                    problems.append(f"{imp}: {name} is private to {imp.target}; make it public "
                                    "in the module that owns it, or move it")
            if imp.typing_only:
                continue
            there = place(imp.target)
            if there == here:
                continue
            if there not in _LAYER:
                problems.append(f"{imp}: {there} has no place in LAYERS")
            elif _LAYER[there] >= _LAYER[here] and here not in ("__init__", "__main__"):
                problems.append(f"{imp}: {here} (layer {_LAYER[here]}) may not import "
                                f"{there} (layer {_LAYER[there]}); imports point down")
            if there in WINGS and imp.target != f"policymatch.{there}":
                problems.append(f"{imp}: outside {there}/, import policymatch.{there} itself, "
                                "not its modules")
    return problems


def _all_of(path: Path) -> set[str] | None:
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            return {ast.literal_eval(e) for e in node.value.elts}  # type: ignore[attr-defined]
    return None


def front_problems(graph: dict[str, list[Import]], known: dict[str, Path]) -> list[str]:
    problems: list[str] = []
    for module, found in graph.items():
        if place(module) not in FRONTS:
            continue
        for imp in found:
            if place(imp.target) == place(module) or imp.target not in known:
                continue
            public = _all_of(known[imp.target])
            for name in imp.names:
                if name == "__version__" and imp.target == "policymatch":
                    continue
                if public is None or name not in public:
                    problems.append(f"{imp}: {name} is not in {imp.target}.__all__; "
                                    f"{place(module)} uses the public API only")
    return problems


def cycles(graph: dict[str, list[Import]], known: dict[str, Path]) -> list[list[str]]:
    edges = {m: sorted({t for imp in found if not imp.typing_only for t in _resolve(imp, known)
                        if t in known and t != m})
             for m, found in graph.items()}
    # A package's __init__ runs before any of its modules; importing the package reaches it.
    found_cycles: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for t in edges.get(m, ()):
            if state.get(t) == 1:
                found_cycles.append([*stack[stack.index(t):], t])
            elif t not in state:
                visit(t)
        stack.pop()
        state[m] = 2

    for m in sorted(edges):
        if m not in state:
            visit(m)
    return found_cycles


@functools.cache
def _graph() -> tuple[dict[str, list[Import]], dict[str, Path]]:
    known = modules()
    return {m: imports_of(m, p) for m, p in known.items()}, known


def test_every_module_has_a_place_and_imports_only_point_down() -> None:
    graph, known = _graph()
    assert len(known) > 30
    assert not layer_problems(graph, known), "\n".join(layer_problems(graph, known))


def test_no_import_cycles_function_level_imports_included() -> None:
    graph, known = _graph()
    assert not cycles(graph, known), "\n".join(" → ".join(c) for c in cycles(graph, known))


def test_the_command_line_uses_the_public_api_only() -> None:
    graph, known = _graph()
    assert any(place(m) == "cli" for m in graph)
    assert not front_problems(graph, known), "\n".join(front_problems(graph, known))


def test_every_module_is_under_600_lines() -> None:
    long = {m: n for m, p in modules().items()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) >= 600}
    assert not long, f"modules of 600 lines or more: {long}"


def test_no_private_top_level_modules() -> None:
    """A helper lives in the module or package that owns it, under a name that says what it is."""
    private = [m for m in modules() if any(part.startswith("_") and not part.startswith("__")
                                           for part in m.split("."))]
    assert not private


def _page() -> str:
    return (PACKAGE.parent / "docs" / "architecture.md").read_text(encoding="utf-8")


def test_the_architecture_page_names_every_place() -> None:
    places = sorted({place(m) for m in modules()} - {"__init__", "__main__"})
    missing = [p for p in places if f"| `{p}" not in _page()]
    assert not missing, f"docs/architecture.md does not describe: {missing}"


def test_the_architecture_page_lists_the_same_layers() -> None:
    section = _page().split("## Imports point down", 1)[1].split("\n## ", 1)[0]
    listed = [tuple(re.findall(r"`(\w+)`", line.split(" — ")[0]))
              for line in section.splitlines() if re.match(r"\d+\. ", line)]
    assert listed == list(LAYERS[:-1])


# -- the checks themselves fail on a bad layout ---------------------------------------------------
def _problems_with(module: str, source: str) -> tuple[list[str], list[list[str]]]:
    graph, known = _graph()
    path = known.get(module, PACKAGE / (module.split(".", 1)[1].replace(".", "/") + ".py"))
    known = {**known, module: path}
    graph = {**graph, module: imports_of(module, path, source)}
    return layer_problems(graph, known) + front_problems(graph, known), cycles(graph, known)


@pytest.mark.parametrize(("module", "source", "expected"), [
    ("policymatch.models.policy", "def f():\n    from ..display import policy_html\n", "imports point down"),
    ("policymatch.models.results", "def f():\n    from ..batch import match_many\n", "imports point down"),
    ("policymatch.rules", "from .text.tokenizer import _cache_dir\n", "private"),
    ("policymatch.matcher", "from .batch.run import Plan\n", "not its modules"),
    ("policymatch.cli.commands", "from ..matcher import Matcher, profile_query\n", "__all__"),
    ("policymatch.helpers", "import os\n", "no place in LAYERS"),
])
def test_a_bad_import_is_reported(module: str, source: str, expected: str) -> None:
    problems, _ = _problems_with(module, source)
    assert any(expected in p for p in problems), problems


def test_a_cycle_is_reported() -> None:
    graph, known = _graph()
    source = known["policymatch.errors"].read_text(encoding="utf-8") + \
        "\n\ndef f():\n    from .models import Policy\n"
    graph = {**graph, "policymatch.errors": imports_of("policymatch.errors", known["policymatch.errors"],
                                                       source)}
    assert any(c[0] == "policymatch.errors" or "policymatch.errors" in c for c in cycles(graph, known))


def test_typing_only_imports_are_not_edges_but_private_names_still_count() -> None:
    source = ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
              "    from .matcher import Matcher\n    from .matcher import _ORDER\n")
    found = imports_of("policymatch.rules", PACKAGE / "rules.py", source)
    assert [i.typing_only for i in found] == [True, True]
    problems, _ = _problems_with("policymatch.rules", source)
    assert any("_ORDER is private" in p for p in problems)
    assert not any("imports point down" in p for p in problems)
