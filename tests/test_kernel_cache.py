"""The disk cache of generated numba kernels cannot lie (lmc_games/_compile/_cache.py).

Each damaged file is made in a private copy of a warm cache (``LMC_GAMES_CACHE``); a new
process must then give the same numbers as a clean run, and leave the cache repaired. Before
the manifest of sums, a garbage ``.nbi``, a truncated ``.nbc`` or a kernel file that is not
UTF-8 failed every later run (UnpicklingError, UnicodeDecodeError).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("numba")

from lmc_games._compile._cache import _NumbaFiles  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = """
import json
from lmc_games import load_model, simulate
sim = simulate(load_model("hawk_dove"), [[0.1], [0.9]], t_end=5, engine="numba")
print(json.dumps(sim.final.ravel().tolist()))
"""


def _run(cache: Path) -> list[float]:
    env = dict(os.environ, LMC_GAMES_CACHE=str(cache), NUMBA_NUM_THREADS="1")
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def _kernel_py(cache: Path) -> Path:
    (path,) = cache.glob("lmc_games_kernel_*.py")
    return path


def _numba_files(cache: Path, kind: str, kernel: str = "rk4") -> list[Path]:
    files = sorted((cache / "__pycache__").glob(f"lmc_games_kernel_*.{kernel}-*.{kind}"))
    assert files, f"no {kind} file of {kernel}"
    return files


def _assert_sound(cache: Path) -> None:
    """Every numba file is recorded in the manifest with its present sum."""
    (manifest,) = (cache / "__pycache__").glob("*.sums.json")
    sums = json.loads(manifest.read_text())["files"]
    files = sorted((cache / "__pycache__").glob("lmc_games_kernel_*.nb[ic]"))
    assert files
    for f in files:
        assert sums.get(f.name) == hashlib.sha256(f.read_bytes()).hexdigest(), f.name


@pytest.fixture(scope="module")
def warm(tmp_path_factory):
    """A cache filled by one clean run, its result, and the kernel file's text."""
    cache = tmp_path_factory.mktemp("warm")
    result = _run(cache)
    _assert_sound(cache)
    return cache, result, _kernel_py(cache).read_bytes()


@pytest.fixture
def cache(warm, tmp_path):
    copy = tmp_path / "cache"
    shutil.copytree(warm[0], copy)
    return copy


def _garbage(path: Path) -> None:
    path.write_bytes(b"garbage")


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:100])


def _zero_middle(path: Path) -> None:
    data = bytearray(path.read_bytes())
    mid = len(data) // 2
    data[mid : mid + 64] = bytes(64)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    "kind, damage",
    [
        # Each case compiles the kernels twice in a new process; the truncated .nbc (the
        # failure seen in use) stays in the default run, the other damages run under -m slow.
        pytest.param("nbi", _garbage, marks=pytest.mark.slow),
        pytest.param("nbi", _truncate, marks=pytest.mark.slow),
        ("nbc", _truncate),
        pytest.param("nbc", _zero_middle, marks=pytest.mark.slow),
        pytest.param("nbc", _garbage, marks=pytest.mark.slow),
    ],
)
def test_damaged_numba_file_is_discarded_and_rewritten(warm, cache, kind, damage):
    _, result, _ = warm
    targets = _numba_files(cache, kind)
    for f in targets:
        damage(f)
    bad = {f: f.read_bytes() for f in targets}
    assert _run(cache) == result
    for f, data in bad.items():
        assert f.exists() and f.read_bytes() != data  # recompiled and rewritten
    _assert_sound(cache)
    assert _run(cache) == result


@pytest.mark.parametrize(
    "damage",
    [
        lambda p: p.write_bytes(p.read_bytes()[:300]),  # truncated
        lambda p: p.write_bytes(p.read_bytes() + b"\xff\xfe\x00 not utf-8"),
        lambda p: p.write_bytes(b"x = 1\n"),  # content that does not match the key
        lambda p: p.unlink(),
    ],
    ids=["truncated", "not-utf8", "other-content", "missing"],
)
def test_damaged_kernel_file_is_rewritten(warm, cache, damage):
    _, result, text = warm
    path = _kernel_py(cache)
    damage(path)
    assert _run(cache) == result
    assert path.read_bytes() == text
    _assert_sound(cache)


@pytest.mark.parametrize(
    "content",
    [b"[]", b'{"files": []}', b'{"files": {"x": 1}}', b"\xff\xfe", b"{"],
    ids=["list", "files-list", "bad-sum", "not-utf8", "truncated"],
)
def test_malformed_manifest_means_nothing_is_trusted(cache, content):
    (manifest,) = (cache / "__pycache__").glob("*.sums.json")
    manifest.write_bytes(content)
    name = manifest.name[: -len(".sums.json")]
    files = _NumbaFiles(name, cache / "__pycache__")
    assert files.read_manifest() == {}
    assert files.files()
    assert files.verify()
    assert files.files() == []  # deleted before numba could read them


def test_unrecorded_or_changed_file_is_deleted_recorded_one_kept(cache):
    (manifest,) = (cache / "__pycache__").glob("*.sums.json")
    name = manifest.name[: -len(".sums.json")]
    store = _NumbaFiles(name, cache / "__pycache__")
    before = store.files()
    stray = cache / "__pycache__" / f"{name}.stray-1.py311.nbi"
    stray.write_bytes(b"not in the manifest")
    changed = _numba_files(cache, "nbc")[0]
    _zero_middle(changed)
    assert store.verify()
    assert not stray.exists() and not changed.exists()
    assert store.files() == [f for f in before if f != changed]


@pytest.mark.slow  # two cold numba compilations at once
def test_two_processes_racing_on_an_empty_cache_both_succeed(warm, tmp_path):
    _, result, text = warm
    cache = tmp_path / "empty"
    env = dict(os.environ, LMC_GAMES_CACHE=str(cache), NUMBA_NUM_THREADS="1")
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", SCRIPT],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err[-2000:]
        assert json.loads(out.strip().splitlines()[-1]) == result
    assert _kernel_py(cache).read_bytes() == text
    assert not list(cache.glob("*.tmp")) and not list((cache / "__pycache__").glob("*.tmp"))
    # Whatever the interleaving, the next run is right and leaves a sound cache.
    assert _run(cache) == result
    _assert_sound(cache)
