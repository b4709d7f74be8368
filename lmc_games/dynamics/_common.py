"""Small symbolic helpers shared by the dynamics modules."""

from __future__ import annotations

import sympy


def mean_payoff(x, f) -> sympy.Expr:
    """A population's average payoff ``sum_j x_j f_j``."""
    return sympy.Add(*[xi * fi for xi, fi in zip(x, f)])


def plus(e: sympy.Expr) -> sympy.Expr:
    """``max(e, 0)`` as :class:`sympy.Max`, so compiled engines print it as a maximum."""
    return sympy.Max(e, sympy.Integer(0))
