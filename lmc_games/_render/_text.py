"""Plain-text renderings for the terminal, laid out for 100 columns."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import sympy

if TYPE_CHECKING:
    from .._game import Game
    from .._results import Analysis

from ._cells import (
    _SHORT,
    INERT_SENTENCE,
    WIDTH,
    _compacting,
    _condition_words,
    _continuum_points,
    _decimal_text,
    _det_trace_of,
    _eigen_text,
    _expr_cell,
    _expr_text,
    _flag,
    _Lazy,
    _mode_sentence,
    _multilinear_note,
    _notes_of,
    _parameter_value,
    _payoff_heading,
    _payoff_layout,
    _share_sentence,
    _sign,
    _state_text,
    _title_line,
    _verdict,
    _verdict_cell,
    _verdict_dynamics,
    _verdict_message,
    _where,
)
from ._dynamics import equations_title, title_of


def _text_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    indent: int = 2,
    *,
    wrap_last: bool = False,
) -> list[str]:
    """Left-aligned columns separated by two spaces, a rule under the header.

    A table wider than :data:`WIDTH` wraps its last column when ``wrap_last`` (free text such
    as a parameter's meaning) and at least 30 columns are left for it; otherwise it is written
    as one record per row: the first cell on a line of its own, the others as
    ``header: value`` pairs, wrapped.
    """
    widths = [len(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))
    pad = " " * indent
    total = indent + sum(widths) + 2 * (len(widths) - 1)
    if total > WIDTH and wrap_last and WIDTH - (total - widths[-1]) >= 30:
        room = WIDTH - (total - widths[-1])
        head = widths[:-1]
        out = [
            (pad + "  ".join(h.ljust(w) for h, w in zip(headers, [*head, 0]))).rstrip(),
            pad + "  ".join("-" * w for w in [*head, room]),
        ]
        for row in rows:
            parts = textwrap.wrap(row[-1], room, break_long_words=False) or [""]
            first = pad + "  ".join(c.ljust(w) for c, w in zip(row[:-1], head))
            out.append((first + "  " + parts[0]).rstrip())
            blank = " " * (len(first) + 2)
            out.extend(blank + more for more in parts[1:])
        return out
    if total > WIDTH:
        out = []
        for row in rows:
            out.append(pad + row[0])
            # A no-break space keeps each header with the start of its value when wrapping.
            pairs = "; ".join(f"{h}:\xa0{c}" for h, c in zip(headers[1:], row[1:]) if c)
            out += [w.replace("\xa0", " ") for w in _wrap(pairs, pad + "    ", pad + "      ")]
        return out

    def line(cells: Sequence[str]) -> str:
        return (pad + "  ".join(c.ljust(w) for c, w in zip(cells, widths))).rstrip()

    out = [line(headers), pad + "  ".join("-" * w for w in widths)]
    out.extend(line(r) for r in rows)
    return out


def _wrap(text: str, indent: str = "  ", subsequent: str | None = None) -> list[str]:
    return textwrap.wrap(
        text,
        width=WIDTH,
        initial_indent=indent,
        subsequent_indent=indent if subsequent is None else subsequent,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [indent.rstrip()]


def _text_parameters(a: Analysis) -> list[str]:
    game = a.game
    if not game.parameters:
        return ["Parameters: none"]
    if a.symbolic or a.values is None:
        rows = [[p.name, p.bounds_text(), p.description] for p in game.parameters]
        table = _text_table(["symbol", "range", "meaning"], rows, wrap_last=True)
        return ["Parameters (kept as symbols)", *table]
    rows = []
    for p in game.parameters:
        value = a.values.get(p.name, game.values.get(p.name, p.value))
        text = _decimal_text(value)
        if value != p.value:
            text += f" (default {_decimal_text(p.value)})"
        rows.append([p.name, text, p.description])
    return ["Parameters", *_text_table(["symbol", "value", "meaning"], rows, wrap_last=True)]


def _text_inert(a: Analysis) -> list[str]:
    if not a.inert_parameters:
        return []
    out = ["Inert parameters"]
    for name in a.inert_parameters:
        out.extend(_wrap(f"{name} {INERT_SENTENCE}.", "  ", "    "))
    return out


def _text_equations(system: Any) -> list[str]:
    # A map in discrete time gives the increment of each share per step, x' - x = F(x).
    time = getattr(getattr(system, "dynamics", None), "time", None)
    discrete = time is not None and time.value == "discrete"
    out = []
    for v, f in zip(system.variables, system.field):
        lhs = f"{v.name}' - {v.name}" if discrete else f"d{v.name}/dt"
        out.extend(_wrap(f"{lhs} = {_expr_text(f)}", "  ", "      "))
    return out


def analysis_to_text(a: Analysis) -> str:
    r"""A terminal report of an analysis, laid out for 100 columns.

    It gives the model, the parameter values, the inert parameters, the replicator
    equations, a table of rest points (state, rounded eigenvalues, verdict, Nash, strict Nash
    and ESS flags), then for each rest point the exact values, the reason for its verdict and
    the conditions under which it exists and is stable, the continua of rest points, the
    det/trace table of a two-dimensional system and the analysis notes.

    Examples
    --------
    >>> from lmc_games import Game
    >>> from lmc_games._analysis import analyze
    >>> mp = Game.bimatrix([[1, -1], [-1, 1]], [[-1, 1], [1, -1]], name="pennies")
    >>> report = analysis_to_text(analyze(mp))
    >>> print(report.split("Rest points")[1].split("\n\n")[0])  # doctest: +NORMALIZE_WHITESPACE
    rest point    state             eigenvalues  verdict  Nash  strict  ESS
    ------------  ----------------  -----------  -------  ----  ------  ---
    r1, c1        x = 1, y = 1      -2, 2        saddle   no    no      no
    r1, c2        x = 1, y = 0      -2, 2        saddle   no    no      no
    r2, c1        x = 0, y = 1      -2, 2        saddle   no    no      no
    r2, c2        x = 0, y = 0      -2, 2        saddle   no    no      no
    r1+r2, c1+c2  x = 0.5, y = 0.5  ±i           centre   yes   no      no
    strict = strict Nash; - = undecided or not applicable; ~ = rounded
    """
    with _compacting(a.game, _verdict_dynamics(a)) as holder:
        return _analysis_text(a, holder)


def _analysis_text(a: Analysis, holder: _Lazy) -> str:
    game = a.game
    lines: list[str] = [f"Analysis of {_title_line(game)}", *_wrap(_mode_sentence(a), "")]
    lines += ["", *_text_parameters(a)]
    inert = _text_inert(a)
    if inert:
        lines += ["", *inert]
    lines += ["", equations_title(a)]
    lines += _text_equations(a.system)

    where_at = len(lines)
    lines += ["", "Rest points"]
    if a.rest_points:
        rows = []
        for rp in a.rest_points:
            state = _state_text(game, rp, short=True)
            eig = _eigen_text(rp, short=True)
            if a.symbolic and len(state) > 3 * _SHORT:
                state = "(see below)"
            if a.symbolic and len(eig) > 3 * _SHORT:
                eig = "(see below)"
            rows.append(
                [
                    rp.label,
                    state,
                    eig,
                    _verdict_cell(rp),
                    _flag(rp.nash),
                    _flag(rp.strict_nash),
                    _flag(rp.ess),
                ]
            )
        headers = ["rest point", "state", "eigenvalues", "verdict", "Nash", "strict", "ESS"]
        lines += _text_table(headers, rows)
        lines.append("  strict = strict Nash; - = undecided or not applicable; ~ = rounded")
    else:
        lines.append("  none found")
    if not a.complete:
        lines += _wrap(
            "The list may be incomplete: not every face could be solved exactly (see notes).",
            "  ",
        )

    for rp in a.rest_points:
        lines += ["", f"{rp.label}"]
        lines += _wrap(f"state: {_state_text(game, rp, short=False)}", "  ", "    ")
        lines += _wrap(f"eigenvalues: {_eigen_text(rp, short=False)}", "  ", "    ")
        if not rp.is_pure and _multilinear_note(holder, a):
            lines += _wrap(
                "theorem: never asymptotically stable - in a multi-population game with "
                "multilinear payoffs only strict Nash equilibria (pure profiles) can be (Selten "
                "1980; Ritzberger & Weibull 1995)",
                "  ",
                "    ",
            )
        if rp.stability is not None:
            verdict = f"verdict: {rp.stability.value} - {_verdict_message(a, rp.stability)}"
        elif rp.stable_if is sympy.false:
            verdict = "verdict: depends on the parameters; never asymptotically stable"
        else:
            verdict = (
                "verdict: depends on the parameters; asymptotically stable exactly when "
                "'stable if' holds"
            )
        lines += _wrap(verdict, "  ", "    ")
        if _verdict(rp.stability) == "non-hyperbolic" and rp.asymptotically_stable:
            lines += _wrap("asymptotically stable all the same (see why)", "  ", "    ")
        if rp.reason:
            lines += _wrap(f"why: {rp.reason}", "  ", "    ")
        lines += _wrap(
            f"exists if: {_condition_words(rp.exists_if)}; "
            f"stable if: {_condition_words(rp.stable_if)}",
            "  ",
            "    ",
        )
        if rp.nash_if is not None and a.symbolic:
            lines += _wrap(f"Nash if: {_condition_words(rp.nash_if)}", "  ", "    ")
        for note in _notes_of(a, rp):
            lines += _wrap(f"note: {note}", "  ", "    ")

    if a.continua:
        lines += ["", "Continua of rest points"]
        for c in a.continua:
            lines += _wrap(
                f"{c.face} (dimension {c.dimension}): {_continuum_points(a.game, c)}", "  ", "    "
            )
            lines += _wrap(f"verdict at a generic point: {_verdict(c.stability)}", "    ")
            if c.exists_if is not sympy.true:
                lines += _wrap(f"exists if: {_condition_words(c.exists_if)}", "    ")
            if c.description:
                lines += _wrap(c.description, "    ")

    if a.det_trace:
        lines += ["", "Det/trace table (two-dimensional system)"]
        rows = [
            [
                r.label,
                *[_expr_cell(v, a.symbolic) for v in _det_trace_of(a, r)],
                f"{_sign(r.det_sign)} / {_sign(r.trace_sign)}",
                _verdict(r.verdict),
            ]
            for r in a.det_trace
        ]
        lines += _text_table(["rest point", "det", "trace", "signs", "det/trace verdict"], rows)
        notes = [r.note for r in a.det_trace]
        if len(a.det_trace) > 1 and all(n == notes[0] for n in notes):
            lines += _wrap(f"every row: {notes[0]}", "  ", "    ") if notes[0] else []
        else:
            for r in a.det_trace:
                if r.note:
                    lines += _wrap(f"{r.label}: {r.note}", "  ", "    ")

    if a.notes:
        lines += ["", "Notes"]
        for note in a.notes:
            lines += _wrap(note, "  - ", "    ")
    lines[where_at:where_at] = _text_where(holder)
    return "\n".join(lines) + "\n"


def _text_where(holder: _Lazy) -> list[str]:
    """The *where* block: the payoff advantages in the named coefficients, then every named
    quantity the formulas use, each defined once."""
    advantages, named = _where(holder)
    if not named:
        return []
    out = ["", "Where (the formulas below use these names)"]
    for v, adv, pop in advantages:
        out += _wrap(
            f"payoff advantage in {pop}: {_expr_text(adv)}, so that d{v.name}/dt = "
            f"{v.name}*(1 - {v.name})*({_expr_text(adv)})",
            "  ",
            "      ",
        )
    for n in named:
        out += _wrap(f"{n.symbol.name} = {_expr_text(n.definition, compact=False)}", "  ", "      ")
    return out


def game_to_text(game: Game, *, dynamics: Any = None) -> str:
    r"""A terminal description of a game for ``lmc-games show``: populations, parameters,
    payoff table, replicator equations, scenarios and references.

    Examples
    --------
    >>> from lmc_games import Game
    >>> mp = Game.bimatrix([[1, -1], [-1, 1]], [[-1, 1], [1, -1]], name="pennies")
    >>> print(game_to_text(mp).split("\n\n")[3])
    Payoffs (row , column)
           column
      row  c1      c2
      ---  ------  ------
      r1   1 , -1  -1 , 1
      r2   -1 , 1  1 , -1
    """
    from .._system import System
    from ..dynamics import dynamics_from_spec

    lines = [_title_line(game)]
    if game.description:
        lines += _wrap(" ".join(game.description.split()), "  ")
    lines += ["", "Populations"]
    for pop in game.populations:
        lines += _wrap(
            f"{pop.name} ({pop.label}): {', '.join(pop.strategies)}; {_share_sentence(pop)}",
            "  ",
            "    ",
        )

    lines += ["", "Parameters"]
    if game.parameters:
        rows = [
            [p.name, _parameter_value(game, p), p.bounds_text(), p.description]
            for p in game.parameters
        ]
        lines += _text_table(["symbol", "value", "bounds", "meaning"], rows, wrap_last=True)
    else:
        lines.append("  none")

    if game.definitions:
        lines += ["", "Definitions"]
        for k, v in game.definitions.items():
            lines += _wrap(f"{k} = {_expr_text(v)}", "  ", "    ")

    lines += ["", _payoff_heading(game)]
    for heading, rows_, cols, cells in _payoff_layout(game):
        if heading:
            lines.append(f"  when {heading}")
        body = [
            [r, *[" , ".join(_expr_text(e) for e in cell) for cell in row]]
            for r, row in zip(rows_, cells)
        ]
        if len(game.populations) >= 2 and not game.is_symmetric:
            first = game.populations[0].name
            table = _text_table([first, *cols], body)
            top = " " * 2 + " " * (max(len(first), *(len(r) for r in rows_)) + 2)
            lines.append(top + game.populations[1].name)
            lines += table
        else:
            lines += _text_table(["", *cols], body)

    dyn = None if dynamics is None else dynamics_from_spec(dynamics)
    system = System.of(game, dyn)
    lines += ["", title_of(dyn)]
    lines += _text_equations(system)
    if dyn is not None and dyn.name != "replicator":
        lines.append(f"  Rest points: {dyn.rest_points.value}.")

    if game.scenarios:
        lines += ["", "Scenarios"]
        for name, values in game.scenarios.items():
            changes = ", ".join(f"{k} = {_decimal_text(v)}" for k, v in values.items())
            lines += _wrap(f"{name}: {changes or 'the defaults'}", "  ", "    ")
    if game.references:
        lines += ["", "References"]
        for ref in game.references:
            lines += _wrap(ref, "  - ", "    ")
    return "\n".join(lines) + "\n"
