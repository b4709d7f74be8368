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

from lmc_games import Stability, analyze, load_model, system
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


# ---------------------------------------------------------------- one population, three strategies
# mechanism_overlap: at a rest point of one population every row of the map's Jacobian has the
# same mean fitness d, so M = I + J/d and the multipliers are 1 + mu/d with mu the replicator's
# eigenvalues; at a vertex i they are (base + f_j)/(base + f_i). Before the closed form was used
# the Jury conditions of the edge lmc+us_mekong and of the interior point were decided on sums
# of fractions with d in every denominator, which did not finish in a quarter of an hour.

# At the defaults (payoffs against a partner in lmc: 17.85, 14.55, 10.6): hand computation.
OVERLAP_VERTEX_LMC = {sympy.Rational(20212, 20357), sympy.Rational(20291, 20357)}


@pytest.fixture(scope="module")
def overlap():
    game = load_model("mechanism_overlap")
    dyn = DiscreteReplicator(base=BASE)
    return game, analyze(game, symbolic=True, dynamics=dyn), system(game, dyn)


def _map_multipliers(sys_, subs, at):
    """numpy eigenvalues of I + DF, DF the map's symbolic Jacobian evaluated in floating point."""
    J = sys_.jacobian.xreplace(subs).xreplace(at)
    return np.linalg.eigvals(np.eye(J.shape[0]) + np.array(J.evalf(30).tolist(), dtype=float))


def _overlap_points(game):
    """Defaults, every scenario, and two seeded random points (the interior exists at
    trust_restored only)."""
    rng = random.Random(7)
    out = [dict(game.value_substitution())]
    out += [dict(game.with_values(**dict(v)).value_substitution()) for v in game.scenarios.values()]
    for _ in range(2):
        pt = dict(game.value_substitution())
        for p in game.parameters:
            pt[p.symbol] = pt[p.symbol] * sympy.Rational(rng.randint(70, 130), 100)
        out.append(pt)
    return out


def test_overlap_multipliers_at_defaults_are_exact_and_match_numpy(overlap):
    game, an, sys_ = overlap
    subs = game.value_substitution()
    points = {r.label: r for r in an.rest_points}
    assert len(points) == 7
    for label, r in points.items():
        at = {v: c.xreplace(subs) for v, c in r.coordinates.items()}
        numeric = _map_multipliers(sys_, subs, at)
        if label.count("+") == 2:
            # the interior: no closed multipliers; the characteristic polynomial has numpy's
            # eigenvalues as roots
            assert r.eigenvalues == ()
            cp = sympy.lambdify(LAMBDA, r.charpoly.xreplace(subs))
            assert all(abs(cp(z)) < 1e-9 for z in numeric), label
            continue
        # every vertex and edge has closed multipliers, exact rationals at the defaults
        exact = [sympy.nsimplify(e.xreplace(subs)) for e in r.eigenvalues]
        assert len(exact) == 2 and all(e.is_Rational for e in exact), (label, exact)
        assert _close_sets([complex(e) for e in exact], numeric, 1e-12), (label, exact, numeric)
    assert set(sympy.nsimplify(e.xreplace(subs)) for e in points["lmc"].eigenvalues) == (
        OVERLAP_VERTEX_LMC
    )


def test_overlap_stable_if_agrees_with_the_exact_analysis(overlap):
    # the symbolic Jury conditions at values against the exact root counts of an analysis at
    # those values (an independent path: characteristic polynomial, Moebius map, Routh)
    game, an, sys_ = overlap
    for subs in _overlap_points(game):
        values = {p.name: subs[p.symbol] for p in game.parameters}
        exact = {
            r.label: r
            for r in analyze(
                game.with_values(**values), dynamics=DiscreteReplicator(base=BASE)
            ).rest_points
        }
        for r in an.rest_points:
            exists = bool(r.exists_if.xreplace(subs))
            assert exists == (r.label in exact), r.label
            if not exists:
                continue
            _agrees_at(r, subs, exact[r.label], sys_)


def _agrees_at(r, subs, exact, sys_) -> bool:
    """The symbolic point's stable_if at ``subs`` agrees with the exact analysis there and with
    numpy's multipliers of the map; returns whether it is stable."""
    stable = bool(r.stable_if.xreplace(subs))
    assert stable == (exact.stability is Stability.STABLE), (r.label, subs)
    at = {v: c.xreplace(subs) for v, c in r.coordinates.items()}
    mods = np.abs(_map_multipliers(sys_, subs, at))
    assert stable == bool(np.all(mods < 1)), (r.label, mods)
    return stable


@pytest.mark.parametrize("uniform", [True, False])
def test_jury_conditions_of_the_general_case_match_numpy(uniform):
    # I + D^-1 J with rational entries: the three Jury conditions hold together exactly when
    # numpy's eigenvalues lie inside the unit circle (cases within 1e-9 of it skipped)
    from lmc_games._analysis_dynamics import _multipliers
    from lmc_games._conditions import Signs

    rng = random.Random(3 + uniform)
    checked = 0
    for _ in range(200):
        J = sympy.Matrix(2, 2, [sympy.Rational(rng.randint(-40, 40), 10) for _ in range(4)])
        d1 = sympy.Rational(rng.choice([-1, 1]) * rng.randint(1, 30), 10)
        d2 = d1 if uniform else sympy.Rational(rng.choice([-1, 1]) * rng.randint(1, 30), 10)
        if J[0, 1] == 0 or J[1, 0] == 0:
            continue
        M = sympy.eye(2) + sympy.diag(1 / d1, 1 / d2) * J
        if M.trace() == 2:
            continue
        ms, cp, conds, never = _multipliers(M, J, [d1, d2], (), Signs([]))
        assert never is None and all(c in (sympy.true, sympy.false) for c in conds)
        mods = np.abs(np.linalg.eigvals(np.array(M.tolist(), dtype=float)))
        if np.any(np.abs(mods - 1) < 1e-9):
            continue
        assert all(c == sympy.true for c in conds) == bool(np.all(mods < 1)), (J, d1, d2)
        # the characteristic polynomial is that of M
        assert sympy.expand(cp - M.charpoly(LAMBDA).as_expr()) == 0
        checked += 1
    assert checked > 100


def test_closed_eigenvalues_are_used_only_when_proven():
    # J = [[-1, -a], [1, -1]] has the complex pair -1 +- i*sqrt(a): claimed real values that
    # are not its eigenvalues must be ignored (Jury conditions instead), and a true real pair
    # (a -> -a^2: -1 +- a) must give the multipliers 1 + mu/d
    from lmc_games import Parameter
    from lmc_games._analysis_dynamics import _multipliers
    from lmc_games._conditions import Signs

    a = Parameter("a", 1, min=0, max=1)
    s = a.symbol
    signs = Signs([a])
    J = sympy.Matrix([[-1, -s], [1, -1]])
    M = sympy.eye(2) + J / 4
    ms, _, conds, _ = _multipliers(M, J, [4, 4], (-1 + s, -1 - s), signs)
    assert ms == () and len(conds) == 3
    J = sympy.Matrix([[-1, s**2], [1, -1]])
    M = sympy.eye(2) + J / 4
    ms, cp, conds, _ = _multipliers(M, J, [4, 4], (-1 + s, -1 - s), signs)
    assert set(ms) == {sympy.Rational(3, 4) + s / 4, sympy.Rational(3, 4) - s / 4}
    assert sympy.expand(cp - M.charpoly(LAMBDA).as_expr()) == 0
    # multipliers 3/4 +- a/4 with 0 <= a <= 1: inside the unit circle exactly when a < 1
    assert sympy.And(*conds).xreplace({s: sympy.Rational(1, 2)}) == sympy.true
    assert sympy.And(*conds).xreplace({s: 1}) == sympy.false


@pytest.mark.slow
def test_two_population_interior_jury_conditions_agree_with_the_exact_analysis():
    # central_local_dynamic: two populations with payoffs depending on the shares, so the
    # interior is neither triangular nor of trace 2 and the two mean fitnesses differ; its
    # conditions are too long to simplify and are stated as they are (exact). At the defaults
    # the interior is an attractor of the map.
    game = load_model("central_local_dynamic")
    dyn = DiscreteReplicator(base=BASE)
    an = analyze(game, symbolic=True, dynamics=dyn)
    sys_ = system(game, dyn)
    seen_stable_interior = False
    values = [{}] + [dict(v) for v in game.scenarios.values()]
    for vals in values:
        g = game.with_values(**vals)
        subs = g.value_substitution()
        exact = {r.label: r for r in analyze(g, dynamics=dyn).rest_points}
        for r in an.rest_points:
            if r.exists_if.xreplace(subs) != sympy.true:
                continue
            stable = _agrees_at(r, subs, exact[r.label], sys_)
            seen_stable_interior |= stable and r.label.count("+") == 2
    assert seen_stable_interior
