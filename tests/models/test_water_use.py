"""Claims W1–W5 of the `water_use` model (issue 4, part 1), each from two directions.

The model's payoff matrix is ours (Zhang & Zhan 2020 report findings, not their matrix). The
expected values below come from the payoff table by hand: Savannakhet's payoff advantage of
reasonable use, given Mukdahan's share y of reasonable users, is

    y*(V_L + D_L - C_L - dB_L - S_L + p*theta*k*F)
      + (1 - y)*(V_L + D_L + W_L - C_L - dB_L + p*theta*F)

(Mukdahan's likewise), so with the defaults, writing P = p*theta*F:
(excessive, excessive) is stable iff P < 3/2 (Mukdahan) and P < 5/2 (Savannakhet);
(excessive, reasonable) iff P > 3/2 and k*P < 9/2; (reasonable, reasonable) iff k*P > 9/2
(Savannakhet) and k*P > 7/2 (Mukdahan); (reasonable, excessive) iff P > 5/2 and k*P < 7/2,
never at k = 3/2. Each claim is checked against the library's symbolic conditions and against a
sweep or a simulation.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy
from scipy.integrate import solve_ivp

from lmc_games import analyze, basins, converge, load_model, simulate, starts_grid, sweep

RR = "reasonable, reasonable"
RE = "reasonable, excessive"
ER = "excessive, reasonable"
EE = "excessive, excessive"
CORNERS = (RR, RE, ER, EE)

OWN = ("C", "dB", "S", "V", "D", "W")  # parameters of each side that enter its threshold


_DEFAULTS = load_model("water_use").value_substitution()


@pytest.fixture(scope="module")
def game():
    return load_model("water_use")


def _stable_set(analysis, label, var, lo, hi):
    """The values of ``var`` in [lo, hi] where the library says ``label`` is stable."""
    cond = analysis[label].stable_if
    domain = sympy.Interval(lo, hi)
    if cond in (sympy.true, sympy.false):
        return domain if cond == sympy.true else sympy.EmptySet
    return cond.as_set().intersect(domain)


def _bounds(cond, var):
    """The bounds on ``var`` set by the atoms of ``cond`` (each linear in ``var``).

    Returns a list of ``(kind, value, atom)``: ``kind`` is ``"lower"`` when the atom reads
    ``var > value``, ``"upper"`` when it reads ``var < value``; the sign of the slope is taken
    at the game's default values where it is symbolic.
    """
    out = []
    for rel in cond.atoms(sympy.core.relational.Relational):
        g = rel.lhs - rel.rhs if rel.rel_op in (">", ">=") else rel.rhs - rel.lhs  # g > 0
        slope = sympy.diff(g, var)
        assert sympy.diff(slope, var) == 0, "thresholds are linear in the parameter"
        (root,) = sympy.solve(g, var)
        positive = slope.xreplace(_DEFAULTS) > 0
        out.append(("lower" if positive else "upper", root, rel))
    return out


def _threshold(cond, var, containing):
    """The bound on ``var`` from the one atom of ``cond`` that involves ``containing``."""
    found = [
        (kind, root) for kind, root, rel in _bounds(cond, var) if containing in rel.free_symbols
    ]
    assert len(found) == 1, f"expected one atom with {containing}, got {found}"
    return found[0]


# --------------------------------------------------------------------------- W1
# Raising p, theta or F alone (others at their defaults) moves the stable set from
# (excessive, excessive) through (excessive, reasonable) to (reasonable, reasonable), never back.
# P = p*theta*F = 32p/5 = 4 theta = 2F/5; the switches are at P = 3/2 and at k*P = 9/2.
W1_CASES = {
    "p": (0, 1, sympy.Rational(15, 64), sympy.Rational(15, 32)),
    "theta": (0, 1, sympy.Rational(3, 8), sympy.Rational(3, 4)),
    "F": (0, 20, sympy.Rational(15, 4), sympy.Rational(15, 2)),
}


@pytest.mark.parametrize("name", list(W1_CASES))
def test_w1_symbolic_thresholds(game, name):
    lo, hi, first, second = W1_CASES[name]
    a = analyze(game.with_free([name]), symbolic=True)
    var = game.symbols[name]
    got = {lab: _stable_set(a, lab, var, lo, hi) for lab in CORNERS}
    assert got[EE] == sympy.Interval.Ropen(lo, first)
    assert got[ER] == sympy.Interval.open(first, second)
    assert got[RR] == sympy.Interval.Lopen(second, hi)
    assert got[RE] == sympy.EmptySet
    # No interior attractor either: the interior point of a 2x2 bimatrix game never is one.
    assert not any(r.asymptotically_stable for r in a.rest_points if not r.is_pure)


@pytest.mark.parametrize("name", list(W1_CASES))
def test_w1_sweep_agrees_and_never_goes_back(game, name):
    lo, hi, first, second = W1_CASES[name]
    # 200 points, none within 1e-3 of a threshold (there the corner is non-hyperbolic).
    grid = np.linspace(lo, hi, 200)
    assert np.min(np.abs(grid[:, None] - np.array([float(first), float(second)]))) > 1e-3
    r = sweep(game, {name: grid}, measure="stable")
    regime = []
    for i, v in enumerate(grid):
        labels = r.stable_labels(i)
        expected = EE if v < first else ER if v < second else RR
        assert labels == (expected,), (name, v, labels)
        regime.append(expected)
    # Never back: the sequence of regimes is EE..., ER..., RR... with each met once.
    changes = [regime[0]] + [b for a_, b in zip(regime, regime[1:]) if a_ != b]
    assert changes == [EE, ER, RR]


def test_w1_simulation_reaches_the_only_attractor(game):
    # One p in each regime; every start of a 4x4 grid ends at the one stable corner.
    ps = [0.1, 0.35, 0.7]
    starts = starts_grid(game, 4)
    sim = simulate(game, starts, params={"p": ps}, t_end=60, save_every=0.5)
    conv = converge(sim, [analyze(game.with_values(p=p)) for p in ps])
    shares = basins(conv)
    for j, expected in enumerate((EE, ER, RR)):
        assert shares[expected][j] == 1.0


# --------------------------------------------------------------------------- W2
K_VALUES = [1, 1.5, 2, 2.5]


def test_w2_only_reasonable_at_strong_supervision(game):
    # Symbolic in k at p = 0.9: (reasonable, reasonable) stable for every k >= 1, no other
    # corner for any k >= 1.
    g = game.scenario("strong_supervision")
    a = analyze(g.with_free(["k"]), symbolic=True)
    k = g.symbols["k"]
    assert _stable_set(a, RR, k, 1, sympy.oo) == sympy.Interval(1, sympy.oo)
    for lab in (RE, ER, EE):
        assert _stable_set(a, lab, k, 1, sympy.oo) == sympy.EmptySet
    for kv in K_VALUES:
        assert [r.label for r in analyze(g.with_values(k=kv)).stable()] == [RR]


def test_w2_catalytic_effect_of_k(game):
    # Convergence time from (0.3, 0.3) to within 1e-3 of (reasonable, reasonable) at p = 0.9.
    r = sweep(
        game,
        {"p": [0.9], "k": K_VALUES},
        measure="outcome",
        starts=[[0.3, 0.3]],
        t_end=40,
        dt=0.01,
    )
    assert r.labels == (RR,)
    times = r.convergence_time[0, :, 0]
    assert np.all(np.diff(times) < 0), times
    # Measured: 5.57, 1.93, 1.21, 0.89 (dt = 0.01). An independent integration (solve_ivp on
    # the field written by hand from the payoff table) gives the same times to within 0.02.
    ref = [_time_to_rr(kv) for kv in K_VALUES]
    assert np.all(np.diff(ref) < 0)
    np.testing.assert_allclose(times, ref, atol=0.02)


def _time_to_rr(k, p=0.9, theta=0.8, F=8.0, eps=1e-3):
    # Water_use defaults, by hand from the payoff table (independent of the library).
    aL, bL = 2 + 1.5 - 3 - 4 - 1, 2 + 1.5 + 1 - 3 - 4  # V+D-C-dB-S, V+D+W-C-dB
    aT, bT = 2 + 1.5 - 2.5 - 3.5 - 1, 2 + 1.5 + 1 - 2.5 - 3.5
    pen = p * theta * F

    def f(_, s):
        x, y = s
        dl = y * (aL + k * pen) + (1 - y) * (bL + pen)
        dt_ = x * (aT + k * pen) + (1 - x) * (bT + pen)
        return [x * (1 - x) * dl, y * (1 - y) * dt_]

    # Both shares rise monotonically here, so the first time both are within eps is the
    # convergence time of DESIGN §4.
    def event(_, s):
        return min(s) - (1 - eps)

    event.terminal = True
    sol = solve_ivp(f, (0, 40), [0.3, 0.3], events=event, rtol=1e-10, atol=1e-12)
    return float(sol.t_events[0][0])


# --------------------------------------------------------------------------- W3
@pytest.fixture(scope="module")
def full(game):
    """The fully symbolic analysis: every one of the 20 parameters a symbol."""
    return analyze(game, symbolic=True)


@pytest.mark.parametrize("side", ["L", "T"])
def test_w3_threshold_formula_and_comparative_statics(game, full, side):
    s = game.symbols
    cond = full[RR].stable_if
    kind, p_star = _threshold(cond, s["p"], s[f"C_{side}"])
    assert kind == "lower"
    C, dB, S, V, D, W = (s[f"{q}_{side}"] for q in OWN)
    theta, k, F = s["theta"], s["k"], s["F"]
    assert sympy.simplify(p_star - (C + dB + S - V - D) / (theta * k * F)) == 0
    # Rises with C, dB and S, falls with V and D (slope +-1/(theta k F)); W does not enter.
    for q, sign in zip(OWN, (1, 1, 1, -1, -1, 0)):
        slope = sympy.diff(p_star, s[f"{q}_{side}"])
        assert sympy.simplify(slope * theta * k * F - sign) == 0, (q, slope)
    assert W not in cond.free_symbols


def test_w3_stable_iff_above_both_thresholds(game, full):
    # The condition is exactly p > p_L* and p > p_T*, i.e. p > max(p_L*, p_T*).
    s = game.symbols
    bounds = _bounds(full[RR].stable_if, s["p"])
    assert sorted(kind for kind, _, _ in bounds) == ["lower", "lower"]
    theta, k, F = s["theta"], s["k"], s["F"]
    expected = {
        (s[f"C_{i}"] + s[f"dB_{i}"] + s[f"S_{i}"] - s[f"V_{i}"] - s[f"D_{i}"]) / (theta * k * F)
        for i in ("L", "T")
    }
    for _, root, _ in bounds:
        assert any(sympy.simplify(root - e) == 0 for e in expected)
    # At the defaults p_L* = 15/32 > p_T* = 35/96. The sweep finds (reasonable, reasonable)
    # stable just above 15/32 and not just below (where p > p_T* still holds) ...
    r = sweep(game, {"p": [15 / 32 - 1e-6, 15 / 32 + 1e-6]}, measure="stable")
    assert RR not in r.stable_labels(0)
    assert RR in r.stable_labels(1)
    # ... and from (0.9, 0.9) the simulation goes to (excessive, reasonable) at p = 0.44
    # (Savannakhet below its threshold, Mukdahan above) and to (reasonable, reasonable) at 0.5.
    sim = simulate(game, [[0.9, 0.9]], params={"p": [0.44, 0.5]}, t_end=80, save_every=1)
    final = sim.final[0]
    assert final[0, 0] < 0.01 and final[0, 1] > 0.99
    assert final[1].min() > 0.99


# --------------------------------------------------------------------------- W4
def test_w4_inert_parameters(game):
    assert set(analyze(game).inert_parameters) == {"B_L", "B_T", "E_L", "E_T"}


def test_w4_inert_parameters_symbolic(game, full):
    # With every parameter a symbol: the field's derivatives in them vanish identically.
    assert set(full.inert_parameters) == {"B_L", "B_T", "E_L", "E_T"}
    field_symbols = set().union(*(e.free_symbols for e in full.system.field))
    names = {sym.name for sym in field_symbols}
    assert not names & {"B_L", "B_T", "E_L", "E_T"}
    assert {"W_L", "W_T", "p", "theta", "k", "F"} <= names


def test_w4_inert_parameters_simulation(game):
    # And the trajectories do not move when they change (W_L, which is not inert, does).
    starts = np.array([[0.3, 0.3], [0.2, 0.8]])
    changed = {"B_L": [10, 0, 50], "B_T": [12, 40, 0], "E_L": [2, 9, 0], "E_T": [2, 0, 7]}
    sim = simulate(game, starts, params=changed, t_end=10, save_every=1)
    assert np.array_equal(sim.states[:, :, 0], sim.states[:, :, 1])
    assert np.array_equal(sim.states[:, :, 0], sim.states[:, :, 2])
    moved = simulate(game, starts, params={"W_L": [1, 5]}, t_end=10, save_every=1)
    assert not np.allclose(moved.states[:, :, 0], moved.states[:, :, 1])


# --------------------------------------------------------------------------- W5
def test_w5_bistability_found_by_sweep(game):
    # The sweep over (p, k) finds both corners stable only for k > 3 ...
    ks = np.linspace(1, 6, 51)
    ps = np.linspace(0.0025, 0.9975, 200)
    r = sweep(game, {"p": ps, "k": ks}, measure="stable")
    both = r.stable[RR] & r.stable[EE]
    assert both.any() and r.parameter("k")[both].min() > 3
    # ... and the bistable p-interval at k = 4 is (45/256, 15/64), as the symbolic
    # conditions say: (reasonable, reasonable) needs p > 45/(64k), (excessive, excessive)
    # p < 15/64, which is possible exactly when k > 3.
    a = analyze(game.with_free(["p", "k"]), symbolic=True)
    p, k = game.symbols["p"], game.symbols["k"]
    lowers = [root for kind, root, _ in _bounds(a[RR].stable_if, p) if kind == "lower"]
    uppers = [root for kind, root, _ in _bounds(a[EE].stable_if, p) if kind == "upper"]
    # The library drops a bound implied by another of the same form (p < 25/64 given
    # p < 15/64), so one or two of each remain.
    assert 1 <= len(lowers) <= 2 and 1 <= len(uppers) <= 2
    # For k > 0 the binding bounds are Savannakhet's 45/(64k) and Mukdahan's 15/64.
    lower = next(b for b in lowers if all(sympy.simplify(b - o).is_nonnegative for o in lowers))
    upper = next(b for b in uppers if all(sympy.simplify(o - b).is_nonnegative for o in uppers))
    assert sympy.simplify(lower - sympy.Rational(45, 64) / k) == 0
    assert upper == sympy.Rational(15, 64)
    assert sympy.solve(sympy.Eq(lower, upper), k) == [3]
    at4 = both[:, np.argmin(np.abs(ks - 4))]
    assert np.all(at4 == ((ps > 45 / 256) & (ps < 15 / 64)))
    # The scenario lies inside the region, with the interior saddle.
    g = game.scenario("bistable")
    an = analyze(g)
    assert {rp.label for rp in an.stable()} == {RR, EE}
    inner = an["reasonable+excessive, reasonable+excessive"]
    assert str(inner.stability) == "saddle"
    assert inner.coordinates == {
        g.populations[0].variables[0]: sympy.Rational(11, 92),
        g.populations[1].variables[0]: sympy.Rational(61, 92),
    }


def test_w5_basin_shares(game):
    g = game.scenario("bistable")
    n = 30
    r = sweep(g, {"p": [0.2]}, measure="outcome", starts=n, t_end=100)
    share_rr, share_ee = r.shares[RR][0], r.shares[EE][0]
    assert r.not_converged[0] == 0
    assert share_rr + share_ee == 1
    # Measured: 0.6889 / 0.3111 on the 30x30 grid of starts (0.71 / 0.29 on 10x10, 0.686 /
    # 0.314 on 50x50).
    assert share_rr == pytest.approx(0.6889, abs=1e-3)
    # Independent: the separatrix is the stable manifold of the saddle (11/92, 61/92), traced
    # backwards with solve_ivp from the hand-written field; (excessive, excessive) attracts
    # the starts below it. Every start is classified the same way.
    xs, ys = _separatrix()
    below = r.starts[:, 1] < np.interp(r.starts[:, 0], xs, ys)
    reached = np.array(r.labels)[r.reached[0]]
    assert np.array_equal(reached == EE, below)
    # The area below it (the basin's share of the whole square) is 0.321.
    area = np.trapezoid(ys, xs) + ys[0] * xs[0] + ys[-1] * (1 - xs[-1])
    assert abs(share_ee - area) < 1 / n, (share_ee, area)


def _separatrix(p=0.2, k=4.0, theta=0.8, F=8.0):
    """The stable manifold of the interior saddle of `bistable`, as (x, y) sorted by x."""
    aL, bL = 2 + 1.5 - 3 - 4 - 1, 2 + 1.5 + 1 - 3 - 4
    aT, bT = 2 + 1.5 - 2.5 - 3.5 - 1, 2 + 1.5 + 1 - 2.5 - 3.5
    pen = p * theta * F

    def f(_, s):
        x, y = s
        dl = y * (aL + k * pen) + (1 - y) * (bL + pen)
        dt_ = x * (aT + k * pen) + (1 - x) * (bT + pen)
        return [-x * (1 - x) * dl, -y * (1 - y) * dt_]  # backwards in time

    xs, ys = 11 / 92, 61 / 92
    # The Jacobian at the saddle has zero diagonal: [[0, b], [c, 0]].
    b = xs * (1 - xs) * (aL + k * pen - bL - pen)
    c = ys * (1 - ys) * (aT + k * pen - bT - pen)
    assert b > 0 and c > 0  # a saddle: eigenvalues +-sqrt(b c)
    v = np.array([np.sqrt(b), -np.sqrt(c)])  # the stable direction, J v = -sqrt(b c) v
    v /= np.linalg.norm(v)
    branches = []
    for sgn in (1, -1):
        x0 = [xs + sgn * 1e-7 * v[0], ys + sgn * 1e-7 * v[1]]
        sol = solve_ivp(f, (0, 200), x0, rtol=1e-10, atol=1e-12, max_step=0.05)
        branches.append(sol.y.T)
    curve = np.vstack([branches[1][::-1], branches[0]])
    curve = curve[np.argsort(curve[:, 0])]
    return curve[:, 0], curve[:, 1]
