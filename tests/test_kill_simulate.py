"""The passage rule of :func:`lmc_games.confirm_reached` case by case, at its boundaries
(tests written to kill surviving mutants of tools/mutation.py, issue 14).

Expected values come from the rule as DESIGN §4 and the function's docstring state it: a
final stay near a rest point that is not asymptotically stable counts only if (1) it began no
later than half the run, (2) no strategy absent at the point but present at the start has a
positive, growing share at the end, and (3) no such share has fallen below the smallest
normal double. A stay near an asymptotically stable point always counts.

Game for all cases: one population, strategies A and B, free share x = share of A, so the
full shares are (x, 1 - x). Rest point 0 is the corner B (x = 0, A absent there), so A's share
near it is x itself (subnormal values included); rest point 1 is the interior point x = 1/2.
"""

import numpy as np
import pytest

from lmc_games._simulate import confirm_reached

TINY = np.finfo(np.float64).tiny  # the smallest normal double
REST = np.array([[[0.0], [0.5]]])  # (1, R = 2, n = 1)
T_END = 40.0


def _one(index, entry, final_x, velocity_x, start_x, attracting):
    idx, t = confirm_reached(
        np.array([index]),
        np.array([entry]),
        final=np.array([[final_x]]),
        velocity=np.array([[velocity_x]]),
        starts=np.array([[start_x]]),
        rest=REST,
        attracting=np.array([attracting]),
        groups=((0,),),
        t_end=T_END,
    )
    return int(idx[0]), float(t[0])


def _kept(result, index, entry):
    return result[0] == index and result[1] == entry


def _rejected(result):
    return result[0] == -1 and np.isnan(result[1])


@pytest.mark.parametrize("entry", [0.0, 20.0])
def test_a_stay_of_at_least_half_the_run_near_a_saddle_counts(entry):
    """A's share 1e-6 at the end and shrinking: not leaving; the stay began at
    ``entry`` <= t_end/2 = 20, so rule 1 holds (20 exactly: the boundary is included)."""
    r = _one(0, entry, 1e-6, -1e-7, 0.5, [False, False])
    assert _kept(r, 0, entry)


def test_a_stay_that_began_after_half_the_run_near_a_saddle_does_not_count():
    r = _one(0, 20.5, 1e-6, -1e-7, 0.5, [False, False])
    assert _rejected(r)


def test_the_same_stays_near_an_attracting_point_always_count():
    """Short, leaving and lost: none of the three rules applies to an attracting point."""
    assert _kept(_one(0, 39.0, 1e-6, 1e-7, 0.5, [True, False]), 0, 39.0)
    assert _kept(_one(0, 1.0, TINY / 2, 0.0, 0.5, [True, False]), 0, 1.0)


def test_a_growing_share_of_an_absent_strategy_is_leaving():
    """A present at the start (x0 = 1/2), absent at the corner, with share 1e-6 at the end
    and growing: the trajectory is leaving, however long it stayed. Growth exactly 0 or a
    share exactly 0 is no growth."""
    assert _rejected(_one(0, 0.5, 1e-6, 1e-9, 0.5, [False, False]))
    assert _kept(_one(0, 0.5, 1e-6, 0.0, 0.5, [False, False]), 0, 0.5)


def test_a_share_of_an_absent_strategy_below_the_smallest_normal_double_is_lost():
    """A's share in [0, tiny): subnormal or zero, its growth cannot be carried (rule 3), even
    with no velocity. At exactly ``tiny`` it is still a normal number: kept."""
    for x in (0.0, TINY / 2, 5e-324):
        assert _rejected(_one(0, 1.0, x, 0.0, 0.5, [False, False])), x
    assert _kept(_one(0, 1.0, TINY, 0.0, 0.5, [False, False]), 0, 1.0)


def test_a_strategy_absent_from_the_start_is_not_watched():
    """Started at the corner (A absent from the start): A's share is exactly 0 at the end,
    which rule 3 would reject, but only strategies present at the start are watched; a start
    share of 1e-13 counts as absent too (below the 1e-12 of rounding on a face)."""
    assert _kept(_one(0, 0.0, 0.0, 0.0, 0.0, [False, False]), 0, 0.0)
    assert _kept(_one(0, 0.0, 0.0, 0.0, 1e-13, [False, False]), 0, 0.0)
    assert _rejected(_one(0, 0.0, 0.0, 0.0, 1e-11, [False, False]))


def test_an_interior_saddle_has_no_absent_strategy_and_only_the_time_rule_applies():
    """Rest point 1 (x = 1/2) has both strategies present: rules 2 and 3 watch nothing;
    a growing departure from it is judged by the length of the stay alone."""
    assert _kept(_one(1, 10.0, 0.5 + 1e-6, 1e-6, 0.2, [False, False]), 1, 10.0)
    assert _rejected(_one(1, 30.0, 0.5 + 1e-6, 1e-6, 0.2, [False, False]))


def test_no_stay_stays_no_stay():
    r = confirm_reached(
        np.array([-1, 0]), np.array([np.nan, 5.0]),
        final=np.array([[0.3], [1e-6]]), velocity=np.array([[0.1], [-1e-7]]),
        starts=np.array([[0.5], [0.5]]), rest=REST, attracting=np.array([[False, False]]),
        groups=((0,),), t_end=T_END,
    )  # fmt: skip
    assert r[0].tolist() == [-1, 0]
    assert np.isnan(r[1][0]) and r[1][1] == 5.0


def test_each_trajectory_is_judged_on_its_own():
    """Two trajectories near the same saddle corner, in one call: the first lost (A's share
    subnormal), the second leaving (A's share growing), a third fine. Only its own shares
    decide each one's fate."""
    idx, t = confirm_reached(
        np.array([0, 0, 0]), np.array([1.0, 1.0, 1.0]),
        final=np.array([[TINY / 2], [1e-6], [1e-6]]),
        velocity=np.array([[0.0], [1e-9], [-1e-9]]),
        starts=np.array([[0.5], [0.5], [0.5]]), rest=REST,
        attracting=np.array([[False, False]]), groups=((0,),), t_end=T_END,
    )  # fmt: skip
    assert idx.tolist() == [-1, -1, 0]
    assert np.isnan(t[0]) and np.isnan(t[1]) and t[2] == 1.0


def test_slow_convergence_to_a_non_hyperbolic_point_is_timed_from_the_closed_form():
    """Payoff of A 1000 (1/2 - x)**3, of B 0: x' = x (1 - x) 1000 (1/2 - x)**3, whose rest
    point x = 1/2 has eigenvalue 0 (non-hyperbolic, so the passage rule applies) but attracts.
    With u = x - 1/2: du/dt = -1000 (1/4 - u**2) u**3, so the time from u0 to u is
    (F(u0) - F(u)) / 1000 with F(u) = -2/u**2 + 16 ln u - 8 ln(1 - 4 u**2) (partial fractions,
    by hand). From x0 = 0.2 (u0 = 0.3, and x0 = 0.8 by symmetry) to eps = 0.01: t* = 20.036,
    so the convergence time is the first saved time after it, 20.05, well before half the
    run (t_end = 100): reached."""
    import math

    from lmc_games import Game, Stability, analyze, converge, simulate

    g = Game.from_table(
        [{"name": "pop", "strategies": ["A", "B"], "share": "x"}],
        {"A": ["1000*(1/2 - x)**3"], "B": [0]},
    )
    an = analyze(g)
    assert an["A+B"].stability is Stability.NON_HYPERBOLIC

    def F(u):
        return -2 / u**2 + 16 * math.log(u) - 8 * math.log(1 - 4 * u * u)

    t_star = (F(0.3) - F(0.01)) / 1000
    assert 20.0 < t_star < 20.05 - 0.01  # the grid time 20.05 is the first one after it
    sim = simulate(g, [[0.2], [0.8]], t_end=100, engine="numpy")
    conv = converge(sim, an, eps=1e-2)
    assert conv.reached[:, 0].tolist() == ["A+B", "A+B"]
    assert conv.time[:, 0].tolist() == pytest.approx([20.05, 20.05], abs=1e-9)


def test_an_untrusted_forced_step_names_its_parameter_point():
    """A = [[0, s], [s, 0]] at s = 30000 with a forced step 0.05: h * s/2 = 750, far outside
    RK4's stability region, so the error estimate fails and the warning names the point."""
    from lmc_games import Game, SimulationWarning, simulate

    g = Game.symmetric([[0, "s"], ["s", 0]], ["a", "b"], parameters={"s": {"value": 30000}})
    with pytest.warns(SimulationWarning, match=r"at parameter point\(s\) \(s=30000\);"):
        simulate(g, [[0.2]], t_end=1, dt=0.05, engine="numpy")


def test_a_single_rest_point_is_reached_under_logit_dynamics():
    """Hawk-dove (V = 2, C = 3) under the logit dynamics with eta = 1/2 has one rest point,
    the logit equilibrium x = 1 / (1 + exp(-(f_h - f_d) / eta)) with f_h - f_d = 1 - 3x/2
    (f_h = 2 - 5x/2, f_d = 1 - x); solved here with scipy's brentq. Both starts reach it."""
    import math

    from scipy.optimize import brentq

    from lmc_games import analyze, converge, load_model, simulate

    x_star = brentq(lambda x: x - 1 / (1 + math.exp(-(1 - 1.5 * x) / 0.5)), 0, 1, xtol=1e-14)
    g = load_model("hawk_dove")
    an = analyze(g, dynamics="logit:eta=0.5")
    [rp] = [r for r in an.rest_points if r.numeric_shares is not None]
    assert rp.numeric_shares[0][0] == pytest.approx(x_star, abs=1e-9)
    sim = simulate(g, [[0.1], [0.9]], t_end=60, engine="numpy", dynamics="logit:eta=0.5")
    conv = converge(sim, an)
    assert conv.reached[:, 0].tolist() == [rp.label, rp.label]
    assert np.all(np.abs(sim.final[:, 0, 0] - x_star) <= 1e-3)


def test_a_simulation_built_without_the_trust_fields_gets_their_documented_defaults():
    """Older callers build a Simulation without trusted/dt/error/redone: every trajectory is
    then trusted, no step is known (nan), no error estimate (nan), none re-run."""
    from lmc_games import Simulation

    N, P = 3, 2
    sim = Simulation(
        times=np.array([0.0, 1.0]), states=np.zeros((2, N, P, 1)), inits=np.zeros((N, 1)),
        variables=("x",), parameter_names=("a",), parameter_values=np.zeros((P, 1)),
        method="rk4", engine="numpy", steps=np.ones((N, P), dtype=int),
        rejected=np.zeros((N, P), dtype=int), evaluations=np.ones((N, P), dtype=int),
        groups=((0,),),
    )  # fmt: skip
    assert sim.trusted.shape == (N, P) and sim.trusted.dtype == bool and sim.trusted.all()
    assert sim.dt.shape == (P,) and np.isnan(sim.dt).all()
    assert sim.error.shape == (N, P) and np.isnan(sim.error).all()
    assert sim.redone.shape == (N, P) and sim.redone.dtype == bool and not sim.redone.any()


def test_a_stiff_trajectory_is_redone_with_dopri5_and_kept():
    """A = [[0, s], [s, 0]] at s = 3e4, automatic step: too stiff for the RK4 tracker, so
    the trajectory is re-run with dopri5 (redone) and trusted. x' = s x (1 - x)(1 - 2x)
    takes x0 = 0.2 to x* = 1/2 at rate s/2 = 1.5e4 (by hand), so at t = 1 it sits at 1/2."""
    import warnings

    from lmc_games import Game, simulate

    g = Game.symmetric([[0, "s"], ["s", 0]], ["a", "b"], parameters={"s": {"value": 30000}})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sim = simulate(g, [[0.2], [0.9]], t_end=1, engine="numpy")
    assert sim.redone.all() and sim.trusted.all()
    assert sim.final[:, 0, 0] == pytest.approx([0.5, 0.5], abs=1e-6)
    assert sim.states[0, :, 0, 0].tolist() == [0.2, 0.9]


def test_integer_starts_are_the_same_starts_as_floats():
    """Starts given as integers (the corners 0 and 1) and the same starts as floats give the
    same trajectories: corners are rest points, so both stay exactly where they started."""
    from lmc_games import SimulationWarning, load_model, simulate

    g = load_model("hawk_dove")
    runs = []
    for starts in ([[0], [1]], [[0.0], [1.0]]):
        with pytest.warns(SimulationWarning) as said:
            runs.append(simulate(g, starts, t_end=5, engine="numpy"))
        assert any("is a rest point" in str(w.message) for w in said)
    a, b = runs
    assert a.states.dtype == np.float64 and a.inits.dtype == np.float64
    assert np.array_equal(a.states, b.states)
    assert a.final[:, 0, 0].tolist() == [0.0, 1.0]
