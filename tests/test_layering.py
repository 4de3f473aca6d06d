"""The layering rules of the developers' guide, checked on the code itself.

logic/ never imports Streamlit (pages and components do); no module in logic/ imports, directly or
through others, a module that imports it back; no module in logic/ is over 600 lines.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parents[1]
LOGIC = ROOT / "logic"
MAX_LINES = 600


def _modules() -> dict[str, Path]:
    """Every module of the logic package by dotted name: logic, logic.views, logic.export.xlsx.book ..."""
    out = {}
    for path in sorted(LOGIC.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


MODULES = _modules()


def _package(name: str, path: Path) -> str:
    return name if path.name == "__init__.py" else name.rsplit(".", 1)[0]


def _resolve(importer: str, path: Path, node: ast.ImportFrom) -> list[str]:
    """The logic modules an ImportFrom names (relative or absolute)."""
    if node.level:
        base = _package(importer, path).split(".")
        base = base[: len(base) - (node.level - 1)]
        target = ".".join(base + ([node.module] if node.module else []))
    else:
        target = node.module or ""
    found = []
    for alias in node.names:
        sub = f"{target}.{alias.name}"
        found.append(sub if sub in MODULES else target)
    return [m for m in found if m in MODULES]


def _imports(name: str, path: Path, module_level_only: bool) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if module_level_only else list(ast.walk(tree))
    out: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.ImportFrom):
            out.update(_resolve(name, path, node))
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name in MODULES)
    return out - {name}


def _graph(module_level_only: bool) -> nx.DiGraph:
    g = nx.DiGraph()
    for name, path in MODULES.items():
        g.add_node(name)
        for target in _imports(name, path, module_level_only):
            g.add_edge(name, target)
    return g


def test_the_import_graph_is_found():
    g = _graph(module_level_only=True)
    assert ("logic.views", "logic.presentation") in g.edges
    assert ("logic.export.html_report", "logic.case_views") in g.edges
    assert ("logic.export.xlsx.flows", "logic.export.xlsx.cells") in g.edges


def test_no_import_cycles_at_load_time():
    g = _graph(module_level_only=True)
    cycles = list(nx.simple_cycles(g))
    assert cycles == [], f"modules that import each other when loaded: {cycles}"


def test_no_import_cycles_even_through_deferred_imports():
    """An import inside a function (to keep start-up light) must not close a loop either."""
    g = _graph(module_level_only=False)
    # The package's __init__ gathers the public names; a module importing `logic` itself is not a loop
    # of design, but every other edge counts.
    g.remove_node("logic")
    cycles = list(nx.simple_cycles(g))
    assert cycles == [], f"modules that import each other: {cycles}"


def test_logic_never_names_streamlit():
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                assert not any(a.name.split(".")[0] == "streamlit" for a in node.names), name
            elif isinstance(node, ast.ImportFrom) and not node.level:
                assert (node.module or "").split(".")[0] != "streamlit", name


def test_importing_every_logic_module_loads_no_streamlit():
    code = (
        "import importlib, sys\n"
        f"for name in {sorted(MODULES)!r}:\n"
        "    importlib.import_module(name)\n"
        "assert 'streamlit' not in sys.modules, 'streamlit was imported'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_no_module_is_over_600_lines():
    long = {
        name: n
        for name, path in MODULES.items()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}
