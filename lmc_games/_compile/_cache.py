"""The on-disk home of the generated numba modules, and their loading (one thread at a time).

The generated module is written under :func:`cache_dir` keyed by a hash of its text, so
numba's on-disk cache (``cache=True``, which needs a real file) survives between processes.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
import threading
from pathlib import Path


def cache_dir() -> Path:
    """Directory of the generated numba modules (``$LMC_GAMES_CACHE`` or
    ``~/.cache/lmc_games``)."""
    base = os.environ.get("LMC_GAMES_CACHE")
    if base:
        return Path(base)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "lmc_games"


_LOAD_LOCK = threading.Lock()


def load_numba_module(source: str):
    # One thread at a time: a module enters sys.modules before it has finished executing, so
    # a second thread (a thread pool, an in-process Dask worker) could otherwise take it
    # half-built.
    with _LOAD_LOCK:
        return _load_numba_module_locked(source)


def _load_numba_module_locked(source: str):
    digest = hashlib.sha256(source.encode()).hexdigest()[:24]
    name = f"lmc_games_kernel_{digest}"
    if name in sys.modules:
        return sys.modules[name]
    directory = cache_dir()
    path = directory / f"{name}.py"
    try:
        directory.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text() != source:
            # Write then rename, so a concurrent process never imports a half-written file.
            tmp = directory / f".{name}.{os.getpid()}.tmp"
            tmp.write_text(source)
            os.replace(tmp, path)
    except OSError:
        # No writable cache: compile from a temporary file; numba then simply skips caching.
        import tempfile

        path = Path(tempfile.mkdtemp(prefix="lmc_games_")) / f"{name}.py"
        path.write_text(source)
    # The module file holds only the generated text (see the module docstring).
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module
