"""Per-population mutation rates of the replicator--mutator dynamics (issue 12 §2).

The field is checked against one written by hand: ``x' = x(1 - x) F_x + mu_x (1/2 - x)`` for
a two-strategy population with payoff advantage ``F_x`` (Hofbauer & Sigmund 1998, *Evolutionary
Games and Population Dynamics*, §7.4).
"""

from __future__ import annotations

from fractions import Fraction

import pytest
import sympy

from lmc_games import analyze, load_model, system
from lmc_games._errors import DynamicsError
from lmc_games.dynamics import Mutator, Replicator, dynamics_from_spec

WATER = load_model("water_use")


def _hand_field(game, mus):
    rep = system(game, Replicator())
    out = []
    for (v,), (adv,), mu in zip([p.share_symbols for p in game.populations], rep.advantages, mus):
        out.append(v * (1 - v) * adv + mu * (sympy.Rational(1, 2) - v))
    return out


def test_per_population_rates_give_the_hand_written_field():
    dyn = Mutator(mu=0.01, mu_mukdahan=0.05)
    field = system(WATER, dyn).field
    want = _hand_field(WATER, [sympy.Float(0.01), sympy.Float(0.05)])
    assert all(sympy.simplify(a - b) == 0 for a, b in zip(field, want))
    # Each population its own rate: swapping them changes the field.
    other = _hand_field(WATER, [sympy.Float(0.05), sympy.Float(0.01)])
    assert sympy.simplify(field[0] - other[0]) != 0


def test_spec_round_trip_and_exact_values():
    dyn = dynamics_from_spec("mutator:mu=1/100,mu_savannakhet=1/50")
    assert dyn.rates(WATER) == (sympy.Rational(1, 50), sympy.Rational(1, 100))
    assert dynamics_from_spec(dyn.spec()) == dyn
    assert dyn != Mutator(mu=Fraction(1, 100))
    assert "mu_savannakhet = 0.02" in dyn.describe()  # 1/50, printed as its decimal


def test_a_single_rate_is_unchanged():
    a, b = system(WATER, Mutator(mu=0.02)).field, _hand_field(WATER, [0.02, 0.02])
    assert all(sympy.simplify(u - v) == 0 for u, v in zip(a, b))


@pytest.mark.parametrize(
    "spec, words",
    [
        ("mutator:mu_nile=0.1", "names no population"),
        ("mutator:mu_mukdahan=2", "must be in [0, 1]"),
        ("mutator:mu_mukdahan=-0.1", "must be in [0, 1]"),
    ],
)
def test_bad_per_population_rates(spec, words):
    with pytest.raises(DynamicsError, match=words.replace("[", r"\[").replace("]", r"\]")):
        _ = system(WATER, dynamics_from_spec(spec)).field


def test_empty_population_name_is_refused():
    with pytest.raises(DynamicsError, match="names no population"):
        Mutator(mu_=0.1)


def test_all_rates_zero_is_the_replicator_and_a_mix_is_refused_by_the_analysis():
    game = WATER.scenario("strong_supervision")
    zero = analyze(game, dynamics=Mutator(mu=0, mu_mukdahan=0))
    assert [r.label for r in zero.rest_points] == [r.label for r in analyze(game).rest_points]
    with pytest.raises(DynamicsError, match="some populations mutate"):
        analyze(game, dynamics=Mutator(mu=0, mu_mukdahan=0.01))


def test_per_population_rates_move_the_rest_point_as_the_hand_field_says():
    # One interior rest point under strong supervision with small mutation; it is a zero of
    # the hand-written field with the two rates.
    game = WATER.scenario("strong_supervision")
    an = analyze(game, dynamics=Mutator(mu=0.01, mu_mukdahan=0.03))
    subs = game.value_substitution()
    field = [f.xreplace(subs) for f in _hand_field(game, [0.01, 0.03])]
    assert an.rest_points
    for r in an.rest_points:
        point = {v: sympy.Float(float(c)) for v, c in r.coordinates.items()}
        assert all(abs(float(f.xreplace(point))) < 1e-9 for f in field), r.label
