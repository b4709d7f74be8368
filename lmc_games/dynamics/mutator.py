"""The replicator--mutator dynamics with uniform mutation."""

from __future__ import annotations

import math
from fractions import Fraction

import sympy

from .._errors import DynamicsError
from ._base import Dynamics, RestPointMethod, exact_option
from ._common import mean_payoff

_PREFIX = "mu_"


class Mutator(Dynamics):
    r"""The replicator dynamics with uniform mutation, at rate :math:`\mu_p` in population
    :math:`p`:

    .. math:: \dot x_{p,i} = x_{p,i}\,\bigl(f_{p,i}(x) - \bar f_p(x)\bigr)
              + \mu_p\,\Bigl(\frac{1}{k_p} - x_{p,i}\Bigr),

    where :math:`k_p` is the number of strategies of population :math:`p`: a share
    :math:`\mu_p` of population :math:`p`'s revisions per unit of time picks a strategy
    uniformly at random instead of following selection (the additive selection--mutation form of
    Hofbauer 1985, J. Math. Biol. 23, 41--53; Hofbauer & Sigmund 1998, *Evolutionary Games and
    Population Dynamics*, §7.4 on perturbed replicator equations; Bomze & Bürger 1995, Games
    Econ. Behav. 11, 146--172). With every :math:`\mu_p = 0` it is the replicator dynamics; with
    every :math:`\mu_p > 0` the field points into the state space on its boundary, so every
    rest point is interior and none is found face by face: they come from a numeric search
    (:attr:`RestPointMethod.SEARCH`). The analysis refuses a mix of zero and positive rates
    (rest points could then lie on a face of a population without mutation, where the search
    of interior zeros does not look); simulation takes any rates.

    Options
    -------
    mu : number in [0, 1]
        Mutation rate of every population not given its own (default 1/100).
    mu_POP : number in [0, 1]
        Mutation rate of the population named ``POP`` (its ``name`` in the model file), e.g.
        ``mutator:mu=0.01,mu_mukdahan=0.05`` or ``Mutator(mu=0.01, mu_mukdahan=0.05)``; the
        name is checked against the game when the dynamics is used on it.

    Examples
    --------
    >>> import sympy
    >>> x, a = sympy.symbols("x a")
    >>> Mutator(mu=0.1).spec()
    'mutator:mu=0.1'
    >>> Mutator(mu=0).growth(None, ((x, 1 - x),), ((a, 0),))[0][0]
    a*x*(1 - x)
    >>> Mutator(mu=0.1).growth(None, ((x, 1 - x),), ((a, 0),))[0][0]
    a*x*(1 - x) - x/10 + 1/20
    >>> Mutator(mu=0, mu_mukdahan=1/20).spec()
    'mutator:mu=0,mu_mukdahan=0.05'
    """

    name = "mutator"
    title = "replicator-mutator dynamics"
    latex = r"\text{replicator--mutator}"
    smooth = True
    rest_points = RestPointMethod.SEARCH
    options = {"mu": (Fraction(1, 100), 0, 1, "mutation rate per unit of time (each population)")}

    def __init__(self, **values) -> None:
        own = {k: v for k, v in values.items() if k.startswith(_PREFIX) and k != "mu"}
        super().__init__(**{k: v for k, v in values.items() if k not in own})
        low, high = self.options["mu"][1], self.options["mu"][2]
        for key in sorted(own):
            value = own[key]
            if not key[len(_PREFIX) :]:
                raise DynamicsError(f"{self.name}: option {key!r} names no population")
            if isinstance(value, bool) or not isinstance(value, int | float | Fraction):
                raise DynamicsError(f"{self.name}: option {key} must be a number, not {value!r}")
            if not (math.isfinite(float(value)) and low <= value <= high):
                raise DynamicsError(
                    f"{self.name}: option {key} (a mutation rate) must be in [{low}, {high}], "
                    f"not {value}"
                )
            self._values[key] = exact_option(value)

    def rates(self, game) -> tuple[sympy.Expr, ...]:
        """The mutation rate of each population of ``game``, in its order (``mu_POP`` where
        given, else ``mu``).

        Raises
        ------
        DynamicsError
            When a ``mu_POP`` names no population of ``game``.

        Examples
        --------
        >>> from lmc_games import load_model
        >>> Mutator(mu=0.01, mu_mukdahan=1/20).rates(load_model("water_use"))
        (1/100, 1/20)
        """
        names = [pop.name for pop in game.populations]
        extra = [k[len(_PREFIX) :] for k in self._opts() if k.startswith(_PREFIX) and k != "mu"]
        unknown = [n for n in extra if n not in names]
        if unknown:
            raise DynamicsError(
                f"{self.name}: option mu_{unknown[0]} names no population of this game; its "
                f"populations are {', '.join(names)} (write mu_NAME=RATE)"
            )
        return tuple(
            self.value(_PREFIX + n) if _PREFIX + n in self._opts() else self.value("mu")
            for n in names
        )

    def without_mutation(self) -> bool:
        """Whether every population's mutation rate is 0 (the replicator dynamics)."""
        return all(v == 0 for k, v in self._opts().items() if k.startswith("mu"))

    def check_game(self, game, values=None) -> None:
        """Raise :class:`~lmc_games.DynamicsError` when a ``mu_POP`` names no population."""
        self.rates(game)

    def growth(self, game, shares, payoffs):
        if game is None:
            if len(self._opts()) > 1:
                raise DynamicsError(
                    f"{self.name}: per-population mutation rates need the game (its names)"
                )
            rates = (self.value("mu"),) * len(shares)
        else:
            rates = self.rates(game)
        out = []
        for x, f, mu in zip(shares, payoffs, rates):
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
