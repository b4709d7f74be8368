"""The Smith dynamics (pairwise comparison)."""

from __future__ import annotations

import sympy

from ._base import Dynamics, RestPointMethod
from ._common import per_strategy, plus


class Smith(Dynamics):
    r"""The Smith dynamics:

    .. math:: \dot x_{p,i} = \sum_j x_{p,j} \max(f_{p,i} - f_{p,j}, 0)
              - x_{p,i} \sum_j \max(f_{p,j} - f_{p,i}, 0),

    a revising agent compares its payoff with that of a strategy drawn at random and switches
    at a rate equal to the payoff gain (Smith 1984, Transportation Science 18, 245--252;
    Sandholm 2010, *Population Games and Evolutionary Dynamics*, §5.6). Its rest points are
    exactly the Nash equilibria (Nash stationarity; Sandholm 2010, ch. 5), and the
    field is not differentiable there (:attr:`RestPointMethod.NASH`).

    Examples
    --------
    >>> import sympy
    >>> x = sympy.Symbol("x", positive=True)
    >>> Smith().growth(None, ((x, 1 - x),), ((1, 0),))[0][0]
    1 - x
    """

    name = "smith"
    title = "Smith dynamics"
    latex = r"\text{Smith}"
    smooth = False
    rest_points = RestPointMethod.NASH

    def growth(self, game, shares, payoffs):
        def rate(x, f, i):
            others = [j for j in range(len(x)) if j != i]
            gain = sympy.Add(*[x[j] * plus(f[i] - f[j]) for j in others])
            loss = sympy.Add(*[plus(f[j] - f[i]) for j in others])
            return gain - x[i] * loss

        return per_strategy(shares, payoffs, rate)
