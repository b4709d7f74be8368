"""Pairwise proportional imitation (Schlag 1998)."""

from __future__ import annotations

from ._base import Dynamics, RestPointMethod
from ._common import mean_payoff


class Imitation(Dynamics):
    r"""Pairwise proportional imitation (Schlag 1998, J. Econ. Theory 78, 130--156; Helbing
    1992; Sandholm 2010, *Population Games and Evolutionary Dynamics*, §5.4.2).

    A revising agent playing i meets a random member of its population, playing j, and
    switches to j with probability ``rate * max(f_j - f_i, 0)``. The mean dynamic is

    .. math:: \dot x_{p,i} = r \Bigl(\sum_j x_{p,j} x_{p,i} [f_{p,i} - f_{p,j}]_+
              - x_{p,i} \sum_j x_{p,j} [f_{p,j} - f_{p,i}]_+\Bigr)
              = r\, x_{p,i}\,\bigl(f_{p,i} - \bar f_p\bigr),

    because :math:`[a]_+ - [-a]_+ = a`: the replicator dynamics at the constant rate
    :math:`r`. Schlag's rule needs :math:`r \le 1/(\max f - \min f)` for the switch to be a
    probability; any :math:`r > 0` gives the same orbits, rest points and verdicts as the
    replicator, with every eigenvalue multiplied by :math:`r` and time divided by it.

    Options
    -------
    rate : number > 0
        Switching probability per unit of payoff difference (default 1).

    Examples
    --------
    >>> import sympy
    >>> x, a = sympy.symbols("x a")
    >>> Imitation(rate=0.5).growth(None, ((x, 1 - x),), ((a, 0),))[0][0]
    a*x*(1 - x)/2
    >>> Imitation(rate=0.5).replicator_rate()
    1/2
    """

    name = "imitation"
    title = "pairwise proportional imitation"
    latex = r"\text{imitation}"
    smooth = True
    rest_points = RestPointMethod.FACES
    options = {"rate": (1, 0, None, "switching probability per unit of payoff difference")}
    open_bounds = frozenset({"rate"})

    def growth(self, game, shares, payoffs):
        r = self.value("rate")
        out = []
        for x, f in zip(shares, payoffs):
            if len(x) == 2:
                d = x[0] * x[1] * (f[0] - f[1])
                out.append((r * d, -r * d))
            else:
                mean = mean_payoff(x, f)
                out.append(tuple(r * xi * (fi - mean) for xi, fi in zip(x, f)))
        return tuple(out)

    def replicator_rate(self):
        # A subclass that writes its own growth() is no longer a multiple of the replicator.
        return self.value("rate") if type(self).growth is Imitation.growth else None
