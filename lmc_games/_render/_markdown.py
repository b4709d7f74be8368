"""Markdown renderings (what notebooks and ``report.md`` show)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .._game import Game
    from .._results import Analysis

from ._cells import (
    INERT_SENTENCE,
    _condition_words,
    _continuum_points,
    _decimal_text,
    _eigen_text,
    _expr_cell,
    _expr_text,
    _flag,
    _is_replicator,
    _md_code,
    _md_equations,
    _md_table,
    _md_text,
    _mode_sentence,
    _parameter_value,
    _payoff_caption,
    _payoff_layout,
    _share_sentence,
    _state_text,
    _verdict,
)


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


def analysis_sections(a: Analysis, *, level: int = 2, skip: Sequence[str] = ()) -> list[str]:
    """The body of :func:`analysis_to_markdown` without its title: an introduction, then its
    sections under headings of ``level`` (sub-sections one deeper), leaving out the sections
    whose titles are in ``skip`` (e.g. ``"Replicator equations"`` where the equations are
    printed already). The report composes its sections from this."""
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

    eq_title = "Replicator equations" if _is_replicator(a) else "Equations"
    if eq_title not in skip:
        lines += [f"{h} {eq_title}", "", *_md_equations(a.system), ""]
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
            reason = rp.reason or (rp.stability.message if rp.stability else "undecided")
            lines.append(f"- `{rp.label}`: {_md_text(reason)}")
            for note in rp.notes:
                lines.append(f"  - {_md_text(note)}")
    else:
        lines.append("No rest points found.")
    if not a.complete:
        lines += ["", "The list may be incomplete: not every face could be solved exactly."]

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
                _md_code(_expr_cell(r.det, a.symbolic)),
                _md_code(_expr_cell(r.trace, a.symbolic)),
                _verdict(r.verdict),
                _md_text(r.note),
            ]
            for r in a.det_trace
        ]
        lines += _md_table(["Rest point", "det J", "tr J", "Verdict", "Note"], rows)
    if a.notes:
        lines += ["", f"{h} Notes", ""]
        lines += [f"- {_md_text(n)}" for n in a.notes]
    return lines


def game_to_markdown(game: Game) -> str:
    r"""A Markdown description of a game: parameter table, payoff table, replicator equations.

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
    lines += ["## Replicator equations", ""]
    lines += _md_equations(System.of(game))
    if game.scenarios:
        lines += ["", "## Scenarios", ""]
        for name, values in game.scenarios.items():
            changes = ", ".join(f"`{k} = {_decimal_text(v)}`" for k, v in values.items())
            lines.append(f"- `{name}`: {changes or 'the defaults'}")
    if game.references:
        lines += ["", "## References", ""]
        lines += [f"- {_md_text(ref, keep='_')}" for ref in game.references]
    return "\n".join(lines) + "\n"
