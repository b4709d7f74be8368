"""Finished chunks of one sweep, kept in a directory so that an interrupted sweep resumes.

A resume directory holds ``manifest.json`` (which sweep the directory belongs to, and its chunk
size) and one ``chunk-NNNNNN.npz`` per finished chunk. Nothing in it is trusted: every chunk
carries its own index, its rows, the sweep's key and a SHA-256 checksum of its arrays, and is
checked against what the sweep expects (array names, dtypes, shapes, value ranges) before it is
used. A chunk that fails any check — truncated, empty, not a zip file, an array missing or of the
wrong shape, written by another sweep, copied from another index — is reported with a
:class:`ResumeWarning` and computed again, never used and never an exception.

Concurrent runs need no lock. Every file is written whole to a temporary file whose name is
unique to the writing process (``.NAME.PID.RANDOM.tmp``) and renamed into place, which is atomic
within one file system, so a reader sees a whole file or none. The manifest is created only if
absent (a hard link, which fails if the name exists), so the first run to get there fixes the
chunk size and every later run adopts it. A chunk's bytes depend only on the sweep and the
chunk's index, so two runs that compute the same chunk write the same bytes and either may win
the rename.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import warnings
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ._errors import LmcGamesError, ResumeWarning

__all__ = ["ChunkStore", "ResumeWarning", "atomic_write"]

#: Version of the files in a resume directory; a directory of another version is refused.
FORMAT = 2

#: Arrays every chunk carries besides its results.
_META = ("meta:index", "meta:rows", "meta:key", "meta:checksum", "labels")


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file unique to this process, then rename.

    A reader never sees a partial file, and two processes writing the same path at once do not
    collide on the temporary name.
    """
    tmp = _temp_name(path)
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        _unlink(tmp)


def _temp_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass


def checksum(arrays: Mapping[str, np.ndarray]) -> str:
    """SHA-256 over the names, dtypes, shapes and bytes of ``arrays``, in name order."""
    h = hashlib.sha256()
    for name in sorted(arrays):
        a = np.ascontiguousarray(arrays[name])
        h.update(f"{name}\0{a.dtype.str}\0{a.shape}\0".encode())
        if a.dtype.kind == "U":
            h.update(a.astype("<U").tobytes())
        else:
            h.update(a.tobytes())
    return h.hexdigest()


class ChunkStore:
    """The chunks of one sweep (identified by ``key``) in the directory ``root``.

    Parameters
    ----------
    root : Path
        Created if absent.
    key : str
        The sweep's fingerprint; a directory whose manifest names another key is refused.
    chunk_size : int
        Used when this run creates the manifest; otherwise the manifest's size is adopted
        (:attr:`chunk_size`).
    describe : mapping
        A short, JSON-serialisable description written to the manifest for people reading it
        (never the whole grid).
    error : type
        The :class:`~lmc_games.LmcGamesError` subclass raised for a directory that cannot be
        used (another sweep's, not a directory, unwritable, a broken manifest).
    """

    def __init__(
        self,
        root: Path,
        key: str,
        chunk_size: int,
        describe: Mapping[str, Any] | None = None,
        *,
        error: type[LmcGamesError],
    ) -> None:
        self.root = Path(root)
        self.key = key
        self._error = error
        self._save_failed = False
        if self.root.exists() and not self.root.is_dir():
            raise error(f"--resume {self.root}: exists and is not a directory")
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise error(f"--resume {self.root}: cannot create it ({exc.strerror})") from None
        manifest = {
            "format": FORMAT,
            "key": key,
            "chunk_size": int(chunk_size),
            "sweep": dict(describe or {}),
        }
        path = self.root / "manifest.json"
        if not path.exists():
            self._check_orphans()
            self._create(path, json.dumps(manifest, indent=1, sort_keys=True).encode())
        old = self._read_manifest(path)
        if old.get("format") != FORMAT or old.get("key") != key:
            raise error(
                f"--resume {self.root}: holds chunks of a different sweep; use another "
                "directory or remove it"
            )
        size = old.get("chunk_size")
        if not isinstance(size, int) or isinstance(size, bool) or size < 1:
            raise error(
                f"--resume {self.root}: manifest.json has no valid chunk_size; remove the "
                "directory to start over"
            )
        self.chunk_size = size

    def _create(self, path: Path, data: bytes) -> None:
        # Create-if-absent: link a finished temporary file to the name, which fails when
        # another run got there first (then that run's manifest is read and checked).
        tmp = _temp_name(path)
        try:
            tmp.write_bytes(data)
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass
            except OSError:  # a file system without hard links
                if not path.exists():
                    os.replace(tmp, path)
        except OSError as exc:
            raise self._error(
                f"--resume {self.root}: cannot write manifest.json ({exc.strerror})"
            ) from None
        finally:
            _unlink(tmp)

    def _read_manifest(self, path: Path) -> dict:
        try:
            old = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise self._error(
                f"--resume {self.root}: manifest.json is unreadable ({type(exc).__name__}); "
                "remove the directory to start over"
            ) from None
        if not isinstance(old, dict):
            raise self._error(
                f"--resume {self.root}: manifest.json is not a sweep manifest; remove the "
                "directory to start over"
            )
        return old

    def _check_orphans(self) -> None:
        # Chunks without a manifest: refuse them if any names another sweep; chunks of this
        # sweep are what a concurrent run leaves between creating the manifest and reading it.
        for p in sorted(self.root.glob("chunk-*.npz")):
            key = _peek_key(p)
            if key is not None and key != self.key:
                raise self._error(
                    f"--resume {self.root}: holds chunks of a different sweep; use another "
                    "directory or remove it"
                )

    def path(self, c: int) -> Path:
        """The file of chunk ``c``."""
        return self.root / f"chunk-{c:06d}.npz"

    def load(self, c: int, rows: tuple[int, int], spec: Mapping[str, tuple]) -> dict | None:
        """Chunk ``c`` (rows ``rows`` of the sweep) if it is there and passes every check.

        ``spec`` maps each result array's name to ``(dtype, shape, low, high)``: ``shape``
        counts ``"rows"`` for the chunk's rows and ``"labels"`` for its number of labels, and
        ``low``/``high`` (``None``, an int or ``"labels"``) bound the values of an integer
        array. Returns the arrays and ``labels`` (a tuple of str), or ``None`` — with a
        :class:`ResumeWarning` when a file was there but unusable.
        """
        path = self.path(c)
        if not path.exists():
            return None
        try:
            arrays = _read(path)
            why = self._verify(arrays, c, rows, spec)
        except Exception as exc:  # noqa: BLE001 - a damaged file may fail in any way
            why = f"is unreadable ({type(exc).__name__})"
        if why:
            warnings.warn(
                f"resume directory {self.root}: {path.name} {why}; computing it again",
                ResumeWarning,
                stacklevel=3,
            )
            return None
        out = {k: arrays[k] for k in spec}
        out["labels"] = tuple(str(s) for s in arrays["labels"].tolist())
        return out

    def _verify(self, arrays, c, rows, spec) -> str:
        missing = [k for k in (*_META, *spec) if k not in arrays]
        if missing:
            return "lacks " + ", ".join(missing)
        extra = sorted(set(arrays) - set(_META) - set(spec))
        if extra:
            return "has unexpected arrays " + ", ".join(extra)
        body = {k: v for k, v in arrays.items() if k != "meta:checksum"}
        if _text(arrays["meta:checksum"]) != checksum(body):
            return "does not match its checksum"
        if _text(arrays["meta:key"]) != self.key:
            return "belongs to another sweep"
        index = arrays["meta:index"]
        if index.shape != () or index.dtype.kind not in "iu" or int(index) != c:
            return f"is chunk {_describe(index)}, not chunk {c}"
        r = arrays["meta:rows"]
        if r.shape != (2,) or r.dtype.kind not in "iu" or tuple(int(v) for v in r) != rows:
            return f"holds rows {r.tolist()}, not {list(rows)}"
        labels = arrays["labels"]
        if labels.ndim != 1 or labels.dtype.kind != "U":
            return "has malformed labels"
        names = labels.tolist()
        if len(set(names)) != len(names) or not all(names):
            return "has malformed labels"
        sizes = {"rows": rows[1] - rows[0], "labels": len(names)}
        for name, (dtype, shape, low, high) in spec.items():
            a = arrays[name]
            want = tuple(sizes.get(s, s) for s in shape)
            if a.dtype != np.dtype(dtype) or a.shape != want:
                return f"has {name} of {a.dtype} {a.shape}, expected {np.dtype(dtype)} {want}"
            lo, hi = sizes.get(low, low), sizes.get(high, high)
            if a.size and ((lo is not None and a.min() < lo) or (hi is not None and a.max() >= hi)):
                return f"has {name} out of range"
        return ""

    def save(self, c: int, rows: tuple[int, int], result: Mapping[str, Any]) -> None:
        """Write chunk ``c`` (its arrays and ``labels``) atomically, with its metadata.

        A chunk that cannot be written (a full disk, a directory in its place) costs only the
        resume: the sweep goes on, with one :class:`ResumeWarning` per store.
        """
        try:
            self._save(c, rows, result)
        except OSError as exc:
            if not self._save_failed:
                self._save_failed = True
                warnings.warn(
                    f"resume directory {self.root}: cannot keep {self.path(c).name} "
                    f"({exc.strerror or type(exc).__name__}); the sweep goes on, but chunks "
                    "not kept will be computed again on resume",
                    ResumeWarning,
                    stacklevel=3,
                )

    def _save(self, c: int, rows: tuple[int, int], result: Mapping[str, Any]) -> None:
        arrays = {k: np.asarray(v) for k, v in result.items() if k != "labels"}
        arrays["labels"] = np.array(list(result["labels"]), dtype=str).reshape(-1)
        arrays["meta:index"] = np.array(c, dtype=np.int64)
        arrays["meta:rows"] = np.array(rows, dtype=np.int64)
        arrays["meta:key"] = np.array(self.key)
        arrays["meta:checksum"] = np.array(checksum(arrays))
        path = self.path(c)
        tmp = _temp_name(path)
        try:
            with open(tmp, "wb") as fh:
                np.savez(fh, **arrays)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        finally:
            _unlink(tmp)


def _read(path: Path) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as z:
        if not isinstance(z, np.lib.npyio.NpzFile):
            raise ValueError("not an npz archive")
        return {k: z[k] for k in z.files}


def _peek_key(path: Path) -> str | None:
    try:
        with np.load(path, allow_pickle=False) as z:
            return _text(z["meta:key"])
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, TypeError):
        return None


def _text(a: np.ndarray) -> str | None:
    if a.shape != () or a.dtype.kind != "U":
        return None
    return str(a)


def _describe(a: np.ndarray) -> str:
    try:
        return str(int(a))
    except (TypeError, ValueError):
        return "?"
