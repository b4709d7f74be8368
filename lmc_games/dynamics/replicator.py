"""The replicator dynamics (Taylor & Jonker 1978; Hofbauer & Sigmund 1998)."""

from __future__ import annotations

import sympy

from ._base import Dynamics, RestPointMethod


class Replicator(Dynamics):
    r"""The (multi-population) replicator dynamics.

    Each strategy's share grows at the rate by which its payoff exceeds its population's
    average payoff:

    .. math:: \dot x_{p,i} = x_{p,i}\,\bigl(f_{p,i}(x) - \bar f_p(x)\bigr),
              \qquad \bar f_p = \sum_j x_{p,j} f_{p,j}.

    For a two-strategy population with share :math:`x` of the first strategy this is the form
    papers print, :math:`\dot x = x(1-x)\,(f_{p,1} - f_{p,2})`.

    Its rest points are, face by face, the points where every strategy in use earns the same
    payoff, so they are found face by face.

    Examples
    --------
    >>> import sympy
    >>> x, a = sympy.symbols("x a")
    >>> Replicator().growth(None, ((x, 1 - x),), ((a, 0),))[0][0]
    a*x*(1 - x)
    """

    name = "replicator"
    title = "replicator dynamics"
    latex = r"\text{replicator}"
    smooth = True
    rest_points = RestPointMethod.FACES

    def growth(self, game, shares, payoffs):
        out = []
        for x, f in zip(shares, payoffs):
            if len(x) == 2:
                # Papers' form: x(1-x)(f1 - f2), exactly equal to x1 (f1 - mean).
                out.append((x[0] * x[1] * (f[0] - f[1]), x[1] * x[0] * (f[1] - f[0])))
            else:
                mean = sympy.Add(*[xi * fi for xi, fi in zip(x, f)])
                out.append(tuple(xi * (fi - mean) for xi, fi in zip(x, f)))
        return tuple(out)

    def replicator_rate(self):
        # A subclass that writes its own growth() is no longer the replicator.
        return sympy.Integer(1) if type(self).growth is Replicator.growth else None
