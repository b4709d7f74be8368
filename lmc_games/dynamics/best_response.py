"""The best-response dynamics."""

from __future__ import annotations

import sympy

from ._base import Dynamics, RestPointMethod
from ._common import per_strategy


class BestResponse(Dynamics):
    r"""The best-response dynamics of Gilboa & Matsui (1991, Econometrica 59, 859--867):

    .. math:: \dot x_p \in \mathrm{BR}_p(x) - x_p,

    every revising agent switches to a best reply to the current state (Hofbauer & Sigmund
    2003, Bull. AMS 40, 479--519, §2.4; Sandholm 2010, *Population Games and Evolutionary
    Dynamics*, §6.1). The best reply is a set at ties, so this is a differential inclusion;
    its rest points are exactly the Nash equilibria (:attr:`RestPointMethod.NASH`), where the
    field is not even continuous.

    For simulation :meth:`growth` takes one selection: the pure best reply, ties going to the
    strategy listed first. Solutions then chatter around a mixed equilibrium instead of
    resting on it. Its smoothed form is the :class:`~lmc_games.dynamics.Logit` dynamics.

    Examples
    --------
    >>> import sympy
    >>> x, a = sympy.symbols("x a")
    >>> BestResponse().growth(None, ((x, 1 - x),), ((a, 0),))[0][0]
    -x + Piecewise((1, a >= 0), (0, True))
    """

    name = "best-response"
    title = "best-response dynamics"
    latex = r"\text{best response}"
    smooth = False
    rest_points = RestPointMethod.NASH

    def growth(self, game, shares, payoffs):
        def rate(x, f, i):
            # i is the chosen best reply when it earns strictly more than every strategy
            # listed before it and at least as much as every one after it.
            conds = [f[i] - f[j] > 0 for j in range(i)]
            conds += [f[i] - f[j] >= 0 for j in range(i + 1, len(x))]
            return sympy.Piecewise((1, sympy.And(*conds)), (0, True)) - x[i]

        return per_strategy(shares, payoffs, rate)
