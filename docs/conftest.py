"""Doctests of the documentation pages (``--doctest-glob=*.md``).

A page whose examples use an optional extra (pandas, xarray, Dask, numba) is skipped, with
the reason, where that extra is not installed: the README's plain test command installs only
``.[test]``; CI's extras stage installs them all and runs these pages for real.
"""

from __future__ import annotations

import importlib.util
import re

import pytest

OPTIONAL = ("pandas", "xarray", "dask", "distributed", "numba")
_IMPORT = re.compile(r"^\s*(?:>>>|\.\.\.)\s+(?:import|from)\s+([A-Za-z_][\w]*)", re.MULTILINE)


def pytest_collection_modifyitems(config, items):
    for item in items:
        path = getattr(item, "path", None)
        if path is None or path.suffix != ".md":
            continue
        needed = {m for m in _IMPORT.findall(path.read_text(encoding="utf-8")) if m in OPTIONAL}
        text = path.read_text(encoding="utf-8")
        if "to_dataframe()" in text:
            needed.add("pandas")
        if "to_xarray()" in text:
            needed.add("xarray")
        if 'engine="numba"' in text or "engine='numba'" in text:
            needed.add("numba")
        missing = sorted(m for m in needed if importlib.util.find_spec(m) is None)
        if missing:
            item.add_marker(pytest.mark.skip(reason=f"needs {', '.join(missing)} (an extra)"))
