"""The house rules of the code, checked on every `make test`: layers, no cycles, explained lazy imports, sizes.

docs/architecture.md draws the layers; pyproject.toml ([tool.importlinter]) declares them.
"""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[2]
APP_FILES = sorted((ROOT / "app").rglob("*.py"))
MAX_MODULE_LINES = 300
MAX_FUNCTION_LINES = 60


def test_import_linter_contracts_are_kept():
    """An upward import between layers, an import of workers/ from app/ or a cycle between siblings fails."""
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def _cycles(graph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []
    counter = 0
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_module_imports_itself_back_through_others():
    """No cycle anywhere in app/ and workers/, packages and their modules included."""
    graph = grimp.build_graph("app", "workers", include_external_packages=False, cache_dir=None)
    assert _cycles(graph) == []


def _imports_inside_functions(path: Path) -> list[tuple[int, str]]:
    """Imports inside a function with no comment saying why: on the line itself, or on the line just above
    the run of imports it belongs to."""
    lines = path.read_text().splitlines()
    unexplained = []
    for node in ast.walk(ast.parse("\n".join(lines))):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for sub in ast.walk(node):
            if not isinstance(sub, (ast.Import, ast.ImportFrom)):
                continue
            if any("#" in lines[i] for i in range(sub.lineno - 1, sub.end_lineno)):
                continue
            above = sub.lineno - 2
            while above >= 0 and lines[above].lstrip().startswith(("from ", "import ", ")")):
                above -= 1
            if above >= 0 and lines[above].lstrip().startswith("#"):
                continue
            unexplained.append((sub.lineno, lines[sub.lineno - 1].strip()))
    return unexplained


def test_every_import_inside_a_function_says_why():
    found = {str(p.relative_to(ROOT)): hits for p in APP_FILES + sorted((ROOT / "workers").rglob("*.py"))
             if (hits := _imports_inside_functions(p))}
    assert found == {}


def test_modules_and_functions_stay_small():
    """A module one person reads in a sitting; a function that fits on a screen."""
    too_big = []
    for path in APP_FILES:
        text = path.read_text()
        if len(text.splitlines()) > MAX_MODULE_LINES:
            too_big.append(f"{path.relative_to(ROOT)}: {len(text.splitlines())} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    too_big.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}(): {length} lines")
    assert too_big == []
