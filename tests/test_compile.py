"""Compiled fields: broadcasting, caching, and agreement between engines."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import sympy

from lmc_games import Game, load_model, system
from lmc_games._compile import EngineUnavailableError, compile_field, numba_available

MODELS = ["matching_pennies", "hawk_dove", "hawk_dove_roles", "inspection", "rock_paper_scissors"]


def _exact_field(sys_, state, values):
    """The field by substitution into the sympy expressions (the slow reference)."""
    sub = dict(zip(sys_.variables, map(sympy.Float, state)))
    sub.update({p.symbol: sympy.Float(v) for p, v in zip(sys_.game.parameters, values)})
    return np.array([float(f.xreplace(sub)) for f in sys_.field])


@pytest.mark.parametrize("name", MODELS)
def test_numpy_matches_substitution_and_broadcasts(name):
    sys_ = system(load_model(name))
    f = compile_field(sys_, engine="numpy")
    assert f.variables == tuple(map(str, sys_.variables))
    assert f.parameters == tuple(p.name for p in sys_.game.parameters)
    rng = np.random.default_rng(1)
    states = rng.uniform(0, 0.5, (4, 1, f.n))
    params = rng.uniform(0.5, 2, (1, 3, f.m))
    out = f(states, params)
    assert out.shape == (4, 3, f.n)
    for i in range(4):
        for j in range(3):
            ref = _exact_field(sys_, states[i, 0], params[0, j])
            np.testing.assert_allclose(out[i, j], ref, rtol=1e-12, atol=1e-14)


def test_cached_on_system():
    sys_ = system(load_model("matching_pennies"))
    assert compile_field(sys_, engine="numpy") is compile_field(sys_, engine="numpy")


def test_constant_component_and_keyword_parameter():
    # A zero payoff advantage makes a constant component; a parameter named like a Python
    # keyword must not leak into the generated source.
    g = Game.symmetric([["lambda", 0], [0, "lambda"]], ["a", "b"], parameters={"lambda": 1})
    f = compile_field(system(g), engine="numpy")
    assert "lambda" not in f.source
    out = f(np.array([[0.25]]), np.array([[2.0]]))
    assert out.shape == (1, 1)
    np.testing.assert_allclose(out[0, 0], 0.25 * 0.75 * (2 * 0.25 - 2 * 0.75))
    zero = Game.symmetric([[1, 1], [1, 1]], ["a", "b"])
    fz = compile_field(system(zero), engine="numpy")
    assert fz(np.full((3, 1), 0.5), np.zeros((1, 0))).tolist() == [[0.0]] * 3


def test_bad_engine_and_shapes():
    sys_ = system(load_model("matching_pennies"))
    with pytest.raises(ValueError):
        compile_field(sys_, engine="fortran")
    f = compile_field(sys_, engine="numpy")
    with pytest.raises(ValueError):
        f(np.zeros((2, 3)), np.ones((1, 1)))


def test_numba_missing_is_a_clear_error(monkeypatch):
    import lmc_games._compile as comp

    monkeypatch.setattr(comp, "numba_available", lambda: False)
    sys_ = system(load_model("hawk_dove"))
    with pytest.raises(EngineUnavailableError, match=r"pip install 'lmc-games\[fast\]'"):
        comp.compile_field(sys_, engine="numba")
    assert comp.compile_field(sys_, engine="auto").engine == "numpy"


@pytest.mark.parametrize("name", MODELS)
def test_numba_agrees_with_numpy(name, tmp_path, monkeypatch):
    pytest.importorskip("numba")
    monkeypatch.setenv("LMC_GAMES_CACHE", str(tmp_path))
    sys_ = system(load_model(name))
    fn = compile_field(sys_, engine="numpy")
    fb = compile_field(sys_, engine="numba")
    assert fb.engine == "numba"
    # numba's on-disk cache needs the kernel in a real file.
    assert Path(fb._batch.py_func.__code__.co_filename).is_file()
    rng = np.random.default_rng(2)
    states = rng.uniform(0, 0.5, (6, 1, fn.n))
    params = rng.uniform(0.5, 2, (1, 2, fn.m))
    np.testing.assert_allclose(fb(states, params), fn(states, params), rtol=1e-12, atol=1e-12)
    inits = rng.uniform(0, 0.5, (5, fn.n))
    ra = fn.rk4(inits, params[0], 0.05, 200, 20)
    rb = fb.rk4(inits, params[0], 0.05, 200, 20)
    a, b = ra.states, rb.states
    assert a.shape == b.shape == (11, 5, 2, fn.n)
    np.testing.assert_allclose(b, a, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(rb.error, ra.error, rtol=1e-9, atol=1e-15)


def test_numba_available_reports_installation():
    try:
        import numba  # noqa: F401
    except ImportError:
        assert not numba_available()
    else:
        assert numba_available()


# -- SIMD-blocked integrators ------------------------------------------------------------------


@pytest.fixture(scope="module")
def numba_cache(tmp_path_factory):
    """A fresh numba disk cache for this module (compiling each kernel once per process)."""
    pytest.importorskip("numba")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LMC_GAMES_CACHE", str(tmp_path_factory.mktemp("numba_cache")))
        yield


def _inspection_points(rng, n_points):
    """Parameter points of the inspection game (g, f, c, r, l) around its defaults."""
    base = np.array([1.0, 4.0, 1.0, 2.0, 2.0])
    return base * rng.uniform(0.5, 1.5, (n_points, 5))


def _threads(n):
    import numba

    old = numba.get_num_threads()
    numba.set_num_threads(min(n, numba.config.NUMBA_NUM_THREADS))
    return old


@pytest.mark.parametrize("method", ["rk4", "rk4_track"])
def test_numba_trajectory_is_bit_identical_in_any_batch(method, numba_cache):
    # The same trajectory (start x, parameter point q) computed alone and inside batches of
    # 7, 8, 9 and 1000 trajectories -- so in other SIMD blocks, lanes, padded last blocks
    # and threads -- must give the same bits (==, not a tolerance).
    import numba

    f = compile_field(system(load_model("inspection")), engine="numba")
    rng = np.random.default_rng(11)
    x = np.array([[0.31, 0.72]])
    q = np.array([[1.3, 3.1, 0.8, 2.2, 1.7]])
    rest = np.array([[[0, 0], [0, 1], [1, 0], [1, 1], [1.3 / 3.1, 0.8 / 3.9]]], dtype=float)

    def run(inits, params, i, j, threads):
        # A step per parameter point (1, 2 or 3 steps per 0.05, from the point's values),
        # so lanes of one block run different steps and numbers of steps.
        refine = 1 + np.floor(params[:, 0] * 10).astype(np.int64) % 3
        h, ns = 0.05 / refine, 300 * refine
        old = _threads(threads)
        try:
            if method == "rk4":
                res = f.rk4(inits, params, h, ns, 7 * refine)
                return res.states[:, i, j], res.error[i, j]
            rests = np.repeat(rest, len(params), axis=0)
            res = f.rk4_track(inits, params, rests, h, ns, 0.05)
            return res.final[j, i], res.reached[j, i], res.time[j, i], res.error[j, i]
        finally:
            numba.set_num_threads(old)

    alone = run(x, q, 0, 0, 1)
    for N, P in [(7, 1), (1, 8), (3, 3), (100, 10)]:
        inits = rng.uniform(0.05, 0.95, (N, 2))
        params = _inspection_points(rng, P)
        i, j = int(rng.integers(N)), int(rng.integers(P))
        inits[i], params[j] = x[0], q[0]
        for threads in (1, 2):
            got = run(inits, params, i, j, threads)
            if method == "rk4":
                assert np.array_equal(got[0], alone[0])
                assert got[1] == alone[1]
            else:
                assert np.array_equal(got[0], alone[0])
                assert got[1] == alone[1]
                assert np.array_equal(got[2], alone[2], equal_nan=True)
                assert got[3] == alone[3]


def _hawk_dove_roles_case(points):
    """Starts, parameter points and rest points (free shares, analysis order) of the
    two-population hawk-dove game, with the analyses for ``converge``."""
    from lmc_games import analyze

    g = load_model("hawk_dove_roles")
    analyses = [analyze(g.with_values(V=v, C=c)) for v, c in points]
    rest = np.array(
        [[[s[0][0], s[1][0]] for s in (r.numeric_shares for r in a.rest_points)] for a in analyses]
    )
    return g, analyses, rest


@pytest.mark.parametrize("engine", ["numpy", "numba"])
def test_rk4_track_equals_converge_on_every_step(engine, request):
    # rk4_track must report what converge() reports for the states saved at every step.
    from lmc_games import converge, simulate, starts_grid

    if engine == "numba":
        request.getfixturevalue("numba_cache")
    points = [(2.0, 3.0), (1.0, 3.0), (3.0, 3.5)]
    g, analyses, rest = _hawk_dove_roles_case(points)
    starts = starts_grid(g, 5)
    params = np.array(points, dtype=float)
    sim = simulate(
        g,
        starts,
        params={"V": params[:, 0], "C": params[:, 1]},
        t_end=20,
        dt=0.05,
        engine=engine,
    )
    f = compile_field(system(g), engine=engine)
    h = sim.times[1]
    res = f.rk4_track(starts, params, rest, h, sim.times.size - 1, 1e-3)
    assert res.final.shape == (3, starts.shape[0], 2)
    np.testing.assert_array_equal(res.final, sim.final.transpose(1, 0, 2))
    labels = [r.label for r in analyses[0].rest_points]
    conv = converge(sim, analyses, eps=1e-3)
    want = np.array([[labels.index(v) if v else -1 for v in row] for row in conv.reached.T])
    want_t = np.array([[np.nan if v is None else v for v in row] for row in conv.time.T], float)
    # converge() also drops a final stay near a point that is not asymptotically stable when
    # it is a passage (its confirm_reached rule, applied on top of the raw tracking): where
    # converge reports a rest point the tracker must agree exactly; where it reports none the
    # tracker may only have found a point that is not asymptotically stable.
    kept = want >= 0
    np.testing.assert_array_equal(res.reached[kept], want[kept])
    np.testing.assert_array_equal(res.time[kept], want_t[kept])
    for j, i in zip(*np.nonzero(~kept & (res.reached >= 0))):
        assert not analyses[j].rest_points[res.reached[j, i]].asymptotically_stable
    assert np.all(np.isnan(res.time[res.reached < 0]))
    assert np.any(res.reached >= 0) and np.any(res.reached < 0)


def test_rk4_track_logistic_time_matches_closed_form():
    # x' = a x (1 - x): x(t) = x0 e^{at} / (1 - x0 + x0 e^{at}) is within eps of x = 1 (in
    # every share) from t* = log((1 - eps)(1 - x0) / (eps x0)) / a on.
    a, eps, dt = 0.5, 1e-3, 0.05
    g = Game.symmetric([["a", "a"], [0, 0]], ["grow", "stay"], parameters={"a": a})
    f = compile_field(system(g), engine="numpy")
    x0 = np.array([0.05, 0.2, 0.5, 0.8])
    rest = np.array([[[0.0], [1.0]]])
    res = f.rk4_track(x0[:, None], [[a]], rest, dt, 800, eps)
    assert res.reached.tolist() == [[1, 1, 1, 1]]
    t_star = np.log((1 - eps) * (1 - x0) / (eps * x0)) / a
    assert np.all(t_star <= res.time[0]) and np.all(res.time[0] <= t_star + dt)


def test_rk4_track_skips_missing_rest_points_and_reports_no_convergence():
    f = compile_field(system(load_model("hawk_dove")), engine="numpy")
    inits = np.array([[0.1], [0.9]])
    # The mixed rest point 2/3 "does not exist" here (nan row): the runs end near it, far
    # from both others, so they have not converged; with it, they have.
    rest = np.array([[[0.0], [1.0], [np.nan]]])
    res = f.rk4_track(inits, [[2.0, 3.0]], rest, 0.05, 1200, 1e-3)
    assert res.reached.tolist() == [[-1, -1]]
    assert np.all(np.isnan(res.time))
    rest[0, 2, 0] = 2 / 3
    res = f.rk4_track(inits, [[2.0, 3.0]], rest, 0.05, 1200, 1e-3)
    assert res.reached.tolist() == [[2, 2]]
    assert np.all((res.time > 0) & (res.time < 60))
    # No rest point at all: nothing converges.
    res = f.rk4_track(inits, [[2.0, 3.0]], np.zeros((1, 0, 1)), 0.05, 10, 1e-3)
    assert res.reached.tolist() == [[-1, -1]]


@pytest.mark.parametrize("name", ["inspection", "rock_paper_scissors"])
def test_rk4_track_numpy_and_numba_agree(name, numba_cache):
    from lmc_games import analyze, starts_grid

    g = load_model(name)
    an = analyze(g)
    free = [[x for pop in r.numeric_shares for x in pop[:-1]] for r in an.rest_points]
    rest = np.array([free, free], dtype=float)
    rest[1, -1] = np.nan  # the last rest point "does not exist" at the second point
    base = np.array([float(g.values[p.name]) for p in g.parameters])
    params = np.stack([base, base * 1.1])
    starts = starts_grid(g, 6)
    a = compile_field(system(g), engine="numpy").rk4_track(starts, params, rest, 0.1, 400, 1e-2)
    b = compile_field(system(g), engine="numba").rk4_track(starts, params, rest, 0.1, 400, 1e-2)
    np.testing.assert_allclose(b.final, a.final, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(b.reached, a.reached)
    np.testing.assert_allclose(b.time, a.time, rtol=0, atol=1e-12)


def test_rk4_track_rejects_bad_shapes():
    from lmc_games._compile import IntegrationError

    f = compile_field(system(load_model("inspection")), engine="numpy")
    inits, params = np.full((2, 2), 0.3), np.ones((3, 5))
    with pytest.raises(IntegrationError, match=r"rest must have shape \(P, R, n\)"):
        f.rk4_track(inits, params, np.zeros((2, 4, 2)), 0.1, 10, 1e-3)
    with pytest.raises(IntegrationError, match="dt"):
        f.rk4_track(inits, params, np.zeros((3, 4, 2)), -0.1, 10, 1e-3)
    with pytest.raises(IntegrationError, match="inits"):
        f.rk4(np.zeros((2, 3)), params, 0.1, 10, 1)


def test_numba_source_holds_no_user_text(numba_cache):
    g = Game.symmetric([["lambda", 0], [0, "lambda"]], ["a", "b"], parameters={"lambda": 1})
    f = compile_field(system(g), engine="numba")
    assert "lambda" not in f.source
    assert "fastmath" not in f.source  # reproducibility across SIMD lanes (module docstring)
    out = f.rk4(np.array([[0.25]]), np.array([[2.0]]), 0.1, 5, 5)
    ref = compile_field(system(g), engine="numpy").rk4(np.array([[0.25]]), [[2.0]], 0.1, 5, 5)
    np.testing.assert_array_equal(out.states, ref.states)
    np.testing.assert_array_equal(out.error, ref.error)
