"""analyze() under the dynamics of issue 12 §2: routing, scaled and map verdicts, a user's own
dynamics, the certified search (its points, verdicts and completeness statement).

References: Schlag 1998 (imitation = replicator at a constant rate); Hofbauer & Sigmund 1998,
§16.1 (discrete-time replicator); McKelvey & Palfrey 1995 (logit equilibria of asymmetric
matching pennies); Moore, Kearfott & Cloud 2009, §8.2 (Krawczyk test).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy
from scipy.optimize import brentq

import lmc_games._analysis_dynamics as ad
from lmc_games import Game, Stability, analyze
from lmc_games._errors import DynamicsError
from lmc_games.dynamics import (
    DiscreteReplicator,
    Dynamics,
    Imitation,
    Logit,
    Replicator,
    RestPointMethod,
)

HD = Game.symmetric([[-1, 4], [0, 2]], ["hawk", "dove"])
HDS = Game.symmetric(
    [["(V - C)/2", "V"], [0, "V/2"]],
    ["hawk", "dove"],
    parameters={"V": {"value": 2, "min": 0}, "C": {"value": 3, "min": 0}},
)


def test_only_the_replicator_uses_the_replicator_analysis_unchanged():
    assert Replicator().rest_points_by_face
    assert not Imitation(rate=1).rest_points_by_face or Imitation(rate=1).replicator_rate() == 1
    assert not Imitation(rate=0.5).rest_points_by_face
    assert not DiscreteReplicator().rest_points_by_face

    class Mine(Replicator):
        name = "mine"

        def growth(self, game, shares, payoffs):
            return super().growth(game, shares, payoffs)

    # A subclass with its own growth() is not assumed to be the replicator.
    assert Mine().replicator_rate() is None and not Mine().rest_points_by_face


def test_discrete_through_analyze_uses_the_map_rule():
    # A = [[-1, 4], [0, 2]] with background fitness 2 is A + 2 = [[1, 6], [2, 4]]: fixed point
    # 2/3 with multiplier 3/4, corners 2 and 3/2 (hand computation, Hofbauer & Sigmund §16.1).
    a = analyze(HD, dynamics="discrete:base=2")
    by = {r.label: r for r in a.rest_points}
    assert by["hawk+dove"].jacobian[0, 0] == sympy.Rational(3, 4)
    assert by["hawk"].jacobian[0, 0] == 2 and by["dove"].jacobian[0, 0] == sympy.Rational(3, 2)
    assert [str(r.stability) for r in a.rest_points] == ["unstable", "unstable", "stable"]


def test_discrete_rps_spirals_out_where_the_flow_has_a_centre():
    # A = I + 2C (C the cyclic permutation), positive: the continuous replicator has a centre
    # at (1/3, 1/3, 1/3) (zero-sum up to a constant). For the map, mean fitness 1 and on the
    # tangent space DF = A/3, so the multipliers are 1 + (1 + 2w)/3 = 1 +- i/sqrt(3) (w a
    # cube root of unity), modulus 2/sqrt(3) > 1: unstable (hand computation; the discrete
    # map spirals outward, Hofbauer & Sigmund 1998, §16.1).
    g = Game.symmetric([[1, 0, 2], [2, 1, 0], [0, 2, 1]], ["r", "p", "s"])
    assert analyze(g)["r+p+s"].stability is Stability.CENTRE
    r = analyze(g, dynamics="discrete")["r+p+s"]
    assert r.stability is Stability.UNSTABLE
    lam = sympy.Symbol("lambda")
    want = sympy.expand((lam - 1) ** 2 + sympy.Rational(1, 3))
    assert sympy.simplify(r.charpoly - want) == 0
    assert all(abs(abs(z) - 2 / math.sqrt(3)) < 1e-12 for z in r.numeric_eigenvalues)


def test_discrete_refuses_nonpositive_fitness_and_says_what_to_do():
    with pytest.raises(DynamicsError, match=r"discrete:base=2"):
        analyze(HD, dynamics="discrete")


def test_imitation_scales_eigenvalues_exactly_and_symbolically():
    rep = analyze(HD)
    imi = analyze(HD, dynamics="imitation:rate=1/4")
    for a, b in zip(rep.rest_points, imi.rest_points):
        assert a.label == b.label and a.stability == b.stability
        assert all(sympy.simplify(e2 - e1 / 4) == 0 for e1, e2 in zip(a.eigenvalues, b.eigenvalues))
    sym = analyze(HDS, symbolic=True, dynamics=Imitation(rate=3))
    rsym = analyze(HDS, symbolic=True)
    for a, b in zip(rsym.rest_points, sym.rest_points):
        assert a.stable_if == b.stable_if and a.exists_if == b.exists_if
        assert all(sympy.simplify(e2 - 3 * e1) == 0 for e1, e2 in zip(a.eigenvalues, b.eigenvalues))


class Slowed(Dynamics):
    """A user's imitative dynamics: the replicator slowed by 1 + x_1^2 in each population."""

    name = "slowed"
    title = "slowed replicator"
    latex = r"\text{slowed}"
    rest_points = RestPointMethod.FACES

    def growth(self, game, shares, payoffs):
        out = []
        for x, f in zip(shares, payoffs):
            mean = sympy.Add(*[a * b for a, b in zip(x, f)])
            out.append(tuple((1 + x[0] ** 2) * xi * (fi - mean) for xi, fi in zip(x, f)))
        return tuple(out)


def test_user_face_dynamics_classified_from_its_own_jacobian():
    # At a rest point the factor's derivative multiplies a zero, so the Jacobian is
    # (1 + x1^2) times the replicator's: at hawk+dove (x = 2/3) the eigenvalue is
    # (13/9) * replicator's, at the corners (1 + 1) and 1 times.
    rep = {r.label: r for r in analyze(HD).rest_points}
    mine = {r.label: r for r in analyze(HD, dynamics=Slowed()).rest_points}
    factor = {"hawk+dove": sympy.Rational(13, 9), "hawk": 2, "dove": 1}
    for label, r in mine.items():
        assert r.jacobian[0, 0] == factor[label] * rep[label].eigenvalues[0]
        assert r.stability == rep[label].stability
    with pytest.raises(DynamicsError, match="symbolic"):
        analyze(HDS, symbolic=True, dynamics=Slowed())


def test_logit_asymmetric_matching_pennies_against_brentq():
    # McKelvey & Palfrey 1995's asymmetric matching pennies: row payoffs [[9, 0], [0, 1]],
    # column [[0, 1], [1, 0]]. Logit equilibrium: x = s((9y - (1 - y))/eta), y = s(((1 - x)
    # - x)/eta), s the logistic function; solved independently by brentq on x.
    eta = 0.5

    def s(z):
        return 0.5 * (1 + math.tanh(z / 2))

    def y_of(x):
        return s(((1 - x) - x) / eta)

    x = brentq(lambda x: x - s((9 * y_of(x) - (1 - y_of(x))) / eta), 1e-12, 1 - 1e-12, xtol=1e-15)
    g = Game.bimatrix([[9, 0], [0, 1]], [[0, 1], [1, 0]])
    a = analyze(g, dynamics=Logit(eta=eta))
    (r,) = a.rest_points
    got = [v for p in r.numeric_shares for v in p]
    assert got[0] == pytest.approx(x, abs=1e-10) and got[2] == pytest.approx(y_of(x), abs=1e-10)
    assert a.complete and r.stability is Stability.STABLE
    # The Nash equilibrium is x = 1/2, y = 1/10; the logit equilibrium is not (0.5 != got).
    assert r.nash is False


def test_logit_payoff_scale_is_noise_scale():
    # Only payoff differences over eta matter: payoffs x 1e3 with eta x 1e3, and x 1e6.
    base = analyze(HD, dynamics=Logit(eta=0.2)).rest_points[0].numeric_shares[0][0]
    for c in (1e3, 1e6):
        g = Game.symmetric([[-c, 4 * c], [0, 2 * c]], ["hawk", "dove"])
        r = analyze(g, dynamics=Logit(eta=0.2 * c)).rest_points[0]
        assert r.numeric_shares[0][0] == pytest.approx(base, abs=1e-9)


def test_mutator_at_its_bounds():
    # mu = 1: x(1-x)(2 - 3x) + (1/2 - x) = 0, by brentq; mu = 0: the replicator's three points.
    root = brentq(lambda x: x * (1 - x) * (2 - 3 * x) + (0.5 - x), 0, 1, xtol=1e-15)
    a = analyze(HD, dynamics="mutator:mu=1")
    assert a.rest_points[0].numeric_shares[0][0] == pytest.approx(root, abs=1e-10) and a.complete
    assert len(analyze(HD, dynamics="mutator:mu=0").rest_points) == 3


def test_incomplete_search_says_so(monkeypatch):
    monkeypatch.setattr(ad, "BOX_BUDGET", 1)
    g = Game.symmetric([[2, 0], [0, 1]], ["a", "b"])
    a = analyze(g, dynamics=Logit(eta=0.2))
    assert not a.complete
    assert any("stopped after 1 boxes" in n for n in a.notes)
    assert len(a.rest_points) == 3  # Newton's starts still find all three


def test_certified_verdicts_agree_with_numpy_eigenvalues():
    rps = Game.symmetric([[0, -1, 2], [2, 0, -1], [-1, 2, 0]], ["r", "p", "s"])
    for dyn in (Logit(eta=0.05), Logit(eta=2.0)):
        for r in analyze(rps, dynamics=dyn).rest_points:
            ev = np.array(r.numeric_eigenvalues)
            want = Stability.STABLE if np.all(ev.real < 0) else None
            if want is not None:
                assert r.stability is want
            assert "certified" in r.reason or r.reason.startswith("undecided")


def test_mutator_with_a_rational_rate_is_solved_exactly():
    # Hawk-dove [[-1, 4], [0, 2]], mu = 1/20: x(1-x)(2 - 3x) + (1/2 - x)/20 = 0, a cubic with
    # rational coefficients; the library returns its root in (0, 1) exactly (an algebraic
    # number), checked against brentq, and decides stability from the exact derivative sign.
    from fractions import Fraction

    from lmc_games.dynamics import Mutator

    root = brentq(lambda x: x * (1 - x) * (2 - 3 * x) + (0.5 - x) / 20, 0, 1, xtol=1e-15)
    a = analyze(HD, dynamics=Mutator(mu=Fraction(1, 20)))
    (r,) = a.rest_points
    x = HD.variables[0]
    assert r.exact and a.complete
    value = r.coordinates[x]
    assert (
        sympy.simplify(value * (1 - value) * (2 - 3 * value) + (sympy.Rational(1, 2) - value) / 20)
        == 0
    )
    assert float(value) == pytest.approx(root, abs=1e-14)
    assert r.stability is Stability.STABLE
    # three exact points in a coordination game: stable, unstable, stable
    g = Game.symmetric([[2, 0], [0, 1]], ["a", "b"])
    verdicts = [r.stability for r in analyze(g, dynamics=Mutator(mu=Fraction(1, 20))).rest_points]
    assert verdicts == [Stability.STABLE, Stability.UNSTABLE, Stability.STABLE]


def test_discrete_symbolic_jury_conditions_agree_with_exact_verdicts():
    # Hawk-dove with background B: the map's multiplier at V/C is 2BC/(2BC + V(C - V)) and at
    # hawk 2B/(2B - C + V) (hand computation). The symbolic stable_if, evaluated at values,
    # must give the exact analysis' verdict at those values.
    game = Game.symmetric(
        [["(V - C)/2 + B", "V + B"], ["B", "V/2 + B"]],
        ["hawk", "dove"],
        parameters={
            "V": {"value": 2, "min": 0},
            "C": {"value": 3, "min": 0},
            "B": {"value": 5, "min": 0},
        },
    )
    sym = {r.label: r for r in analyze(game, symbolic=True, dynamics="discrete").rest_points}
    V, C, B = (game.symbols[k] for k in ("V", "C", "B"))
    assert (
        sympy.simplify(sym["hawk+dove"].jacobian[0, 0] - 2 * B * C / (2 * B * C + V * (C - V))) == 0
    )
    assert sympy.simplify(sym["hawk"].jacobian[0, 0] - 2 * B / (2 * B - C + V)) == 0
    for values in ({"V": 2, "C": 3, "B": 5}, {"V": 4, "C": 2, "B": 1}, {"V": 1, "C": 5, "B": 3}):
        g = game.with_values(values)
        exact = {r.label: r for r in analyze(g, dynamics="discrete").rest_points}
        subs = g.value_substitution()
        for label, r in sym.items():
            exists = bool(r.exists_if.xreplace(subs))
            assert exists == (label in exact)
            if exists:
                stable = bool(r.stable_if.xreplace(subs))
                assert stable == (exact[label].stability is Stability.STABLE)
