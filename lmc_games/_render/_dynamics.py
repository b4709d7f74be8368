"""How the renderers name the dynamics of an analysis: the replicator's words stay as they
were, any other dynamics is named with its option values."""

from __future__ import annotations

from typing import Any


def dynamics_of(a: Any) -> Any:
    """The :class:`~lmc_games.dynamics.Dynamics` of an analysis (the replicator's if it has
    none)."""
    from ..dynamics import Replicator

    dyn = getattr(getattr(a, "system", None), "dynamics", None)
    return Replicator() if dyn is None else dyn


def is_replicator(a: Any) -> bool:
    """Whether an analysis is of the replicator dynamics itself."""
    return dynamics_of(a).name == "replicator"


def equations_title(a: Any) -> str:
    """The heading of the equations: "Replicator equations", or e.g. "Logit dynamics
    (eta = 0.1) equations".

    Examples
    --------
    >>> from lmc_games import Game
    >>> from lmc_games._analysis import analyze
    >>> equations_title(analyze(Game.bimatrix([[1, -1], [-1, 1]], [[-1, 1], [1, -1]])))
    'Replicator equations'
    """
    return title_of(dynamics_of(a))


def title_of(dyn: Any) -> str:
    """The heading of the equations of a dynamics (``None``: the replicator's)."""
    if dyn is None or dyn.name == "replicator":
        return "Replicator equations"
    text = dyn.describe()
    return text[:1].upper() + text[1:] + " equations"


def dynamics_json(a: Any) -> dict[str, Any]:
    """``{"dynamics": NAME}``, with ``"dynamics_options": {KEY: number}`` when it has options
    (exact ratios as strings ``"1/20"``)."""
    return dynamics_entry(dynamics_of(a))


def dynamics_entry(dyn: Any) -> dict[str, Any]:
    """The JSON entries naming a dynamics (see :func:`dynamics_json`).

    Examples
    --------
    >>> from lmc_games.dynamics import Replicator
    >>> dynamics_entry(Replicator())
    {'dynamics': 'replicator'}
    """
    from fractions import Fraction

    from ..dynamics._base import _fmt

    def number(v: Any) -> Any:
        # A JSON number where the value has a decimal form (0.01), "p/q" text otherwise (1/3).
        if not isinstance(v, Fraction):
            return v
        if v.denominator == 1:
            return int(v)
        text = _fmt(v)
        return float(text) if "/" not in text else text

    out: dict[str, Any] = {"dynamics": dyn.name}
    values = dyn.values
    if values:
        out["dynamics_options"] = {k: number(v) for k, v in values.items()}
    return out
