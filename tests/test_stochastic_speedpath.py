"""The numba engine's cuts (lmc_games._stochastic._integrate_numba): how the paths are cut
into tiles, the steps into chunks of normals, and the tiles shared among threads -- with the
next chunks drawn while the tiles advance -- never changes a number; the numpy engine gives
the same ones. Small tiles and chunks make a few dozen paths take every branch: a tile
within a block of paths and across blocks, a chunk shorter than the rest, one thread and two,
and parameter points with different numbers of steps. Then the compiled normals against
numpy's, and the order the threads' scheduler (_pipeline) keeps."""

from __future__ import annotations

import numpy as np
import pytest

import lmc_games._stochastic as mod
from lmc_games import Game, load_model, system
from lmc_games._compile import numba_available

pytestmark = pytest.mark.skipif(not numba_available(), reason="numba is not installed")


def test_compiled_normals_are_numpys():
    """The numba engine draws with numba's copy of numpy's ziggurat: the same numbers as
    ``Generator.standard_normal`` (10^6 of them: the wedge and the tail beyond 3.65 taken
    hundreds of times), and the generator left where numpy leaves it."""
    from lmc_games import _stochastic_numba as nb

    a = np.random.Generator(np.random.PCG64(17))
    b = np.random.Generator(np.random.PCG64(17))
    got = np.empty((1000, 500, 2))
    nb.normals(a, got.reshape(-1))
    ref = b.standard_normal((1000, 500, 2))
    assert np.array_equal(got, ref)
    assert np.sum(np.abs(ref) > 3.65) > 100
    assert np.array_equal(a.standard_normal(7), b.standard_normal(7))
    assert a.bit_generator.state == b.bit_generator.state


def _threads() -> list[int]:
    import numba

    return [1, 2] if numba.config.NUMBA_NUM_THREADS >= 2 else [1]


def _final(game, x0, pvals, sigmas, *, runs, t_end, dt, scheme, engine, threads=1):
    import numba

    old = numba.get_num_threads()
    numba.set_num_threads(threads)
    try:
        out = mod._run(system(game), x0, pvals, sigmas, runs, t_end, dt, 5, scheme, engine)
    finally:
        numba.set_num_threads(old)
    return out.free, out.nsteps


def _values(game) -> np.ndarray:
    return np.array([[float(game.values[p.name]) for p in game.parameters]]).reshape(1, -1)


def _cut_small(monkeypatch) -> None:
    # Tiles of 5 paths with two free shares, 10 with one (blocks here have 14), chunks of 3
    # steps, and on several threads the field called with the GIL released.
    monkeypatch.setattr(mod, "_TILE_NUMBERS", 10)
    monkeypatch.setattr(mod, "_NORMALS_PER_DRAW", 100)
    monkeypatch.setattr(mod, "_NOGIL_WORK", 0)


@pytest.mark.parametrize("scheme", ["rk4", "euler"])
def test_two_strategy_populations_any_cut_any_threads_bit_for_bit(monkeypatch, scheme):
    g = load_model("water_use").scenario("strong_supervision")
    x0 = np.array([[0.5, 0.5], [0.2, 0.7]])
    sig = [(10.0, 10.0), (3.0, 0.0), (0.5, 7.0)]
    kw = dict(runs=7, t_end=3.1, dt=0.1, scheme=scheme)
    ref, _ = _final(g, x0, _values(g), sig, engine="numpy", **kw)
    whole = _final(g, x0, _values(g), sig, engine="numba", **kw)[0]
    assert np.array_equal(whole, ref)
    _cut_small(monkeypatch)
    for threads in _threads():
        got, _ = _final(g, x0, _values(g), sig, engine="numba", threads=threads, **kw)
        assert np.array_equal(got, ref)


def test_tiles_cover_the_paths_and_cross_blocks_only_with_equal_steps():
    tiles = mod._tiles(3 * 14, 14, 1, np.array([31]), 5)
    assert tiles[0].a == 0 and tiles[-1].b == 42
    assert all(0 < t.b - t.a <= 5 for t in tiles)
    assert all(a.b == b.a for a, b in zip(tiles, tiles[1:]))
    assert any(len(t.parts) == 2 for t in tiles)  # a tile across two blocks
    # Two parameter points with 20 and 60 steps: no tile holds paths of both.
    tiles = mod._tiles(2 * 3 * 14, 14, 2, np.array([20, 60]), 5)
    for t in tiles:
        assert len({g % 2 for g, _, _ in t.parts}) == 1
        assert t.steps == (20, 60)[t.parts[0][0] % 2]


@pytest.mark.parametrize("scheme", ["rk4", "euler"])
def test_three_strategies_and_uneven_steps_any_cut_any_threads(monkeypatch, scheme):
    """Rock-paper-scissors (a softmax of three, row by row) and hawk-dove at three parameter
    points refined to 20, 60 and 600 steps (the paths of a point stop when its steps are
    done)."""
    rps = Game.symmetric(
        [[0, "-b", 1], [1, 0, "-b"], ["-b", 1, 0]], ["r", "p", "s"], parameters={"b": 2}
    )
    hd = Game.symmetric(
        [["(V - C)/2", "V"], [0, "V/2"]], ["hawk", "dove"], parameters={"V": 2, "C": 3}
    )
    cases = [
        (rps, np.array([[0.2, 0.5], [0.6, 0.1]]), _values(rps), [(0.5,), (2.0,)], 2.0, 0.05),
        (
            hd,
            np.array([[0.3], [0.8]]),
            np.array([[2.0, 3.0], [60, 90], [600, 900]]),
            [(0.7,)],
            1,
            None,
        ),
    ]
    for game, x0, pv, sig, t_end, dt in cases:
        kw = dict(runs=7, t_end=t_end, dt=dt, scheme=scheme)
        ref, nsteps = _final(game, x0, pv, sig, engine="numpy", **kw)
        whole = _final(game, x0, pv, sig, engine="numba", **kw)[0]
        # To rounding only: the engines' compiled advantages round a parameter's terms
        # differently (tests/test_stochastic.py).
        assert np.max(np.abs(whole - ref)) < 1e-12
        with monkeypatch.context() as mp:
            _cut_small(mp)
            for threads in _threads():
                got, _ = _final(game, x0, pv, sig, engine="numba", threads=threads, **kw)
                assert np.array_equal(got, whole)
    assert list(nsteps) == [20, 60, 600]


@pytest.mark.parametrize("threads, tiles", [(2, 5), (3, 5), (2, 1)])
def test_pipeline_keeps_its_order(threads, tiles):
    """Every draw and every tile's chunk runs once; chunk c is drawn after chunk c - 1 and
    after every tile is through chunk c - _AHEAD (whose buffer it fills); a tile takes
    chunk c after chunk c - 1 and after chunk c is drawn -- whatever the timing."""
    import random
    import threading
    import time

    rnd = random.Random(threads)
    lock = threading.Lock()
    log: list[tuple[str, int, int, str]] = []
    chunks = 9

    def note(kind: str, a: int, b: int, edge: str) -> None:
        with lock:
            log.append((kind, a, b, edge))

    def draw(c: int) -> None:
        note("draw", c, 0, "start")
        time.sleep(rnd.random() * 2e-3)
        note("draw", c, 0, "end")

    def advance(i: int, c: int) -> None:
        note("advance", i, c, "start")
        time.sleep(rnd.random() * 2e-3)
        note("advance", i, c, "end")

    mod._pipeline(threads, chunks, tiles, draw, advance)
    at = {entry: k for k, entry in enumerate(log)}
    assert len(at) == len(log) == 2 * (chunks + chunks * tiles)
    for c in range(chunks):
        if c:
            assert at[("draw", c - 1, 0, "end")] < at[("draw", c, 0, "start")]
        if c >= mod._AHEAD:
            for i in range(tiles):
                assert at[("advance", i, c - mod._AHEAD, "end")] < at[("draw", c, 0, "start")]
        for i in range(tiles):
            assert at[("draw", c, 0, "end")] < at[("advance", i, c, "start")]
            if c:
                assert at[("advance", i, c - 1, "end")] < at[("advance", i, c, "start")]


def test_pipeline_raises_the_first_error_and_stops():
    calls: list[tuple[int, int]] = []

    def advance(i: int, c: int) -> None:
        calls.append((i, c))
        if (i, c) == (1, 2):
            raise ValueError("tile 1, chunk 2")

    with pytest.raises(ValueError, match="tile 1, chunk 2"):
        mod._pipeline(2, 50, 3, lambda c: None, advance)
    assert len(calls) < 3 * 50
