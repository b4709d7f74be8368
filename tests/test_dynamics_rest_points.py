"""Rest points of the dynamics beyond the replicator (issue 12 §2), against independent values.

References: Sandholm 2010, *Population Games and Evolutionary Dynamics* (Nash stationarity of
BNN and Smith, ch. 5; logit equilibria, ch. 6); McKelvey & Palfrey 1995 (logit equilibria);
Hofbauer & Sigmund 1998, §16.1 (discrete-time replicator).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import sympy
from scipy.optimize import brentq

from lmc_games import Game, Stability
from lmc_games._analysis_dynamics import analyze_other
from lmc_games._errors import DynamicsError
from lmc_games.dynamics import BNN, BestResponse, DiscreteReplicator, Logit, Mutator, Smith

HD = Game.symmetric([[-1, 4], [0, 2]], ["hawk", "dove"])  # V = 4, C = 6: NE x = V/C = 2/3
MP = Game.bimatrix([[1, -1], [-1, 1]], [[-1, 1], [1, -1]])
RPS = Game.symmetric([[0, -1, 1], [1, 0, -1], [-1, 1, 0]], ["r", "p", "s"])
COORD = Game.bimatrix([[2, 0], [0, 1]], [[2, 0], [0, 1]])


def _support_enumeration(A: np.ndarray, B: np.ndarray) -> set[tuple]:
    """Nash equilibria of a nondegenerate bimatrix game by support enumeration (an
    independent computation: equal-size supports, indifference, no profitable deviation)."""
    m, n = A.shape
    out = set()
    for k in range(1, min(m, n) + 1):
        for rows in itertools.combinations(range(m), k):
            for cols in itertools.combinations(range(n), k):
                # column mix q makes rows indifferent; row mix p makes columns indifferent
                Mq = np.vstack([A[list(rows)][:, list(cols)] - A[rows[0], list(cols)], np.ones(k)])
                Mp = np.vstack(
                    [B[list(rows)][:, list(cols)].T - B[list(rows), cols[0]], np.ones(k)]
                )
                rhs = np.zeros(k + 1)
                rhs[-1] = 1
                q = np.linalg.lstsq(Mq, rhs, rcond=None)[0]
                p = np.linalg.lstsq(Mp, rhs, rcond=None)[0]
                if np.any(q < -1e-12) or np.any(p < -1e-12):
                    continue
                if np.linalg.norm(Mq @ q - rhs) > 1e-9 or np.linalg.norm(Mp @ p - rhs) > 1e-9:
                    continue
                x = np.zeros(m)
                x[list(rows)] = p
                y = np.zeros(n)
                y[list(cols)] = q
                if np.max(A @ y) > x @ A @ y + 1e-9 or np.max(x @ B) > x @ B @ y + 1e-9:
                    continue
                out.add(tuple(np.round(np.concatenate([x, y]), 9)))
    return out


def _shares(a) -> set[tuple]:
    return {tuple(np.round([v for p in r.numeric_shares for v in p], 9)) for r in a.rest_points}


@pytest.mark.parametrize("dyn", [BNN(), Smith(), BestResponse()], ids=lambda d: d.name)
@pytest.mark.parametrize("name", ["mp", "coord", "asym"])
def test_nash_dynamics_rest_points_are_the_nash_equilibria(dyn, name):
    # Nash stationarity (Sandholm 2010, ch. 5): rest points of BNN and Smith are exactly the
    # Nash equilibria; compared with support enumeration, computed independently here.
    games = {
        "mp": (np.array([[1, -1], [-1, 1]]), np.array([[-1, 1], [1, -1]])),
        "coord": (np.array([[2, 0], [0, 1]]), np.array([[2, 0], [0, 1]])),
        "asym": (np.array([[3, 0, 1], [0, 2, 0]]), np.array([[1, 0, 2], [0, 3, 1]])),
    }
    A, B = games[name]
    g = Game.bimatrix(A.tolist(), B.tolist())
    a = analyze_other(g, symbolic=False, dynamics=dyn)
    assert _shares(a) == _support_enumeration(A, B)
    for r in a.rest_points:
        assert r.stability is Stability.NON_HYPERBOLIC
        assert "not differentiable" in r.reason
        assert r.jacobian is None and r.numeric_eigenvalues is None and r.charpoly is None


def test_nash_dynamics_hand_values():
    # Hawk-dove V = 4, C = 6: the only NE is x = V/C = 2/3 (Maynard Smith 1982); RPS: (1/3)^3.
    assert [
        r.coordinates for r in analyze_other(HD, symbolic=False, dynamics=BNN()).rest_points
    ] == [{HD.variables[0]: sympy.Rational(2, 3)}]
    rps = analyze_other(RPS, symbolic=False, dynamics=Smith()).rest_points
    assert [r.shares for r in rps] == [(tuple([sympy.Rational(1, 3)] * 3),)]


def test_nash_dynamics_symbolic_conditions():
    hd = Game.symmetric(
        [["(V - C)/2", "V"], [0, "V/2"]],
        ["hawk", "dove"],
        parameters={"V": {"value": 2, "min": 0}, "C": {"value": 3, "min": 0}},
    )
    a = analyze_other(hd, symbolic=True, dynamics=Smith())
    V, C = sympy.symbols("V C", positive=True)
    by = {r.label: r for r in a.rest_points}
    # hawk is Nash iff V >= C; dove is never Nash (V > 0); the mix exists iff V < C.
    assert set(by) == {"hawk", "hawk+dove"}
    assert "dove" not in by
    assert str(by["hawk"].exists_if) == "C <= V"
    assert all(r.stable_if == sympy.false for r in a.rest_points)


def _logit_root_2x2_symmetric(A: np.ndarray, eta: float) -> list[float]:
    """Independent: zeros of x - 1/(1 + exp(-(f1 - f2)/eta)) on (0, 1) by brentq on a grid."""

    def g(x):
        f1 = A[0, 0] * x + A[0, 1] * (1 - x)
        f2 = A[1, 0] * x + A[1, 1] * (1 - x)
        return x - 1 / (1 + math.exp(-(f1 - f2) / eta))

    grid = np.linspace(1e-12, 1 - 1e-12, 2001)
    vals = [g(v) for v in grid]
    return [
        brentq(g, a, b, xtol=1e-15)
        for a, b, u, w in zip(grid, grid[1:], vals, vals[1:])
        if u * w < 0
    ]


@pytest.mark.parametrize("eta", [1.0, 0.1, 0.01])
def test_logit_two_strategies_against_brentq(eta):
    A = np.array([[-1.0, 4.0], [0.0, 2.0]])
    a = analyze_other(HD, symbolic=False, dynamics=Logit(eta=eta))
    ours = sorted(float(r.numeric_shares[0][0]) for r in a.rest_points)
    theirs = _logit_root_2x2_symmetric(A, eta)
    assert len(ours) == len(theirs) == 1
    assert ours[0] == pytest.approx(theirs[0], abs=1e-10)
    assert a.complete  # proven by interval branch and bound
    assert a.rest_points[0].stability is Stability.STABLE


def test_logit_coordination_three_equilibria_against_brentq():
    A = np.array([[2.0, 0.0], [0.0, 1.0]])
    g = Game.symmetric(A.tolist(), ["a", "b"])
    a = analyze_other(g, symbolic=False, dynamics=Logit(eta=0.2))
    ours = sorted(float(r.numeric_shares[0][0]) for r in a.rest_points)
    theirs = _logit_root_2x2_symmetric(A, 0.2)
    assert len(theirs) == 3 and np.allclose(ours, theirs, atol=1e-10)
    verdicts = [r.stability for r in sorted(a.rest_points, key=lambda r: r.numeric_shares[0][0])]
    assert verdicts == [Stability.STABLE, Stability.UNSTABLE, Stability.STABLE]
    assert a.complete


def test_logit_converges_to_nash_as_noise_vanishes():
    # McKelvey & Palfrey 1995: logit equilibria approach Nash equilibria as eta -> 0; the
    # hawk-dove NE is V/C = 2/3, and the distance shrinks with eta.
    gaps = []
    for eta in (0.5, 0.05, 0.005):
        (r,) = analyze_other(HD, symbolic=False, dynamics=Logit(eta=eta)).rest_points
        gaps.append(abs(float(r.numeric_shares[0][0]) - 2 / 3))
    assert gaps[0] > gaps[1] > gaps[2]
    # First order in eta: 2 - 3x = eta*log(x/(1 - x)) at x = 2/3 gives x - 2/3 ~ -eta*log(2)/3.
    assert gaps[2] == pytest.approx(0.005 * math.log(2) / 3, rel=0.02)


def test_logit_matching_pennies_and_rps_centre():
    # By symmetry the centre is the logit equilibrium of both zero-sum games, for any eta.
    for g, n in ((MP, 4), (RPS, 3)):
        a = analyze_other(g, symbolic=False, dynamics=Logit(eta=0.3))
        (r,) = a.rest_points
        want = 0.5 if n == 4 else 1 / 3
        assert all(abs(v - want) < 1e-10 for p in r.numeric_shares for v in p)
        assert r.stability is Stability.STABLE and a.complete


def test_mutator_rest_point_hand_value():
    # Hawk-dove with mu: x(1-x)(4 - 6x)... f_h - f_d = 2 - 3x here (V=4, C=6 halves):
    # f_h = -x + 4(1-x), f_d = 2(1-x): difference 2 - 3x. Zero of x(1-x)(2-3x) + mu(1/2 - x)
    # by brentq, independently.
    mu = 0.05
    root = brentq(lambda x: x * (1 - x) * (2 - 3 * x) + mu * (0.5 - x), 0.01, 0.99, xtol=1e-15)
    a = analyze_other(HD, symbolic=False, dynamics=Mutator(mu=mu))
    (r,) = a.rest_points
    assert float(r.numeric_shares[0][0]) == pytest.approx(root, abs=1e-10)
    assert a.complete and r.stability is Stability.STABLE


def test_mutator_zero_is_the_replicator_analysis():
    a = analyze_other(HD, symbolic=False, dynamics=Mutator(mu=0))
    assert [(r.label, r.stability) for r in a.rest_points] == [
        ("hawk", Stability.UNSTABLE),
        ("dove", Stability.UNSTABLE),
        ("hawk+dove", Stability.STABLE),
    ]


def test_search_needs_values():
    with pytest.raises(DynamicsError, match="numeric search"):
        analyze_other(HD, symbolic=True, dynamics=Logit(eta=0.1))


def test_discrete_replicator_hand_computation():
    # x' = x f_h / fbar with A = [[1, 6], [2, 4]]: fixed point x* = 2/3 (6 - 5x = 4 - 2x),
    # fbar = 8/3, multiplier 1 + x*(1-x*)(-3)/fbar = 3/4 (stable); corners: multipliers
    # f_d/f_h = 2 at hawk and f_h/f_d = 3/2 at dove (unstable). Hofbauer & Sigmund 1998, §16.1.
    g = Game.symmetric([[1, 6], [2, 4]], ["hawk", "dove"])
    a = analyze_other(g, symbolic=False, dynamics=DiscreteReplicator())
    by = {r.label: r for r in a.rest_points}
    assert by["hawk+dove"].coordinates == {g.variables[0]: sympy.Rational(2, 3)}
    assert by["hawk+dove"].jacobian[0, 0] == sympy.Rational(3, 4)
    assert by["hawk"].jacobian[0, 0] == 2 and by["dove"].jacobian[0, 0] == sympy.Rational(3, 2)
    assert by["hawk+dove"].stability is Stability.STABLE
    assert by["hawk"].stability is Stability.UNSTABLE and by["dove"].stability is Stability.UNSTABLE


def test_discrete_replicator_multiplier_beyond_minus_one():
    # A strong interior attractor of the flow can overshoot as a map: A = [[1, 21], [11, 1]]
    # gives x* = 1/3 (1 + 20(1-x) ... f_a - f_b = 20 - 30x), fbar = 23/3 ... computed exactly
    # here: multiplier = 1 + x*(1-x*)(-30)/fbar.
    g = Game.symmetric([[1, 21], [11, 1]], ["a", "b"])
    x = sympy.Rational(2, 3)
    fbar = x * (x * 1 + (1 - x) * 21) + (1 - x) * (x * 11 + (1 - x) * 1)
    mult = 1 + x * (1 - x) * (-30) / fbar
    a = analyze_other(g, symbolic=False, dynamics=DiscreteReplicator())
    r = {r.label: r for r in a.rest_points}["a+b"]
    assert r.coordinates[g.variables[0]] == x
    assert r.jacobian[0, 0] == mult
    assert (r.stability is Stability.STABLE) == (abs(mult) < 1)


def test_discrete_needs_positive_payoffs():
    with pytest.raises(DynamicsError, match="mean fitness positive.*discrete:base=2"):
        analyze_other(HD, symbolic=False, dynamics=DiscreteReplicator())
