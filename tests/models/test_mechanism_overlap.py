"""Claims of ``mechanism_overlap`` (issue 4, part 5; docs/models/mechanism_overlap.md).

A government in mechanism i meeting one in j earns b_i + w n_i - h [i = lmc] + c [i = j]
- o [i != j]; n = 17 / 111 / 32 NGOs (Lu 2021, Table 4-1).

M1  the three pure mechanisms are all attractors iff c + o > 94 w + h (at equal b_i; 94 =
    111 - 17 is the US-Mekong mechanism's lead in NGOs over the LMC). A pure strategy i of a
    symmetric game is a strict Nash equilibrium, hence asymptotically stable, iff
    a_ii > a_ji for all j (Hofbauer & Sigmund 1998, ch. 6); here a_ii - a_ji = c + o -
    (base_j - base_i).
M2  the LMC's basin of attraction (share of a fine grid of starts) grows as h falls, as n_lmc
    rises, and with c while the LMC's base payoff is the lowest.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from lmc_games import (
    Stability,
    analyze,
    basins,
    converge,
    load_model,
    simulate,
    starts_grid,
    sweep,
    system,
)

R = sympy.Rational
CORNERS = ("lmc", "us_mekong", "japan_mekong")


@pytest.fixture(scope="module")
def game():
    return load_model("mechanism_overlap")


@pytest.fixture(scope="module")
def symbolic():
    g = load_model("mechanism_overlap").with_free(["c", "o", "w", "h"])
    return g, analyze(g, symbolic=True)


def _relations(cond):
    parts = cond.args if isinstance(cond, sympy.And) else (cond,)
    return [rel.gts - rel.lts for rel in parts]


# ----------------------------------------------------------------------------------- M1


def test_m1_defaults_three_attractors(game):
    a = analyze(game)
    assert [r.label for r in a.stable()] == list(CORNERS)
    # Eigenvalues at a corner i: a_ji - a_ii = (base_j - base_i) - (c + o); bases 9.85,
    # 15.55, 11.6.
    assert sorted(a["lmc"].eigenvalues) == [R(-29, 4), R(-33, 10)]  # 1.75 - 9, 5.7 - 9
    assert sorted(a["us_mekong"].eigenvalues) == [R(-147, 10), R(-259, 20)]
    assert sorted(a["japan_mekong"].eigenvalues) == [R(-43, 4), R(-101, 20)]
    # The edge saddle between the LMC and the US-Mekong mechanism: indifference
    # (c + o)(2 x_l - 1) = base_us - base_lmc = 5.7, so x_l = 49/60.
    x_l, _ = game.variables
    assert a["lmc+us_mekong"].coordinates[x_l] == R(49, 60)
    assert a["lmc+us_mekong"].stability is Stability.SADDLE
    assert not any(r.asymptotically_stable for r in a.rest_points if not r.is_pure)


def test_m1_threshold_symbolic(symbolic):
    g, a = symbolic
    c, o, w, h = (g.symbols[n] for n in ("c", "o", "w", "h"))
    rel = _relations(a["lmc"].stable_if)
    # The binding inequality is c + o > 94 w + h; any other is implied by it for w >= 0.
    assert any(sympy.simplify(e - (c + o - 94 * w - h)) == 0 for e in rel)
    for e in rel:
        slack = sympy.expand(e - (c + o - 94 * w - h))
        assert slack.free_symbols <= {w} and slack.subs(w, 1) >= 0
    # Japan-Mekong needs c + o > 79 w (its shortfall against the US-Mekong mechanism), which
    # c + o > 94 w + h implies; the US-Mekong mechanism, the richest, is always an attractor.
    assert any(
        sympy.simplify(e - (c + o - 79 * w)) == 0 for e in _relations(a["japan_mekong"].stable_if)
    )


@settings(max_examples=100, deadline=None)
@given(
    c=st.fractions(0, 12, max_denominator=20),
    o=st.fractions(0, 3, max_denominator=20),
    w=st.fractions(0, R(1, 10), max_denominator=200),
    h=st.fractions(0, 4, max_denominator=20),
)
def test_m1_three_attractors_iff_threshold(symbolic, c, o, w, h):
    g, a = symbolic
    vals = {g.symbols["c"]: c, g.symbols["o"]: o, g.symbols["w"]: w, g.symbols["h"]: h}
    stable = [bool(a[k].stable_if.xreplace(vals)) for k in CORNERS]
    assert all(stable) == (c + o > 94 * w + h)
    assert stable[1] == (c + o + 79 * w > 0)


@pytest.mark.parametrize(("c", "expected"), [(R(23, 5), 2), (R(24, 5), 3)])
def test_m1_either_side_of_threshold_exact(game, c, expected):
    # 94 w + h = 5.7 at the defaults; c + o = 5.6 or 5.8.
    a = analyze(game.with_values(c=c))
    assert len(a.stable()) == expected
    assert ("lmc" in [r.label for r in a.stable()]) == (expected == 3)


def test_m1_at_threshold_non_hyperbolic(game):
    # c + o = 94 w + h exactly: a zero eigenvalue at the LMC corner, decided in exact arithmetic.
    r = analyze(game.with_values(c=R(47, 10)))["lmc"]
    assert 0 in r.eigenvalues
    assert not r.asymptotically_stable
    assert r.stability is not Stability.STABLE


def test_m1_only_c_plus_o_matters(game):
    f = system(game).field
    c, o, d = game.symbols["c"], game.symbols["o"], sympy.Symbol("d")
    for e in f:
        assert sympy.simplify(e.xreplace({c: c + d, o: o - d}) - e) == 0


def test_m1_threshold_agrees_with_sweep(game):
    res = sweep(game, {"c": np.linspace(0, 10, 101), "h": [0, 1, 2]}, measure="stable")
    C, H = np.meshgrid(res.coords["c"], res.coords["h"], indexing="ij")
    three = res.stable["lmc"] & res.stable["us_mekong"] & res.stable["japan_mekong"]
    expect = C + 1 > 94 * 0.05 + H
    # Grid points that lie on the threshold itself (to rounding) are excluded.
    off = np.abs(C + 1 - 94 * 0.05 - H) > 1e-9
    np.testing.assert_array_equal(three[off], expect[off])


# ----------------------------------------------------------------------------------- M2

STARTS = 40  # 820 starts on the triangle
H_VALUES = [2, 1.5, 1, 0.5, 0]


@pytest.fixture(scope="module")
def h_counts(game):
    """Starts (of 820) reaching each corner for h = 2, 1.5, 1, 0.5, 0, computed independently
    of the library's integrators: the 3x3 payoff matrix, the replicator in all three shares,
    scipy's RK45 (rtol 1e-8) on all starts to t = 60. Each end point is within 1e-6 of a
    corner, so the count does not depend on the eps of the convergence rule. (They are
    40/612/168, 56/600/164, 71/589/160, 87/577/156 and 109/561/150.)"""
    from scipy.integrate import solve_ivp

    out = []
    for h in H_VALUES:
        g = game.with_values(h=h)
        sub = g.value_substitution()
        a = np.array(
            [[float(g.payoffs[(i, j)][0].xreplace(sub)) for j in range(3)] for i in range(3)]
        )
        s = starts_grid(g, STARTS)
        x0 = np.column_stack([s, 1 - s.sum(axis=1)])
        n = len(x0)

        def f(t, y, a=a, n=n):
            x = y.reshape(n, 3)
            fit = x @ a.T
            return (x * (fit - (x * fit).sum(axis=1, keepdims=True))).ravel()

        sol = solve_ivp(f, (0, 60), x0.ravel(), method="RK45", rtol=1e-8, atol=1e-10)
        x = sol.y[:, -1].reshape(len(x0), 3)
        assert np.all(x.max(axis=1) > 1 - 1e-6)
        out.append(np.bincount(x.argmax(axis=1), minlength=3))
    return np.array(out)  # rows: h values; columns: lmc, us_mekong, japan_mekong


def _lmc_share(game, name, values):
    sim = simulate(
        game,
        starts_grid(game, STARTS),
        params={name: np.array(values, float)},
        t_end=60,
        save_every=1.0,
    )
    ans = [analyze(game.with_values({name: v})) for v in values]
    b = basins(converge(sim, ans, eps=1e-3))
    assert np.all(b["not_converged"] == 0)
    return b


def test_m2_lmc_basin_grows_as_h_falls(game, h_counts):
    b = _lmc_share(game, "h", H_VALUES)
    assert np.all(np.diff(b["lmc"]) > 0)
    # Starts (of 820) reaching each corner, against the independent scipy integration.
    for k, corner in enumerate(CORNERS):
        np.testing.assert_allclose(b[corner] * 820, h_counts[:, k])


def test_m2_sweep_outcome_agrees(game, h_counts):
    # The same basins through the sweep's own tracking integrator (DESIGN §4 convergence rule).
    res = sweep(game, {"h": H_VALUES}, measure="outcome", starts=STARTS, t_end=60)
    assert res.labels == CORNERS
    for k, corner in enumerate(CORNERS):
        np.testing.assert_allclose(res.shares[corner] * 820, h_counts[:, k])
    np.testing.assert_array_equal(res.not_converged, 0)


def test_m2_lmc_basin_grows_with_ngos(game):
    b = _lmc_share(game, "n_lmc", [0, 17, 32, 60, 100])
    assert np.all(np.diff(b["lmc"]) > 0)
    assert np.all(np.diff(b["us_mekong"]) < 0)


def test_m2_lmc_basin_grows_with_c_while_lowest(game):
    cs = [5, 6, 8, 12, 20, 40]
    b = _lmc_share(game, "c", cs)
    assert np.all(np.diff(b["lmc"]) > 0)
    # It stays below a third: with the lowest base payoff the LMC never catches up ...
    assert np.all(b["lmc"] < 1 / 3)
    # ... and the shares even out as coordination dominates the base differences.
    assert b["lmc"][-1] > 0.25 and b["us_mekong"][-1] < 0.45


def _own_basins(game, n):
    """Basins from an independent integrator: the 3x3 payoff matrix at the defaults, the
    replicator in all three shares, scipy-free fixed-step RK4 with dt = 0.01."""
    a = np.array(
        [
            [float(game.payoffs[(i, j)][0].xreplace(game.value_substitution())) for j in range(3)]
            for i in range(3)
        ]
    )
    s = starts_grid(game, n)
    x = np.column_stack([s, 1 - s.sum(axis=1)])

    def f(x):
        fit = x @ a.T
        return x * (fit - (x * fit).sum(axis=1, keepdims=True))

    for _ in range(6000):
        k1 = f(x)
        k2 = f(x + 0.005 * k1)
        k3 = f(x + 0.005 * k2)
        k4 = f(x + 0.01 * k3)
        x = x + 0.01 / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    assert np.all(x.max(axis=1) > 1 - 1e-6)
    return np.bincount(x.argmax(axis=1), minlength=3) / len(x)


def test_m2_basins_agree_with_independent_integrator(game):
    own = _own_basins(game, STARTS)
    b = _lmc_share(game, "h", [1])
    np.testing.assert_allclose([b[k][0] for k in CORNERS], own, atol=1.5 / 820)
