"""The stationary distribution of finite populations over the pure profiles.

Each pure profile is a corner of the model's state space — the two ends of the line, the
corners of the square, triangle or cube — drawn as a bubble whose area is proportional to the
time the process spends there in the limit of rare mutations; arrows show the transitions that
selection favours (a mutant fixes with probability above 1/N). Everything drawn is computed by
:func:`lmc_games.finite`; these functions only draw.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .._errors import LmcGamesError
from ._labels import strategy_name
from ._markers import INK
from ._style import COLUMN_WIDTH, PALETTE, paper_style, save, text

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from .._finite import FiniteAnalysis

__all__ = ["FiniteArtists", "finite_figure", "stationary_diagram", "corner_geometry"]

BUBBLE_COLOUR = PALETTE[0]
ARROW_COLOUR = "0.25"
_SQRT3_2 = math.sqrt(3.0) / 2.0


@dataclass(frozen=True, eq=False)
class FiniteArtists:
    """The matplotlib objects of a stationary-distribution diagram.

    Attributes
    ----------
    axes : Axes
    bubbles : PathCollection
        One bubble per pure profile (``gid`` ``"stationary"``).
    arrows : tuple of Artist
        One per drawn transition.
    labels : tuple of Text
    """

    axes: Any
    bubbles: Any
    arrows: tuple[Any, ...]
    labels: tuple[Any, ...]


def corner_geometry(result: FiniteAnalysis) -> str:
    """``"line"``, ``"square"``, ``"triangle"``, ``"cube"`` or ``"circle"`` (any other shape:
    the profiles on a circle)."""
    shape = tuple(result.shape)
    if shape == (2,):
        return "line"
    if shape == (3,):
        return "triangle"
    if shape == (2, 2):
        return "square"
    if shape == (2, 2, 2):
        return "cube"
    return "circle"


def _positions(result: FiniteAnalysis, geometry: str) -> np.ndarray:
    profiles = np.array(result.profiles)
    if geometry == "line":
        # The horizontal axis is the share of the first strategy, as in phase_line.
        return np.column_stack([1.0 - profiles[:, 0], np.zeros(len(profiles))])
    if geometry == "triangle":
        vertices = np.array([[0.5, _SQRT3_2], [0.0, 0.0], [1.0, 0.0]])
        return vertices[profiles[:, 0]]
    if geometry in ("square", "cube"):
        return 1.0 - profiles.astype(float)
    m = len(profiles)
    angle = np.pi / 2 - 2 * np.pi * np.arange(m) / m
    return np.column_stack([np.cos(angle), np.sin(angle)])


def stationary_diagram(
    result: FiniteAnalysis,
    ax: Any = None,
    *,
    arrows: str = "favoured",
    size: float = 900.0,
    annotate: bool = True,
) -> FiniteArtists:
    """Draw the stationary distribution over the pure profiles, with transition arrows.

    Parameters
    ----------
    result : FiniteAnalysis
        From :func:`lmc_games.finite`.
    ax : Axes, optional
        A 3-D axes for three populations of two strategies (the cube); a new figure if None.
    arrows : {"favoured", "all", "none"}
        Which transitions to draw: those selection favours (fixation above 1/N), all of them,
        or none. Line width grows with the fixation probability relative to 1/N.
    size : float
        Area in points² of a bubble holding all the mass.
    annotate : bool
        Write each profile's label and probability beside it.

    Returns
    -------
    FiniteArtists

    Examples
    --------
    >>> from lmc_games import load_model
    >>> from lmc_games._finite import finite
    >>> res = finite(load_model("hawk_dove"), 30, selection=1.0)
    >>> art = stationary_diagram(res)
    >>> len(art.bubbles.get_offsets()), len(art.arrows)
    (2, 1)
    """
    from .._finite import FiniteAnalysis

    if not isinstance(result, FiniteAnalysis):
        raise LmcGamesError("stationary_diagram draws the result of lmc_games.finite(game, ...)")
    if arrows not in ("favoured", "all", "none"):
        raise LmcGamesError(f"arrows={arrows!r}: choose 'favoured', 'all' or 'none'")
    geometry = corner_geometry(result)
    three_d = geometry == "cube"
    if ax is None:
        import matplotlib.pyplot as plt

        fig = plt.figure()
        ax = fig.add_subplot(projection="3d" if three_d else None)
    elif three_d and getattr(ax, "name", "") != "3d":
        raise LmcGamesError(
            "three populations of two strategies are drawn on a cube: pass a 3-D axes, "
            "fig.add_subplot(projection='3d')"
        )
    xy = _positions(result, geometry)
    mass = np.array([result.stationary[label] for label in result.labels])
    index = {label: i for i, label in enumerate(result.labels)}
    drawn = []
    for tr in result.transitions:
        if arrows == "none" or (arrows == "favoured" and not tr.favoured):
            continue
        a, b = xy[index[tr.source]], xy[index[tr.target]]
        strength = tr.fixation.log_probability + math.log(tr.fixation.size)  # ln(rho N)
        lw = 0.6 + 1.4 * min(1.0, max(0.0, strength) / math.log(10.0 * tr.fixation.size))
        if three_d:
            d = b - a
            start = a + 0.12 * d
            drawn.append(
                ax.quiver(
                    *start,
                    *(0.76 * d),
                    color=ARROW_COLOUR,
                    linewidth=0.6 * lw,
                    arrow_length_ratio=0.15,
                )
            )
        else:
            drawn.append(
                ax.annotate(
                    "",
                    xy=tuple(b),
                    xytext=tuple(a),
                    arrowprops={
                        "arrowstyle": "-|>",
                        "color": ARROW_COLOUR,
                        "lw": lw,
                        "shrinkA": 14,
                        "shrinkB": 14,
                        "connectionstyle": "arc3,rad=0.12",
                    },
                    zorder=2,
                )
            )
    areas = np.maximum(size * mass, 4.0)
    if three_d:
        bubbles = ax.scatter(
            xy[:, 0],
            xy[:, 1],
            xy[:, 2],
            s=areas,
            color=BUBBLE_COLOUR,
            alpha=0.75,
            edgecolors=INK,
            linewidths=0.6,
            depthshade=False,
        )
    else:
        bubbles = ax.scatter(
            xy[:, 0],
            xy[:, 1],
            s=areas,
            color=BUBBLE_COLOUR,
            alpha=0.75,
            edgecolors=INK,
            linewidths=0.6,
            zorder=3,
            clip_on=False,
        )
    bubbles.set_gid("stationary")
    labels = []
    if annotate:
        centre = xy.mean(axis=0)
        for i, label in enumerate(result.labels):
            if three_d:
                # The axes name the corners: a cube's labels would cover each other.
                words = text(f"{mass[i]:.2g}")
                labels.append(ax.text(*xy[i], words, fontsize=7, ha="center", va="bottom"))
                continue
            words = text(f"{strategy_name(label)}: {mass[i]:.3g}")
            away = xy[i] - centre
            if geometry == "line" or not np.any(away):
                away = np.array([0.0, 1.0])
            elif geometry == "square":
                # Above the top corners, below the bottom ones: the axes keep their width.
                away = np.array([0.0, 1.0 if away[1] > 0 else -1.0])
            away = away / np.linalg.norm(away)
            labels.append(
                ax.annotate(
                    words,
                    tuple(xy[i]),
                    xytext=tuple(13 * away),
                    textcoords="offset points",
                    ha="center" if abs(away[0]) < 0.3 else ("left" if away[0] > 0 else "right"),
                    va="center" if abs(away[1]) < 0.3 else ("bottom" if away[1] > 0 else "top"),
                    fontsize=7,
                    annotation_clip=False,
                )
            )
    _frame(ax, result, geometry)
    return FiniteArtists(ax, bubbles, tuple(drawn), tuple(labels))


def _frame(ax: Any, result: FiniteAnalysis, geometry: str) -> None:
    names = [p.replace("_", " ") for p in result.populations]
    firsts = [strategy_name(s[0]) for s in result.strategies]
    if geometry == "line":
        ax.plot([0, 1], [0, 0], color="0.6", lw=0.8, zorder=1)
        ax.set_xlim(-0.15, 1.15)
        ax.set_ylim(-0.5, 0.5)
        ax.set_yticks([])
        ax.set_xlabel(text(f"share of {firsts[0]}"))
    elif geometry == "triangle":
        v = np.array([[0.5, _SQRT3_2], [0.0, 0.0], [1.0, 0.0], [0.5, _SQRT3_2]])
        ax.plot(v[:, 0], v[:, 1], color="0.6", lw=0.8, zorder=1)
        ax.set_xlim(-0.15, 1.15)
        ax.set_ylim(-0.15, 1.05)
        ax.set_aspect("equal")
        ax.axis("off")
    elif geometry == "square":
        ax.plot([0, 1, 1, 0, 0], [0, 0, 1, 1, 0], color="0.6", lw=0.8, zorder=1)
        ax.set_xlim(-0.2, 1.2)
        ax.set_ylim(-0.2, 1.25)
        ax.set_xticks([0, 1])
        ax.set_yticks([0, 1])
        ax.set_xlabel(text(f"{names[0]}: share of {firsts[0]}"))
        ax.set_ylabel(text(f"{names[1]}: share of {firsts[1]}"))
    elif geometry == "cube":
        for axis in range(3):
            for corner in np.ndindex(2, 2):
                a = list(corner)
                a.insert(axis, 0)
                b = list(corner)
                b.insert(axis, 1)
                ax.plot(*zip(a, b), color="0.7", lw=0.6)
        ax.set_xlabel(text(f"{names[0]}: {firsts[0]}"), fontsize=7)
        ax.set_ylabel(text(f"{names[1]}: {firsts[1]}"), fontsize=7)
        ax.set_zlabel(text(f"{names[2]}: {firsts[2]}"), fontsize=7)
        ax.set_xticks([0, 1])
        ax.set_yticks([0, 1])
        ax.set_zticks([0, 1])
    else:
        ax.set_xlim(-1.5, 1.5)
        ax.set_ylim(-1.4, 1.5)
        ax.set_aspect("equal")
        ax.axis("off")


def finite_figure(
    result: FiniteAnalysis,
    *,
    out: str | Path | None = None,
    columns: float = 1,
    font: str = "cm",
    **options: Any,
) -> Figure:
    """The stationary-distribution diagram in the paper style, optionally saved.

    Parameters
    ----------
    result : FiniteAnalysis
    out : path, optional
        ``.pdf``, ``.svg`` or ``.png``.
    columns : {1, 2}
    font : {"cm", "stix"}
    **options
        Passed to :func:`stationary_diagram`.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> from lmc_games import load_model
    >>> from lmc_games._finite import finite
    >>> fig = finite_figure(finite(load_model("water_use"), 20, selection=0.5))
    >>> len(fig.axes)
    1
    """
    from matplotlib.figure import Figure

    with paper_style(columns, font=font):
        width = COLUMN_WIDTH.get(int(columns), 5.5)
        three_d = corner_geometry(result) == "cube"
        aspect = {"line": 0.45, "cube": 0.95}.get(corner_geometry(result), 0.85)
        fig = Figure(figsize=(width, width * aspect), layout="constrained")
        ax = fig.add_subplot(projection="3d" if three_d else None)
        stationary_diagram(result, ax, **options)
        name = "Fermi" if result.process == "fermi" else "Moran"
        symbol = "$\\beta$" if result.process == "fermi" else "$w$"
        sizes = ", ".join(f"$N$ = {n}" for n in dict.fromkeys(result.sizes.values()))
        ax.set_title(text(f"{name}, {symbol} = {result.selection:g}, {sizes}"), fontsize=8)
        if out is not None:
            save(fig, out)
    return fig
