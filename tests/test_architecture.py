"""The layers, checked on the real import graph (every ``import`` in every module, those
inside functions included, read with ``ast``)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = {"koshtorys": ROOT / "koshtorys", "koshtorys.addin": ROOT / "addin",
           "koshtorys.udfs": ROOT / "udfs"}


def _modules() -> dict[str, Path]:
    out: dict[str, Path] = {}
    for package, folder in SOURCES.items():
        for path in folder.rglob("*.py"):
            if package == "koshtorys" and path.is_relative_to(ROOT / "koshtorys") and \
                    any(p in path.parts for p in ("__pycache__",)):
                continue
            rel = path.relative_to(folder).with_suffix("")
            parts = [p for p in rel.parts if p != "__init__"]
            out[".".join([package, *parts])] = path
    return out


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """Every module ``name`` imports (absolute names; relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            found.add(mod)
            found |= {f"{mod}.{a.name}" for a in node.names}  # `from pkg import module`
    return {m for m in found if m}


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _in(module: str, layer: str) -> bool:
    return module == layer or module.startswith(layer + ".")


# Known offenders being moved out (remove the entry with the move):
MOVING: set[str] = set()


def _offenders(layer: str, forbidden: list[str]) -> list[str]:
    return sorted(f"{m} imports {i}" for m, deps in GRAPH.items()
                  if _in(m, layer) and m not in MOVING
                  for i in deps for f in forbidden if _in(i, f))


KOSHTORYS_LAYERS = ["koshtorys.convert", "koshtorys.parts", "koshtorys.xlsx", "koshtorys.bulk",
                    "koshtorys.readers", "koshtorys.documents", "koshtorys.commands",
                    "koshtorys.cli", "koshtorys.addin", "koshtorys.udfs", "koshtorys.samples"]
IO_LIBRARIES = ["openpyxl", "xlwings", "lxml", "python_calamine", "smtplib", "urllib",
                "subprocess"]


def test_the_graph_is_real() -> None:
    # the test sees the modules and their imports it is meant to judge
    assert "koshtorys.engine.costing" in GRAPH and "koshtorys.commands.refresh" in GRAPH
    assert "koshtorys.core.money" in GRAPH["koshtorys.engine.costing"]
    assert "koshtorys.parts" in GRAPH["koshtorys.commands.refresh"]


@pytest.mark.parametrize("layer,forbidden", [
    # the facts declared once import nothing above them
    ("koshtorys.core", ["koshtorys.engine", *KOSHTORYS_LAYERS]),
    # the engine: DataFrames in, DataFrames out — no I/O, no adapter, no command
    ("koshtorys.engine", KOSHTORYS_LAYERS + IO_LIBRARIES),
    # the one conversion stage sits on the facts only
    ("koshtorys.convert", [x for x in KOSHTORYS_LAYERS if x != "koshtorys.convert"]
     + ["koshtorys.engine"] + IO_LIBRARIES),
    # adapters import no command, no button, no CLI
    ("koshtorys.xlsx", ["koshtorys.commands", "koshtorys.cli", "koshtorys.addin.macros",
                        "koshtorys.udfs", "koshtorys.documents", "koshtorys.parts"]),
    # the many-files adapters of consolidation (fast reader, table book, Parquet)
    ("koshtorys.bulk", ["koshtorys.commands", "koshtorys.cli", "koshtorys.addin",
                        "koshtorys.udfs", "koshtorys.documents", "koshtorys.parts",
                        "koshtorys.engine"]),
    ("koshtorys.readers", ["koshtorys.commands", "koshtorys.cli", "koshtorys.addin",
                           "koshtorys.xlsx", "koshtorys.documents"]),
    ("koshtorys.addin.live", ["koshtorys.commands", "koshtorys.cli", "koshtorys.parts"]),
    # documents are built from results, never by running a command
    ("koshtorys.documents", ["koshtorys.commands", "koshtorys.cli", "koshtorys.addin",
                             "koshtorys.udfs"]),
    # the commands are called by the CLI, the buttons and the demo, never the reverse
    ("koshtorys.commands", ["koshtorys.cli", "koshtorys.addin.macros", "koshtorys.udfs"]),
])
def test_layer_imports_point_down(layer: str, forbidden: list[str]) -> None:
    assert _offenders(layer, forbidden) == []


def test_outer_layers_call_commands_not_the_layers_below() -> None:
    # the CLI and the buttons go through the commands (and read only facts and adapters)
    allowed = ["koshtorys.commands", "koshtorys.core", "koshtorys.xlsx", "koshtorys.parts",
               "koshtorys.samples", "koshtorys.addin.live", "koshtorys.documents.mail",
               "koshtorys"]
    for outer in ("koshtorys.cli", "koshtorys.addin.macros"):
        deep = sorted(i for i in GRAPH[outer] if i in GRAPH
                      and not any(_in(i, a) for a in allowed if a != "koshtorys")
                      and i != "koshtorys")
        assert deep == [], outer


def test_no_cycles_between_modules() -> None:
    names = set(GRAPH)
    deps = {m: {i for i in GRAPH[m] if i in names and i != m} for m in names}
    # a package's __init__ naming its own submodules is not a cycle of the layers
    for m in names:
        deps[m] = {i for i in deps[m] if not _in(i, m)}
    seen: dict[str, int] = {}
    cycle: list[str] = []

    def visit(m: str, path: list[str]) -> None:
        if cycle:
            return
        seen[m] = 1
        for d in sorted(deps[m]):
            if seen.get(d) == 1:
                cycle.extend(path[path.index(d):] + [d] if d in path else [m, d])
                return
            if d not in seen:
                visit(d, [*path, d])
        seen[m] = 2

    for m in sorted(names):
        if m not in seen:
            visit(m, [m])
    assert cycle == []
