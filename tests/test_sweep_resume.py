"""A resume directory that cannot lie (issue 10 §3).

Every kind of damage a chunk file can suffer — by a crash, a full disk, or a user's ``cp`` — is
made by hand here, and the rerun must give the same bytes as a clean run, with a warning and
never an exception. Two runs of one command on one directory must both finish with the same
CSV.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest

from lmc_games import SweepError, load_model, sweep
from lmc_games import _sweep as sweep_mod
from lmc_games._chunkstore import ChunkStore, ResumeWarning, checksum
from lmc_games.cli import main

ROOT = Path(__file__).resolve().parent.parent

GRID = {"k": np.linspace(1, 6, 7)}
KW = {"measure": "outcome", "starts": 3, "t_end": 40.0, "chunk_size": 2}


def _game():
    return load_model("water_use").with_values(p=0.2)


def _run(tmp_path, name, resume=None, **kw):
    res = sweep(_game(), GRID, **{**KW, **kw}, resume=resume)
    out = tmp_path / name
    res.to_csv(out)
    return out.read_bytes()


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    d = tmp_path_factory.mktemp("clean")
    return _run(d, "clean.csv")


@pytest.fixture
def kept(tmp_path):
    """A resume directory holding every chunk of the sweep (4 chunks of 2, 2, 2, 1 points)."""
    d = tmp_path / "chunks"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _run(tmp_path, "first.csv", resume=d)
    names = sorted(p.name for p in d.glob("chunk-*.npz"))
    assert names == [f"chunk-00000{i}.npz" for i in range(4)]
    return d


def _rerun_warns(tmp_path, d, match):
    with pytest.warns(ResumeWarning, match=match):
        got = _run(tmp_path, "again.csv", resume=d)
    # The damaged chunk was rewritten: a third run uses every chunk without a word.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert _run(tmp_path, "third.csv", resume=d) == got
    return got


def _arrays(path):
    with np.load(path, allow_pickle=False) as z:
        return {k: z[k] for k in z.files}


def _rewrite(path, arrays, *, reseal=True):
    """Write ``arrays`` as the chunk at ``path``, with a checksum that matches them when
    ``reseal`` (so that only the check under test can catch the damage)."""
    arrays = dict(arrays)
    if reseal:
        arrays.pop("meta:checksum", None)
        arrays["meta:checksum"] = np.array(checksum(arrays))
    with open(path, "wb") as fh:
        np.savez(fh, **arrays)


# ------------------------------------------------------------------ damaged bytes


def test_a_clean_rerun_uses_every_chunk(tmp_path, kept, clean, monkeypatch):
    def boom(plan, varied):
        raise AssertionError("a kept chunk was computed again")

    monkeypatch.setattr(sweep_mod, "_run_chunk", boom)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert _run(tmp_path, "r.csv", resume=kept) == clean


@pytest.mark.parametrize(
    ("damage", "match"),
    [
        (lambda b: b[: len(b) // 2], "unreadable"),  # torn write
        (lambda b: b[:100], "unreadable"),
        (lambda b: b"", "unreadable"),  # empty file
        (lambda b: os.urandom(len(b)), "unreadable"),  # garbage
        (lambda b: b"\x93NUMPY" + b[6:], "unreadable"),  # bad header of a zip
    ],
    ids=["truncated-half", "truncated-100", "empty", "garbage", "bad-magic"],
)
def test_damaged_bytes_are_recomputed(tmp_path, kept, clean, damage, match):
    path = kept / "chunk-000002.npz"
    path.write_bytes(damage(path.read_bytes()))
    assert _rerun_warns(tmp_path, kept, match) == clean


def test_a_flipped_byte_in_an_array_fails_the_checksum(tmp_path, kept, clean):
    path = kept / "chunk-000001.npz"
    arrays = _arrays(path)
    arrays["time"] = arrays["time"].copy()
    arrays["time"].flat[0] = np.nextafter(arrays["time"].flat[0], np.inf)
    _rewrite(path, arrays, reseal=False)
    assert _rerun_warns(tmp_path, kept, "checksum") == clean


def test_a_chunk_with_an_array_missing_is_recomputed(tmp_path, kept, clean):
    path = kept / "chunk-000001.npz"
    arrays = _arrays(path)
    del arrays["time"]
    _rewrite(path, arrays)
    assert _rerun_warns(tmp_path, kept, "lacks time") == clean


def test_a_chunk_without_its_metadata_is_recomputed(tmp_path, kept, clean):
    """A chunk as the previous format wrote it: results only."""
    path = kept / "chunk-000000.npz"
    arrays = {k: v for k, v in _arrays(path).items() if not k.startswith("meta:")}
    _rewrite(path, arrays, reseal=False)
    assert _rerun_warns(tmp_path, kept, "lacks meta:index") == clean


def test_an_extra_array_is_recomputed(tmp_path, kept, clean):
    path = kept / "chunk-000001.npz"
    arrays = _arrays(path)
    arrays["surprise"] = np.zeros(3)
    _rewrite(path, arrays)
    assert _rerun_warns(tmp_path, kept, "unexpected arrays surprise") == clean


@pytest.mark.parametrize(
    "change",
    [
        lambda a: a["reached"][:1],  # one row short
        lambda a: a["reached"][:, :-1],  # one start short
        lambda a: a["reached"].astype(np.int32),  # dtype
        lambda a: a["reached"].astype(np.float64),
        lambda a: a["reached"].reshape(-1),
    ],
    ids=["rows", "starts", "int32", "float", "flat"],
)
def test_a_chunk_of_the_wrong_shape_or_dtype_is_recomputed(tmp_path, kept, clean, change):
    path = kept / "chunk-000001.npz"
    arrays = _arrays(path)
    arrays["reached"] = change(arrays)
    _rewrite(path, arrays)
    assert _rerun_warns(tmp_path, kept, "has reached of") == clean


def test_an_index_out_of_range_of_the_labels_is_recomputed(tmp_path, kept, clean):
    """``reached`` indexes the chunk's labels; a larger index would label another point."""
    path = kept / "chunk-000001.npz"
    arrays = _arrays(path)
    arrays["reached"] = np.full_like(arrays["reached"], len(arrays["labels"]))
    _rewrite(path, arrays)
    assert _rerun_warns(tmp_path, kept, "out of range") == clean


def test_malformed_labels_are_recomputed(tmp_path, kept, clean):
    path = kept / "chunk-000001.npz"
    arrays = _arrays(path)
    arrays["labels"] = np.array([arrays["labels"][0]] * len(arrays["labels"]))
    _rewrite(path, arrays)
    assert _rerun_warns(tmp_path, kept, "malformed labels") == clean


def test_a_directory_in_place_of_a_chunk_costs_only_the_resume(tmp_path, kept, clean):
    path = kept / "chunk-000002.npz"
    path.unlink()
    path.mkdir()
    with pytest.warns(ResumeWarning) as caught:
        assert _run(tmp_path, "again.csv", resume=kept) == clean
    texts = [str(w.message) for w in caught]
    assert any("is unreadable" in t for t in texts)
    assert any("cannot keep chunk-000002.npz" in t for t in texts)


# ------------------------------------------------------------------ chunks in the wrong place


def test_a_chunk_copied_from_another_index_is_detected(tmp_path, kept, clean):
    """``cp chunk-000001.npz chunk-000002.npz`` (same shape, same key, valid checksum)."""
    (kept / "chunk-000002.npz").write_bytes((kept / "chunk-000001.npz").read_bytes())
    assert _rerun_warns(tmp_path, kept, "is chunk 1, not chunk 2") == clean


def test_a_chunk_relabelled_by_hand_still_holds_the_wrong_rows(tmp_path, kept, clean):
    """Even with its index rewritten (and the checksum resealed), a copied chunk's rows say
    where it came from."""
    arrays = _arrays(kept / "chunk-000001.npz")
    arrays["meta:index"] = np.array(2, dtype=np.int64)
    _rewrite(kept / "chunk-000002.npz", arrays)
    assert _rerun_warns(tmp_path, kept, r"holds rows \[2, 4\], not \[4, 6\]") == clean


def test_a_chunk_of_another_sweep_is_detected(tmp_path, kept, clean):
    """A chunk of the same shape from a sweep at other values, put in this directory."""
    other = tmp_path / "other"
    sweep(_game().with_values(p=0.3), GRID, **KW, resume=other)
    (kept / "chunk-000002.npz").write_bytes((other / "chunk-000002.npz").read_bytes())
    assert _rerun_warns(tmp_path, kept, "another sweep") == clean


# ------------------------------------------------------------------ the directory


def test_a_directory_of_another_sweep_is_refused(tmp_path, kept):
    with pytest.raises(SweepError, match="different sweep"):
        sweep(_game().with_values(p=0.3), GRID, **KW, resume=kept)
    grid = {"k": np.linspace(1, 6, 7) + np.array([0, 0, 0, 0, 0, 0, 1e-12])}
    with pytest.raises(SweepError, match="different sweep"):
        sweep(_game(), grid, **KW, resume=kept)


def test_orphan_chunks_of_another_sweep_are_refused(tmp_path, kept):
    (kept / "manifest.json").unlink()
    with pytest.raises(SweepError, match="different sweep"):
        sweep(_game().with_values(p=0.3), GRID, **KW, resume=kept)


def test_orphan_chunks_of_this_sweep_are_used(tmp_path, kept, clean):
    """What a concurrent run may see between another's manifest and its first chunk."""
    (kept / "manifest.json").unlink()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert _run(tmp_path, "r.csv", resume=kept) == clean


@pytest.mark.parametrize(
    "text",
    ["", "{", "[]", '{"format": 2}', "\xff\xfe"],
    ids=["empty", "torn", "list", "keyless", "bytes"],
)
def test_a_broken_manifest_is_a_clear_error(tmp_path, kept, text):
    (kept / "manifest.json").write_bytes(text.encode("latin-1"))
    with pytest.raises(SweepError, match="manifest.json|different sweep"):
        _run(tmp_path, "r.csv", resume=kept)


def test_a_manifest_with_a_bad_chunk_size_is_a_clear_error(tmp_path, kept):
    m = json.loads((kept / "manifest.json").read_text())
    for bad in (0, -3, "2", 2.5, True):
        m["chunk_size"] = bad
        (kept / "manifest.json").write_text(json.dumps(m))
        with pytest.raises(SweepError, match="chunk_size"):
            _run(tmp_path, "r.csv", resume=kept)


def test_the_manifest_adopts_the_first_runs_chunk_size(tmp_path, kept, clean):
    assert _run(tmp_path, "r.csv", resume=kept, chunk_size=5) == clean
    assert json.loads((kept / "manifest.json").read_text())["chunk_size"] == 2


def test_no_temporary_files_are_left_behind(kept):
    assert sorted(p.name for p in kept.iterdir()) == [
        *(f"chunk-00000{i}.npz" for i in range(4)),
        "manifest.json",
    ]


def test_the_manifest_does_not_hold_the_grid(tmp_path):
    d = tmp_path / "big"
    sweep(load_model("water_use"), {"p": np.linspace(0, 1, 20001)}, resume=d)
    assert (d / "manifest.json").stat().st_size < 1000


def test_store_save_and_load_round_trip(tmp_path):
    store = ChunkStore(tmp_path, "k" * 32, 3, error=SweepError)
    spec = {"x": (np.float64, ("rows", "labels"), None, None)}
    res = {"labels": ("a", "b"), "x": np.arange(6.0).reshape(3, 2)}
    store.save(0, (0, 3), res)
    got = store.load(0, (0, 3), spec)
    assert got["labels"] == ("a", "b")
    assert np.array_equal(got["x"], res["x"])
    with zipfile.ZipFile(store.path(0)) as z:
        assert {"meta:index.npy", "meta:key.npy", "meta:checksum.npy"} <= set(z.namelist())


# ------------------------------------------------------------------ the fingerprint


def _key(game, grid, **settings):
    names = tuple(grid)
    coords = {f"coord:{n}": np.asarray(v, dtype=float) for n, v in grid.items()}
    return sweep_mod._fingerprint(game, names, {"measure": "stable", **settings}, coords)


def test_the_key_covers_model_values_settings_and_grid():
    g = load_model("water_use")
    base = _key(g, {"p": np.linspace(0, 1, 100_001)})
    assert base == _key(load_model("water_use"), {"p": np.linspace(0, 1, 100_001)})
    moved = np.linspace(0, 1, 100_001)
    moved[-2] = np.nextafter(moved[-2], 0)  # one point of 100,001 moved by one ulp
    assert _key(g, {"p": moved}) != base
    assert _key(g.with_values(F=7), {"p": np.linspace(0, 1, 100_001)}) != base
    assert _key(g, {"p": np.linspace(0, 1, 100_001)}, measure="outcome") != base
    assert _key(g, {"F": np.linspace(0, 1, 100_001)}) != base
    other = load_model("inspection")
    assert _key(other, {"f": [1.0, 2.0]}) != _key(g, {"F": [1.0, 2.0]})


def test_the_key_covers_the_payoffs(tmp_path):
    text = (ROOT / "models" / "water_use.toml").read_text()
    a = tmp_path / "a.toml"
    a.write_text(text)
    assert "B_L + V_L - C_L" in text
    b = tmp_path / "b.toml"
    b.write_text(text.replace("B_L + V_L - C_L", "B_L + V_L - 2*C_L", 1))
    from lmc_games import load_model as load

    assert _key(load(str(a)), {"p": [0.5]}) != _key(load(str(b)), {"p": [0.5]})


def test_the_key_is_the_same_in_another_process():
    code = (
        "import numpy as np; from lmc_games import load_model; from lmc_games import _sweep as s;"
        "print(s._fingerprint(load_model('water_use'), ('p',), {'measure': 'stable'},"
        " {'coord:p': np.linspace(0, 1, 11)}))"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONHASHSEED="123")
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == _key(load_model("water_use"), {"p": np.linspace(0, 1, 11)})


# ------------------------------------------------------------------ the command line


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


@pytest.mark.slow
def test_two_concurrent_runs_on_one_directory_both_succeed(tmp_path):
    """Two copies of one command on one directory, started together: both finish, and both
    CSVs are the bytes of a run without --resume. Chunks of one point make the two runs
    write the manifest and the same chunks at the same moments."""
    args = ["sweep", "water_use", "--vary", "p=0:1:151", "--vary", "F=0:20:2"]
    cmd = [sys.executable, "-m", "lmc_games"]
    ref = tmp_path / "ref.csv"
    subprocess.run([*cmd, *args, "--out", str(ref)], check=True, env=_env(), capture_output=True)
    for attempt in range(2):
        store = tmp_path / f"chunks{attempt}"
        outs = [tmp_path / f"a{attempt}.csv", tmp_path / f"b{attempt}.csv"]
        extra = ["--resume", str(store), "--chunk-size", "1"]
        procs = [
            subprocess.Popen(
                [*cmd, *args, *extra, "--out", str(o)],
                env=_env(),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            for o in outs
        ]
        for p in procs:
            _, err = p.communicate(timeout=300)
            assert p.returncode == 0, err.decode()
            assert b"warning" not in err, err.decode()
        assert outs[0].read_bytes() == outs[1].read_bytes() == ref.read_bytes()
        assert not list(store.glob("*.tmp")) and not list(store.glob(".*"))


def test_cli_refuses_a_directory_of_another_sweep(tmp_path, capsys):
    d = tmp_path / "chunks"
    out = str(tmp_path / "s.csv")
    assert main(["sweep", "water_use", "--vary", "p=0:1:3", "--out", out, "--resume", str(d)]) == 0
    capsys.readouterr()
    argv = ["sweep", "water_use", "--set", "F=3", "--vary", "p=0:1:3", "--out", out]
    code = main([*argv, "--resume", str(d)])
    _, err = capsys.readouterr()
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "different sweep" in err


def test_cli_warns_and_recomputes_a_copied_chunk(tmp_path, capsys):
    d = tmp_path / "chunks"
    argv = ["sweep", "water_use", "--vary", "p=0:1:9", "--chunk-size", "3", "--resume", str(d)]
    ref = tmp_path / "ref.csv"
    assert main([*argv[:4], "--out", str(ref)]) == 0
    out = tmp_path / "s.csv"
    assert main([*argv, "--out", str(out)]) == 0
    (d / "chunk-000002.npz").write_bytes((d / "chunk-000001.npz").read_bytes())
    capsys.readouterr()
    assert main([*argv, "--out", str(out)]) == 0
    _, err = capsys.readouterr()
    assert "warning" in err and "chunk-000002.npz is chunk 1, not chunk 2" in err
    assert out.read_bytes() == ref.read_bytes()
