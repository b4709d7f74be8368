"""Markdown renderings (what notebooks and ``report.md`` show)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .._game import Game
    from .._results import Analysis

from ._cells import (
    INERT_SENTENCE,
    _compacting,
    _condition_words,
    _continuum_points,
    _decimal_text,
    _det_trace_of,
    _eigen_text,
    _expr_cell,
    _expr_text,
    _flag,
    _journal_notes,
    _journal_rows,
    _journal_state_header,
    _journal_value,
    _Lazy,
    _md_code,
    _md_equations,
    _md_table,
    _md_text,
    _mode_sentence,
    _notes_of,
    _parameter_value,
    _payoff_caption,
    _payoff_layout,
    _share_sentence,
    _state_text,
    _verdict,
    _verdict_dynamics,
    _verdict_message,
    _where,
)
from ._dynamics import equations_title, title_of


def analysis_to_markdown(a: Analysis) -> str:
    """A Markdown report of an analysis: parameters, inert parameters, equations, a rest-point
    table with verdicts and conditions, continua, the det/trace table and notes.

    Expressions are written in the model-file formula syntax, in code spans.

    Examples
    --------
    >>> from lmc_games import Game
    >>> from lmc_games._analysis import analyze
    >>> mp = Game.bimatrix([[1, -1], [-1, 1]], [[-1, 1], [1, -1]], name="pennies")
    >>> md = analysis_to_markdown(analyze(mp))
    >>> md.splitlines()[0]
    '# Rest points of pennies'
    >>> "| `r1+r2, c1+c2` |" in md
    True
    """
    title = a.game.title or a.game.name
    lines = [f"# Rest points of {_md_text(title)}", ""]
    lines += analysis_sections(a)
    return "\n".join(lines) + "\n"


def analysis_sections(
    a: Analysis, *, level: int = 2, skip: Sequence[str] = (), where: bool = True
) -> list[str]:
    """The body of :func:`analysis_to_markdown` without its title: an introduction, then its
    sections under headings of ``level`` (sub-sections one deeper), leaving out the sections
    whose titles are in ``skip`` (e.g. ``"Replicator equations"`` where the equations are
    printed already). Long formulas are compact, with a *where* block defining the names
    (``where=False`` leaves it to a caller that renders several analyses under one
    :func:`_compacting`). The report composes its sections from this."""
    with _compacting(a.game, _verdict_dynamics(a)) as holder:
        return _sections(a, holder, level, skip, where)


def _sections(
    a: Analysis, holder: _Lazy, level: int, skip: Sequence[str], where: bool
) -> list[str]:
    game = a.game
    h = "#" * level
    lines: list[str] = []
    intro = f"Model `{game.name}`"
    if game.scenario_name:
        intro += f", scenario `{game.scenario_name}`"
    lines += [intro + ". " + _mode_sentence(a), ""]

    if game.parameters:
        if a.symbolic or a.values is None:
            rows = [
                [_md_code(p.name), p.bounds_text(), _md_text(p.description)]
                for p in game.parameters
            ]
            lines += _md_table(["Parameter", "Range", "Meaning"], rows)
        else:
            rows = []
            for p in game.parameters:
                value = a.values.get(p.name, game.values.get(p.name, p.value))
                rows.append(
                    [_md_code(p.name), _md_code(_decimal_text(value)), _md_text(p.description)]
                )
            lines += _md_table(["Parameter", "Value", "Meaning"], rows)
        lines.append("")
    if a.inert_parameters:
        lines.append("**Inert parameters.**")
        lines.append("")
        for name in a.inert_parameters:
            lines.append(f"- `{name}` {INERT_SENTENCE}.")
        lines.append("")

    eq_title = equations_title(a)
    if eq_title not in skip:
        lines += [f"{h} {eq_title}", "", *_md_equations(a.system), ""]
    where_at = len(lines)
    lines += [f"{h} Rest points", ""]
    if a.rest_points:
        headers = [
            "Rest point",
            "State",
            "Eigenvalues",
            "Verdict",
            "Asymptotically stable",
            "Nash",
            "Strict Nash",
            "ESS",
            "Exists if",
            "Stable if",
        ]
        rows = []
        for rp in a.rest_points:
            rows.append(
                [
                    _md_code(rp.label),
                    _md_code(_state_text(game, rp, short=not a.symbolic)),
                    _md_code(_eigen_text(rp, short=not a.symbolic)),
                    _verdict(rp.stability),
                    _flag(rp.asymptotically_stable),
                    _flag(rp.nash),
                    _flag(rp.strict_nash),
                    _flag(rp.ess),
                    _md_code(_condition_words(rp.exists_if)),
                    _md_code(_condition_words(rp.stable_if)),
                ]
            )
        lines += _md_table(headers, rows)
        lines += ["", "`~` marks a rounded value; `-` a flag not decided or not applicable.", ""]
        lines += [f"{h}# Why", ""]
        for rp in a.rest_points:
            reason = rp.reason or (
                _verdict_message(a, rp.stability) if rp.stability else "undecided"
            )
            lines.append(f"- `{rp.label}`: {_md_text(reason)}")
            for note in _notes_of(a, rp):
                lines.append(f"  - {_md_text(note)}")
    else:
        lines.append("No rest points found.")
    if not a.complete:
        lines += ["", "The list may be incomplete: not every face could be solved exactly."]

    lines += _md_journal(a, h)
    if a.continua:
        lines += ["", f"{h} Continua of rest points", ""]
        rows = [
            [
                _md_code(c.face),
                str(c.dimension),
                _md_code(_continuum_points(a.game, c)),
                _verdict(c.stability),
                _md_text(c.description),
            ]
            for c in a.continua
        ]
        lines += _md_table(["Face", "Dimension", "Points", "Verdict", "Description"], rows)
    if a.det_trace:
        lines += ["", f"{h} Det/trace table", ""]
        rows = [
            [
                _md_code(r.label),
                *[_md_code(_expr_cell(v, a.symbolic)) for v in _det_trace_of(a, r)],
                _verdict(r.verdict),
                _md_text(r.note),
            ]
            for r in a.det_trace
        ]
        lines += _md_table(["Rest point", "det J", "tr J", "Verdict", "Note"], rows)
    if a.notes:
        lines += ["", f"{h} Notes", ""]
        lines += [f"- {_md_text(n)}" for n in a.notes]
    if where:
        lines[where_at:where_at] = _md_where(holder, h)
    return lines


def _md_where(holder: _Lazy, h: str) -> list[str]:
    """The *where* block: payoff advantages in the named coefficients, then each named
    quantity the formulas use, defined once."""
    advantages, named = _where(holder)
    if not named:
        return []
    out = [f"{h} Where", "", "The formulas below use these names.", ""]
    for v, adv, pop in advantages:
        out.append(
            f"- payoff advantage in {_md_text(pop)}: `{_expr_text(adv)}`, so that "
            f"`d{v.name}/dt = {v.name}*(1 - {v.name})*({_expr_text(adv)})`"
        )
    for n in named:
        out.append(f"- `{n.symbol.name} = {_expr_text(n.definition, compact=False)}`")
    return [*out, ""]


def game_to_markdown(game: Game, *, dynamics: Any = None) -> str:
    r"""A Markdown description of a game: parameter table, payoff table, replicator equations
    (or those of ``dynamics``, a :class:`~lmc_games.dynamics.Dynamics` or its spec).

    Examples
    --------
    >>> from lmc_games import Game
    >>> mp = Game.bimatrix([[1, -1], [-1, 1]], [[-1, 1], [1, -1]], name="pennies")
    >>> print(game_to_markdown(mp))  # doctest: +ELLIPSIS
    # pennies
    ...
    | row \\ column | c1 | c2 |
    |---|---|---|
    | r1 | `1 , -1` | `-1 , 1` |
    | r2 | `-1 , 1` | `1 , -1` |
    ...
    """
    from .._system import System
    from ..dynamics import dynamics_from_spec

    lines = [f"# {_md_text(game.title or game.name)}", ""]
    intro = f"Model `{game.name}`"
    if game.scenario_name:
        intro += f", scenario `{game.scenario_name}`"
    lines += [intro + ".", ""]
    if game.description:
        lines += [_md_text(game.description), ""]
    lines += ["## Populations", ""]
    for pop in game.populations:
        lines.append(
            f"- `{pop.name}` ({_md_text(pop.label)}): "
            f"{_md_text(', '.join(pop.strategies))}; {_share_sentence(pop)}"
        )
    lines += ["", "## Parameters", ""]
    if game.parameters:
        rows = [
            [
                _md_code(p.name),
                _md_text(p.description),
                _md_code(_parameter_value(game, p)),
                p.bounds_text(),
            ]
            for p in game.parameters
        ]
        lines += _md_table(["Symbol", "Meaning", "Value", "Bounds"], rows)
    else:
        lines.append("None.")
    if game.definitions:
        lines += ["", "## Definitions", ""]
        lines += [f"- `{k} = {_expr_text(v)}`" for k, v in game.definitions.items()]
    lines += ["", "## Payoffs", "", _payoff_caption(game), ""]
    for heading, rows_, cols, cells in _payoff_layout(game):
        if heading:
            lines += [f"When {_md_text(heading)}:", ""]
        if game.is_symmetric or len(game.populations) == 1:
            corner = ""
        else:
            corner = _md_text(f"{game.populations[0].name} \\ {game.populations[1].name}")
        body = [
            [_md_text(r), *[_md_code(" , ".join(_expr_text(e) for e in cell)) for cell in row]]
            for r, row in zip(rows_, cells)
        ]
        lines += _md_table([corner, *[_md_text(c) for c in cols]], body)
        lines.append("")
    dyn = None if dynamics is None else dynamics_from_spec(dynamics)
    lines += [f"## {title_of(dyn)}", ""]
    lines += _md_equations(System.of(game, dyn))
    if game.scenarios:
        lines += ["", "## Scenarios", ""]
        for name, values in game.scenarios.items():
            changes = ", ".join(f"`{k} = {_decimal_text(v)}`" for k, v in values.items())
            lines.append(f"- `{name}`: {changes or 'the defaults'}")
    if game.references:
        lines += ["", "## References", ""]
        lines += [f"- {_md_text(ref, keep='_')}" for ref in game.references]
    return "\n".join(lines) + "\n"


def _md_journal(a: Analysis, h: str) -> list[str]:
    """The stability table as applied papers print it, one row per pure profile E1, E2, ...,
    then its notes."""
    rows = _journal_rows(a)
    if not rows:
        return []
    n = max(len(r.eigenvalues) for r in rows)
    headers = [
        "",
        "Rest point",
        f"State {_journal_state_header(a.game)}",
        *[f"λ{i + 1}" for i in range(n)],
        "Signs",
        "Verdict",
        "Asymptotically stable if",
    ]
    body = []
    for r in rows:
        eigs = [_md_code(_journal_value(e)) for e in r.eigenvalues]
        eigs += [""] * (n - len(eigs))
        body.append(
            [
                f"E{r.number}",
                _md_code(r.label),
                "(" + ", ".join(_journal_value(s) for s in r.state) + ")",
                *eigs,
                ", ".join(r.signs),
                r.verdict,
                _md_code(_condition_words(r.condition)),
            ]
        )
    out = ["", f"{h} Stability of the pure profiles", ""]
    out += _md_table(headers, body)
    notes = _journal_notes(a, rows)
    if notes:
        out += ["", "Notes:", ""]
        out += [f"- {_md_text(note)}" for note in notes]
    return out
