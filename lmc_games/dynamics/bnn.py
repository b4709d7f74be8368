"""The Brown--von Neumann--Nash dynamics."""

from __future__ import annotations

import sympy

from ._base import Dynamics, RestPointMethod
from ._common import mean_payoff, plus


class BNN(Dynamics):
    r"""The Brown--von Neumann--Nash (BNN) dynamics:

    .. math:: \dot x_{p,i} = k_{p,i}(x) - x_{p,i} \sum_j k_{p,j}(x), \qquad
              k_{p,i} = \max\bigl(f_{p,i}(x) - \bar f_p(x),\, 0\bigr),

    the excess-payoff dynamics of Brown & von Neumann (1950) and Nash (1951); Hofbauer 2000
    (Selection 1, 81--88); Sandholm 2010, *Population Games and Evolutionary Dynamics*, §5.5.
    Its rest points are exactly the Nash equilibria (Nash stationarity; Sandholm 2010,
    ch. 5), and ``max(., 0)`` makes the field non-differentiable there, so
    linearisation does not decide their stability (:attr:`RestPointMethod.NASH`).

    Examples
    --------
    >>> import sympy
    >>> x = sympy.Symbol("x", positive=True)
    >>> BNN().growth(None, ((x, 1 - x),), ((1, 0),))[0][0]
    -x*Max(0, 1 - x) + Max(0, 1 - x)
    """

    name = "bnn"
    title = "Brown-von Neumann-Nash dynamics"
    latex = r"\text{BNN}"
    smooth = False
    rest_points = RestPointMethod.NASH

    def growth(self, game, shares, payoffs):
        out = []
        for x, f in zip(shares, payoffs):
            mean = mean_payoff(x, f)
            k = [plus(fi - mean) for fi in f]
            total = sympy.Add(*k)
            out.append(tuple(ki - xi * total for ki, xi in zip(k, x)))
        return tuple(out)
