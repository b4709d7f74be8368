"""LaTeX renderings (booktabs tables, a fragment for a paper)."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import sympy

if TYPE_CHECKING:
    from .._game import Game
    from .._results import Analysis

from ._cells import (
    INERT_SENTENCE,
    _as_sympy,
    _compacting,
    _continuum_coordinates,
    _decimal_text,
    _det_trace_of,
    _flag,
    _gaussian,
    _journal_notes,
    _journal_rows,
    _journal_state_header,
    _latex_names,
    _Lazy,
    _mode_sentence,
    _payoff_layout,
    _tex,
    _tex_bounds,
    _tex_complex,
    _tex_condition,
    _tex_eigen,
    _tex_label,
    _tex_math,
    _tex_number,
    _tex_state,
    _tex_table,
    _tex_text,
    _title_line,
    _to_complex,
    _undecided_condition,
    _verdict,
    _verdict_dynamics,
    _where,
)
from ._dynamics import dynamics_of, title_of


def analysis_to_latex(a: Analysis, *, fit_width: bool = False, where: bool = True) -> str:
    r"""A LaTeX fragment for a paper: the replicator equations, the rest-point table
    (state, eigenvalues, verdict, Nash, strict Nash and ESS flags), the conditions under which
    each rest point exists and is stable, continua and the det/trace table.

    Tables use booktabs; the fragment compiles inside a document that loads
    ``\usepackage{booktabs,amsmath,tabularx}``. Parameters are written with their declared
    LaTeX names.
    With ``fit_width``, tables wider than the line are shrunk to it (needs the ``\fitwidth``
    macro of the report's preamble). Long formulas are compact, their names defined in a
    *where* list before the tables (``where=False`` leaves that list to the caller).

    Examples
    --------
    >>> from lmc_games import Game
    >>> from lmc_games._analysis import analyze
    >>> mp = Game.bimatrix([[1, -1], [-1, 1]], [[-1, 1], [1, -1]], name="pennies")
    >>> tex = analysis_to_latex(analyze(mp))
    >>> row = r"r1+\allowbreak{}r2, c1+\allowbreak{}c2 & $x = \frac{1}{2},\ y = \frac{1}{2}$"
    >>> r"\toprule" in tex and row in tex
    True
    """
    with _compacting(a.game, _verdict_dynamics(a)) as holder:
        return _analysis_latex(a, holder, fit_width, where)


def _analysis_latex(a: Analysis, holder: _Lazy, fit_width: bool, where: bool) -> str:
    game = a.game
    names = _latex_names(game)
    out = [f"% Rest points of {' '.join(_title_line(game).split())}, computed by lmc_games."]
    out.append("% " + _mode_sentence(a))
    if not a.symbolic and a.values is not None and game.parameters:
        vals = ", ".join(
            f"{p.name} = {_decimal_text(a.values.get(p.name, p.value))}" for p in game.parameters
        )
        out.append(f"% Parameters: {vals}.")
    out.append(a.system.latex(width=EQUATION_WIDTH if fit_width else None))
    if a.inert_parameters:
        params = game.parameter_map
        for name in a.inert_parameters:
            sym = params[name].symbol if name in params else sympy.Symbol(name)
            out.append("")
            out.append(f"${_tex(sym, names)}$ {_tex_text(INERT_SENTENCE)}.")
    title = _tex_text(game.title or game.name)
    where_at = len(out)
    rows = []
    for rp in a.rest_points:
        rows.append(
            [
                _tex_label_cell(rp.label),
                _tex_state(game, rp, names),
                _tex_eigen(rp, names, a.symbolic),
                _verdict(rp.stability),
                _flag(rp.nash).replace("-", "--"),
                _flag(rp.strict_nash).replace("-", "--"),
                _flag(rp.ess).replace("-", "--"),
            ]
        )
    out.append("")
    out += _tex_xtable(
        rf"@{{}}{_LABEL}{_X}{_X}lccc@{{}}",
        ["Rest point", "State", "Eigenvalues", "Verdict", "Nash", "Strict Nash", "ESS"],
        rows,
        caption=f"Rest points of the {_tex_text(dynamics_of(a).describe())}: {title}.",
        label=_tex_label(game.name, "rest-points"),
    )
    out += _tex_journal(a, names, title)
    if any(_undecided_condition(c) for rp in a.rest_points for c in (rp.exists_if, rp.stable_if)):
        cond_rows = [
            [
                _tex_label_cell(rp.label),
                _tex_condition(rp.exists_if, names),
                _tex_condition(rp.stable_if, names),
            ]
            for rp in a.rest_points
        ]
        out.append("")
        out += _tex_xtable(
            rf"@{{}}{_LABEL}{_X}{_X}@{{}}",
            ["Rest point", "Exists if", "Asymptotically stable if"],
            cond_rows,
            caption=f"Conditions on the parameters: {title}.",
            label=_tex_label(game.name, "conditions"),
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
                _tex_label_cell(r.label),
                *[_tex_math(v, names) for v in _det_trace_of(a, r)],
                _verdict(r.verdict),
            ]
            for r in a.det_trace
        ]
        out.append("")
        out += _tex_xtable(
            rf"@{{}}{_LABEL}{_X}{_X}l@{{}}",
            ["Rest point", r"$\det J$", r"$\operatorname{tr} J$", "Verdict"],
            rows,
            caption=f"Determinant and trace of the Jacobian at the rest points: {title}.",
            label=_tex_label(game.name, "det-trace"),
        )
    for note in a.notes:
        out += ["% Note: " + line for line in textwrap.wrap(" ".join(note.split()), 95)]
    if where:
        out[where_at:where_at] = _tex_where(holder, names)
    return "\n".join(out) + "\n"


def _tex_where(holder: _Lazy, names: Mapping[sympy.Symbol, str]) -> list[str]:
    """The *where* block as a list: payoff advantages in the named coefficients, then each
    named quantity the tables use, defined once."""
    advantages, named = _where(holder)
    if not named:
        return []
    out = ["", r"\noindent The tables below use these names:", r"\begin{itemize}"]
    for v, adv, pop in advantages:
        vt = _tex(v, names)
        at = _tex(adv, names)
        out.append(
            rf"\item payoff advantage in {_tex_text(pop)}: ${at}$, so that "
            rf"$\dot {vt} = {vt}(1 - {vt})\left({at}\right)$"
        )
    for n in named:
        defined = _tex(n.definition, names, compact=False)
        out.append(rf"\item ${_tex(n.symbol, names)} = {defined}$")
    return [*out, r"\end{itemize}"]


EQUATION_WIDTH = 110
"""Characters of a displayed equation's line with ``fit_width`` (the report's landscape page
at 11 pt holds about 130; see :func:`lmc_games._render._breaking.visible_width`)."""


def game_to_latex(game: Game, *, fit_width: bool = False, dynamics: Any = None) -> str:
    r"""A LaTeX fragment describing a game: the parameter table, the payoff table (a bimatrix
    for two populations, cells ``a, b``; the matrix of a symmetric game) and the replicator
    equations (or those of ``dynamics``, a Dynamics or its spec). Needs
    ``\usepackage{booktabs,amsmath}``.

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
    # With fit_width the equations too keep within the line (landscape page, 11 pt), broken
    # at the signs of their sums.
    width = EQUATION_WIDTH if fit_width else None
    if dynamics is None:
        out.append(System.of(game).latex(width=width))
    else:
        from ..dynamics import dynamics_from_spec

        dyn = dynamics_from_spec(dynamics)
        if dyn.name != "replicator":
            out.append(f"% {_tex_text(title_of(dyn))}")
        out.append(System.of(game, dyn).latex(width=width))
    return "\n".join(out) + "\n"


_X = r">{\raggedright\arraybackslash}X"
_LABEL = r">{\raggedright\arraybackslash}p{0.2\linewidth}"


def _tex_xtable(
    spec: str, header: list[str], rows: list[list[str]], *, caption: str, label: str
) -> list[str]:
    """A booktabs table as wide as the line (``tabularx``), its ``X`` columns wrapping."""
    out = [
        r"\begin{table}[htbp]",
        r"\centering",
        r"\small",
        rf"\caption{{{caption}}}",
        rf"\label{{{label}}}",
        rf"\begin{{tabularx}}{{\linewidth}}{{{spec}}}",
        r"\toprule",
        " & ".join(header) + r" \\",
        r"\midrule",
    ]
    out += [" & ".join(row) + r" \\" for row in rows]
    out += [r"\bottomrule", r"\end{tabularx}", r"\end{table}"]
    return out


def _tex_sign(s: str) -> str:
    return {"+": "$+$", "−": "$-$", "0": "$0$", "+ or 0": r"$\geq 0$", "− or 0": r"$\leq 0$"}.get(
        s, _tex_text(s)
    )


def _tex_journal(a: Analysis, names: Mapping[sympy.Symbol, str], title: str) -> list[str]:
    """The stability table as applied papers print it: one row per pure profile E1, E2, ...
    (state, eigenvalues, their signs, verdict, condition for asymptotic stability), split in
    two tables when there are three or more eigenvalues so that it fits a portrait page; then
    the profiles' names and the notes."""
    rows = _journal_rows(a)
    if not rows:
        return []
    game = a.game
    n = max(len(r.eigenvalues) for r in rows)
    state_head = "$" + _tex_text(_journal_state_header(game)) + "$"
    lam = [rf"$\lambda_{{{i + 1}}}$" for i in range(n)]

    def eig_cells(r) -> list[str]:
        cells = []
        for e in r.eigenvalues:
            if isinstance(e, complex):
                cells.append(f"${_tex_complex(e)}$")
            elif _as_sympy(e).is_number and _gaussian(e) is None:
                cells.append(f"$\\approx {_tex_complex(_to_complex(e))}$")
            else:
                cells.append(_tex_math(e, names))
        return cells + [""] * (n - len(cells))

    def state_cell(r) -> str:
        return "$(" + ", ".join(_tex(s, names) for s in r.state) + ")$"

    signs = [", ".join(_tex_sign(s) for s in r.signs) for r in rows]
    cond = [_tex_condition(r.condition, names) for r in rows]
    out = [""]
    caption = f"Stability of the pure profiles: {title}."
    label = _tex_label(game.name, "stability")
    small = r">{\raggedright\arraybackslash}p{1.7cm}"
    if n <= 2:
        body = [
            [f"$E_{{{r.number}}}$", state_cell(r), *eig_cells(r), s, _tex_text(r.verdict), c]
            for r, s, c in zip(rows, signs, cond)
        ]
        out += _tex_xtable(
            "@{}ll" + _X * n + small + small + _X + "@{}",
            ["", state_head, *lam, "Signs", "Verdict", "Asymptotically stable if"],
            body,
            caption=caption,
            label=label,
        )
    else:
        body = [
            [f"$E_{{{r.number}}}$", state_cell(r), *eig_cells(r), s] for r, s in zip(rows, signs)
        ]
        out += _tex_xtable(
            "@{}ll" + _X * n + small + "@{}",
            ["", state_head, *lam, "Signs"],
            body,
            caption=caption + " Eigenvalues.",
            label=label,
        )
        body = [
            [f"$E_{{{r.number}}}$", state_cell(r), _tex_text(r.verdict), c]
            for r, c in zip(rows, cond)
        ]
        out += [""]
        out += _tex_xtable(
            "@{}ll" + small + _X + "@{}",
            ["", state_head, "Verdict", "Asymptotically stable if"],
            body,
            caption=caption + " Verdicts and conditions.",
            label=label + "-conditions",
        )
    out += [
        "",
        r"\noindent "
        + "; ".join(f"$E_{{{r.number}}}$: {_tex_label_cell(r.label)}" for r in rows)
        + ".",
    ]
    notes = _journal_notes(a, rows)
    if notes:
        out += ["", r"\noindent Notes:", r"\begin{itemize}"]
        out += [rf"\item {_tex_text(note)}" for note in notes]
        out += [r"\end{itemize}"]
    return out


def _tex_label_cell(label: str) -> str:
    """A rest point's label for a narrow column: it may break after ``+`` and ``,``."""
    return _tex_text(label).replace("+", r"+\allowbreak{}")
