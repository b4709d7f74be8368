"""Fields of the dynamics of issue 12 §2: identities, the registry, shares kept on the simplex.

References: Schlag 1998 (pairwise proportional imitation is the replicator at a constant
rate); Sandholm 2010, *Population Games and Evolutionary Dynamics*, ch. 5-6 (BNN, Smith,
logit, best response).
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from lmc_games import Game, system
from lmc_games._errors import DynamicsError
from lmc_games.dynamics import (
    BNN,
    BestResponse,
    DiscreteReplicator,
    Imitation,
    Logit,
    Mutator,
    Replicator,
    Smith,
    Time,
    available,
    dynamics_from_spec,
)

HD = Game.symmetric([["(V - C)/2", "V"], [0, "V/2"]], ["hawk", "dove"], parameters={"V": 2, "C": 3})
RPS = Game.symmetric(
    [["0", "-a", "b"], ["b", "0", "-a"], ["-a", "b", "0"]],
    ["r", "p", "s"],
    parameters={"a": 1, "b": 2},
)
TWO = Game.bimatrix(
    [["A", 0, 1], [0, 2, "B"]], [[1, 0, 2], [0, "A", 1]], parameters={"A": 3, "B": 1}
)
GAMES = (HD, RPS, TWO)
ALL = (
    Replicator(),
    Mutator(mu=0.2),
    DiscreteReplicator(),
    BestResponse(),
    Logit(eta=0.3),
    BNN(),
    Smith(),
    Imitation(rate=0.5),
)


@pytest.mark.parametrize("game", GAMES, ids=lambda g: str(g.shape))
def test_mutator_without_mutation_is_the_replicator(game):
    a, b = system(game, Mutator(mu=0)).field, system(game, Replicator()).field
    assert all(sympy.simplify(u - v) == 0 for u, v in zip(a, b))


@pytest.mark.parametrize("game", GAMES, ids=lambda g: str(g.shape))
def test_imitation_is_the_replicator_times_its_rate(game):
    # Schlag 1998: switching with probability r*[f_j - f_i]_+ gives r times the replicator.
    r = sympy.Rational(3, 7)
    a, b = system(game, Imitation(rate=float(r))).field, system(game, Replicator()).field
    assert all(
        abs(
            complex(sympy.N((u - r * v).xreplace(game.value_substitution()).subs(_point(game)), 20))
        )
        < 1e-12
        for u, v in zip(a, b)
    )
    exact = system(game, Imitation(rate=3)).field
    assert all(sympy.simplify(u - 3 * v) == 0 for u, v in zip(exact, b))


def test_imitation_field_equals_the_explicit_pairwise_protocol():
    # The protocol written out with max(., 0) (inflow from j to i minus outflow), evaluated at
    # random states of RPS, against the library's field: the two agree.
    game = RPS
    rate = 0.25
    rng = np.random.default_rng(1)
    f = system(game, Imitation(rate=rate)).field
    pay = game.expected_payoffs()[0]
    x_full = game.populations[0].shares()
    subs = game.value_substitution()
    for _ in range(20):
        x = rng.dirichlet(np.ones(3))
        at = dict(zip(game.variables, x[:2]))
        fv = [float(p.xreplace(subs).xreplace(at)) for p in pay]
        xs = [float(s.xreplace(at)) for s in x_full]
        flow = [
            rate
            * sum(
                xs[j] * xs[i] * max(fv[i] - fv[j], 0) - xs[i] * xs[j] * max(fv[j] - fv[i], 0)
                for j in range(3)
            )
            for i in range(3)
        ]
        ours = [float(e.xreplace(subs).xreplace(at)) for e in f]
        assert np.allclose(ours, flow[:2], atol=1e-13)


def test_bnn_and_smith_fields_by_hand():
    # Two strategies, payoffs (1, 0): BNN gives (1-x)^2, Smith (1-x) * 1 (gain of 1 per switch).
    x = sympy.Symbol("x")
    bnn = BNN().growth(None, ((x, 1 - x),), ((sympy.Integer(1), sympy.Integer(0)),))[0][0]
    smith = Smith().growth(None, ((x, 1 - x),), ((sympy.Integer(1), sympy.Integer(0)),))[0][0]
    for v in (0, sympy.Rational(1, 3), 1):
        assert bnn.subs(x, v) == (1 - v) ** 2
        assert smith.subs(x, v) == 1 - v


def test_logit_field_by_hand():
    # dx/dt = 1/(1 + exp(-(f1 - f2)/eta)) - x; hawk-dove V=2, C=3: f1 - f2 = (V - C x)/2.
    f = system(HD, Logit(eta=0.5)).field[0]
    subs = HD.value_substitution()
    x = HD.variables[0]
    for v in (0.1, 0.5, 0.9):
        want = 1 / (1 + np.exp(-((2 - 3 * v) / 2) / 0.5)) - v
        assert float(f.xreplace(subs).subs(x, v)) == pytest.approx(want, abs=1e-14)


def test_logit_large_payoffs_do_not_overflow():
    # Payoffs 1e6 and noise 0.01: exponents of 1e8, with numbers substituted (where sympy
    # would split exp(a + b x) into exp(a) * exp(b x) = inf * 0).
    for g in (
        Game.symmetric([[1e6, 0], [0, 2e6]], ["a", "b"]),
        Game.symmetric([[1e6, 0, 0], [0, 2e6, 0], [0, 0, 3e6]], ["a", "b", "c"]),
    ):
        f = system(g, Logit(eta=0.01)).field
        F = sympy.lambdify(g.variables, f, "numpy")
        for v in (0.2, 0.3):
            vals = np.array(F(*([v] * len(g.variables))), dtype=float)
            assert np.all(np.isfinite(vals)) and np.all(np.abs(vals) <= 1)


def test_registry_and_spec_round_trip():
    assert set(available()) >= {
        "replicator",
        "mutator",
        "discrete",
        "best-response",
        "logit",
        "bnn",
        "smith",
        "imitation",
    }
    for d in ALL:
        assert dynamics_from_spec(d.spec()) == d
        assert d.name in d.spec()
    assert dynamics_from_spec("logit:eta=1/20").values == {
        "eta": __import__("fractions").Fraction(1, 20)
    }
    assert DiscreteReplicator().time is Time.DISCRETE
    assert not BNN().smooth and not Smith().smooth and not BestResponse().smooth


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ("logit:eta=0", "eta must be > 0"),
        ("logit:eta=-1", "eta must be > 0"),
        ("mutator:mu=1.5", "mu must be <= 1"),
        ("mutator:mu=-0.1", "mu must be >= 0"),
        ("imitation:rate=0", "rate must be > 0"),
        ("logit:beta=1", "unknown option 'beta'"),
        ("logit:eta=abc", "must be a number"),
        ("bnn:eta=1", "unknown option 'eta'"),
        ("fictitious", "unknown dynamics"),
    ],
)
def test_bad_options(spec, words):
    with pytest.raises(DynamicsError, match=words):
        dynamics_from_spec(spec)


def _point(game):
    return {v: sympy.Rational(1, 5 + i) for i, v in enumerate(game.variables)}


@st.composite
def _states(draw, game):
    out = []
    for pop in game.populations:
        w = [draw(st.floats(0.0, 1.0)) for _ in range(pop.k)]
        s = sum(w)
        if s == 0:
            w = [1.0] * pop.k
            s = pop.k
        out.append([v / s for v in w])
    return out


_GROWTH: dict = {}


def _growth_function(game, dyn):
    """All shares' growth (every strategy, not only the free ones), compiled once."""
    key = (id(game), dyn)
    if key not in _GROWTH:
        shares = tuple(p.shares() for p in game.populations)
        growth = dyn.growth(game, shares, game.expected_payoffs())
        subs = game.value_substitution()
        exprs = [[sympy.sympify(e).xreplace(subs) for e in gp] for gp in growth]
        _GROWTH[key] = sympy.lambdify(list(game.variables), exprs, "math")
    return _GROWTH[key]


@pytest.mark.parametrize("dyn", ALL, ids=lambda d: d.name)
@pytest.mark.parametrize("game", GAMES, ids=lambda g: str(g.shape))
@settings(max_examples=8, deadline=None)
@given(data=st.data())
def test_shares_sum_to_one_and_stay_in_the_simplex(game, dyn, data):
    # Every (game, dynamics) pair: the growth of each population's shares sums to 0 (shares
    # keep summing to one), and a small explicit Euler step from a state of the simplex stays
    # in it (every dynamics here points inward where a share is 0). The discrete replicator's
    # map keeps the simplex in one full step where its fitnesses are positive.
    if dyn.time is Time.DISCRETE and not _positive_payoffs(game):
        return
    state = data.draw(_states(game))
    free = [v for xs in state for v in xs[:-1]]
    growth = _growth_function(game, dyn)(*free)
    for vals, xs in zip(growth, state):
        assert abs(sum(vals)) < 1e-9
        h = 1.0 if dyn.time is Time.DISCRETE else 1e-3
        new = [x + h * v for x, v in zip(xs, vals)]
        assert min(new) >= -1e-12 and abs(sum(new) - 1) < 1e-9


def test_mutator_three_strategies_mutates_uniformly():
    # At the pure state "r" of a three-strategy game, mutation alone moves mass mu/3 into each
    # other strategy per unit of time (selection is zero at a vertex).
    x1, x2 = sympy.symbols("x1 x2")
    shares = ((x1, x2, 1 - x1 - x2),)
    g = Mutator(mu=0.3).growth(None, shares, ((1, 2, 3),))[0]
    at = {x1: 1, x2: 0}
    assert [float(e.subs(at)) for e in g] == pytest.approx([-0.2, 0.1, 0.1], abs=1e-15)


def _positive_payoffs(game) -> bool:
    subs = game.value_substitution()
    return all(float(p.xreplace(subs)) > 0 for row in game.payoffs.values() for p in row)


def test_discrete_map_keeps_the_simplex_with_positive_payoffs():
    g = Game.symmetric([[1, 6, 2], [2, 4, 1], [3, 1, 5]], ["a", "b", "c"])
    f = system(g, DiscreteReplicator()).field
    F = sympy.lambdify(g.variables, f, "numpy")
    rng = np.random.default_rng(3)
    for x in rng.dirichlet(np.ones(3), size=50):
        nxt = x[:2] + np.array(F(*x[:2]))
        assert nxt.min() >= 0 and nxt.sum() <= 1 + 1e-12


def test_per_strategy_helper_drives_smith_and_best_response():
    """Smith and best response are written one strategy at a time through the shared
    ``per_strategy`` loop (dynamics/_common.py); their fields by hand, three strategies."""
    from lmc_games.dynamics._common import per_strategy

    x1, x2 = sympy.symbols("x1 x2")
    x = (x1, x2, 1 - x1 - x2)
    f = (sympy.Integer(3), sympy.Integer(1), sympy.Integer(2))
    assert per_strategy((x,), (f,), lambda x, f, i: i * f[i]) == ((0, 1, 4),)
    smith = Smith().growth(None, (x,), (f,))[0]
    # strategy 1 (payoff 3) gains from both others (gains 2 and 1), loses to none
    assert sympy.expand(smith[0] - (2 * x2 + 1 * x[2])) == 0
    # strategy 2 (payoff 1) gains from none, loses to both (2 + 1)
    assert sympy.expand(smith[1] - (-3 * x2)) == 0
    assert sympy.expand(smith[2] - (x2 - x[2])) == 0
    br = BestResponse().growth(None, (x,), (f,))[0]
    assert [sympy.simplify(b) for b in br] == [1 - x1, -x2, x1 + x2 - 1]
