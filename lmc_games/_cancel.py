"""``sympy.cancel`` of a rational function, without expanding it as a sympy expression.

Cancelling is the main cost of a symbolic analysis: a rest point's Jacobian entries are
polynomials in the shares evaluated at rational coordinates, and ``sympy.cancel`` multiplies
them out with sympy's expression arithmetic (``expand``, ``factor_terms``) before it divides
by the greatest common divisor in a polynomial ring. :func:`cancel` builds the numerator and
the denominator in that ring directly (sparse polynomial arithmetic, several times faster on
the three-population models) and divides there, in sympy's own ring, with sympy's own order of
the generators and its sign convention, so the result is the same expression.
"""

from __future__ import annotations

import sympy
from sympy.polys import polyutils
from sympy.polys.rings import ring


def cancel(e: sympy.Expr) -> sympy.Expr:
    """``sympy.cancel(e)``, computed in a polynomial ring when ``e`` is a rational function of
    symbols with rational coefficients (anything else goes to ``sympy.cancel``).

    Examples
    --------
    >>> a, b, x = sympy.symbols("a b x")
    >>> e = (a*x + b*x) / (x*(a + b)) + 1/(a - b)
    >>> cancel(e)
    (a - b + 1)/(a - b)
    >>> cancel(e) == sympy.cancel(e)
    True
    """
    if e.is_Number or not isinstance(e, sympy.Expr) or not _rational_in_symbols(e):
        return sympy.cancel(e)
    # Looked up at each call: lmc_games breaks sympy's ties in this order (_sympy_order).
    gens = polyutils._sort_gens(e.free_symbols)
    if not gens:
        return sympy.cancel(e)
    num, den = e.as_numer_denom()
    R, *_ = ring(gens, sympy.QQ)
    try:
        p, q = R.from_expr(num), R.from_expr(den)
    except (ValueError, TypeError, sympy.PolynomialError):
        return sympy.cancel(e)
    if not q:
        return sympy.cancel(e)  # a zero denominator: sympy says what that is
    # sympy.cancel works over ZZ when the coefficients are integers and cancels there; over QQ
    # with cleared denominators the quotient is the same, so one ring serves both.
    P, Q = p.cancel(q)
    return P.as_expr() / Q.as_expr()


def _rational_in_symbols(e: sympy.Expr) -> bool:
    """Only symbols, rational numbers, sums, products and integer powers."""
    for node in sympy.preorder_traversal(e):
        if node.is_Symbol or node.is_Rational:
            continue
        if node.is_Add or node.is_Mul:
            continue
        if node.is_Pow and node.exp.is_Integer:
            continue
        return False
    return True
