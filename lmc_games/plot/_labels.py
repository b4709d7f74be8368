"""Labels taken from the model: population labels, strategy names, share symbols and the
parameters' LaTeX."""

from __future__ import annotations

from typing import TYPE_CHECKING

import sympy

if TYPE_CHECKING:
    from .._game import Game

__all__ = [
    "parameter_label",
    "population_label",
    "share_label",
    "strategy_name",
    "variable_info",
]


def strategy_name(name: str) -> str:
    """A strategy identifier as words (``no_inspect`` -> ``no inspect``)."""
    return name.replace("_", " ")


def population_label(pop) -> str:
    """A population's label for figures: the label the model gives, or — where the label is
    just the population's identifier — the identifier as words (``shipping_companies`` ->
    ``shipping companies``)."""
    if pop.label == pop.name:
        return pop.name.replace("_", " ")
    return pop.label


def variable_info(game: Game) -> list[tuple[int, int]]:
    """For each free share, in order: (population index, strategy index)."""
    return [(p, i) for p, pop in enumerate(game.populations) for i in range(pop.k - 1)]


def symbol_latex(symbol: sympy.Symbol) -> str:
    """LaTeX of a share symbol (``x``, ``p_1``)."""
    return sympy.latex(symbol)


def share_label(game: Game, index: int, *, short: bool = False, wrap: int | None = None) -> str:
    """Axis label of free share ``index``: ``Owners: share of hawk, $x$``.

    With ``short``: brief, for legends. With ``wrap``: a label longer than ``wrap``
    characters is broken after the population's label.
    """
    p, i = variable_info(game)[index]
    pop = game.populations[p]
    sym = symbol_latex(pop.share_symbols[i])
    strat = strategy_name(pop.strategies[i])
    who = population_label(pop)
    if short:
        return f"{strat} (${sym}$)" if len(game.populations) == 1 else f"{who}: {strat}"
    if len(game.populations) == 1:
        return f"Share of {strat}, ${sym}$"
    sep = "\n" if wrap is not None and len(who) + len(strat) + 14 > wrap else " "
    return f"{who}:{sep}share of {strat}, ${sym}$"


def full_share_label(game: Game, p: int, i: int) -> str:
    """Legend label of strategy ``i`` of population ``p`` (all k shares, the last included)."""
    pop = game.populations[p]
    sym = symbol_latex(pop.share_symbols[i]) if i < len(pop.share_symbols) else None
    strat = strategy_name(pop.strategies[i])
    head = strat if len(game.populations) == 1 else f"{population_label(pop)}: {strat}"
    if sym is not None and (pop.k > 2 or i == 0):
        return f"{head} (${sym}$)"
    return head


def parameter_label(game: Game | None, name: str) -> str:
    """``$latex$`` of a parameter, from its declared LaTeX; the bare name without a game."""
    if game is not None and name in game.parameter_map:
        return f"${game.parameter_map[name].latex_name}$"
    return name
