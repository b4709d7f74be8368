"""No silently wrong fixed-step trajectory (issue 10, section 1).

The default RK4 step is chosen per parameter point from a bound on the Jacobian, every step's
error is estimated from RK4's embedded third-order solution, and a trajectory whose estimate
is too large is re-run with dopri5 (automatic step) or flagged (forced step). These tests
check each piece against theory (the order conditions of the embedded pair), against an
independent computation (scipy's ``solve_ivp`` on the field lambdified straight from sympy,
and our dopri5 at rtol 1e-9), and as a property over random games with payoffs scaled by
10^k: the outcome equals dopri5's or the trajectory is flagged.
"""

from __future__ import annotations

import importlib.util
import itertools
import warnings

import numpy as np
import pytest
import sympy
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from scipy.integrate import solve_ivp

from lmc_games import Game, SimulationWarning, compile_field, load_model, simulate, system
from lmc_games._compile import TRUST_TOLERANCE


@pytest.fixture
def numba_cache(tmp_path, monkeypatch):
    pytest.importorskip("numba")
    monkeypatch.setenv("LMC_GAMES_CACHE", str(tmp_path))


@pytest.fixture(params=["numpy", "numba"])
def engine(request, tmp_path_factory, monkeypatch):
    """Both engines; numba (when installed) with a private kernel cache."""
    if request.param == "numba":
        pytest.importorskip("numba")
        # One private cache for the module, so a kernel compiled once is reused.
        cache = tmp_path_factory.getbasetemp() / "trust-kernels"
        cache.mkdir(exist_ok=True)
        monkeypatch.setenv("LMC_GAMES_CACHE", str(cache))
    return request.param


# ------------------------------------------------------------------ the embedded pair


def test_embedded_third_order_weights_satisfy_the_order_conditions():
    # Classic RK4 plus the FSAL stage k5 = f(y_{n+1}): tableau c = (0, 1/2, 1/2, 1, 1), the
    # fifth row of A is RK4's weights. The embedded weights (1/6, 1/3, 1/3, 0, 1/6) satisfy
    # the four order-3 conditions (Hairer, Norsett & Wanner, Solving ODEs I, II.2) and fail
    # an order-4 one, so their difference from RK4 is a genuine third-order estimate.
    R = sympy.Rational
    c = [0, R(1, 2), R(1, 2), 1, 1]
    A = sympy.zeros(5, 5)
    A[1, 0] = R(1, 2)
    A[2, 1] = R(1, 2)
    A[3, 2] = 1
    A[4, :4] = sympy.Matrix([[R(1, 6), R(1, 3), R(1, 3), R(1, 6)]])
    bh = [R(1, 6), R(1, 3), R(1, 3), 0, R(1, 6)]
    for i in range(5):
        assert sympy.simplify(sum(A[i, :]) - c[i]) == 0  # row sums are the nodes
    Ac = [sum(A[i, j] * c[j] for j in range(5)) for i in range(5)]
    assert sympy.simplify(sum(bh) - 1) == 0
    assert sympy.simplify(sum(b * ci for b, ci in zip(bh, c)) - R(1, 2)) == 0
    assert sympy.simplify(sum(b * ci**2 for b, ci in zip(bh, c)) - R(1, 3)) == 0
    assert sympy.simplify(sum(b * a for b, a in zip(bh, Ac)) - R(1, 6)) == 0
    # Order 4 fails at the tree of sum b A A c = 1/24 (the embedded pair gives 1/36).
    AAc = [sum(A[i, j] * Ac[j] for j in range(5)) for i in range(5)]
    assert sum(b * a for b, a in zip(bh, AAc)) == R(1, 36)
    # RK4's weights minus the embedded ones: (0, 0, 0, 1/6, -1/6), i.e. h/6 (k4 - k5).
    b4 = [R(1, 6), R(1, 3), R(1, 3), R(1, 6), 0]
    assert [b - e for b, e in zip(b4, bh)] == [0, 0, 0, R(1, 6), R(-1, 6)]


def test_error_estimate_is_the_difference_of_the_two_solutions():
    # y' = -3 y (hawk-dove-like linear decay, no clipping involved): the estimate of one
    # step must be |y4 - y3| computed from the two tableaus by hand.
    from lmc_games._compile._numpy import error_estimate

    lam, h, y = -3.0, 0.1, 0.4
    k1 = lam * y
    k2 = lam * (y + h / 2 * k1)
    k3 = lam * (y + h / 2 * k2)
    k4 = lam * (y + h * k3)
    y4 = y + h * (k1 + 2 * k2 + 2 * k3 + k4) / 6
    k5 = lam * y4
    y3 = y + h * (k1 / 6 + k2 / 3 + k3 / 3 + k5 / 6)
    est = error_estimate(h / 6, [np.array(k4)], [np.array(k5)])
    assert est == pytest.approx(abs(y4 - y3), rel=1e-12)
    # A nan stage is the largest error, never a skipped one.
    assert error_estimate(h / 6, [np.array(np.nan)], [np.array(1.0)]) == np.inf


# ------------------------------------------------------------------ helpers


def _scipy_final(game, start, t_end=100.0):
    """Final free shares from solve_ivp (Radau: the large-payoff fields are stiff) on the
    field lambdified straight from sympy -- none of lmc_games' code generation."""
    sys_ = system(game)
    params = [p.symbol for p in game.parameters]
    f = sympy.lambdify([list(sys_.variables)] + params, list(sys_.field), modules="numpy")
    values = [float(game.values[p.name]) for p in game.parameters]

    def rhs(t, y):
        return np.array(f(list(y), *values), dtype=float)

    sol = solve_ivp(rhs, (0.0, t_end), list(start), method="Radau", rtol=1e-9, atol=1e-12)
    assert sol.success
    return sol.y[:, -1]


def _corner(state, tol=1e-3):
    """The pure profile (tuple of 0/1 free shares, two-strategy populations) within tol of
    ``state``, or None."""
    rounded = np.round(state)
    if np.all(np.abs(state - rounded) <= tol):
        return tuple(int(v) for v in rounded)
    return None


def _dopri5_final(game, starts, engine):
    # The reference runs on numba where installed: numpy's dopri5 is a Python loop, and a
    # stiff field takes it hundreds of thousands of steps.
    from lmc_games._compile import numba_available

    cf = compile_field(system(game), engine="numba" if numba_available() else engine)
    params = np.array([[float(game.values[p.name]) for p in game.parameters]]).reshape(1, -1)
    res = cf.dopri5(
        starts,
        params,
        np.array([0.0, 100.0]),
        1e-9,
        1e-12,
        max_steps=200_000,
        on_failure="flag",
    )
    return res.states[-1, :, 0], ~res.failed[:, 0]


def _simulate_quiet(*args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SimulationWarning)
        return simulate(*args, **kw)


# ------------------------------------------------------------------ water_use at large F


@pytest.mark.parametrize("F", [100, 200, pytest.param(10_000, marks=pytest.mark.slow)])
def test_water_use_large_fine_agrees_with_dopri5_and_solve_ivp_or_is_flagged(F, engine):
    game = load_model("water_use").with_values(F=F)
    starts = np.array([[0.3, 0.3], [0.7, 0.2], [0.1, 0.9], [0.5, 0.5]])
    sim = _simulate_quiet(game, starts, engine=engine)
    ref, ref_ok = _dopri5_final(game, starts, engine)
    assert sim.dt[0] <= 0.05
    for i, start in enumerate(starts):
        final = sim.final[i, 0]
        if not sim.trusted[i, 0]:
            continue  # flagged: allowed, never silently wrong
        assert np.all(np.isfinite(final))
        # (reasonable, reasonable) is the only stable rest point: free shares (1, 1).
        assert _corner(final) == (1, 1)
        if ref_ok[i]:
            assert _corner(ref[i]) == _corner(final)
        assert _corner(_scipy_final(game, start)) == _corner(final)
    if F <= 200:
        # The automatic step handles these in full (dopri5 takes over where RK4 is unsure).
        assert sim.trusted.all()


def test_water_use_f200_reproduces_the_issue_with_a_forced_step_and_flags_it():
    game = load_model("water_use").with_values(F=200)
    with pytest.warns(SimulationWarning, match="drop dt"):
        forced = simulate(game, [[0.3, 0.3]], dt=0.05, engine="numpy")
    assert not forced.trusted[0, 0]
    assert forced.error[0, 0] > TRUST_TOLERANCE
    np.testing.assert_allclose(forced.final[0, 0], [0.42556517, 0.0], atol=1e-6)
    auto = simulate(game, [[0.3, 0.3]], engine="numpy")
    assert auto.trusted[0, 0] and _corner(auto.final[0, 0]) == (1, 1)


def test_bundled_models_are_trusted_at_the_automatic_step():
    # The calibration of TRUST_TOLERANCE: no bundled model, at its defaults or any scenario,
    # needs a dopri5 re-run (and so its results are those of plain RK4).
    from lmc_games import starts_grid
    from lmc_games._model_file import bundled_models

    for name in bundled_models():
        base = load_model(name)
        for game in [base] + [base.scenario(s) for s in base.scenarios]:
            sim = _simulate_quiet(game, starts_grid(game, 3), t_end=60, engine="numpy")
            assert sim.trusted.all(), name
            assert not sim.redone.any(), (name, game.scenario_name, np.nanmax(sim.error))


# ------------------------------------------------------------------ 2x2 games, big payoffs


def _big_game(scale):
    # Row: "a" strictly dominant for payoffs > 0; column's best reply follows the row's
    # strategy: the only strict Nash equilibrium is (a, a), reached from every interior start.
    A = [[3 * scale, 2 * scale], [1 * scale, 0]]
    B = [[1 * scale, 0], [0, 1 * scale]]
    return Game.bimatrix(A, B, (["a", "b"], ["a", "b"]))


@pytest.mark.parametrize(
    "scale",
    [100, pytest.param(10**6, marks=pytest.mark.slow), 10**300],
    ids=["1e2", "1e6", "1e300"],
)
def test_big_payoffs_agree_with_dopri5_and_solve_ivp_or_are_flagged(scale, engine):
    game = _big_game(scale)
    starts = np.array([[0.2, 0.8], [0.6, 0.1], [0.05, 0.95]])
    sim = _simulate_quiet(game, starts, t_end=20, engine=engine)
    ref, ref_ok = _dopri5_final(game, starts, engine)
    for i, start in enumerate(starts):
        final = sim.final[i, 0]
        if not sim.trusted[i, 0]:
            continue
        assert np.all(np.isfinite(final))
        assert _corner(final) == (1, 1)
        if ref_ok[i]:
            assert _corner(ref[i]) == (1, 1)
        if scale < 10**300:
            assert _corner(_scipy_final(game, start, t_end=20)) == (1, 1)
    if scale == 100:
        assert sim.trusted.all()


def test_handover_replaces_untrusted_trajectories_by_dopri5(engine):
    # A payoff of 1e4 where the row's other strategy is used: the Jacobian bound (about
    # 1e4) asks for more than MAX_REFINE steps per 0.05, so every trajectory is re-run with
    # dopri5, which is cheap here (the field is fast only in the transient, the attractor
    # (a, a) has eigenvalues -1). Disabling the hand-over makes this test fail.
    game = Game.bimatrix([[1, 10**4], [0, 0]], [[1, 0], [0, 1]], (["a", "b"], ["a", "b"]))
    starts = np.array([[0.2, 0.8], [0.6, 0.5]])
    sim = simulate(game, starts, t_end=20, engine=engine)
    assert sim.redone.all() and sim.trusted.all()
    assert np.isnan(sim.error).all()
    assert [_corner(s) for s in sim.final[:, 0]] == [(1, 1), (1, 1)]
    assert (sim.steps < 5_000).all() and (sim.rejected >= 0).all()
    for start in starts:
        assert _corner(_scipy_final(game, start, t_end=20)) == (1, 1)


def test_overflowing_payoffs_are_never_labelled_as_reaching_anything(engine):
    game = _big_game(10**300)
    with pytest.warns(SimulationWarning, match="not to be trusted"):
        sim = simulate(game, [[0.3, 0.6]], t_end=5, engine=engine)
    assert not sim.trusted.all() or _corner(sim.final[0, 0]) == (1, 1)
    # A forced step on an overflowing field: flagged, whatever the states are.
    with pytest.warns(SimulationWarning):
        forced = simulate(game, [[0.3, 0.6]], t_end=5, dt=0.05, engine=engine)
    assert not forced.trusted[0, 0]


def test_integer_payoffs_beyond_int64_compile(engine):
    # 10**20 and 10**25 do not fit int64: they are printed as floats, for both engines.
    game = Game.bimatrix([[10**20, 0], [0, 1]], [[1, 0], [0, 10**25]])
    cf = compile_field(system(game), engine=engine)
    assert "100000000000000000000" not in cf.source
    out = cf(np.array([[0.5, 0.5]]), np.zeros((1, 0)))
    ref = compile_field(system(game), engine="numpy")(np.array([[0.5, 0.5]]), np.zeros((1, 0)))
    np.testing.assert_array_equal(out, ref)
    assert out[0, 0] == pytest.approx(0.25 * 0.5 * 1e20)


# ------------------------------------------------------------------ the sweep


def test_sweep_outcome_never_reaches_an_unstable_rest_point(engine):
    # Issue 10: at F = 200 22% of starts "reached" (reasonable, excessive) and 22%
    # (excessive, excessive), neither stable there; at F = 100 every start was "not
    # converged". The only stable rest point at these F is (reasonable, reasonable).
    from lmc_games import sweep

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SimulationWarning)
        r = sweep(
            load_model("water_use"),
            {"F": [100, 200]},
            measure="outcome",
            starts=4,
            engine=engine,
        )
    assert set(r.labels) <= {"reasonable, reasonable"}, r.labels
    np.testing.assert_allclose(r.shares["reasonable, reasonable"].reshape(-1), [1.0, 1.0])
    np.testing.assert_allclose(r.not_converged.reshape(-1), [0.0, 0.0])


def test_sweep_with_a_forced_step_counts_untrusted_as_not_converged():
    from lmc_games import sweep

    with pytest.warns(SimulationWarning, match="drop --dt"):
        r = sweep(
            load_model("water_use"),
            {"F": [200]},
            measure="outcome",
            starts=4,
            dt=0.05,
            engine="numpy",
        )
    assert "excessive, excessive" not in r.labels
    assert "reasonable, excessive" not in r.labels


# ------------------------------------------------------------------ the property


def _value(game, expr):
    values = {p.symbol: game.values[p.name] for p in game.parameters}
    return float(sympy.sympify(expr).xreplace(values))


def _strict_nash_corners(game):
    """Pure profiles (as 0/1 free shares) that are strict Nash equilibria, from the payoff
    table: every population's strategy is its unique best reply."""
    pops = game.populations
    out = set()
    for prof in itertools.product(*(range(p.k) for p in pops)):
        strict = True
        for q in range(len(pops)):
            own = _value(game, game.payoffs[prof][q])
            for alt in range(pops[q].k):
                if alt == prof[q]:
                    continue
                dev = list(prof)
                dev[q] = alt
                if _value(game, game.payoffs[tuple(dev)][q]) >= own:
                    strict = False
        if strict:
            # free share = share of the first strategy
            out.add(tuple(1 if s == 0 else 0 for s in prof))
    return out


_BASES: dict[int, Game] = {}


def _base_game(populations):
    """A game whose payoffs are parameters ``u0, u1, ...``: every random game is this one
    with other values, so each engine compiles its field once (numba: one kernel module)."""
    if populations not in _BASES:
        names = ["row", "col", "lay"][:populations]
        table, params = {}, {}
        for prof in itertools.product(range(2), repeat=populations):
            key = ", ".join("ab"[s] for s in prof)
            row = []
            for _ in range(populations):
                name = f"u{len(params)}"
                params[name] = 0
                row.append(name)
            table[key] = row
        _BASES[populations] = Game.from_table(
            [(n, ["a", "b"]) for n in names], table, parameters=params
        )
    return _BASES[populations]


def _random_game(data, populations, k):
    base = _base_game(populations)
    values = {p.name: data.draw(st.integers(-9, 9)) * 10**k for p in base.parameters}
    return base.with_values(**values)


def _check_outcomes(game, starts):
    from lmc_games._compile import numba_available

    engine = "numba" if numba_available() else "numpy"
    sim = _simulate_quiet(game, starts, t_end=100, engine=engine)
    ref, ok = _dopri5_final(game, starts, engine)
    attractors = _strict_nash_corners(game)
    for i in range(starts.shape[0]):
        if not sim.trusted[i, 0] or not ok[i]:
            continue
        mine, theirs = _corner(sim.final[i, 0]), _corner(ref[i])
        # Away from the eps boundary only: a slow approach may sit right at it.
        assume(np.abs(sim.final[i, 0] - np.round(sim.final[i, 0])).max() > 1e-2 or mine)
        if theirs in attractors or mine in attractors:
            assert mine == theirs, (dict(game.values), starts[i], sim.final[i, 0], ref[i])


# Payoffs up to 9e6 with numba; without it, up to 90: the numpy engine's fixed steps and dopri5 are
# a Python loop that takes hours over such fields (the slow tests cover 1e4 and 1e6 there).
_NUMBA = importlib.util.find_spec("numba") is not None
_K = 6 if _NUMBA else 1


@settings(
    max_examples=12 if _NUMBA else 4,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(data=st.data(), k=st.integers(0, _K))
def test_property_2x2_outcome_equals_dopri5_or_is_flagged(data, k):
    game = _random_game(data, 2, k)
    starts = np.array([[0.25, 0.25], [0.25, 0.75], [0.75, 0.25], [0.75, 0.75], [0.5, 0.4]])
    _check_outcomes(game, starts)


@settings(
    max_examples=8 if _NUMBA else 3,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(data=st.data(), k=st.integers(0, _K))
def test_property_2x2x2_outcome_equals_dopri5_or_is_flagged(data, k):
    game = _random_game(data, 3, k)
    starts = np.array(list(itertools.product([0.3, 0.7], repeat=3)), dtype=float)
    _check_outcomes(game, starts)


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), k=st.integers(0, 6), populations=st.sampled_from([2, 3]))
def test_property_many_games_slow(data, k, populations):
    game = _random_game(data, populations, k)
    starts = np.array(list(itertools.product([0.2, 0.5, 0.8], repeat=populations)), float)
    _check_outcomes(game, starts)


# ------------------------------------------------------------------ the command line


def test_cli_simulate_shows_the_issue_case_trusted_and_a_forced_step_flagged(capsys):
    # `lmc-games simulate water_use --set F=200 --init 0.3,0.3` reported (0.4256, 0), "not
    # converged", without a word. Now the default reaches (reasonable, reasonable), and
    # --dt 0.05 is flagged in JSON ("trusted": false, nothing reached) and in text.
    import json

    from lmc_games.cli import main

    base = ["simulate", "water_use", "--set", "F=200", "--init", "0.3,0.3", "--format", "json"]
    assert main(base) == 0
    out, _ = capsys.readouterr()
    (tr,) = json.loads(out)["trajectories"]
    assert tr["trusted"] is True and tr["reached"] == "reasonable, reasonable"
    assert main(base + ["--dt", "0.05"]) == 0
    out, err = capsys.readouterr()
    (tr,) = json.loads(out)["trajectories"]
    assert tr["trusted"] is False and tr["reached"] is None and tr["convergence_time"] is None
    assert tr["final"]["savannakhet"]["reasonable"] == pytest.approx(0.42556517, abs=1e-6)
    assert "drop dt (--dt)" in err
    assert main(base[:-2] + ["--dt", "0.05"]) == 0
    out, _ = capsys.readouterr()
    assert "untrusted" in out
