"""Small symbolic helpers shared by the dynamics modules."""

from __future__ import annotations

import sympy


def mean_payoff(x, f) -> sympy.Expr:
    """A population's average payoff ``sum_j x_j f_j``."""
    return sympy.Add(*[xi * fi for xi, fi in zip(x, f)])


def plus(e: sympy.Expr) -> sympy.Expr:
    """``max(e, 0)`` as :class:`sympy.Max`, so compiled engines print it as a maximum."""
    return sympy.Max(e, sympy.Integer(0))


def per_strategy(shares, payoffs, rate) -> tuple[tuple[sympy.Expr, ...], ...]:
    """The field of a dynamics written one strategy at a time: ``rate(x, f, i)`` is the rate
    of strategy ``i`` of a population with shares ``x`` and payoffs ``f``, and the result
    holds it for every strategy of every population, as :meth:`Dynamics.growth` returns.

    Examples
    --------
    >>> import sympy
    >>> x = sympy.Symbol("x")
    >>> per_strategy(((x, 1 - x),), ((2, 1),), lambda x, f, i: f[i] - x[i])
    ((2 - x, x),)
    """
    return tuple(tuple(rate(x, f, i) for i in range(len(x))) for x, f in zip(shares, payoffs))
