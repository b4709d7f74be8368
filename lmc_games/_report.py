"""One command from a model to the tables, figures and data of a paper section.

:func:`report` writes into a directory:

* ``report.md`` and ``report.tex`` (and ``report.pdf`` when ``pdflatex`` is installed): the
  parameter table, the payoff table (for three populations, one sub-table per strategy of the
  third), the replicator equations, the Jacobian, the rest points at the default values with
  eigenvalues and verdicts, the symbolic conditions for existence and stability, the
  det/trace table of a two-dimensional system, the regime table (which rest point is stable
  under which inequalities) and the scenario table (the stable rest points at the defaults
  and in each named scenario), and the figures;
* ``figures/``: the phase diagram and a time series, as PDF (for the ``.tex``) and PNG;
* ``data/``: ``analysis.json`` (the ``analyze --format json`` object), ``rest_points.csv``,
  ``scenarios.csv`` and ``trajectories.csv``;
* ``provenance.json`` (library version, parameter values, solver settings, timestamps) and
  ``references.bib``.

``dynamics=`` writes the report for any dynamics (the replicator's by default): the equations
and the Jacobian are that dynamics', its name heads them, the rest points, scenarios and time
series are its own, ``data/analysis.json`` carries ``"dynamics"`` and ``provenance.json`` the
spec. The replicator's report is unchanged but for that provenance entry.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._errors import ReportError
from ._render._breaking import aligned_lines
from ._render._cells import (
    _compacted,
    _compacting,
    _condition_words,
    _latex_names,
    _tex_condition,
    _tex_text,
    _verdict_dynamics,
)
from ._render._dynamics import title_of
from ._render._latex import (
    EQUATION_WIDTH,
    _tex_journal,
    _tex_label_cell,
    _tex_where,
    analysis_to_latex,
    game_to_latex,
)
from ._render._markdown import _md_where, analysis_sections, game_to_markdown

if TYPE_CHECKING:
    from ._game import Game
    from ._results import Analysis

__all__ = ["Report", "ReportError", "ScenarioRow", "report", "scenario_table"]


@dataclass(frozen=True)
class ScenarioRow:
    """The stable rest points of a game in one scenario.

    Attributes
    ----------
    scenario : str
        The scenario's name, or ``"defaults"``.
    changes : Mapping
        The parameter values the scenario changes (empty for the defaults).
    stable : tuple of str
        Labels of the asymptotically stable rest points.
    centres : tuple of str
        Labels of centres (stable, not asymptotically).
    note : str
        ``"no asymptotically stable rest point"`` when ``stable`` is empty, else ``""``.
    """

    scenario: str
    changes: Mapping[str, Any]
    stable: tuple[str, ...]
    centres: tuple[str, ...]
    note: str = ""


def scenario_table(
    game: Game, *, dynamics: Any = None, _analyses: dict | None = None
) -> tuple[ScenarioRow, ...]:
    """The stable rest points at the default values and in each named scenario, under
    ``dynamics`` (a :class:`~lmc_games.dynamics.Dynamics` or its spec; default: the
    replicator dynamics).

    Examples
    --------
    >>> from lmc_games import load_model
    >>> for row in scenario_table(load_model("water_use")):
    ...     print(row.scenario, "|", "; ".join(row.stable))
    defaults | reasonable, reasonable
    bistable | reasonable, reasonable; excessive, excessive
    strong_supervision | reasonable, reasonable
    """
    from ._analysis import analyze
    from ._claims import _analysis_key
    from ._results import Stability

    # _analyses (private, from report()): numeric analyses keyed by _analysis_key, which this
    # table reads and adds its own to, so that the audit need not make them again.
    shared = {} if _analyses is None else _analyses
    base = game.with_values({p.name: p.value for p in game.parameters})
    rows = []
    for name in (None, *game.scenarios):
        g = base if name is None else base.scenario(name)
        key = _analysis_key(g, dynamics)
        an = shared.get(key)
        if an is None:
            an = shared[key] = analyze(g, dynamics=dynamics)
        stable = tuple(r.label for r in an.rest_points if r.asymptotically_stable)
        centres = tuple(r.label for r in an.rest_points if r.stability is Stability.CENTRE)
        rows.append(
            ScenarioRow(
                "defaults" if name is None else name,
                dict(game.scenarios[name]) if name is not None else {},
                stable,
                centres,
                "" if stable else "no asymptotically stable rest point",
            )
        )
    return tuple(rows)


@dataclass(frozen=True)
class Report:
    """What :func:`report` wrote.

    Attributes
    ----------
    directory : Path
    files : tuple of Path
        Every file written, relative to ``directory``.
    pdf : Path or None
        ``report.pdf`` if it was compiled.
    seconds : float
    """

    directory: Path
    files: tuple[Path, ...]
    pdf: Path | None
    seconds: float


def report(
    game: Game,
    out: str | os.PathLike,
    *,
    figures: bool = True,
    pdf: bool | None = None,
    t_end: float = 100.0,
    starts: int = 3,
    dynamics: Any = None,
) -> Report:
    """Write everything a paper needs for one model into the directory ``out``.

    Parameters
    ----------
    game : Game
        The model, with the values the report is for (its scenario, if any, is named).
    out : path
        The directory (created if absent; files of an earlier report are replaced).
    figures : bool
        Draw the figures (phase diagram, time series).
    pdf : bool, optional
        Compile ``report.tex`` with ``pdflatex``: ``None`` (default) when it is installed,
        ``True`` to require it (an error without it), ``False`` never.
    t_end, starts : float, int
        The time series: the ``--starts`` grid (docs/cli.md, "Starts and convergence"),
        integrated to ``t_end`` (a map in discrete time: iterated ``t_end`` times).
    dynamics : Dynamics or str, optional
        The dynamics of the report (default: the replicator dynamics).

    Returns
    -------
    Report

    Examples
    --------
    >>> import tempfile
    >>> from lmc_games import load_model
    >>> d = tempfile.mkdtemp()
    >>> r = report(load_model("hawk_dove"), d, figures=False, pdf=False)
    >>> sorted(str(f) for f in r.files)[:3]  # hawk_dove carries claims: the audit is data too
    ['data/analysis.json', 'data/audit.json', 'data/rest_points.csv']
    """
    from ._analysis import analyze
    from ._citation import citation
    from ._claims import _analysis_key
    from ._errors import DynamicsError
    from ._simulate import converge, simulate, starts_grid
    from .dynamics import Replicator, Time, dynamics_from_spec

    dyn = dynamics_from_spec(dynamics)
    # The replicator's report is written exactly as before dynamics existed.
    other = None if type(dyn) is Replicator else dyn

    t0 = time.perf_counter()
    began = datetime.now(UTC)
    root = Path(out)
    if root.exists() and not root.is_dir():
        raise ReportError(f"{root} exists and is not a directory")
    if pdf and not shutil.which("pdflatex"):
        raise ReportError("pdf=True needs pdflatex (e.g. Debian's texlive-latex-recommended)")
    (root / "data").mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def write(rel: str, text: str) -> None:
        (root / rel).write_text(text, encoding="utf-8")
        written.append(Path(rel))

    numeric = analyze(game, dynamics=dyn)
    # Every numeric analysis of this report, made once: the scenario table and the audit look
    # here before analysing a game again (the key holds the values, the free parameters with
    # their bounds, and the dynamics).
    analyses = {_analysis_key(game, dyn): numeric}
    try:
        symbolic = analyze(game, symbolic=True, dynamics=dyn)
    except (DynamicsError, NotImplementedError):
        # A dynamics whose rest points are found by a numeric search has no symbolic
        # conditions: the sections on conditions show the analysis at the values instead.
        symbolic = numeric
    scenarios = scenario_table(game, dynamics=dyn, _analyses=analyses)
    inits = starts_grid(game, starts)
    # The automatic step (docs/explanation/numerics.md): a step fixed here would be a forced
    # one, which large payoffs can make untrustworthy.
    sim = simulate(game, inits, t_end=t_end, dynamics=dyn)
    conv = converge(sim, numeric)
    step = float(sim.dt[0]) if sim.dt is not None else 0.05
    discrete = dyn.time is Time.DISCRETE
    audit = None
    if game.claims:
        from ._claims import check

        audit = check(game, _analyses=analyses)

    write("data/analysis.json", json.dumps(numeric.to_dict(), indent=1, allow_nan=False) + "\n")
    write("data/rest_points.csv", _rest_points_csv(game, numeric))
    write("data/scenarios.csv", _scenarios_csv(scenarios))
    sim.to_csv(root / "data/trajectories.csv")
    written.append(Path("data/trajectories.csv"))
    write("references.bib", citation(game))
    if audit is not None:
        write("data/audit.json", audit.to_json() + "\n")

    figs: list[tuple[str, str]] = []
    if figures:
        figs = _figures(game, sim, root, written, numeric)

    write(
        "report.md",
        _markdown(game, numeric, symbolic, scenarios, conv, figs, t_end, step, audit, other),
    )
    write("report.tex", _latex(game, numeric, symbolic, scenarios, figs, audit, other))
    compiled = None
    if pdf is None:
        pdf = shutil.which("pdflatex") is not None
    if pdf:
        compiled = _compile_tex(root)
        written.append(Path("report.pdf"))
    provenance = {
        "library": f"lmc_games {_version()}",
        "model": game.name,
        "scenario": game.scenario_name,
        "parameters": {k: str(v) for k, v in game.values.items()},
        "dynamics": dyn.spec(),
        "simulation": {
            "method": "map" if discrete else "rk4",
            "dt": step,
            "dt_choice": "one step per unit of time" if discrete else "automatic",
            "t_end": t_end,
            "starts": starts,
            "eps": 1e-3,
        },
        "started": began.isoformat(timespec="seconds"),
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "files": sorted(str(p) for p in written),
    }
    write("provenance.json", json.dumps(provenance, indent=1) + "\n")
    return Report(root, tuple(written), compiled, time.perf_counter() - t0)


def _version() -> str:
    from . import __version__

    return __version__


# ---------------------------------------------------------------------- data


def _rest_points_csv(game: Game, an: Analysis) -> str:
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    shares = [f"{p.name}:{s}" for p in game.populations for s in p.strategies]
    w.writerow(
        ["label", *shares, "stability", "asymptotically_stable", "nash", "ess", "eigenvalues"]
    )
    for r in an.rest_points:
        vals = [repr(v) for pop in (r.numeric_shares or ()) for v in pop]
        eig = ";".join(f"{z.real!r}{z.imag:+}j" for z in (r.numeric_eigenvalues or ()))
        w.writerow(
            [
                r.label,
                *vals,
                r.stability.value if r.stability else "",
                str(r.asymptotically_stable).lower(),
                _flag(r.nash),
                _flag(r.ess),
                eig,
            ]
        )
    return buf.getvalue()


def _flag(v: bool | None) -> str:
    return "" if v is None else str(v).lower()


def _scenarios_csv(rows: tuple[ScenarioRow, ...]) -> str:
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["scenario", "changes", "stable", "centres"])
    for r in rows:
        changes = "; ".join(f"{k} = {v}" for k, v in r.changes.items())
        w.writerow([r.scenario, changes, ";".join(r.stable), ";".join(r.centres)])
    return buf.getvalue()


def _figures(game, sim, root: Path, written: list[Path], analysis=None) -> list[tuple[str, str]]:
    from .plot import phase_figure, save, simulation_figure

    (root / "figures").mkdir(exist_ok=True)
    out = []
    # The phase diagram of the report's own numeric analysis (under its dynamics), not a
    # second one of the same game.
    fig = phase_figure(game) if analysis is None else phase_figure(game, analysis=analysis)
    for ext in ("pdf", "png"):
        save(fig, root / f"figures/phase.{ext}")
        written.append(Path(f"figures/phase.{ext}"))
    out.append(("phase", "Phase diagram; rest points marked by their stability verdict."))
    fig = simulation_figure(sim, game)
    for ext in ("pdf", "png"):
        save(fig, root / f"figures/time_series.{ext}")
        written.append(Path(f"figures/time_series.{ext}"))
    out.append(("time_series", "Shares over time from the grid of starts."))
    return out


# ---------------------------------------------------------------------- Markdown


def _markdown(game, numeric, symbolic, scenarios, conv, figs, t_end, step, audit, dyn=None) -> str:
    # One compactor for the whole report: every section uses the same names, defined once in
    # the "Where" section before the Jacobian.
    with _compacting(game, _verdict_dynamics(numeric)) as holder:
        out = _markdown_body(
            game, numeric, symbolic, scenarios, conv, figs, t_end, step, audit, dyn
        )
        at = out.index("## Jacobian")
        out[at:at] = _md_where(holder, "##")
    return "\n".join(out)


def _equations_words(dyn) -> str:
    """ "replicator equations", "logit dynamics (eta = 0.1) equations"."""
    title = title_of(dyn)
    return title[:1].lower() + title[1:]


def _markdown_body(
    game, numeric, symbolic, scenarios, conv, figs, t_end, step, audit, dyn=None
) -> list[str]:
    import sympy

    names = _latex_names(game)
    out = game_to_markdown(game, dynamics=dyn).rstrip().splitlines()
    out += [
        "",
        "## Jacobian",
        "",
        f"The Jacobian of the {_equations_words(dyn)} in the free shares:",
        "",
        "$$",
        sympy.latex(numeric.system.jacobian.applyfunc(_compacted), symbol_names=names),
        "$$",
        "",
    ]
    out += ["## Rest points at the default values", ""]
    out += analysis_sections(numeric, level=3, skip=(title_of(dyn),), where=False)
    out += [
        "",
        "## Conditions on the parameters",
        "",
        "The same rest points with every parameter kept as a symbol: where each exists "
        "and when it is asymptotically stable.",
        "",
    ]
    out += analysis_sections(symbolic, level=3, skip=(title_of(dyn),), where=False)
    out += ["", "## Regimes", "", "| Rest point | Asymptotically stable when |", "|---|---|"]
    regimes = _regimes(symbolic)
    for label, cond in regimes:
        out.append(f"| `{label}` | `{cond}` |")
    if not regimes:
        out.append("| — | no rest point is asymptotically stable for any parameter values |")
    if audit is not None:
        from ._claims import audit_section

        out += ["", *audit_section(audit, "markdown", level=2).splitlines()]
    out += [
        "",
        "## Scenarios",
        "",
        "| Scenario | Changes | Asymptotically stable rest points | Centres |",
        "|---|---|---|---|",
    ]
    for r in scenarios:
        changes = ", ".join(f"`{k} = {v}`" for k, v in r.changes.items()) or "—"
        stable = ", ".join(f"`{s}`" for s in r.stable) or "none"
        centres = ", ".join(f"`{s}`" for s in r.centres) or "—"
        out.append(f"| {r.scenario} | {changes} | {stable} | {centres} |")
    reached = _reached_summary(conv)
    if dyn is not None and dyn.time.value == "discrete":
        how = f"The {dyn.describe()} iterated once per unit of time"
    elif dyn is not None:
        how = f"The {dyn.describe()}: RK4 with step {step:g} (chosen from the field)"
    else:
        how = f"RK4 with step {step:g} (chosen from the field)"
    out += [
        "",
        "## Simulation",
        "",
        f"{how} from the grid of starts "
        f"(`--starts 3`), to t = {t_end:g}, convergence within 0.001: {reached}.",
        "",
    ]
    if figs:
        out += ["## Figures", ""]
        for name, caption in figs:
            out += [f"![{caption}](figures/{name}.png)", "", f"*{caption}*", ""]
    out += [
        "## Data",
        "",
        "- `data/analysis.json`: the rest points as `lmc-games analyze --format json` prints them",
        "- `data/rest_points.csv`, `data/scenarios.csv`, `data/trajectories.csv`",
        "- `references.bib`, `provenance.json`"
        + (", `data/audit.json` (the audit, as `lmc-games check --format json`)" if audit else ""),
        "",
    ]
    return out


def _reached_summary(conv) -> str:
    from collections import Counter

    counts = Counter(conv.reached[:, 0].tolist())
    total = conv.reached.shape[0]
    parts = [f"{n} of {total} reach `{lab}`" for lab, n in counts.items() if lab is not None]
    if counts.get(None):
        parts.append(f"{counts[None]} of {total} do not converge")
    return "; ".join(parts)


def _regimes(symbolic) -> list[tuple[str, str]]:
    import sympy

    out = []
    for r in symbolic.rest_points:
        cond = r.stable_if
        if cond is None or cond is sympy.false or cond is False:
            continue
        out.append((r.label, _condition_words(cond)))
    return out


# ---------------------------------------------------------------------- LaTeX

_PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage[utf8]{inputenc}
\usepackage{amsmath,amssymb}
\usepackage{booktabs}
\usepackage{tabularx}
\usepackage{graphicx}
\usepackage{longtable}
\usepackage{array}
\usepackage[margin=2cm,landscape]{geometry}
\DeclareUnicodeCharacter{2265}{\ensuremath{\geq}}
\DeclareUnicodeCharacter{2264}{\ensuremath{\leq}}
\DeclareUnicodeCharacter{00D7}{\ensuremath{\times}}
\DeclareUnicodeCharacter{00B7}{\ensuremath{\cdot}}
\DeclareUnicodeCharacter{2212}{\ensuremath{-}}
\DeclareUnicodeCharacter{03B8}{\ensuremath{\theta}}
\DeclareUnicodeCharacter{03BC}{\ensuremath{\mu}}
\DeclareUnicodeCharacter{221E}{\ensuremath{\infty}}
\DeclareUnicodeCharacter{221A}{\ensuremath{\surd}}
\DeclareUnicodeCharacter{2192}{\ensuremath{\to}}
\DeclareUnicodeCharacter{2248}{\ensuremath{\approx}}
\DeclareUnicodeCharacter{2208}{\ensuremath{\in}}
\DeclareUnicodeCharacter{2032}{\ensuremath{'}}
\DeclareUnicodeCharacter{00A0}{~}
\DeclareUnicodeCharacter{2009}{\,}
\usepackage[hidelinks]{hyperref}
\setlength{\tabcolsep}{4pt}
% A section starting with less than eight lines left on the page starts the next page, so
% that no table's header is left alone at the foot of a page: a good break (penalty -100)
% whose page may stretch by eight lines, then a rigid eight lines that overfill the page if
% they do not fit, which sends TeX back to that break.
\newcommand{\keepspace}{\par\vskip 0pt plus 8\baselineskip\penalty-100
  \vskip 0pt plus -8\baselineskip\vskip 8\baselineskip\penalty9999\vskip -8\baselineskip}
\newsavebox{\widebox}
\newcommand{\fitwidth}[1]{\sbox{\widebox}{#1}\ifdim\wd\widebox>\linewidth
  \resizebox{\linewidth}{!}{\usebox{\widebox}}\else\usebox{\widebox}\fi}
"""


def _latex(game, numeric, symbolic, scenarios, figs, audit=None, dyn=None) -> str:
    with _compacting(game, _verdict_dynamics(numeric)) as holder:
        body = _latex_body(game, numeric, symbolic, scenarios, figs, audit, dyn)
        at = body.index("\\section{Jacobian}")
        where = _tex_where(holder, _latex_names(game))
        if where:
            body[at:at] = ["\\section{Named quantities}", *where, ""]
    return "\n".join(body).replace("\n\\section{", "\n\\keepspace\n\\section{") + "\n"


def _latex_body(game, numeric, symbolic, scenarios, figs, audit=None, dyn=None) -> list[str]:
    import sympy

    names = _latex_names(game)
    title = _tex_text(game.title)
    body = [
        _PREAMBLE,
        f"\\title{{{title}}}",
        f"\\author{{Written by lmc\\_games {_version()}}}",
        "\\date{}",
        "\\begin{document}",
        "\\maketitle",
        "",
    ]
    if game.description:
        body += [_tex_text(" ".join(game.description.split())), ""]
    body += ["\\section{Model}", game_to_latex(game, fit_width=True, dynamics=dyn), ""]
    J = numeric.system.jacobian
    entries = [
        " \\\\\n".join(
            aligned_lines(f"J_{{{i + 1}{j + 1}}}", _compacted(J[i, j]), names, EQUATION_WIDTH)
        )
        for i in range(J.shape[0])
        for j in range(J.shape[1])
    ]
    body += [
        "\\section{Jacobian}",
        f"The entries of the Jacobian of the {_tex_text(_equations_words(dyn))} in the free "
        "shares:",
        "\\begin{align*}",
        " \\\\\n".join(entries),
        "\\end{align*}",
        "",
    ]
    body += [
        "\\section{Rest points at the default values}",
        analysis_to_latex(numeric, fit_width=True, where=False),
        "",
    ]
    body += [
        "\\section{Stability of the pure profiles}",
        "Every parameter kept as a symbol.",
        *_tex_journal(symbolic, names, title),
        "",
    ]
    body += [
        "\\section{Conditions on the parameters}",
        "Every parameter kept as a symbol: where each rest point exists and when it is "
        "asymptotically stable.",
        "",
        # The label column never hyphenates a strategy name ("rea-sonable"): it breaks after
        # "+", "," and spaces only.
        "\\begin{longtable}{>{\\raggedright\\arraybackslash\\hyphenpenalty=10000\\relax}p{0.2\\linewidth}"
        "p{0.37\\linewidth}p{0.37\\linewidth}}",
        "\\toprule",
        "Rest point & Exists when & Asymptotically stable when \\\\",
        "\\midrule",
        "\\endhead",
    ]
    for r in symbolic.rest_points:
        exists = _tex_cell(r.exists_if, names) if r.exists_if is not None else "--"
        stable = _tex_cell(r.stable_if, names) if r.stable_if is not None else "undecided"
        body.append(f"{_tex_label_cell(r.label)} & {exists} & {stable} \\\\")
    body += ["\\bottomrule", "\\end{longtable}", ""]
    body += [
        "\\section{Regimes}",
        "\\begin{longtable}{lp{0.7\\linewidth}}",
        "\\toprule",
        "Rest point & Asymptotically stable when \\\\",
        "\\midrule",
        "\\endhead",
    ]
    rows = [
        (r.label, r.stable_if)
        for r in symbolic.rest_points
        if r.stable_if is not None and r.stable_if is not sympy.false
    ]
    for label, cond in rows:
        body.append(f"{_tex_text(label)} & {_tex_cell(cond, names)} \\\\")
    if not rows:
        body.append("\\multicolumn{2}{l}{no rest point is asymptotically stable} \\\\")
    body += ["\\bottomrule", "\\end{longtable}", ""]
    if audit is not None:
        from ._claims import audit_section

        body += [audit_section(audit, "latex", level=1), ""]
    body += [
        "\\section{Scenarios}",
        # Ragged columns that wrap: a list of centres ran 12 pt past the margin (inspection).
        "\\begin{longtable}{>{\\raggedright\\arraybackslash}p{0.16\\linewidth}"
        ">{\\raggedright\\arraybackslash}p{0.28\\linewidth}"
        ">{\\raggedright\\arraybackslash}p{0.28\\linewidth}"
        ">{\\raggedright\\arraybackslash}p{0.2\\linewidth}}",
        "\\toprule",
        "Scenario & Changes & Asymptotically stable & Centres \\\\",
        "\\midrule",
        "\\endhead",
    ]
    for r in scenarios:
        changes = (
            ", ".join(
                f"${game.parameter_map[k].latex or k} = {sympy.latex(v)}$"
                for k, v in r.changes.items()
            )
            or "--"
        )
        stable = "; ".join(_tex_text(s) for s in r.stable) or "none"
        centres = "; ".join(_tex_text(s) for s in r.centres) or "--"
        body.append(f"{_tex_text(r.scenario)} & {changes} & {stable} & {centres} \\\\")
    body += ["\\bottomrule", "\\end{longtable}", ""]
    if figs:
        body.append("\\section{Figures}")
        for name, caption in figs:
            body += [
                "\\begin{figure}[htbp]",
                "\\centering",
                f"\\includegraphics[width=0.45\\linewidth]{{figures/{name}.pdf}}",
                f"\\caption{{{_tex_text(caption)}}}",
                "\\end{figure}",
                "",
            ]
    if game.references:
        body += ["\\section*{References}", "\\begin{itemize}"]
        body += [f"\\item {_tex_reference(ref)}" for ref in game.references]
        body += ["\\end{itemize}", ""]
    body.append("\\end{document}")
    return body


def _tex_cell(cond, names) -> str:
    """A condition for a table cell: one line per conjunct, so long ones wrap."""
    import sympy

    if isinstance(cond, sympy.And):
        return " $\\wedge$\\newline ".join(_tex_condition(a, names) for a in cond.args)
    return _tex_condition(cond, names)


def _compile_tex(root: Path) -> Path:
    for _ in range(2):  # twice, for the references of tables and figures
        proc = subprocess.run(
            ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "report.tex"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if proc.returncode != 0:
            log = proc.stdout.splitlines()
            errors = [ln for ln in log if ln.startswith("!")][:3]
            raise ReportError(
                f"report.tex does not compile ({'; '.join(errors) or 'see report.log'}); "
                f"the log is {root / 'report.log'}"
            )
    for aux in ("report.aux", "report.out", "report.log"):
        (root / aux).unlink(missing_ok=True)
    return root / "report.pdf"


_URL = re.compile(r"https?://\S+")


def _tex_reference(ref: str) -> str:
    """A reference as LaTeX text whose address is a ``\\url`` (hyperref), which may break
    across lines, unlike a long DOI written as text."""
    parts, last = [], 0
    for m in _URL.finditer(ref):
        parts.append(_tex_text(ref[last : m.start()]))
        url = m.group(0).replace("\\", "/").replace("%", "\\%").replace("#", "\\#")
        parts.append("\\url{" + url.replace("{", "").replace("}", "") + "}")
        last = m.end()
    parts.append(_tex_text(ref[last:]))
    return "".join(parts)
