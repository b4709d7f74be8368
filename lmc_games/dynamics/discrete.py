"""The discrete-time replicator dynamics (a map)."""

from __future__ import annotations

import sympy

from .._errors import DynamicsError
from ._base import Dynamics, RestPointMethod, Time
from ._common import mean_payoff


class DiscreteReplicator(Dynamics):
    r"""The discrete-time replicator dynamics: one generation per step,

    .. math:: x_{p,i}' = x_{p,i}\,\frac{f_{p,i}(x)}{\bar f_p(x)},
              \qquad \bar f_p = \sum_j x_{p,j} f_{p,j},

    whose increment :math:`x' - x = x_{p,i}\,(f_{p,i} - \bar f_p)/\bar f_p` is what
    :meth:`growth` returns (:attr:`Time.DISCRETE`). Payoffs are fitnesses here: the map is
    defined and keeps shares in the simplex only where every payoff is positive, and unlike
    the continuous replicator it changes when a constant is added to the payoffs (Hofbauer &
    Sigmund 1998, *Evolutionary Games and Population Dynamics*, §16.1; Weibull 1995,
    *Evolutionary Game Theory*, §4.1).

    Its fixed points are those of the replicator dynamics (face by face, every strategy in use
    earns the population's average). A fixed point is asymptotically stable when every
    eigenvalue of ``I + DF`` (the Jacobian of the map on the state space) lies inside the unit
    circle.

    Examples
    --------
    >>> import sympy
    >>> x = sympy.Symbol("x")
    >>> inc = DiscreteReplicator().growth(None, ((x, 1 - x),), ((2, 1),))[0][0]
    >>> inc
    x*(1 - x)/(x + 1)
    >>> DiscreteReplicator().time
    <Time.DISCRETE: 'discrete'>
    """

    name = "discrete"
    title = "discrete-time replicator dynamics"
    latex = r"\text{discrete-time replicator}"
    smooth = True
    rest_points = RestPointMethod.FACES
    time = Time.DISCRETE

    def growth(self, game, shares, payoffs):
        out = []
        for x, f in zip(shares, payoffs):
            mean = mean_payoff(x, f)
            if len(x) == 2:
                d = x[0] * x[1] * (f[0] - f[1])
                out.append((d / mean, -d / mean))
            else:
                out.append(tuple(xi * (fi - mean) / mean for xi, fi in zip(x, f)))
        return tuple(out)

    def check_game(self, game, values=None) -> None:
        """Raise :class:`DynamicsError` unless every payoff is positive at every pure profile.

        For payoffs that do not depend on the shares, each expected payoff is multilinear in
        the mixed strategies, so positive at all pure profiles means positive on the whole
        state space and the map keeps shares in the simplex.
        """
        subs = game.value_substitution() if values is None else values
        for profile, pays in game.payoffs.items():
            for p, pay in enumerate(pays):
                v = sympy.sympify(pay).xreplace(subs)
                if v.free_symbols:
                    # Payoffs that depend on the shares (or parameters left free) cannot be
                    # checked at the corners alone; the analysis says so in a note.
                    continue
                if not (v.is_extended_real and v > 0):
                    raise DynamicsError(
                        "the discrete-time replicator needs positive payoffs (they are "
                        f"fitnesses): population {game.populations[p].name!r} gets {v} at "
                        f"{game.profile_label(profile)!r}; add a constant to that population's "
                        "payoffs (this changes the discrete dynamics, not the continuous one)"
                    )
