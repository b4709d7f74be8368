"""lmc_games._cancel.cancel is sympy.cancel, computed in a polynomial ring.

The analysis prints what ``cancel`` returns, so the fast path must give the very expression
``sympy.cancel`` gives (structural equality, not only an equal value): same terms, same signs,
same order of generators. Checked on random rational functions (hypothesis), on the inputs of a
real analysis, and on the cases it hands back to sympy.
"""

from __future__ import annotations

import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from lmc_games import analyze, load_model
from lmc_games._cancel import cancel

# q and q0 tie in sympy's order of generators (see lmc_games/_sympy_order.py): included on
# purpose, with the preferred letters x, y and ordinary parameter names.
SYMS = sympy.symbols("x y q q0 A C_s dR")

coefficients = st.fractions(min_value=-5, max_value=5, max_denominator=4).map(sympy.Rational)
monomials = st.lists(st.sampled_from(SYMS), min_size=0, max_size=3).map(lambda v: sympy.Mul(*v))
polynomials = st.lists(st.tuples(coefficients, monomials), min_size=1, max_size=4).map(
    lambda ts: sympy.Add(*[c * m for c, m in ts])
)


@st.composite
def rational_functions(draw):
    """Sums and products of quotients of small polynomials, with a common factor sometimes
    planted in numerator and denominator, so that something cancels."""
    common = draw(polynomials)
    parts = []
    for _ in range(draw(st.integers(1, 3))):
        num, den = draw(polynomials), draw(polynomials)
        if den == 0:
            den = sympy.Integer(1)
        if draw(st.booleans()) and common != 0:
            num, den = num * common, den * common
        parts.append(num / den)
    return sympy.Add(*parts) if draw(st.booleans()) else sympy.Mul(*parts)


@settings(max_examples=150, deadline=None)
@given(rational_functions())
def test_same_expression_as_sympy(e):
    assert cancel(e) == sympy.cancel(e), e


def test_same_on_a_symbolic_analysis():
    # The Jacobian of central_local's replicator equations at each of its symbolic rest points
    # (rational coordinates in q and q0, the tied pair): the entries an analysis cancels.
    game = load_model("central_local")
    a = analyze(game, symbolic=True)
    J = a.system.jacobian
    entries = [
        e for rp in a.rest_points for e in J.xreplace(dict(rp.coordinates)) if e.free_symbols
    ]
    assert len(entries) >= 10
    for e in entries:
        assert cancel(e) == sympy.cancel(e), e


def test_hands_other_expressions_to_sympy():
    x, a = sympy.symbols("x a")
    for e in (sympy.sqrt(a) * x / (x * a), sympy.exp(a) / sympy.exp(2 * a), sympy.Integer(3)):
        assert cancel(e) == sympy.cancel(e)
    assert cancel((x**2 - 1) / (x - 1)) == x + 1
    assert cancel(sympy.Rational(2, 3) * x / (4 * x * a)) == 1 / (6 * a)
    assert cancel(x - x) == 0
