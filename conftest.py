"""Test-run policy shared by tests/, the doctests of lmc_games/ and docs/.

Tests marked ``slow`` (every example script, every bundled report through pdflatex, payoffs
up to 1e6 on the numpy engine, the slow property tests) are left out of a plain ``pytest``
run so that it stays a few minutes long; ``pytest -m slow`` runs exactly them and
``pytest -m "slow or not slow"`` runs everything (CI runs both halves). A test named on the
command line (``pytest path::test_name``) always runs.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

# With --doctest-modules pytest would also collect the conftest files as modules; two files
# named conftest.py outside packages then clash on import ("import file mismatch"). They hold
# no doctests.
collect_ignore = ["conftest.py", "docs/conftest.py"]
# Continuous integration runs the property tests on hypothesis's fixed sequence of examples
# (LMC_GAMES_HYPOTHESIS=ci, set by .ci/run), so a green run stays green for the same code; a
# plain local run keeps drawing new examples, which is how new edge cases are found (then
# fixed and pinned with @example).
try:
    from hypothesis import settings as _hypothesis_settings

    _hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
    if os.environ.get("LMC_GAMES_HYPOTHESIS") == "ci":
        _hypothesis_settings.load_profile("ci")
except ImportError:  # hypothesis is in the "test" extra
    pass
# Modules that import numba at the top (the optional "fast" extra) cannot be imported for
# their doctests without it; their tests skip on their own.
if importlib.util.find_spec("numba") is None:
    collect_ignore += ["lmc_games/_stochastic_numba.py"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.option.markexpr:
        return
    # Tests named on the command line: (file, the part of the node id after the file).
    named = []
    for arg in config.args:
        if "::" in arg:
            path, rest = arg.split("::", 1)
            named.append((Path(config.invocation_params.dir, path).resolve(), rest))

    def is_named(item: pytest.Item) -> bool:
        tail = item.nodeid.split("::", 1)[-1]
        return any(item.path.resolve() == path and tail.startswith(rest) for path, rest in named)

    slow = [item for item in items if item.get_closest_marker("slow") and not is_named(item)]
    if slow:
        left_out = set(map(id, slow))
        config.hook.pytest_deselected(items=slow)
        items[:] = [item for item in items if id(item) not in left_out]


def pytest_report_header(config: pytest.Config) -> str | None:
    if config.option.markexpr:
        return None
    return "slow tests are left out of this run: `pytest -m slow` runs them"
