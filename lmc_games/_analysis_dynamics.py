"""Rest points and their stability under dynamics whose rest points are not found face by face.

Owned by the dynamics work of issue 12: best-response-like dynamics (rest points are the Nash
equilibria) and perturbed dynamics (a numeric search).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._errors import DynamicsError

if TYPE_CHECKING:
    from ._game import Game
    from ._results import Analysis
    from .dynamics import Dynamics


def analyze_other(game: Game, *, symbolic: bool, dynamics: Dynamics) -> Analysis:
    """Analysis of ``game`` under a dynamics whose rest points are not found face by face."""
    raise DynamicsError(
        f"{dynamics.describe()}: rest points of this dynamics cannot be analysed yet"
    )
