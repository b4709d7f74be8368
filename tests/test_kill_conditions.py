"""``combine`` must recognise conditions that contradict each other (tests written to kill
surviving mutants of tools/mutation.py, issue 14). Expected values by hand: ``e > 0`` and
``-c e > 0`` for a number ``c > 0`` cannot both hold, whatever the symbols' values."""

import sympy

from lmc_games._conditions import Signs, combine, negative, nonpositive, positive

a, b = sympy.symbols("a b", real=True)


def test_a_condition_and_a_negative_multiple_of_it_are_contradictory():
    assert combine([a - b > 0, 3 * b - 3 * a > 0]) == sympy.false
    assert combine([a * b - 1 > 0, (2 - 2 * a * b) / 5 > 0]) == sympy.false
    # A positive multiple is no contradiction: the same condition, kept once.
    assert combine([a - b > 0, 3 * a - 3 * b > 0]) != sympy.false


def test_opposite_conditions_are_contradictory():
    assert combine([a**2 * b - a > 0, a - a**2 * b > 0]) == sympy.false
    assert combine([a**2 * b - a >= 0, a - a**2 * b > 0]) == sympy.false


def test_opposite_conditions_too_large_to_normalise_are_contradictory():
    """A condition of about 200 operations (beyond the normal form of ``_drop_implied``)
    and its negation: still false together."""
    c = sympy.Symbol("c", real=True)
    big = sum(sympy.Integer(i) * a**i * b ** (i % 3) + c**i for i in range(1, 22))
    assert combine([big > 0, -big > 0]) == sympy.false


def test_an_unexpanded_zero_is_nonpositive_and_not_negative():
    """(V + C)**2 - V**2 - 2VC - C**2 is 0 for every V, C (expand by hand), though not
    written as a number: ``0 <= 0`` holds, ``0 < 0`` does not, ``0 >= 0`` holds."""
    from lmc_games import Parameter

    V, C = Parameter("V", 2, min=0), Parameter("C", 3, min=0)
    signs = Signs([V, C])
    v, c = V.symbol, C.symbol
    zero = (v + c) ** 2 - v**2 - 2 * v * c - c**2
    assert not zero.is_number
    assert nonpositive(zero, signs) == sympy.true
    assert negative(zero, signs) == sympy.false
    assert positive(zero, signs) == sympy.false
