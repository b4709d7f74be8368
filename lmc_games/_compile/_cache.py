"""The on-disk home of the generated numba modules, and their loading (one thread at a time).

A generated module is written under :func:`cache_dir` as ``lmc_games_kernel_<key>.py``, where
the key is a hash of its text, so numba's on-disk cache (``cache=True``, which needs a real
file) survives between processes. Nothing found on disk is believed without a check:

* the ``.py`` file is compared byte for byte with the text it must hold (a truncated file, a
  file that is not UTF-8, or one holding another text is rewritten); the module is compiled
  from the text in memory, so no ``.pyc`` file is ever read;
* numba's own files (an index ``.nbi`` and data ``.nbc`` files per kernel) are checked against
  a manifest of their SHA-256 sums, ``<module>.sums.json`` beside them, which this module
  writes after a kernel has run for the first time in a process. A file that is not in the
  manifest, or whose sum differs, is deleted before numba can read it: numba unpickles these
  files and links the machine code they hold, so a damaged one raises on every later run, or
  worse. Numba then compiles the kernel again and rewrites the files, and the manifest follows.

Every file is written to a temporary file unique to the process and thread, then renamed
over its target (``os.replace``, atomic on one file system): a reader sees the old content or
the new one, never a part. Two processes racing on an empty cache therefore both succeed; at
worst one deletes a file the other has just written and not yet entered in the manifest, and
that kernel is compiled once more.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
import threading
import types
from pathlib import Path
from typing import Any


def cache_dir() -> Path:
    """Directory of the generated numba modules (``$LMC_GAMES_CACHE`` or
    ``~/.cache/lmc_games``)."""
    base = os.environ.get("LMC_GAMES_CACHE")
    if base:
        return Path(base)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "lmc_games"


_LOAD_LOCK = threading.Lock()
_LOADED: dict[str, KernelModule] = {}


def load_numba_module(source: str) -> KernelModule:
    """The generated numba module of ``source``, loaded once per process, from a checked cache.

    Returns a :class:`KernelModule`: its attributes are the module's, each kernel wrapped so
    that its first call in this process records numba's cache files in the manifest.
    """
    # One thread at a time: a module enters sys.modules before it has finished executing, so
    # a second thread (a thread pool, an in-process Dask worker) could otherwise take it
    # half-built.
    with _LOAD_LOCK:
        return _load_locked(source)


def _load_locked(source: str) -> KernelModule:
    text = source.encode("utf-8")
    name = f"lmc_games_kernel_{hashlib.sha256(text).hexdigest()[:24]}"
    hit = _LOADED.get(name)
    if hit is not None:
        return hit
    path = _source_file(name, text)
    module = types.ModuleType(name)
    module.__file__ = str(path)
    sys.modules[name] = module
    try:
        # Compiled from the checked text in memory: the file is there for numba, whose cache
        # locator and source stamp need a real file. The text is generated (see _numba).
        exec(compile(source, str(path), "exec"), module.__dict__)
    except BaseException:
        del sys.modules[name]
        raise
    store = _NumbaFiles(name, _numba_cache_path(module))
    if not store.verify():
        # An untrusted file that cannot be deleted (a read-only cache): numba must not read
        # it, so this process compiles in memory.
        for obj in vars(module).values():
            cache = getattr(obj, "_cache", None)
            if hasattr(obj, "py_func") and cache is not None:
                cache.disable()
    kernels = KernelModule(module, store)
    _LOADED[name] = kernels
    return kernels


def _source_file(name: str, text: bytes) -> Path:
    """The path of a file holding exactly ``text``: checked, rewritten if it differs."""
    directory = cache_dir()
    path = directory / f"{name}.py"
    try:
        directory.mkdir(parents=True, exist_ok=True)
        try:
            good = path.read_bytes() == text
        except FileNotFoundError:
            good = False
        if not good:
            _write_atomic(path, text)
        return path
    except OSError:
        # No usable cache directory: compile from a temporary file; numba then caches beside
        # it, in a directory no later run will look in.
        path = Path(tempfile.mkdtemp(prefix="lmc_games_")) / f"{name}.py"
        path.write_bytes(text)
        return path


def _write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file unique to this process and thread."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)  # mkstemp's 0600 would hide the cache from a shared account
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _numba_cache_path(module: types.ModuleType) -> Path | None:
    # Where numba keeps the files of this module's kernels: its locator decided when the
    # dispatchers were created (``__pycache__`` beside the file, or NUMBA_CACHE_DIR).
    for obj in vars(module).values():
        cache = getattr(obj, "_cache", None)
        if hasattr(obj, "py_func") and cache is not None and cache.cache_path:
            return Path(cache.cache_path)
    return None


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class _NumbaFiles:
    """Numba's cache files of one generated module and the manifest of their sums."""

    def __init__(self, name: str, directory: Path | None) -> None:
        self.name = name
        self.directory = directory
        self.lock = threading.Lock()

    @property
    def manifest(self) -> Path | None:
        return None if self.directory is None else self.directory / f"{self.name}.sums.json"

    def files(self) -> list[Path]:
        if self.directory is None:
            return []
        try:
            entries = list(self.directory.iterdir())
        except OSError:
            return []
        prefix = f"{self.name}."
        return sorted(
            p for p in entries if p.name.startswith(prefix) and p.suffix in (".nbi", ".nbc")
        )

    def read_manifest(self) -> dict[str, str]:
        """The recorded sums; a manifest that is missing, unreadable or malformed is empty."""
        if self.manifest is None:
            return {}
        try:
            data = json.loads(self.manifest.read_bytes().decode("utf-8"))
        except (OSError, ValueError):
            return {}
        sums = data.get("files") if isinstance(data, dict) else None
        if not isinstance(sums, dict):
            return {}
        return {k: v for k, v in sums.items() if isinstance(k, str) and isinstance(v, str)}

    def verify(self) -> bool:
        """Delete every file not recorded with its present sum; False if one could not be."""
        sums = self.read_manifest()
        ok = True
        for path in self.files():
            try:
                if sums.get(path.name) == _sha256(path):
                    continue
                path.unlink()
            except FileNotFoundError:
                pass
            except OSError:
                ok = False
        return ok

    def record(self) -> None:
        """Enter the present files and their sums in the manifest (best effort)."""
        if self.manifest is None:
            return
        with self.lock:
            sums = {}
            for path in self.files():
                try:
                    sums[path.name] = _sha256(path)
                except OSError:
                    pass
            body = json.dumps({"module": self.name, "files": sums}, indent=1, sort_keys=True)
            try:
                _write_atomic(self.manifest, body.encode("utf-8"))
            except OSError:
                pass


class KernelModule:
    """A loaded generated module whose kernels record the cache after their first call."""

    def __init__(self, module: types.ModuleType, files: _NumbaFiles) -> None:
        self._module = module
        self._files = files
        self._wrapped: dict[str, _FirstCall] = {}

    def __getattr__(self, attr: str) -> Any:
        obj = getattr(self._module, attr)
        if not hasattr(obj, "py_func"):
            return obj
        wrapped = self._wrapped.get(attr)
        if wrapped is None:
            wrapped = self._wrapped.setdefault(attr, _FirstCall(obj, self._files))
        return wrapped


class _FirstCall:
    """Calls a numba dispatcher; after a call that compiled (or loaded) a new signature, the
    manifest is brought up to date with the files numba has just written (or found)."""

    def __init__(self, dispatcher: Any, files: _NumbaFiles) -> None:
        self.dispatcher = dispatcher
        self.files = files
        self.signatures = -1

    def __getattr__(self, attr: str) -> Any:
        # Everything else (py_func, signatures, stats) is the dispatcher's.
        if attr == "dispatcher":  # not set yet (copy, unpickling): no recursion
            raise AttributeError(attr)
        return getattr(self.dispatcher, attr)

    def __call__(self, *args: Any) -> Any:
        out = self.dispatcher(*args)
        count = len(self.dispatcher.signatures)
        if count != self.signatures:
            self.files.record()
            self.signatures = count
        return out
