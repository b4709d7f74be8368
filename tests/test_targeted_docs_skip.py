"""docs/conftest.py skips the doctest examples that need a missing extra, not whole pages.

The expected skips are worked out by hand for small pages: an example needing pandas, and
every later example reading a name such an example bound, is skipped; everything else runs.
The last test runs pytest for real on such a page, with pandas hidden, in a subprocess.
"""

from __future__ import annotations

import doctest
import importlib.util
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

DOCS_CONFTEST = Path(__file__).resolve().parents[1] / "docs" / "conftest.py"

_spec = importlib.util.spec_from_file_location("docs_conftest", DOCS_CONFTEST)
docs_conftest = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(docs_conftest)

PAGE = textwrap.dedent(
    """
    Plain examples run without the extra.

    >>> x = 1 + 1
    >>> x
    2
    >>> import pandas as pd
    >>> df = pd.DataFrame({"a": [x]})
    >>> df.shape
    (1, 1)
    >>> class R:
    ...     def to_dataframe(self):
    ...         import pandas
    ...         return pandas.DataFrame({"a": [1]})
    >>> table = R().to_dataframe()
    >>> table.shape
    (1, 1)
    >>> df = {"a": [x, x]}
    >>> len(df["a"]) + x * 3
    8
    """
)


def _examples(text):
    return doctest.DocTestParser().get_examples(text)


def test_only_the_examples_needing_the_missing_extra_and_their_followers_are_skipped():
    ex = _examples(PAGE)
    # 0: x = 1 + 1   1: x   2: import pandas   3: df = pd.DataFrame   4: df.shape
    # 5: class R     6: table = R().to_dataframe()   7: table.shape   8: df = {...}   9: len(...)
    assert len(ex) == 10
    # 5 is skipped too, conservatively: its text imports pandas (inside the method).
    assert docs_conftest.examples_to_skip(ex, {"pandas"}) == [2, 3, 4, 5, 6, 7]
    assert docs_conftest.examples_to_skip(ex, {"xarray"}) == []
    assert docs_conftest.examples_to_skip(ex, set()) == []


def test_numba_engine_and_from_imports_are_recognised():
    ex = _examples(
        '>>> from dask.distributed import Client\n>>> c = Client()\n>>> y = 3\n'
        '>>> run(engine="numba")\n>>> y\n3\n'
    )  # fmt: skip
    assert docs_conftest.examples_to_skip(ex, {"dask"}) == [0, 1]
    assert docs_conftest.examples_to_skip(ex, {"numba"}) == [3]


HIDE = """
import sys

# find_spec returns None and import fails for a module whose sys.modules entry is None.
sys.modules["pandas"] = None
"""


def test_a_page_runs_its_other_examples_when_pandas_is_missing(tmp_path):
    shutil.copy(DOCS_CONFTEST, tmp_path / "conftest.py")
    (tmp_path / "page.md").write_text(PAGE)
    (tmp_path / "hide_pandas.py").write_text(HIDE)
    # A page whose examples all need pandas is still skipped as a whole.
    (tmp_path / "all.md").write_text(">>> import pandas\n>>> pandas.__name__\n'pandas'\n")
    base = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs"]
    base += ["--doctest-glob=*.md", "--rootdir", str(tmp_path), "-c", "/dev/null"]
    env_hidden = [*base, "-p", "hide_pandas"]
    env = {"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"}
    hidden = subprocess.run(
        [*env_hidden, str(tmp_path)], capture_output=True, text=True, cwd=tmp_path, env=env
    )
    assert "1 passed, 1 skipped" in hidden.stdout, hidden.stdout + hidden.stderr
    assert "needs pandas" in hidden.stdout
    # The same page fails when its skipped examples are made to run (the run above proves
    # the other examples ran: a failing one would fail the page).
    broken = PAGE.replace(">>> x\n2", ">>> x\n3")
    (tmp_path / "page.md").write_text(broken)
    again = subprocess.run(
        [*env_hidden, str(tmp_path / "page.md")], capture_output=True, text=True, cwd=tmp_path,
        env=env,
    )  # fmt: skip
    assert "1 failed" in again.stdout, again.stdout + again.stderr
