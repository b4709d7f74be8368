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

    With the option ``base`` every fitness is ``base + f`` (a background fitness, as in
    models of weak selection): payoffs that can be zero or negative become usable, and a large
    ``base`` makes the map close to Euler steps of the replicator with step ``1/base``.

    Its fixed points are those of the replicator dynamics (face by face, every strategy in use
    earns the population's average). A fixed point is asymptotically stable when every
    eigenvalue of ``I + DF`` (the Jacobian of the map on the state space) lies inside the unit
    circle.

    Options
    -------
    base : number >= 0
        Background fitness added to every payoff (default 0).

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
    options = {"base": (0, 0, None, "background fitness added to every payoff")}

    def growth(self, game, shares, payoffs):
        base = self.value("base")
        out = []
        for x, f in zip(shares, payoffs):
            # The background fitness cancels in the numerator and stays in the mean fitness.
            mean = base + mean_payoff(x, f)
            if len(x) == 2:
                d = x[0] * x[1] * (f[0] - f[1])
                out.append((d / mean, -d / mean))
            else:
                out.append(tuple(xi * (fi - mean + base) / mean for xi, fi in zip(x, f)))
        return tuple(out)

    def check_game(self, game, values=None) -> None:
        """Raise :class:`DynamicsError` unless the fitnesses ``base + payoff`` keep the map
        defined and the shares in the simplex: every fitness at least 0 and every mean
        fitness positive on the whole state space.

        With several populations a mean fitness is multilinear in the shares, so this means
        every fitness positive at every pure profile; in a symmetric game entries >= 0 with a
        positive diagonal suffice (``x.Ax >= sum x_i**2 A_ii``). Payoffs that depend on the
        shares are checked at the fixed points only (the analysis says so).
        """
        subs = game.value_substitution() if values is None else values
        base = self.value("base")
        for profile, pays in game.payoffs.items():
            for p, pay in enumerate(pays):
                v = base + sympy.sympify(pay, strict=True).xreplace(subs)
                if v.free_symbols:
                    # Payoffs that depend on the shares (or parameters left free) cannot be
                    # checked at the corners alone; the analysis says so in a note.
                    continue
                # Symmetric games: x.Ax >= sum_i x_i**2 A_ii, so entries >= 0 with a positive
                # diagonal keep the mean fitness positive. Several populations: the mean
                # fitness is multilinear, least at a pure profile, so every entry must be > 0.
                diagonal = len(set(profile)) == 1
                need_positive = not game.is_symmetric or diagonal
                if not (v.is_extended_real and (v > 0 if need_positive else v >= 0)):
                    low = min(
                        sympy.sympify(q, strict=True).xreplace(subs)
                        for row in game.payoffs.values()
                        for q in row
                    )
                    raise DynamicsError(
                        "the discrete-time replicator needs fitnesses (base + payoff) that "
                        "keep the mean fitness positive: "
                        f"population {game.populations[p].name!r} gets {v} at "
                        f"{game.profile_label(profile)!r}; use a background fitness above "
                        f"{-low}, e.g. --dynamics discrete:base={_above(-low)} "
                        f"(DiscreteReplicator(base={_above(-low)})); it changes the discrete "
                        "dynamics, not the continuous one"
                    )


def _above(value) -> int:
    """The least integer strictly above ``value`` (a base that makes every fitness positive)."""
    import math

    return max(0, math.floor(float(value)) + 1)
