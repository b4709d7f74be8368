"""Rest-point markers by verdict, and the legend that explains them.

filled disc = stable, open disc = unstable, half-filled disc = saddle, ring with a dot =
centre, grey diamond = non-hyperbolic (linearisation cannot decide), open cross = undecided
(a symbolic verdict that depends on the parameters). Where rest points of different verdicts
meet (in a projection), the most stable one is drawn, inside a wide ring that says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .._results import Stability

__all__ = [
    "MARKER_STYLE",
    "SEVERAL_TEXT",
    "VERDICT_ORDER",
    "draw_rest_points",
    "draw_several",
    "verdict_key",
]

INK = "#1a1a1a"

#: Order of verdicts in legends.
VERDICT_ORDER = ("stable", "unstable", "saddle", "centre", "non-hyperbolic", "undecided")

#: Line2D keyword arguments of each verdict's marker (size in points is set when drawing).
MARKER_STYLE: dict[str, dict[str, Any]] = {
    "stable": {"marker": "o", "fillstyle": "full", "markerfacecolor": INK},
    "unstable": {"marker": "o", "fillstyle": "full", "markerfacecolor": "white"},
    "saddle": {
        "marker": "o",
        "fillstyle": "left",
        "markerfacecolor": INK,
        "markerfacecoloralt": "white",
    },
    "centre": {"marker": "o", "fillstyle": "full", "markerfacecolor": "white"},
    "non-hyperbolic": {"marker": "D", "fillstyle": "full", "markerfacecolor": "0.6"},
    "undecided": {"marker": "X", "fillstyle": "full", "markerfacecolor": "white"},
}

#: Legend text of the ring drawn where rest points of different verdicts meet.
SEVERAL_TEXT = "verdicts meet (most stable shown)"

#: Drawing order: later verdicts on top, so that where markers overlap an attractor shows.
_ON_TOP = ("unstable", "saddle", "undecided", "non-hyperbolic", "centre", "stable")

_LEGEND_TEXT = {
    "stable": "stable",
    "unstable": "unstable",
    "saddle": "saddle",
    "centre": "centre",
    "non-hyperbolic": "non-hyperbolic",
    "undecided": "undecided",
}


def verdict_key(stability: Stability | None) -> str:
    """The marker key of a verdict (``None``: ``undecided``)."""
    return "undecided" if stability is None else Stability(stability).value


def _style(key: str, size: float, three_d: bool = False) -> dict[str, Any]:
    s = dict(MARKER_STYLE[key])
    s.update(
        markeredgecolor=INK,
        markeredgewidth=0.8,
        markersize=size * (0.85 if key == "non-hyperbolic" else 1.0),
        linestyle="none",
    )
    if not three_d:
        # Unclipped, so points on the boundary of the axes show whole. (In 3-D nothing is
        # clipped, and an unclipped 3-D line breaks the layout's size computation.)
        s["clip_on"] = False
    return s


def draw_rest_points(
    ax: Any,
    points: Sequence[tuple[Sequence[float], Stability | None]],
    *,
    size: float | None = None,
    zorder: float = 10,
) -> list[Any]:
    """Mark ``points`` (pairs of axes coordinates and verdict) on ``ax`` (2-D or 3-D).

    One Line2D per verdict, with ``gid`` ``"rest-points:<verdict>"`` and the verdict as its
    label (so a legend can be built from them); a centre adds a second Line2D with ``gid``
    ``"rest-points:centre-dot"`` for the dot. Markers are not clipped, so points on the
    boundary of the axes show whole.
    """
    import matplotlib as mpl

    size = float(size if size is not None else mpl.rcParams["lines.markersize"] * 1.15)
    groups: dict[str, list[Sequence[float]]] = {}
    for xy, stab in points:
        groups.setdefault(verdict_key(stab), []).append(xy)
    three_d = getattr(ax, "name", "") == "3d"
    artists = []
    for key in VERDICT_ORDER:
        if key not in groups:
            continue
        coords = np.asarray(groups[key], dtype=float).T
        style = _style(key, size, three_d)
        z = zorder + 0.01 * _ON_TOP.index(key)
        (line,) = ax.plot(*coords, label=_LEGEND_TEXT[key], zorder=z, **style)
        line.set_gid(f"rest-points:{key}")
        artists.append(line)
        if key == "centre":
            (dot,) = ax.plot(
                *coords,
                marker="o",
                linestyle="none",
                markersize=size * 0.3,
                markerfacecolor=INK,
                markeredgecolor=INK,
                markeredgewidth=0,
                zorder=z + 0.005,
                label="_centre-dot",
            )
            if not three_d:
                dot.set_clip_on(False)
            dot.set_gid("rest-points:centre-dot")
            artists.append(dot)
    return artists


def draw_several(
    ax: Any, points: Sequence[Sequence[float]], *, size: float | None = None, zorder: float = 10
) -> list[Any]:
    """A wide open ring around each of ``points``: rest points of different verdicts meet
    there and the marker inside shows the most stable (one Line2D, ``gid``
    ``"rest-points:several"``; nothing when ``points`` is empty)."""
    import matplotlib as mpl

    if len(points) == 0:
        return []
    size = float(size if size is not None else mpl.rcParams["lines.markersize"] * 1.15)
    coords = np.asarray(points, dtype=float).T
    (ring,) = ax.plot(
        *coords,
        marker="o",
        linestyle="none",
        markersize=size * 1.9,
        markerfacecolor="none",
        markeredgecolor=INK,
        markeredgewidth=0.6,
        zorder=zorder - 0.05,
        label=SEVERAL_TEXT,
    )
    if getattr(ax, "name", "") != "3d":
        ring.set_clip_on(False)
    ring.set_gid("rest-points:several")
    return [ring]


def legend_handles(artists: Sequence[Any]) -> tuple[list[Any], list[str]]:
    """Handles and labels for the verdicts among ``artists`` (a ring and its dot pair up),
    and for the ring of :func:`draw_several` if drawn."""
    from matplotlib.lines import Line2D

    by_gid = {a.get_gid(): a for a in artists if isinstance(a, Line2D) and a.get_gid()}
    handles, labels = [], []
    for key in VERDICT_ORDER:
        a = by_gid.get(f"rest-points:{key}")
        if a is None:
            continue
        h = Line2D([], [], **_handle_style(a))
        if key == "centre":
            dot = by_gid["rest-points:centre-dot"]
            h = (h, Line2D([], [], **_handle_style(dot)))
        handles.append(h)
        labels.append(_LEGEND_TEXT[key])
    ring = by_gid.get("rest-points:several")
    if ring is not None:
        handles.append(Line2D([], [], **_handle_style(ring)))
        labels.append(SEVERAL_TEXT)
    return handles, labels


def _handle_style(a: Any) -> dict[str, Any]:
    return {
        "marker": a.get_marker(),
        "fillstyle": a.get_fillstyle(),
        "markerfacecolor": a.get_markerfacecolor(),
        "markerfacecoloralt": a.get_markerfacecoloralt(),
        "markeredgecolor": a.get_markeredgecolor(),
        "markeredgewidth": a.get_markeredgewidth(),
        "markersize": a.get_markersize(),
        "linestyle": "none",
    }
