"""One paper style: fonts, sizes, palette and file output.

The style needs no TeX installation. Mathematics is typeset by matplotlib's mathtext in
Computer Modern (``font="cm"``, the default: it matches a LaTeX document in the default font)
or in STIX (``font="stix"``: it matches Times-based journal templates). Computer Modern has no
text font that covers Unicode in matplotlib (its ``cmr10`` uses a TeX encoding), so in that mode
the labels this package writes are typeset through mathtext's ``\\text{}``, which falls back to
STIX for characters Computer Modern lacks. ``usetex=True`` hands all text to LaTeX instead.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .._errors import LmcGamesError

__all__ = [
    "COLUMN_WIDTH",
    "PALETTE",
    "figure_size",
    "paper_style",
    "save",
    "style_rc",
    "text",
]

#: Okabe & Ito's colour-blind-safe palette (Okabe, M. & Ito, K., 2008, "Color universal
#: design"), ordered for lines: blue, vermillion, bluish green, orange, reddish purple,
#: sky blue, yellow, black.
PALETTE: tuple[str, ...] = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#E69F00",
    "#CC79A7",
    "#56B4E9",
    "#F0E442",
    "#000000",
)

#: Figure widths in inches: one column (89 mm) and two columns (183 mm), the widths Nature,
#: Elsevier and Springer journals print at.
COLUMN_WIDTH: dict[int, float] = {1: 3.5, 2: 7.2}

_FONTS = ("cm", "stix")

# How text written by this package is typeset: "plain" (matplotlib text), "cm" (mathtext
# \text{}), "tex" (LaTeX through usetex). Set by paper_style for the duration of the block.
_TEXT_MODE: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "lmc_games_plot_text_mode", default=None
)


def _check_columns(columns: float) -> float:
    if columns in COLUMN_WIDTH:
        return COLUMN_WIDTH[int(columns)]
    if columns == 1.5:
        return 5.5
    raise LmcGamesError(f"columns must be 1, 1.5 or 2 (journal column widths); got {columns!r}")


def figure_size(columns: float = 1, aspect: float = 0.75) -> tuple[float, float]:
    """Width and height in inches of a figure spanning ``columns`` journal columns.

    Parameters
    ----------
    columns : {1, 1.5, 2}
        One column (3.5 in), one and a half (5.5 in) or the full page width (7.2 in).
    aspect : float
        Height divided by width.

    Examples
    --------
    >>> figure_size(1)
    (3.5, 2.625)
    >>> figure_size(2, aspect=0.5)
    (7.2, 3.6)
    """
    if not aspect > 0:
        raise LmcGamesError(f"aspect must be positive; got {aspect!r}")
    width = _check_columns(columns)
    return (width, round(width * aspect, 4))


def style_rc(columns: float = 1, *, usetex: bool = False, font: str = "cm") -> dict[str, Any]:
    """The rcParams of the paper style, for ``matplotlib.rcParams.update`` or ``rc_context``.

    Examples
    --------
    >>> rc = style_rc(2, font="stix")
    >>> rc["figure.figsize"], rc["mathtext.fontset"], rc["pdf.fonttype"]
    ((7.2, 4.32), 'stix', 42)
    """
    if font not in _FONTS:
        raise LmcGamesError(f"font must be one of {', '.join(_FONTS)}; got {font!r}")
    from cycler import cycler

    width = _check_columns(columns)
    rc: dict[str, Any] = {
        "font.family": "serif",
        "font.serif": ["STIXGeneral", "DejaVu Serif"],
        "mathtext.fontset": font,
        "mathtext.fallback": "stix" if font == "cm" else "cm",
        "axes.formatter.use_mathtext": font == "cm",
        "axes.unicode_minus": True,
        "text.usetex": bool(usetex),
        "font.size": 8,
        "axes.labelsize": 8,
        "axes.titlesize": 8,
        "xtick.labelsize": 7,
        "ytick.labelsize": 7,
        "legend.fontsize": 7,
        "legend.title_fontsize": 7,
        "legend.frameon": False,
        "legend.handlelength": 1.6,
        "legend.handletextpad": 0.5,
        "legend.columnspacing": 1.2,
        "legend.borderaxespad": 0.3,
        "axes.linewidth": 0.6,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": False,
        "axes.prop_cycle": cycler(color=list(PALETTE)),
        "axes.labelpad": 3.0,
        "lines.linewidth": 1.0,
        "lines.markersize": 5.0,
        "patch.linewidth": 0.6,
        "xtick.major.width": 0.6,
        "ytick.major.width": 0.6,
        "xtick.minor.width": 0.5,
        "ytick.minor.width": 0.5,
        "xtick.major.size": 3.0,
        "ytick.major.size": 3.0,
        "xtick.direction": "out",
        "ytick.direction": "out",
        "image.cmap": "cividis",
        "figure.figsize": (width, round(width * 0.6, 4)),
        "figure.dpi": 150,
        "figure.constrained_layout.use": True,
        "figure.constrained_layout.h_pad": 0.02,
        "figure.constrained_layout.w_pad": 0.02,
        "savefig.dpi": 300,
        # Journals require embedded TrueType (Type 42) fonts, not Type 3.
        "pdf.fonttype": 42,
        "ps.fonttype": 42,
        "svg.fonttype": "path",
        # Fixed ids, so the same figure gives the same SVG file.
        "svg.hashsalt": "lmc_games",
    }
    return rc


@contextlib.contextmanager
def paper_style(
    columns: float = 1, *, usetex: bool = False, font: str = "cm"
) -> Iterator[dict[str, Any]]:
    """A context in which figures are drawn in the paper style.

    Serif fonts matched to LaTeX documents (``font="cm"``: Computer Modern; ``font="stix"``:
    Times-like STIX), 8-point labels, a figure width of one or two journal columns, the
    Okabe–Ito colour-blind-safe palette, no top and right spines, no grid, fonts embedded as
    TrueType in PDF. No TeX installation is needed unless ``usetex=True``.

    Parameters
    ----------
    columns : {1, 1.5, 2}
        Default figure width in journal columns.
    usetex : bool
        Typeset all text with LaTeX (needs a TeX installation).
    font : {"cm", "stix"}

    Yields
    ------
    dict
        The rcParams in force.

    Examples
    --------
    >>> import matplotlib
    >>> with paper_style(2) as rc:
    ...     matplotlib.rcParams["figure.figsize"][0]
    7.2
    >>> text("share of hawk, $x$")  # outside the block: plain matplotlib text
    'share of hawk, $x$'
    """
    import matplotlib

    rc = style_rc(columns, usetex=usetex, font=font)
    mode = "tex" if usetex else ("cm" if font == "cm" else "plain")
    token = _TEXT_MODE.set(mode)
    try:
        with matplotlib.rc_context(rc):
            yield rc
    finally:
        _TEXT_MODE.reset(token)


_TEX_SPECIAL = re.compile(r"([\\{}$&#%_^~])")
_TEX_REPLACE = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    "%": r"\%",
    "_": r"\_",
    "^": r"\^{}",
    "~": r"\~{}",
}


def _split_math(s: str) -> list[tuple[bool, str]]:
    """Split ``s`` into (is_math, part) at unescaped dollar signs."""
    parts: list[tuple[bool, str]] = []
    buf: list[str] = []
    math = False
    i = 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s) and s[i + 1] == "$":
            buf.append("\\$" if math else "$")
            i += 2
            continue
        if c == "$":
            parts.append((math, "".join(buf)))
            buf = []
            math = not math
        else:
            buf.append(c)
        i += 1
    if math:
        # An unmatched dollar sign is a literal one.
        parts.append((False, "$" + "".join(buf)))
    else:
        parts.append((False, "".join(buf)))
    return [(m, p) for m, p in parts if p]


def text(s: str, mode: str | None = None) -> str:
    r"""Prepare a label for the current typesetting mode.

    ``s`` is text with inline mathematics between dollar signs (``"share of hawk, $x$"``).
    Outside :func:`paper_style` it is returned unchanged. In the Computer Modern style the
    text parts are wrapped in mathtext's ``\text{}`` (so they are set in Computer Modern); with
    ``usetex`` LaTeX's special characters in the text parts are escaped.

    Examples
    --------
    >>> text("share of no_inspect, $p$", mode="cm")
    '$\\text{share of no}\\_\\text{inspect, }p$'
    >>> text("share of no_inspect, $p$", mode="tex")
    'share of no\\_inspect, $p$'
    """
    mode = mode or _TEXT_MODE.get()
    if mode is None:
        import matplotlib

        mode = "tex" if matplotlib.rcParams["text.usetex"] else "plain"
    if mode == "plain" or not s:
        return s
    if "\n" in s:
        # matplotlib lays out each line of a label on its own, maths included.
        return "\n".join(text(line, mode) for line in s.split("\n"))
    parts = _split_math(s)
    if mode == "tex":
        return "".join(
            f"${p}$" if m else _TEX_SPECIAL.sub(lambda mt: _TEX_REPLACE[mt.group(1)], p)
            for m, p in parts
        )
    if mode != "cm":
        raise LmcGamesError(f"unknown text mode {mode!r}")
    out = []
    for m, p in parts:
        if m:
            out.append(p)
        else:
            esc = p.replace("\\", r"\backslash ").replace("{", r"\{").replace("}", r"\}")
            # Computer Modern's text font has a dot accent where ASCII has the underscore
            # ("no˙inspect"): set underscores in maths, between pieces of text.
            pieces = esc.replace("$", r"\$").split("_")
            out.append(r"\_".join(r"\text{" + piece + "}" if piece else "" for piece in pieces))
    return "$" + "".join(out) + "$"


_FORMATS = {".pdf": "pdf", ".svg": "svg", ".png": "png"}

#: Attribute under which the figure helpers record the rcParams a figure was drawn with.
STYLE_ATTRIBUTE = "_lmc_games_rc"


def save(fig: Any, path: str | Path, *, dpi: float = 300, transparent: bool = False) -> Path:
    """Write ``fig`` to ``path`` as PDF, SVG or PNG, chosen from the extension.

    Vector formats keep fonts embedded (PDF: TrueType) and carry no creation date, so the
    same figure gives the same file; PNG is rendered at ``dpi`` (300 by default, the usual
    journal minimum for line art with shading).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    path : str or Path
        Ending in ``.pdf``, ``.svg`` or ``.png``.
    dpi : float
    transparent : bool

    Returns
    -------
    Path
        The path written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from matplotlib.figure import Figure
    >>> fig = Figure(figsize=figure_size(1))
    >>> _ = fig.add_subplot().plot([0, 1], [0, 1])
    >>> with tempfile.TemporaryDirectory() as d:
    ...     save(fig, pathlib.Path(d) / "line.pdf").suffix
    '.pdf'
    >>> save(fig, "line.jpg")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    lmc_games._errors.LmcGamesError: cannot save a figure as 'line.jpg': ...
    """
    p = Path(path)
    fmt = _FORMATS.get(p.suffix.lower())
    if fmt is None:
        raise LmcGamesError(
            f"cannot save a figure as {str(path)!r}: use a name ending in .pdf, .svg or .png"
        )
    metadata: dict[str, Any] = {}
    if fmt == "pdf":
        metadata = {"CreationDate": None, "ModDate": None}
    elif fmt == "svg":
        metadata = {"Date": None}
    import matplotlib

    # A figure made by the figure helpers carries the style it was drawn in: tick labels are
    # made anew when the figure is drawn, and fonts are embedded as the rcParams in force
    # at saving say, so the style must hold while saving too.
    rc = dict(getattr(fig, STYLE_ATTRIBUTE, None) or {})
    rc["svg.hashsalt"] = "lmc_games"
    # fontTools, subsetting the Computer Modern files for embedding, logs that their 1990s
    # timestamps "seem very low": true and harmless, and noise on a command line's stderr.
    quiet = logging.getLogger("fontTools")
    level = quiet.level
    quiet.setLevel(max(level, logging.ERROR))
    try:
        with matplotlib.rc_context(rc):
            fig.savefig(p, format=fmt, dpi=dpi, transparent=transparent, metadata=metadata)
    finally:
        quiet.setLevel(level)
    return p
