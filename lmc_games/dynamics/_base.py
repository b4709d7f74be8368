"""The contract every dynamics follows."""

from __future__ import annotations

import abc
from typing import TYPE_CHECKING

import sympy

if TYPE_CHECKING:
    from .._game import Game


class Dynamics(abc.ABC):
    """Base class of evolutionary dynamics on the product of simplices.

    A subclass must

    * set :attr:`name` (used in reports) and :attr:`smooth` (whether the field is continuously
      differentiable at its rest points, so that linearisation applies);
    * set :attr:`rest_points_by_face`: ``True`` when every rest point is found by solving, on
      each face of the state space, equations that involve only the strategies in use there
      (as for the replicator dynamics, whose rest points are the faces' payoff-equalising
      points), ``False`` when rest points must be found from the field itself;
    * implement :meth:`growth`, the growth rate of each strategy's share;
    * keep the state on the product of simplices: the shares of each population must sum to a
      constant along solutions, and a face must be invariant when ``rest_points_by_face``.

    The reduced field (free shares only) and its Jacobian are built from :meth:`growth` by
    :class:`lmc_games.System`, which every later stage uses; so a user's own dynamics works in
    every later stage.
    """

    name: str = "dynamics"
    smooth: bool = True
    rest_points_by_face: bool = False

    @abc.abstractmethod
    def growth(
        self,
        game: Game,
        shares: tuple[tuple[sympy.Expr, ...], ...],
        payoffs: tuple[tuple[sympy.Expr, ...], ...],
    ) -> tuple[tuple[sympy.Expr, ...], ...]:
        """Time derivative of every share, per population and strategy.

        Parameters
        ----------
        game : Game
        shares : tuple of tuple of sympy.Expr
            All shares per population, in the free shares.
        payoffs : tuple of tuple of sympy.Expr
            Expected payoff of each strategy per population.
        """

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"
