"""Doctests of the documentation pages (``--doctest-glob=*.md``).

An example that uses an optional extra (pandas, xarray, Dask, numba) is skipped where that
extra is not installed, and so is every later example that uses a name such an example
defined; the rest of the page still runs. The README's plain test command installs only
``.[test]``; CI's extras stage installs them all and runs every example for real. A page whose
examples are all skipped is reported as skipped, with the reason.
"""

from __future__ import annotations

import ast
import doctest
import importlib.util
import re

import pytest

OPTIONAL = ("pandas", "xarray", "dask", "distributed", "numba")
_IMPORT = re.compile(r"^\s*(?:import|from)\s+([A-Za-z_]\w*)", re.MULTILINE)
# Calls that need an extra although the example imports nothing.
_USES = {
    "to_dataframe(": "pandas",
    "to_xarray(": "xarray",
    'engine="numba"': "numba",
    "engine='numba'": "numba",
}


def _needs(source: str) -> set[str]:
    """The optional extras one example's source needs."""
    needed = {m for m in _IMPORT.findall(source) if m in OPTIONAL}
    needed |= {extra for text, extra in _USES.items() if text in source}
    return needed


def _names(source: str) -> tuple[set[str], set[str]]:
    """Names an example reads and names it binds (an unparsable source reads every word)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set(re.findall(r"[A-Za-z_]\w*", source)), set()
    loads: set[str] = set()
    stores: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (loads if isinstance(node.ctx, ast.Load) else stores).add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            stores |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            stores.add(node.name)
    return loads, stores


def examples_to_skip(examples: list[doctest.Example], missing: set[str]) -> list[int]:
    """Indices of the examples that cannot run without the extras in ``missing``: those that
    need one, and those that read a name only such an example bound."""
    skip = []
    tainted: set[str] = set()
    for i, ex in enumerate(examples):
        loads, stores = _names(ex.source)
        if _needs(ex.source) & missing or loads & tainted:
            skip.append(i)
            tainted |= stores
        else:
            tainted -= stores
    return skip


def pytest_collection_modifyitems(config, items):
    missing = {m for m in OPTIONAL if importlib.util.find_spec(m) is None}
    if not missing:
        return
    for item in items:
        path = getattr(item, "path", None)
        dtest = getattr(item, "dtest", None)
        if path is None or path.suffix != ".md" or dtest is None:
            continue
        skip = examples_to_skip(dtest.examples, missing)
        if not skip:
            continue
        why = sorted(set().union(*(_needs(dtest.examples[i].source) for i in skip)) & missing)
        if len(skip) == len(dtest.examples):
            item.add_marker(pytest.mark.skip(reason=f"needs {', '.join(why)} (an extra)"))
            continue
        for i in skip:
            dtest.examples[i].options[doctest.SKIP] = True
