"""LaTeX renderings (booktabs tables, a fragment for a paper)."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

import sympy

if TYPE_CHECKING:
    from .._game import Game
    from .._results import Analysis

from ._cells import (
    INERT_SENTENCE,
    _continuum_coordinates,
    _decimal_text,
    _flag,
    _latex_names,
    _mode_sentence,
    _payoff_layout,
    _tex,
    _tex_bounds,
    _tex_condition,
    _tex_eigen,
    _tex_label,
    _tex_math,
    _tex_number,
    _tex_state,
    _tex_table,
    _tex_text,
    _title_line,
    _undecided_condition,
    _verdict,
)


def analysis_to_latex(a: Analysis, *, fit_width: bool = False) -> str:
    r"""A LaTeX fragment for a paper: the replicator equations, the rest-point table
    (state, eigenvalues, verdict, Nash, strict Nash and ESS flags), the conditions under which
    each rest point exists and is stable, continua and the det/trace table.

    Tables use booktabs; the fragment compiles inside a document that loads
    ``\usepackage{booktabs,amsmath}``. Parameters are written with their declared LaTeX names.
    With ``fit_width``, tables wider than the line are shrunk to it (needs the ``\fitwidth``
    macro of the report's preamble).

    Examples
    --------
    >>> from lmc_games import Game
    >>> from lmc_games._analysis import analyze
    >>> mp = Game.bimatrix([[1, -1], [-1, 1]], [[-1, 1], [1, -1]], name="pennies")
    >>> tex = analysis_to_latex(analyze(mp))
    >>> r"\toprule" in tex and r"r1+r2, c1+c2 & $x = \frac{1}{2},\ y = \frac{1}{2}$" in tex
    True
    """
    game = a.game
    names = _latex_names(game)
    out = [f"% Rest points of {' '.join(_title_line(game).split())}, computed by lmc_games."]
    out.append("% " + _mode_sentence(a))
    if not a.symbolic and a.values is not None and game.parameters:
        vals = ", ".join(
            f"{p.name} = {_decimal_text(a.values.get(p.name, p.value))}" for p in game.parameters
        )
        out.append(f"% Parameters: {vals}.")
    out.append(a.system.latex())
    if a.inert_parameters:
        params = game.parameter_map
        for name in a.inert_parameters:
            sym = params[name].symbol if name in params else sympy.Symbol(name)
            out.append("")
            out.append(f"${_tex(sym, names)}$ {_tex_text(INERT_SENTENCE)}.")
    title = _tex_text(game.title or game.name)
    rows = []
    for rp in a.rest_points:
        rows.append(
            [
                _tex_text(rp.label),
                _tex_state(game, rp, names),
                _tex_eigen(rp, names, a.symbolic),
                _verdict(rp.stability),
                _flag(rp.nash).replace("-", "--"),
                _flag(rp.strict_nash).replace("-", "--"),
                _flag(rp.ess).replace("-", "--"),
            ]
        )
    out.append("")
    out += _tex_table(
        "lllllll",
        ["Rest point", "State", "Eigenvalues", "Verdict", "Nash", "Strict Nash", "ESS"],
        rows,
        caption=f"Rest points of the replicator dynamics: {title}.",
        label=_tex_label(game.name, "rest-points"),
        fit=fit_width,
    )
    if any(_undecided_condition(c) for rp in a.rest_points for c in (rp.exists_if, rp.stable_if)):
        cond_rows = [
            [
                _tex_text(rp.label),
                _tex_condition(rp.exists_if, names),
                _tex_condition(rp.stable_if, names),
            ]
            for rp in a.rest_points
        ]
        out.append("")
        out += _tex_table(
            "lll",
            ["Rest point", "Exists if", "Asymptotically stable if"],
            cond_rows,
            caption=f"Conditions on the parameters: {title}.",
            label=_tex_label(game.name, "conditions"),
            fit=fit_width,
        )
    if a.continua:
        rows = []
        for c in a.continua:
            pts = [
                f"{_tex(s, names)} = {_tex(e, names)}" for s, e in _continuum_coordinates(game, c)
            ]
            cell = "$" + r",\ ".join(pts) + "$" if pts else ""
            if c.ranges:
                cell += f" ({_tex_text(c.ranges)})"
            rows.append([_tex_text(c.face), str(c.dimension), cell, _verdict(c.stability)])
        out.append("")
        out += _tex_table(
            "llll",
            ["Face", "Dimension", "Points", "Verdict"],
            rows,
            caption=f"Continua of rest points: {title}.",
            label=_tex_label(game.name, "continua"),
            fit=fit_width,
        )
    if a.det_trace:
        rows = [
            [
                _tex_text(r.label),
                _tex_math(r.det, names),
                _tex_math(r.trace, names),
                _verdict(r.verdict),
            ]
            for r in a.det_trace
        ]
        out.append("")
        out += _tex_table(
            "llll",
            ["Rest point", r"$\det J$", r"$\operatorname{tr} J$", "Verdict"],
            rows,
            caption=f"Determinant and trace of the Jacobian at the rest points: {title}.",
            label=_tex_label(game.name, "det-trace"),
            fit=fit_width,
        )
    for note in a.notes:
        out += ["% Note: " + line for line in textwrap.wrap(" ".join(note.split()), 95)]
    return "\n".join(out) + "\n"


def game_to_latex(game: Game, *, fit_width: bool = False) -> str:
    r"""A LaTeX fragment describing a game: the parameter table, the payoff table (a bimatrix
    for two populations, cells ``a, b``; the matrix of a symmetric game) and the replicator
    equations. Needs ``\usepackage{booktabs,amsmath}``.

    Examples
    --------
    >>> from lmc_games import Game
    >>> mp = Game.bimatrix([[1, -1], [-1, 1]], [[-1, 1], [1, -1]], name="pennies")
    >>> tex = game_to_latex(mp)
    >>> r"r1 & $1$, $-1$ & $-1$, $1$ \\" in tex
    True
    """
    from .._system import System

    names = _latex_names(game)
    title = _tex_text(game.title or game.name)
    out = [f"% {' '.join(_title_line(game).split())}, written by lmc_games."]
    if game.parameters:
        rows = [
            [
                f"${p.latex_name}$",
                _tex_text(p.description),
                _tex_number(game.values.get(p.name, p.value), names),
                _tex_bounds(p),
            ]
            for p in game.parameters
        ]
        out.append("")
        out += _tex_table(
            "llll",
            ["Symbol", "Meaning", "Value", "Bounds"],
            rows,
            caption=f"Parameters: {title}.",
            label=_tex_label(game.name, "parameters"),
            fit=fit_width,
        )
    pops = game.populations
    for n, (heading, rows_, cols, cells) in enumerate(_payoff_layout(game)):
        body = [
            [_tex_text(r), *[", ".join(_tex_math(e, names) for e in cell) for cell in row]]
            for r, row in zip(rows_, cells)
        ]
        spec = "l" + "c" * len(cols)
        pre: list[str] = []
        if game.is_symmetric or len(pops) == 1:
            header = ["", *[_tex_text(c) for c in cols]]
            caption = f"Payoffs: {title}"
            if game.is_symmetric:
                caption += " (row: focal player's strategy, column: opponent's)"
        else:
            pre = [
                rf" & \multicolumn{{{len(cols)}}}{{c}}{{{_tex_text(pops[1].label)}}} \\",
                rf"\cmidrule(l){{2-{len(cols) + 1}}}",
            ]
            header = [_tex_text(pops[0].label), *[_tex_text(c) for c in cols]]
            who = ", ".join(_tex_text(p.label) for p in pops)
            caption = f"Payoffs ({who}): {title}"
            if heading:
                caption += f", when {_tex_text(heading)}"
        out.append("")
        out += _tex_table(
            spec,
            header,
            body,
            caption=caption + ".",
            label=_tex_label(game.name, f"payoffs-{n + 1}" if heading else "payoffs"),
            fit=fit_width,
            pre_header=pre,
        )
    out.append("")
    out.append(System.of(game).latex())
    return "\n".join(out) + "\n"
