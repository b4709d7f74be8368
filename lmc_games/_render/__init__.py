"""Renderings of games and analyses: one module per format, one registry.

``render(obj, format)`` turns a :class:`~lmc_games.Game` or an :class:`~lmc_games.Analysis`
into ``"text"``, ``"markdown"``, ``"latex"`` or ``"json"`` (a ``dict`` ready for
``json.dumps``). Each format lives in its own module (``_text``, ``_markdown``, ``_latex``,
``_json``); the cells they share — numbers, expressions, flags, TeX and Markdown escaping — live
once in ``_cells``. The renderers import the result classes only for type checking, so the
result classes import this package at the top of their modules, as xarray's data classes import
``core/formatting``.

Everything here turns result objects into text and computes nothing new. Exact values are
printed exactly where that is short and readable, and rounded otherwise; the floats in JSON and
in tables are for reading only — every verdict was decided by the analysis, in exact arithmetic.

A new format is one module and one :func:`register` call for each kind of object it renders.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._cells import INERT_SENTENCE, WIDTH
from ._json import analysis_to_dict, game_to_dict
from ._latex import analysis_to_latex, game_to_latex
from ._markdown import analysis_to_markdown, game_to_markdown
from ._text import analysis_to_text, game_to_text

__all__ = [
    "FORMATS",
    "INERT_SENTENCE",
    "WIDTH",
    "analysis_to_dict",
    "analysis_to_latex",
    "analysis_to_markdown",
    "analysis_to_text",
    "game_to_dict",
    "game_to_latex",
    "game_to_markdown",
    "game_to_text",
    "register",
    "render",
]

_REGISTRY: dict[tuple[str, str], Callable[..., Any]] = {}


def register(kind: str, format: str, renderer: Callable[..., Any]) -> None:
    """Make ``render(obj, format, **options)`` call ``renderer(obj, **options)`` for objects
    of class ``kind``.

    ``kind`` is a class name (``"Analysis"``, ``"Game"``); a subclass is rendered by the entry of
    its nearest registered base class. Registering a pair again replaces the renderer.
    """
    _REGISTRY[(kind, format)] = renderer


def render(obj: Any, format: str = "text", **options: Any) -> Any:
    """``obj`` in ``format``: a string, or a ``dict`` for ``"json"``. ``options`` go to the
    renderer (a game's take ``dynamics=``, whose equations they then print).

    Examples
    --------
    >>> from lmc_games import Game, analyze
    >>> mp = Game.bimatrix([[1, -1], [-1, 1]], [[-1, 1], [1, -1]], name="pennies")
    >>> render(analyze(mp), "markdown").splitlines()[0]
    '# Rest points of pennies'
    >>> render(mp, "json")["model"]
    'pennies'
    >>> render(mp, "html")
    Traceback (most recent call last):
    ...
    ValueError: no 'html' rendering of a Game; formats: json, latex, markdown, text
    """
    for cls in type(obj).__mro__:
        fn = _REGISTRY.get((cls.__name__, format))
        if fn is not None:
            return fn(obj, **options)
    kind = type(obj).__name__
    known = sorted(f for k, f in _REGISTRY if k == kind) or sorted({f for _, f in _REGISTRY})
    raise ValueError(f"no {format!r} rendering of a {kind}; formats: {', '.join(known)}")


for _kind, _fns in (
    ("Analysis", (analysis_to_text, analysis_to_markdown, analysis_to_latex, analysis_to_dict)),
    ("Game", (game_to_text, game_to_markdown, game_to_latex, game_to_dict)),
):
    for _fmt, _fn in zip(("text", "markdown", "latex", "json"), _fns):
        register(_kind, _fmt, _fn)

FORMATS = ("text", "markdown", "latex", "json")
"""The formats every kind of object can be rendered in."""
