"""Batched simulation, convergence and basins."""

from __future__ import annotations

import csv
import math
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.integrate import solve_ivp

from lmc_games import Game, analyze, load_model, system
from lmc_games._compile import compile_field
from lmc_games._simulate import (
    SimulationWarning,
    basins,
    converge,
    simulate,
    starts_grid,
)


def _reference(sys_, x0, t_eval):
    """solve_ivp at rtol 1e-10 on the numpy-compiled field at the game's values."""
    f = compile_field(sys_, engine="numpy")
    p = np.array([float(sys_.game.values[k]) for k in f.parameters])
    sol = solve_ivp(
        lambda t, y: f(y, p), (0, t_eval[-1]), x0, t_eval=t_eval, rtol=1e-10, atol=1e-12
    )
    return sol.y.T


@pytest.mark.parametrize("name", ["matching_pennies", "hawk_dove_roles", "inspection"])
@pytest.mark.parametrize("method", ["rk4", "dopri5"])
def test_agrees_with_solve_ivp(name, method):
    sys_ = system(load_model(name))
    inits = np.array([[0.3, 0.6], [0.15, 0.2], [0.7, 0.45]])
    sim = simulate(
        sys_,
        inits,
        t_end=20,
        dt=0.01,
        method=method,
        rtol=1e-10,
        atol=1e-12,
        engine="numpy",
        save_every=0.5,
    )
    assert sim.states.shape == (41, 3, 1, 2)
    np.testing.assert_allclose(sim.times, np.linspace(0, 20, 41), atol=1e-12)
    for i, x0 in enumerate(inits):
        ref = _reference(sys_, x0, sim.times)
        np.testing.assert_allclose(sim.states[:, i, 0], ref, atol=1e-6)
    if method == "dopri5":
        assert np.all(sim.steps > 0) and np.all(sim.evaluations >= 6 * sim.steps)


@pytest.mark.filterwarnings("ignore::lmc_games._simulate.SimulationWarning")
def test_numba_rk4_agrees_with_numpy(tmp_path, monkeypatch):
    pytest.importorskip("numba")
    monkeypatch.setenv("LMC_GAMES_CACHE", str(tmp_path))
    g = load_model("rock_paper_scissors")
    inits = starts_grid(g, 4)
    kw = dict(params={"b": [0.5, 1.0, 2.0]}, t_end=10, dt=0.05)
    a = simulate(g, inits, engine="numpy", **kw)
    b = simulate(g, inits, engine="numba", **kw)
    assert b.engine == "numba"
    np.testing.assert_allclose(b.states, a.states, rtol=1e-12, atol=1e-12)


def test_parameter_points_broadcast():
    g = load_model("hawk_dove")
    sim = simulate(
        g, [[0.1], [0.9]], params={"V": [[2.0], [1.0]], "C": [3.0, 4.0]}, t_end=1, engine="numpy"
    )
    assert sim.parameter_names == ("V", "C")
    assert sim.parameter_values.tolist() == [[2, 3], [2, 4], [1, 3], [1, 4]]
    assert sim.final.shape == (2, 4, 1)
    with pytest.raises(Exception, match="unknown parameter"):
        simulate(g, [[0.1]], params={"W": 1.0}, engine="numpy")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    x=st.lists(st.floats(0.0, 1.0), min_size=2, max_size=2),
    a=st.floats(0.1, 3.0),
    b=st.floats(0.1, 3.0),
    method=st.sampled_from(["rk4", "dopri5"]),
)
def test_states_stay_on_the_simplex(x, a, b, method):
    g = load_model("rock_paper_scissors")
    x0 = np.array(x)
    if x0.sum() > 1:
        x0 = x0 / x0.sum()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SimulationWarning)
        sim = simulate(
            g,
            x0,
            params={"a": a, "b": b},
            t_end=30,
            dt=0.2,
            method=method,
            rtol=1e-4,
            atol=1e-7,
            engine="numpy",
        )
    s = sim.states
    assert np.all((s >= 0) & (s <= 1))
    assert np.all(s.sum(axis=-1) <= 1.0)


def test_logistic_convergence_time_matches_closed_form():
    # x' = a x (1 - x): x(t) = x0 e^{at} / (1 - x0 + x0 e^{at}); it is within eps of x = 1
    # (in every share) from t* = log((1 - eps)(1 - x0) / (eps x0)) / a on.
    a, eps, dt = 0.5, 1e-3, 0.05
    g = Game.symmetric([["a", "a"], [0, 0]], ["grow", "stay"], parameters={"a": a})
    x0 = np.array([0.05, 0.2, 0.5, 0.8])
    sim = simulate(g, x0[:, None], t_end=40, dt=dt, engine="numpy")
    conv = converge(sim, analyze(g), eps=eps)
    for i, x in enumerate(x0):
        assert conv.reached[i, 0] == "grow"
        t_star = math.log((1 - eps) * (1 - x) / (eps * x)) / a
        assert t_star <= conv.time[i, 0] <= t_star + dt
    # The closed form itself, as a check on the integrator.
    t = sim.times
    exact = x0[1] * np.exp(a * t) / (1 - x0[1] + x0[1] * np.exp(a * t))
    np.testing.assert_allclose(sim.states[:, 1, 0, 0], exact, atol=1e-8)


@pytest.mark.parametrize("method", ["rk4", "dopri5"])
def test_centre_is_never_converged(method):
    g = load_model("matching_pennies")
    sim = simulate(
        g, [[0.3, 0.3], [0.45, 0.5], [0.1, 0.8]], t_end=100, method=method, engine="numpy"
    )
    conv = converge(sim, analyze(g))
    assert all(v is None for v in conv.reached.ravel())
    assert all(v is None for v in conv.time.ravel())
    assert basins(conv)["not_converged"].tolist() == [1.0]


def test_hawk_dove_converges_to_the_mixed_state():
    g = load_model("hawk_dove")
    starts = starts_grid(g, 4)  # 1/5 .. 4/5: none is the rest point 2/3
    for method in ("rk4", "dopri5"):
        sim = simulate(g, starts, t_end=100, method=method, engine="numpy")
        conv = converge(sim, analyze(g))
        assert set(conv.reached.ravel()) == {"hawk+dove"}
        assert all(0 < t < 100 for t in conv.time.ravel())
        shares = {k: v.tolist() for k, v in basins(conv).items()}
        assert shares == {"hawk+dove": [1.0], "not_converged": [0.0]}


def test_basins_of_two_population_hawk_dove():
    g = load_model("hawk_dove_roles")
    sim = simulate(g, starts_grid(g, 4), t_end=100, engine="numpy")
    conv = converge(sim, analyze(g))
    shares = basins(conv)
    # Shares against a direct count of the per-start outcomes (not their sum, which is 1 by
    # construction): every label reached, and only those, with its fraction of the 16 starts.
    outcomes = [conv.reached[i, 0] for i in range(conv.reached.shape[0])]
    expected = {lab: outcomes.count(lab) / 16 for lab in set(outcomes) if lab is not None}
    expected["not_converged"] = outcomes.count(None) / 16
    assert {k: v[0] for k, v in shares.items()} == expected
    # The interior point is a saddle: the grid's starts split between the two
    # asymmetric corners (owner hawk, intruder dove) and (owner dove, intruder hawk).
    assert shares["hawk, dove"][0] == pytest.approx(shares["dove, hawk"][0])
    assert shares["hawk, dove"][0] + shares["dove, hawk"][0] >= 0.75


def test_starts_grid_counts():
    assert starts_grid(load_model("matching_pennies"), 4).shape == (16, 2)
    assert starts_grid(load_model("hawk_dove"), 3).tolist() == [[0.25], [0.5], [0.75]]
    for n in (1, 3, 4, 6):
        grid = starts_grid(load_model("rock_paper_scissors"), n)
        assert grid.shape == (n * (n + 1) // 2, 2)
        assert np.all(grid > 0) and np.all(grid.sum(axis=1) < 1)
    with pytest.raises(ValueError):
        starts_grid(load_model("hawk_dove"), 0)


def test_dopri5_single_trajectory_is_bit_identical_to_batch():
    g = load_model("rock_paper_scissors")
    rng = np.random.default_rng(5)
    inits = rng.dirichlet([1, 1, 1], size=9)[:, :2]
    params = {"a": [1.0, 2.0], "b": [1.5, 1.0]}
    kw = dict(params=params, t_end=30, method="dopri5", engine="numpy", rtol=1e-6)
    batch = simulate(g, inits, **kw)
    assert np.unique(batch.steps).size > 1  # the trajectories really took different steps
    for i in (0, 4, 8):
        alone = simulate(g, inits[i : i + 1], **kw)
        assert np.array_equal(alone.states[:, 0], batch.states[:, i])
        assert np.array_equal(alone.steps[0], batch.steps[i])
        assert np.array_equal(alone.rejected[0], batch.rejected[i])


def test_warnings_on_rest_point_and_boundary_starts():
    g = load_model("matching_pennies")
    with pytest.warns(SimulationWarning, match="rest point"):
        sim = simulate(g, [[0.5, 0.5]], t_end=1, engine="numpy")
    assert np.all(sim.states == 0.5)
    with pytest.warns(SimulationWarning, match="boundary"):
        simulate(g, [[0.0, 0.3]], t_end=1, engine="numpy")
    with pytest.warns(SimulationWarning, match="boundary"):
        simulate(load_model("rock_paper_scissors"), [[0.4, 0.6]], t_end=1, engine="numpy")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        simulate(g, [[0.3, 0.4]], t_end=1, engine="numpy")
    with pytest.raises(Exception, match="sum to at most 1"):
        simulate(load_model("rock_paper_scissors"), [[0.7, 0.6]], engine="numpy")


def test_csv_round_trip(tmp_path):
    g = load_model("inspection")
    sim = simulate(
        g,
        [[0.2, 0.3], [0.6, 0.1]],
        params={"f": [4.0, 8.0]},
        t_end=2,
        save_every=0.5,
        engine="numpy",
    )
    path = tmp_path / "sim.csv"
    sim.to_csv(path)
    lines = path.read_text().splitlines()
    assert lines[0] == "start,point,g,f,c,r,l,t,p,q"
    with open(path, newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 2 * 2 * 5
    for row in rows:
        i, j = int(row["start"]), int(row["point"])
        k = int(round(float(row["t"]) / 0.5))
        assert float(row["t"]) == sim.times[k]
        assert float(row["f"]) == sim.parameter_values[j, 1]
        assert [float(row["p"]), float(row["q"])] == sim.states[k, i, j].tolist()


def test_converge_checks_parameter_values():
    g = load_model("hawk_dove")
    sim = simulate(g, [[0.2]], params={"C": 4.0}, t_end=1, engine="numpy")
    with pytest.raises(ValueError, match="C"):
        converge(sim, analyze(g))
    conv = converge(sim, analyze(g.with_values(C=4)))
    assert conv.reached.shape == (1, 1)


# -- numba dopri5 ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def numba_cache(tmp_path_factory):
    """A fresh numba disk cache for this module (each kernel compiles once per process)."""
    pytest.importorskip("numba")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LMC_GAMES_CACHE", str(tmp_path_factory.mktemp("numba_cache")))
        yield


def test_numba_dopri5_agrees_with_solve_ivp(numba_cache):
    # Issue 3: at rtol 1e-9 the states are within 1e-6 of solve_ivp at rtol 1e-10, at every
    # saved time (Hairer's continuous extension) and at the end (a step lands on t_end).
    g = load_model("inspection")
    sys_ = system(g)
    inits = starts_grid(g, 4)
    sim = simulate(
        sys_,
        inits,
        t_end=50,
        method="dopri5",
        rtol=1e-9,
        atol=1e-12,
        engine="numba",
        save_every=0.5,
    )
    assert sim.engine == "numba" and sim.states.shape == (101, 16, 1, 2)
    f = compile_field(sys_, engine="numpy")
    p = np.array([float(g.values[k]) for k in f.parameters])
    for i, x0 in enumerate(inits):
        ref = solve_ivp(
            lambda t, y: f(y, p),
            (0, 50),
            x0,
            t_eval=sim.times,
            rtol=1e-10,
            atol=1e-12,
            method="DOP853",
        )
        np.testing.assert_allclose(sim.states[:, i, 0], ref.y.T, rtol=0, atol=1e-6)
    # Each trajectory chose its own steps: the counts differ between trajectories.
    assert np.unique(sim.steps).size > 1
    assert np.all(sim.evaluations >= 6 * (sim.steps + sim.rejected) + 2)


def test_numba_dopri5_logistic_matches_closed_form(numba_cache):
    # x' = a x (1 - x) has x(t) = x0 e^{at} / (1 - x0 + x0 e^{at}).
    a = 0.5
    g = Game.symmetric([["a", "a"], [0, 0]], ["grow", "stay"], parameters={"a": a})
    x0 = np.array([0.05, 0.2, 0.5, 0.8])
    sim = simulate(
        g, x0[:, None], t_end=30, method="dopri5", rtol=1e-10, atol=1e-13, engine="numba"
    )
    e = np.exp(a * sim.times)[:, None]
    exact = x0 * e / (1 - x0 + x0 * e)
    np.testing.assert_allclose(sim.states[:, :, 0, 0], exact, rtol=0, atol=1e-8)
    assert sim.times[-1] == 30.0


@pytest.mark.filterwarnings("ignore::lmc_games._simulate.SimulationWarning")
def test_numba_dopri5_trajectory_is_bit_identical_in_any_batch(numba_cache):
    # One trajectory alone and inside batches of 7, 8, 9 and 1000 (other SIMD blocks and
    # lanes, padded last blocks, one or two threads): the same bits and the same step counts.
    import numba

    g = load_model("rock_paper_scissors")
    rng = np.random.default_rng(3)
    x = np.array([0.2, 0.5])
    q = {"a": 1.3, "b": 0.8}
    kw = dict(t_end=20, method="dopri5", engine="numba", rtol=1e-7)
    alone = simulate(g, x[None], params={k: [v] for k, v in q.items()}, **kw)
    old = numba.get_num_threads()
    try:
        for N, P in [(7, 1), (1, 8), (3, 3), (100, 10)]:
            inits = rng.dirichlet([1, 1, 1], size=N)[:, :2]
            a, b = rng.uniform(0.5, 2, P), rng.uniform(0.5, 2, P)
            i, j = int(rng.integers(N)), int(rng.integers(P))
            inits[i], a[j], b[j] = x, q["a"], q["b"]
            for threads in (1, 2):
                numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
                batch = simulate(g, inits, params={"a": a, "b": b}, **kw)
                assert np.array_equal(batch.states[:, i, j], alone.states[:, 0, 0])
                assert batch.steps[i, j] == alone.steps[0, 0]
                assert batch.rejected[i, j] == alone.rejected[0, 0]
                assert batch.evaluations[i, j] == alone.evaluations[0, 0]
            assert np.unique(batch.steps).size > 1
    finally:
        numba.set_num_threads(old)


@pytest.mark.filterwarnings("ignore::lmc_games._simulate.SimulationWarning")
def test_numba_and_numpy_dopri5_agree(numba_cache):
    g = load_model("rock_paper_scissors")
    kw = dict(params={"b": [0.5, 1.0, 2.0]}, t_end=15, method="dopri5", rtol=1e-9, atol=1e-12)
    a = simulate(g, starts_grid(g, 4), engine="numpy", **kw)
    b = simulate(g, starts_grid(g, 4), engine="numba", **kw)
    np.testing.assert_allclose(b.states, a.states, rtol=0, atol=1e-6)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    x=st.lists(st.floats(0.0, 1.0), min_size=2, max_size=2),
    a=st.floats(0.1, 3.0),
    b=st.floats(0.1, 3.0),
)
def test_numba_dopri5_states_stay_on_the_simplex(x, a, b):
    pytest.importorskip("numba")
    g = load_model("rock_paper_scissors")
    x0 = np.array(x)
    if x0.sum() > 1:
        x0 = x0 / x0.sum()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SimulationWarning)
        sim = simulate(
            g,
            x0,
            params={"a": a, "b": b},
            t_end=30,
            dt=0.2,
            method="dopri5",
            rtol=1e-4,
            atol=1e-7,
            engine="numba",
        )
    s = sim.states
    assert np.all((s >= 0) & (s <= 1))
    # x0 / x0.sum() itself can sum to 1 + 2**-52: the start is saved as given.
    assert np.all(s.sum(axis=-1) <= 1.0 + 1e-15)


@pytest.mark.parametrize("engine", ["numpy", "numba"])
def test_dopri5_step_underflow_is_an_error(engine, request):
    from lmc_games._compile import IntegrationError

    if engine == "numba":
        request.getfixturevalue("numba_cache")
    f = compile_field(system(load_model("hawk_dove")), engine=engine)
    with pytest.raises(IntegrationError, match="underflow"):
        f.dopri5([[0.3]], [[np.nan, 3.0]], np.linspace(0, 1, 3), 1e-6, 1e-9)
