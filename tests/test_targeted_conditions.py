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

from lmc_games._conditions import _may_be_equal, _may_be_negative_multiple, _may_be_opposite

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
