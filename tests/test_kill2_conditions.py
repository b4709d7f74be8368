"""Sign conditions and their conjunction in ``_conditions``, each against a hand computation
(tests written to kill surviving mutants of tools/mutation.py, issue 14)."""

import sympy

from lmc_games import Game, Parameter, analyze
from lmc_games._conditions import Signs, combine, negative, nonpositive, positive


def test_the_sign_conditions_of_an_expression_the_bounds_decide():
    """With a >= 0: a + 1 >= 1 > 0, so "a + 1 <= 0" and "a + 1 < 0" are false, "a + 1 > 0"
    is true; -(a + 1) <= 0 is true (by hand)."""
    A = Parameter("a", 1, min=0)
    signs = Signs([A])
    a = A.symbol
    assert nonpositive(a + 1, signs) == sympy.false
    assert negative(a + 1, signs) == sympy.false
    assert positive(a + 1, signs) == sympy.true
    assert nonpositive(-(a + 1), signs) == sympy.true


def test_a_corner_whose_invader_always_earns_more_is_never_nash():
    """A = [[0, a + 1], [1, 0]] with a >= 0: at the corner t (x = 0) strategy s earns a + 1
    and t earns 0, so s invades for every a (by hand): t is not a Nash equilibrium; at the
    corner s (x = 1) t earns 1 > 0, so s is not Nash either."""
    game = Game.symmetric(
        [[0, "a + 1"], [1, 0]], ["s", "t"], parameters={"a": {"value": 1, "min": 0}}
    )
    analysis = analyze(game, symbolic=True)
    for label in ("s", "t"):
        r = analysis[label]
        assert r.nash_if == sympy.false, label
        assert r.nash is False, label


def test_bounds_from_both_sides_that_meet_pin_the_value():
    """a >= 1 and a <= 1 hold together exactly at a = 1 (by hand): the conjunction is neither
    false nor true, true at 1 and false on either side; with a strict side it is false."""
    a = sympy.Symbol("a", real=True)
    both = combine([a >= 1, a <= 1])
    assert both not in (sympy.true, sympy.false)
    assert both.subs(a, 1) == sympy.true
    for value in (sympy.Rational(9, 10), sympy.Rational(11, 10)):
        assert both.subs(a, value) == sympy.false
    assert combine([a >= 1, a < 1]) == sympy.false
    assert combine([a > 1, a <= 1]) == sympy.false
