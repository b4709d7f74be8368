"""The cheap identity filters of ``_conditions`` against their contracts.

``_may_be_equal(e1, e2)``, ``_may_be_opposite`` and ``_may_be_negative_multiple`` evaluate
both sides at one rational probe point and may answer False only when the identity is
impossible; where the probe gives no rational value (a square root of the point), they must
answer True. The expected answers come from ``sympy.expand`` on the same pairs, by hand in the
comments. Mutation testing (tools/mutation.py) found that no test distinguished "either probe
is undefined" from "both are".
"""

import pytest
import sympy
from sympy import Rational, sqrt

from lmc_games._conditions import (
    Signs,
    _may_be_equal,
    _may_be_negative_multiple,
    _may_be_opposite,
    negative,
    nonpositive,
    positive,
)

x, y = sympy.symbols("x y")
# (sqrt(x) + 1)(sqrt(x) - 1) = x - 1: equal as functions (for x >= 0), but the left side's
# value at a rational point is irrational unless x is a square, so its probe is undefined.
LEFT = (sqrt(x) + 1) * (sqrt(x) - 1)


def test_the_disguised_identity_is_an_identity():
    assert sympy.expand(LEFT - (x - 1)) == 0


@pytest.mark.parametrize(
    ("e1", "e2"),
    [(LEFT, x - 1), (x - 1, LEFT), (LEFT, LEFT), (sqrt(x) * sqrt(x), x)],
)
def test_may_be_equal_never_rules_out_an_identity(e1, e2):
    assert sympy.expand(e1 - e2) == 0
    assert _may_be_equal(e1, e2) is True


@pytest.mark.parametrize(("e1", "e2"), [(LEFT, 1 - x), (1 - x, LEFT)])
def test_may_be_opposite_never_rules_out_an_identity(e1, e2):
    assert sympy.expand(e1 + e2) == 0
    assert _may_be_opposite(e1, e2) is True


@pytest.mark.parametrize(("e1", "e2"), [(-3 * LEFT, x - 1), (x - 1, -2 * LEFT)])
def test_may_be_negative_multiple_never_rules_out_one(e1, e2):
    assert sympy.cancel(sympy.expand(e1) / sympy.expand(e2)).is_negative
    assert bool(_may_be_negative_multiple(e1, e2)) is True


def test_the_filters_do_rule_out_what_is_impossible():
    # x + 1 and x + 2 differ everywhere; x + y and -(x + y) + 1 are never opposite;
    # x and 2x are a positive multiple, never a negative one.
    assert _may_be_equal(x + 1, x + 2) is False
    assert _may_be_opposite(x + y, 1 - (x + y)) is False
    assert bool(_may_be_negative_multiple(x, 2 * x)) is False
    assert bool(_may_be_negative_multiple(x, Rational(-1, 2) * x)) is True


def test_may_be_opposite_with_both_probes_defined():
    # x - y + 1 and y - x - 1 are opposite everywhere: their probe values sum to 0.
    assert _may_be_opposite(x - y + 1, y - x - 1) is True
    assert _may_be_opposite(x - y, y - x) is True


# ----------------------------------------------------------------------- sign conditions
def _params():
    from lmc_games import Parameter

    V, C = Parameter("V", 2, min=0), Parameter("C", 3, min=0)
    p, q = Parameter("p", 0.5, min=0, max=1), Parameter("q", 0.5, min=0, max=1)
    return (V, C, p, q), Signs([V, C, p, q])


def test_weak_sign_from_a_range_whose_maximum_is_zero():
    """p q - 1 with p, q in [0, 1]: at most 1*1 - 1 = 0 (at the vertex p = q = 1), so <= 0,
    though not < 0; the bounds give the weak sign, not the strict one."""
    (_, _, p, q), signs = _params()
    e = p.symbol * q.symbol - 1
    assert signs.weak_sign(e) == -1
    assert signs.sign(e) is None


def test_conditions_on_a_square_are_written_with_equalities():
    """(V - C)**2 > 0 exactly when V != C; (V - C)**2 <= 0 exactly when V = C; < 0 never.
    Checked at sample points against the inequality itself."""
    (V, C, _, _), signs = _params()
    e = (V.symbol - C.symbol) ** 2
    cases = {positive(e, signs): lambda v, c: (v - c) ** 2 > 0}
    cases[nonpositive(e, signs)] = lambda v, c: (v - c) ** 2 <= 0
    cases[negative(e, signs)] = lambda v, c: (v - c) ** 2 < 0
    for cond, truth in cases.items():
        for v, c in [(1, 1), (1, 2), (3, 2), (0, 0), (Rational(1, 2), Rational(1, 2))]:
            got = cond.xreplace({V.symbol: v, C.symbol: c})
            assert bool(got) is bool(truth(v, c)), (cond, v, c)


def test_a_square_factor_beside_an_odd_one_adds_a_nonzero_condition():
    """(V - C)**2 (V - 2) > 0 exactly when V > 2 and V != C."""
    (V, C, _, _), signs = _params()
    cond = positive((V.symbol - C.symbol) ** 2 * (V.symbol - 2), signs)
    for v, c in [(3, 3), (3, 1), (1, 5), (2, 2), (5, 4)]:
        expected = (v - c) ** 2 * (v - 2) > 0
        assert bool(cond.xreplace({V.symbol: v, C.symbol: c})) is expected, (v, c)


def test_range_bounds_a_multilinear_expression_in_ten_parameters():
    """p1 + ... + p10 + 11 with every p_i in [-1, 2]: at least -10 + 11 = 1 > 0 (the minimum
    of a sum at the box's lowest vertex); no sign assumption can tell, the vertex range must."""
    from lmc_games import Parameter

    ps = [Parameter(f"p{i}", 0, min=-1, max=2) for i in range(10)]
    e = sympy.Add(*[p.symbol for p in ps]) + 11
    assert Signs(ps).sign(e) == 1
    assert Signs(ps).sign(e - 2) is None  # -1 at the lowest vertex, 19 at the highest


def test_range_is_not_taken_from_the_vertices_of_a_quadratic():
    """p**2 - p + 1/8 on [0, 1] is 1/8 at both ends but -1/8 at p = 1/2: no sign."""
    (_, _, p, _), signs = _params()
    e = p.symbol**2 - p.symbol + Rational(1, 8)
    assert e.subs(p.symbol, Rational(1, 2)) == Rational(-1, 8)
    assert signs.sign(e) is None and signs.weak_sign(e) is None


def test_sign_given_uses_a_fact_that_states_the_opposite_difference():
    """Given C > V, V - C < 0."""
    from lmc_games._conditions import sign_given

    (V, C, _, _), signs = _params()
    assert sign_given(V.symbol - C.symbol, signs) is None
    assert sign_given(V.symbol - C.symbol, signs, C.symbol > V.symbol) == -1
    assert sign_given(C.symbol - V.symbol, signs, C.symbol > V.symbol) == 1


@pytest.mark.parametrize(
    ("value", "neg", "pos"), [(-3, True, False), (0, False, False), (2, False, True)]
)
def test_conditions_on_numbers(value, neg, pos):
    _, signs = _params()
    assert bool(negative(sympy.Integer(value), signs)) is neg
    assert bool(positive(sympy.Integer(value), signs)) is pos
    assert bool(nonpositive(sympy.Integer(value), signs)) is (value <= 0)
