"""Multipliers of the discrete-time replicator map, in closed form (issue 12 §2).

At a rest point of the replicator the map's Jacobian is ``I + D^-1 J`` with ``J`` the
replicator's Jacobian and ``D`` each row's mean fitness ``base + fbar``: at a pure profile it
is diagonal, so the multipliers are ``1 + J_ii/(base + fbar_i)``; at the interior of a
two-population game ``J`` has a zero diagonal, so they are ``1 +- sqrt(M_xy*M_yx)`` and never
both inside the unit circle (the trace of ``I + DF`` is 2: Jury's conditions ``det < 1`` and
``1 + det - tr > 0`` add up to 0; Elaydi 2005, *An Introduction to Difference Equations*,
§4.3). Checked here against a finite-difference Jacobian of the map itself at several
parameter points, independent of every symbolic step.
"""

from __future__ import annotations

import random

import numpy as np
import pytest
import sympy

from lmc_games import analyze, load_model, system
from lmc_games.dynamics import DiscreteReplicator

BASE = 1000
LAMBDA = sympy.Symbol("lambda")


@pytest.fixture(scope="module")
def water():
    game = load_model("water_use")
    dyn = DiscreteReplicator(base=BASE)
    return game, analyze(game, symbolic=True, dynamics=dyn), system(game, dyn)


def _points(game):
    """The default values and two seeded random points inside the bounds (payoffs up to a
    few hundred, so that the fitnesses base + payoff stay positive)."""
    rng = random.Random(12)
    out = [dict(game.value_substitution())]
    for _ in range(2):
        pt = {}
        for p in game.parameters:
            lo = float(p.min) if p.min is not None else 0.0
            hi = float(p.max) if p.max is not None else lo + 60.0
            pt[p.symbol] = sympy.Rational(round(rng.uniform(lo, hi) * 1000), 1000)
        out.append(pt)
    return out


def _fd_multipliers(sys_, subs, at, h=1e-6):
    """Eigenvalues of the finite-difference Jacobian of the map z -> z + F(z) at ``at``."""
    variables = list(sys_.variables)
    f = sympy.lambdify(variables, [e.xreplace(subs) for e in sys_.field], "mpmath")
    z0 = np.array([float(at[v]) for v in variables])
    n = len(variables)
    J = np.empty((n, n))
    for j in range(n):
        e = np.zeros(n)
        e[j] = h
        up = np.array([float(v) for v in f(*(z0 + e))])
        down = np.array([float(v) for v in f(*(z0 - e))])
        J[:, j] = (up - down) / (2 * h)
    return np.linalg.eigvals(np.eye(n) + J)


def _close_sets(a, b, tol):
    a, b = sorted(a, key=lambda z: (z.real, z.imag)), sorted(b, key=lambda z: (z.real, z.imag))
    return all(abs(u - v) <= tol for u, v in zip(a, b)) and len(a) == len(b)


def test_multipliers_match_a_finite_difference_jacobian_of_the_map(water):
    game, an, sys_ = water
    assert len(an.rest_points) == 5
    for subs in _points(game):
        for r in an.rest_points:
            assert len(r.eigenvalues) == 2, r.label
            at = {v: c.xreplace(subs) for v, c in r.coordinates.items()}
            closed = [complex(sympy.N(e.xreplace(subs), 30)) for e in r.eigenvalues]
            fd = _fd_multipliers(sys_, subs, at)
            assert _close_sets(closed, fd, 1e-6), (r.label, closed, fd)
            # the characteristic polynomial has them as roots
            cp = sympy.lambdify(LAMBDA, r.charpoly.xreplace(subs))
            assert all(abs(cp(z)) < 1e-9 for z in closed), r.label


def test_stable_if_agrees_with_the_multipliers(water):
    game, an, _ = water
    for subs in _points(game):
        for r in an.rest_points:
            mods = [abs(complex(sympy.N(e.xreplace(subs), 30))) for e in r.eigenvalues]
            inside = all(m < 1 - 1e-12 for m in mods)
            holds = bool(r.stable_if.xreplace(subs)) and bool(r.exists_if.xreplace(subs))
            if r.exists_if.xreplace(subs) == sympy.true:
                assert holds == inside, (r.label, mods, r.stable_if)


def test_interior_point_is_never_stable(water):
    _, an, _ = water
    interior = an.rest_points[-1]
    assert "+" in interior.label
    assert interior.stable_if == sympy.false
    assert "trace of I + DF is 2" in interior.reason


def test_pure_profile_multiplier_is_one_plus_replicator_eigenvalue_over_fitness(water):
    # (reasonable, reasonable): x = y = 1; the replicator's eigenvalues there are the payoff
    # losses of deviating, the mean fitness base + payoff of (reasonable, reasonable).
    game, an, _ = water
    rep = analyze(game, symbolic=True).rest_points[0]
    r = an.rest_points[0]
    assert r.label == rep.label == "reasonable, reasonable"
    pays = game.payoffs[(0, 0)]
    for m, lam, pay in zip(r.eigenvalues, rep.eigenvalues, pays):
        assert sympy.simplify(m - (1 + lam / (BASE + pay))) == 0
