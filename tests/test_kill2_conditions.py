"""Sign conditions and their conjunction in ``_conditions``, each against a hand computation
(tests written to kill surviving mutants of tools/mutation.py, issue 14)."""

import sympy

from lmc_games import Game, Parameter, Stability, analyze
from lmc_games._conditions import Signs, combine, negative, nonpositive, positive, sign_given


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


def test_signs_and_sign_given_are_plus_or_minus_one():
    """With a >= 0: -(a + 1) <= -1 < 0, so its sign is -1; 1 is positive; 1/a is defined only
    where a > 0, and positive there (by hand)."""
    A = Parameter("a", 1, min=0)
    signs = Signs([A])
    a = A.symbol
    assert signs.sign(-(a + 1)) == -1
    assert sign_given(-(a + 1), signs) == -1
    assert sign_given(sympy.Integer(1), signs) == 1
    assert signs.sign(a) is None  # a = 0 is allowed
    assert sign_given(1 / a, signs) == 1
    assert sign_given((a + 1) / a, signs) == 1


def test_a_corner_with_a_positive_eigenvalue_is_unstable_in_a_symbolic_analysis():
    """A = [[0, a], [1, 0]]: at the corner s (x = 1) strategy t earns 1 and s earns 0, so the
    eigenvalue is 1 (by hand): unstable for every a."""
    game = Game.symmetric([[0, "a"], [1, 0]], ["s", "t"], parameters={"a": {"value": 1, "min": 0}})
    r = analyze(game, symbolic=True)["s"]
    assert r.eigenvalues == (1,)
    assert r.stability is Stability.UNSTABLE


def test_a_product_of_two_undecided_factors_keeps_its_inequality():
    """(a - 1)(b - 1) < 0 with a, b in [0, 2]: neither factor has a sign, so the condition is
    the product's inequality: true at (2, 0), false at (2, 2) and at (0, 0) (by hand)."""
    A, B = Parameter("a", 1, min=0, max=2), Parameter("b", 1, min=0, max=2)
    signs = Signs([A, B])
    a, b = A.symbol, B.symbol
    cond = negative((a - 1) * (b - 1), signs)
    assert cond.subs({a: 2, b: 0}) == sympy.true
    assert cond.subs({a: 2, b: 2}) == sympy.false
    assert cond.subs({a: 0, b: 0}) == sympy.false
    weak = nonpositive((a - 1) * (b - 1), signs)
    assert weak.subs({a: 1, b: 2}) == sympy.true
    assert weak.subs({a: 2, b: 2}) == sympy.false


def test_a_fact_about_a_different_expression_does_not_decide_a_sign():
    """Fact sqrt(f) > 2 g (f, g >= 0) and the expression sqrt(f) - 3 g: at f = 9 the fact holds
    for g = 1.2 and for g = 0.5, where the expression is -0.6 and +1.5 (by hand), so the fact
    leaves its sign open. (sqrt(f) at the rational probe point is not rational, so only an
    exact comparison tells the two expressions apart.)"""
    F, G = Parameter("f", 9, min=0), Parameter("g", 1, min=0)
    signs = Signs([F, G])
    f, g = F.symbol, G.symbol
    fact = sympy.StrictGreaterThan(sympy.sqrt(f) - 2 * g, 0)
    assert sign_given(sympy.sqrt(f) - 3 * g, signs, fact) is None
    # The same expression as the fact: decided.
    assert sign_given(sympy.sqrt(f) - 2 * g, signs, fact) == 1
