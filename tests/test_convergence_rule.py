"""Convergence (DESIGN §4) and its rule for rest points that are not asymptotically stable.

See docs/explanation/convergence.md. Heteroclinic cycle of rock-paper-scissors: Zeeman (1980),
Hofbauer & Sigmund (1998) §7.7; with a loss b larger than the gain a the interior rest point is
a source and interior orbits approach the cycle through the three corners (all saddles).
"""

from __future__ import annotations

import dataclasses
import tracemalloc
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.integrate import solve_ivp
from scipy.optimize import brentq

from lmc_games import (
    Game,
    SimulationWarning,
    analyze,
    compile_field,
    converge,
    load_model,
    simulate,
    starts_grid,
    sweep,
    system,
)
from lmc_games._compile import numba_available
from lmc_games._simulate import confirm_reached

# The numba engine where the extra is installed (CI runs these tests with and without it).
FAST = "numba" if numba_available() else "numpy"
ENGINES = [
    "numpy",
    pytest.param(
        "numba", marks=pytest.mark.skipif(not numba_available(), reason="numba is not installed")
    ),
]

CORNERS = {"rock", "paper", "scissors"}


def _rps(a: float, b: float) -> Game:
    return load_model("rock_paper_scissors").with_values(a=a, b=b)


def _rest_free(analysis) -> np.ndarray:
    """Free shares of the analysed rest points, (R, n), in the analysis order."""
    return np.array(
        [[v for shares in r.numeric_shares for v in shares[:-1]] for r in analysis.rest_points]
    )


def _tracked(game, analysis, starts, t_end, dt, eps, engine):
    """rk4_track's raw verdicts and those after confirm_reached, (N,) each, for one point."""
    cf = compile_field(system(game), engine=engine)
    params = np.array([[float(game.values[p.name]) for p in game.parameters]])
    rest = _rest_free(analysis)[None]
    nsteps = int(round(t_end / dt))
    res = cf.rk4_track(starts, params, rest, t_end / nsteps, nsteps, eps)
    # converge() evaluates the field with the numpy engine; so does this (the numba one's
    # row loop cannot take a game without parameters).
    velocity = compile_field(system(game), engine="numpy")(res.final, params[:, None, :])
    attracting = np.array([[r.asymptotically_stable for r in analysis.rest_points]])
    idx, when = confirm_reached(
        res.reached,
        res.time,
        final=res.final,
        velocity=velocity,
        starts=starts[None],
        rest=rest[:, None],
        attracting=attracting[:, None],
        groups=cf.groups,
        t_end=t_end,
    )
    return res.reached[0], idx[0], when[0]


# ---------------------------------------------------------------- the heteroclinic cycle


@pytest.mark.parametrize("t_end", [300, 1000, 3000])
@pytest.mark.parametrize("a, b", [(1, 2), (1, 3), (1, 10)])
def test_heteroclinic_cycle_never_reaches_a_corner(a, b, t_end):
    # Every interior orbit but the rest point's own goes to the heteroclinic cycle: it never
    # converges to a corner. Without the rule, the grid's starts "reach" corners (checked:
    # the test can fail).
    g = _rps(a, b)
    an = analyze(g)
    assert {r.label for r in an.rest_points if r.stability.name == "SADDLE"} == CORNERS
    starts = starts_grid(g, 6)  # no start is the rest point (1/3, 1/3)
    sim = simulate(g, starts, t_end=t_end, engine=FAST)
    conv = converge(sim, an)
    assert not any(v in CORNERS for v in conv.reached.ravel())
    assert all(v is None for v in conv.reached.ravel())
    raw, confirmed, _ = _tracked(g, an, starts, t_end, 0.05, 1e-3, FAST)
    labels = [r.label for r in an.rest_points]
    assert any(labels[r] in CORNERS for r in raw if r >= 0)  # what was reported before
    assert np.all(confirmed == -1)


def test_heteroclinic_cycle_numpy_engine_and_dopri5():
    g = _rps(1, 2)
    an = analyze(g)
    starts = starts_grid(g, 4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SimulationWarning)  # the grid holds (1/3, 1/3)
        for method in ("rk4", "dopri5"):
            sim = simulate(g, starts, t_end=300, method=method, engine="numpy")
            reached = set(converge(sim, an).reached.ravel())
            assert reached == {None, "rock+paper+scissors"}


@pytest.mark.parametrize("engine", ENGINES)
def test_sweep_outcome_applies_the_rule(engine):
    # The sweep's outcome measure tracks convergence inside its kernel and must apply the
    # same rule as converge(): on the heteroclinic cycle no start reaches a corner, at any
    # point of the sweep, while without the rule the tracker reports corners (checked above).
    g = _rps(1, 3)
    res = sweep(g, {"b": [2.0, 3.0, 10.0]}, measure="outcome", starts=6, t_end=1000, engine=engine)
    assert not any(label in CORNERS for label in res.shares)
    assert np.allclose(res.not_converged, 1.0)


# ---------------------------------------------------------------- what is still reached


def _final_stay_start(sol, centre, eps, t_end, grid):
    """Last time the exact (dense) trajectory crosses the eps-sphere around centre."""
    d = np.abs(sol.sol(grid).T - centre).max(axis=1) - eps
    k = np.flatnonzero(d > 0)[-1]
    return brentq(lambda t: np.abs(sol.sol(t) - centre).max() - eps, grid[k], grid[k + 1])


@pytest.mark.parametrize("engine", ENGINES)
def test_attracting_rps_time_is_the_start_of_the_final_stay(engine):
    # a > b: the interior rest point is a stable focus (eigenvalues with an imaginary part),
    # so the max-norm distance oscillates as it shrinks: the trajectory enters the eps-ball
    # and leaves it again before it stays. The convergence time is the start of the final
    # stay, from an independent integration (scipy DOP853, dense output).
    a, b, eps, dt, t_end = 2.0, 1.0, 1e-2, 0.05, 60.0
    g = _rps(a, b)
    A = np.array([[0, -b, a], [a, 0, -b], [-b, a, 0]])

    def f(t, x):
        p = A @ x
        return x * (p - x @ p)

    x0 = np.array([0.6, 0.3, 0.1])
    sol = solve_ivp(f, (0, t_end), x0, method="DOP853", rtol=1e-12, atol=1e-14, dense_output=True)
    grid = np.linspace(0, t_end, 60001)
    centre = np.full(3, 1 / 3)
    inside = np.abs(sol.sol(grid).T - centre).max(axis=1) <= eps
    first_entry = grid[np.argmax(inside)]
    t_star = _final_stay_start(sol, centre, eps, t_end, grid)
    assert t_star - first_entry > 0.3  # the two really differ here
    sim = simulate(g, [x0[:2]], t_end=t_end, dt=dt, engine=engine)
    conv = converge(sim, analyze(g), eps=eps)
    assert conv.reached[0, 0] == "rock+paper+scissors"
    assert t_star <= conv.time[0, 0] < t_star + dt


def test_boundary_start_reaches_the_corner_that_attracts_on_its_edge():
    # On the rock-scissors edge (no paper) rock beats scissors: the trajectory goes to rock,
    # a saddle of the whole simplex whose unstable direction (paper) is absent from the start.
    g = _rps(1, 2)
    an = analyze(g)
    with pytest.warns(SimulationWarning, match="boundary"):
        sim = simulate(g, [[0.4, 0.0]], t_end=300, engine="numpy")
    conv = converge(sim, an)
    assert conv.reached[0, 0] == "rock"
    assert 0 < conv.time[0, 0] < 30


def test_start_at_a_saddle_reaches_it_at_time_zero():
    g = load_model("hawk_dove_roles")
    an = analyze(g)
    (saddle,) = [r for r in an.rest_points if r.stability.name == "SADDLE" and "+" in r.label]
    x0 = [[s[0] for s in saddle.numeric_shares]]
    with pytest.warns(SimulationWarning, match="rest point"):
        sim = simulate(g, x0, t_end=50, engine="numpy")
    conv = converge(sim, an)
    assert conv.reached[0, 0] == saddle.label and conv.time[0, 0] == 0.0


def test_stable_manifold_of_an_interior_saddle():
    # Two-population hawk-dove: the diagonal is invariant and is the stable manifold of the
    # interior saddle. A diagonal start reaches it if it settles within the first half of the
    # run, not if it settles in the second half (the rule's minimum stay).
    g = load_model("hawk_dove_roles")
    an = analyze(g)
    (saddle,) = [r for r in an.rest_points if r.stability.name == "SADDLE" and "+" in r.label]
    sim = simulate(g, [[0.2, 0.2]], t_end=100, engine="numpy")
    conv = converge(sim, an)
    assert conv.reached[0, 0] == saddle.label
    settled = conv.time[0, 0]
    short = simulate(g, [[0.2, 0.2]], t_end=1.5 * settled, engine="numpy")
    assert converge(short, an).reached[0, 0] is None


def test_a_state_that_is_not_a_number_reaches_nothing():
    g = load_model("hawk_dove")
    sim = simulate(g, [[0.1], [0.9]], t_end=40, engine="numpy")
    states = sim.states.copy()
    states[-5:, 0] = np.nan
    conv = converge(dataclasses.replace(sim, states=states), analyze(g))
    assert conv.reached[0, 0] is None and conv.time[0, 0] is None
    assert conv.reached[1, 0] == "hawk+dove"


# ---------------------------------------------------------------- converge == rk4_track

payoff = st.integers(-4, 4)
_NAMES = [f"{m}{r}{c}" for m in "ab" for r in (1, 2) for c in (1, 2)]
_BIMATRIX = Game.bimatrix(
    [_NAMES[0:2], _NAMES[2:4]], [_NAMES[4:6], _NAMES[6:8]], parameters=dict.fromkeys(_NAMES, 1)
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(payoff, min_size=8, max_size=8), st.sampled_from([1e-3, 1e-2]))
def test_converge_equals_rk4_track_numpy(values, eps):
    _check_converge_equals_track(values, eps, "numpy")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(payoff, min_size=8, max_size=8), st.sampled_from([1e-3, 1e-2]))
def test_converge_equals_rk4_track_numba(values, eps):
    if not numba_available():
        pytest.skip("numba is not installed")
    _check_converge_equals_track(values, eps, "numba")


def _check_converge_equals_track(values, eps, engine):
    # Payoffs as parameters: one compiled kernel serves every example.
    g = _BIMATRIX.with_values(**dict(zip(_NAMES, values)))
    an = analyze(g)
    starts = starts_grid(g, 4)
    t_end, dt = 20.0, 0.05
    sim = simulate(g, starts, t_end=t_end, dt=dt, engine=engine)
    conv = converge(sim, an, eps=eps)
    _, idx, when = _tracked(g, an, starts, t_end, dt, eps, engine)
    labels = [r.label for r in an.rest_points]
    want = [labels.index(v) if v is not None else -1 for v in conv.reached[:, 0]]
    assert idx.tolist() == want
    want_t = [np.nan if v is None else v for v in conv.time[:, 0]]
    np.testing.assert_array_equal(when, np.array(want_t, dtype=float))


# ---------------------------------------------------------------- memory


def test_converge_does_not_build_a_time_by_start_by_point_array():
    # 10,000 starts, 101 saved times, 9 rest points: the old (T, N, R, K) distance array
    # alone would take 101 * 10,000 * 9 * 4 * 8 bytes = 291 MB, and the (T, N, P, K) array of
    # all shares 65 MB; the streamed version needs a few N * P * R arrays.
    g = load_model("hawk_dove_roles")
    an = analyze(g)
    rng = np.random.default_rng(1)
    starts = rng.uniform(0.05, 0.95, size=(10_000, 2))
    sim = simulate(g, starts, t_end=5, dt=0.05, engine="numpy")
    assert sim.states.shape[:2] == (101, 10_000)
    tracemalloc.start()
    try:
        conv = converge(sim, an)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    full_bytes = sim.states.size // 2 * 4 * 8  # (T, N, P, K) floats
    assert peak < full_bytes / 2, peak
    assert conv.reached.shape == (10_000, 1)
