"""The replicator--mutator dynamics with uniform mutation."""

from __future__ import annotations

from fractions import Fraction

import sympy

from ._base import Dynamics, RestPointMethod
from ._common import mean_payoff


class Mutator(Dynamics):
    r"""The replicator dynamics with uniform mutation at rate :math:`\mu` in every population.

    .. math:: \dot x_{p,i} = x_{p,i}\,\bigl(f_{p,i}(x) - \bar f_p(x)\bigr)
              + \mu\,\Bigl(\frac{1}{k_p} - x_{p,i}\Bigr),

    where :math:`k_p` is the number of strategies of population :math:`p`: a share
    :math:`\mu` of each population's revisions per unit of time picks a strategy uniformly at
    random instead of following selection (the additive selection--mutation form of
    Hofbauer 1985, J. Math. Biol. 23, 41--53; Hofbauer & Sigmund 1998, *Evolutionary Games and
    Population Dynamics*, §7.4 on perturbed replicator equations; Bomze & Bürger 1995, Games
    Econ. Behav. 11, 146--172). With :math:`\mu = 0` it is the replicator dynamics; with
    :math:`\mu > 0` the field points into the state space on its boundary, so every rest point
    is interior and none is found face by face: they come from a numeric search
    (:attr:`RestPointMethod.SEARCH`).

    Options
    -------
    mu : number in [0, 1]
        Mutation rate, the same in every population (default 1/100).

    Examples
    --------
    >>> import sympy
    >>> x, a = sympy.symbols("x a")
    >>> Mutator(mu=0.1).spec()
    'mutator:mu=0.1'
    >>> Mutator(mu=0).growth(None, ((x, 1 - x),), ((a, 0),))[0][0]
    a*x*(1 - x)
    >>> Mutator(mu=0.1).growth(None, ((x, 1 - x),), ((a, 0),))[0][0]
    a*x*(1 - x) - 0.1*x + 0.05
    """

    name = "mutator"
    title = "replicator-mutator dynamics"
    latex = r"\text{replicator--mutator}"
    smooth = True
    rest_points = RestPointMethod.SEARCH
    options = {"mu": (Fraction(1, 100), 0, 1, "mutation rate per unit of time (each population)")}

    def growth(self, game, shares, payoffs):
        mu = self.value("mu")
        out = []
        for x, f in zip(shares, payoffs):
            k = len(x)
            if k == 2:
                sel = x[0] * x[1] * (f[0] - f[1])
                first = sel + mu * (sympy.Rational(1, 2) - x[0])
                second = -sel + mu * (sympy.Rational(1, 2) - x[1])
                out.append((first, second))
            else:
                mean = mean_payoff(x, f)
                out.append(
                    tuple(
                        xi * (fi - mean) + mu * (sympy.Rational(1, k) - xi) for xi, fi in zip(x, f)
                    )
                )
        return tuple(out)
