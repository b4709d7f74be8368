"""Shared plumbing of the numbered examples: arguments, output files, the scenario table.

Not an example itself (``tests/test_examples.py`` skips files starting with ``_``); each
numbered script imports it from its own folder, which Python puts on ``sys.path`` when the
script is run as ``python examples/NN_model.py OUTDIR``.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

import lmc_games as lg
from lmc_games import plot

try:
    from lmc_games import continuation
except ImportError:  # not yet re-exported by lmc_games
    from lmc_games._continuation import continuation

__all__ = [
    "Branches",
    "Output",
    "Switch",
    "branches",
    "branches_figure",
    "continuation",
    "parse_args",
    "scenario_outcomes",
    "scenario_table",
]


def parse_args(
    doc: str, argv: Sequence[str] | None, *, slow_continuation: bool = False
) -> argparse.Namespace:
    """``OUTDIR [--quick] [--format png|pdf|svg]``, the command line of every example
    (``slow_continuation`` adds ``--continuation``)."""
    ap = argparse.ArgumentParser(
        description=doc.strip().splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument("outdir", type=Path, help="folder for the tables, figures and CSV files")
    ap.add_argument(
        "--quick",
        action="store_true",
        help="coarser grids, fewer starts, shorter runs (what the tests use)",
    )
    ap.add_argument("--format", default="png", choices=("png", "pdf", "svg"), help="figures")
    if slow_continuation:
        ap.add_argument(
            "--continuation",
            action="store_true",
            help="also draw lmc_games.continuation's diagram (slow for this model: see the "
            "script's docstring)",
        )
    return ap.parse_args(argv)


class Output:
    """Writes into one folder, remembers what it wrote and reports it at the end."""

    def __init__(self, outdir: Path, fmt: str = "png") -> None:
        self.dir = Path(outdir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.fmt = fmt
        self.written: list[Path] = []
        self._t0 = time.perf_counter()

    def _add(self, path: Path) -> Path:
        self.written.append(path)
        return path

    def text(self, name: str, content: str) -> Path:
        """A text file (Markdown, LaTeX)."""
        path = self.dir / name
        path.write_text(content if content.endswith("\n") else content + "\n")
        return self._add(path)

    def analysis(self, stem: str, analysis: lg.Analysis) -> None:
        """``STEM.md`` and ``STEM.tex``: the analysis tables in Markdown and LaTeX."""
        self.text(f"{stem}.md", analysis.to_markdown())
        self.text(f"{stem}.tex", analysis.to_latex())

    def figure(self, fig: Any, stem: str) -> Path:
        """A figure in the chosen format; PNG at 200 dpi."""
        # The library's figures carry their style into save(); ours (branches_figure) take
        # the paper style from this block, since fonts are chosen when the file is drawn.
        with plot.paper_style(1):
            return self._add(plot.save(fig, self.dir / f"{stem}.{self.fmt}", dpi=200))

    def sweep(self, result: lg.SweepResult, stem: str) -> Path:
        """A sweep's CSV (one row per parameter point, DESIGN §4)."""
        path = self.dir / f"{stem}.csv"
        result.to_csv(path)
        return self._add(path)

    def simulation(self, sim: lg.Simulation, stem: str) -> Path:
        """A simulation's CSV (one row per saved time and trajectory)."""
        path = self.dir / f"{stem}.csv"
        sim.to_csv(path)
        return self._add(path)

    def rows(self, name: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> Path:
        """A small CSV table of our own (numbers as ``repr`` of a float)."""
        path = self.dir / name
        with open(path, "w", newline="") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(header)
            for row in rows:
                w.writerow([repr(float(v)) if isinstance(v, float) else v for v in row])
        return self._add(path)

    def continuation(self, cont: Any, stem: str) -> Path:
        """``STEM.csv``: the stability changes of a continuation, one per row."""
        rows = [
            (
                ch.label,
                ch.value,
                ch.kind,
                ch.before.value if ch.before else "absent",
                ch.after.value if ch.after else "absent",
                "" if ch.exact is None else str(ch.exact),
            )
            for ch in cont.changes
        ]
        header = ("rest_point", cont.parameter, "kind", "before", "after", "exact")
        return self.rows(f"{stem}.csv", header, rows)

    def finish(self) -> int:
        """Print the files written and the time taken; the exit status."""
        print(f"\nwritten to {self.dir}:")
        for path in self.written:
            print(f"  {path.name}")
        print(f"done in {time.perf_counter() - self._t0:.1f} s")
        sys.stdout.flush()
        return 0


def _state(game: lg.Game, rp: lg.RestPoint) -> str:
    names = [str(v) for v in game.variables]
    values = [s for pop in rp.numeric_shares for s in pop[:-1]] if rp.numeric_shares else []
    return ", ".join(f"{n} = {v:.4g}" for n, v in zip(names, values))


def _changes(game: lg.Game, name: str | None) -> list[tuple[str, Any]]:
    if name is None:
        return []
    return [(k, game.scenarios[name][k]) for k in game.scenarios[name]]


def _number(v: Any) -> str:
    f = float(v)
    return f"{f:g}"


def _tex(s: str) -> str:
    return s.replace("\\", r"\textbackslash{}").replace("_", r"\_").replace("&", r"\&")


def scenario_table(game: lg.Game) -> tuple[str, str, list[tuple[str, lg.Analysis]]]:
    """For the defaults and each named scenario, the stable rest points (from ``analyze`` of
    that scenario).

    Returns the Markdown table, the LaTeX (booktabs) table and the analyses, so that a script
    can report more from them without analysing twice.
    """
    runs = [(None, game)] + [(name, game.scenario(name)) for name in game.scenarios]
    analyses = [(name or "defaults", lg.analyze(g)) for name, g in runs]
    md = [
        "| Scenario | Values | Stable rest points |",
        "|---|---|---|",
    ]
    tex = [
        r"\begin{tabular}{lll}",
        r"\toprule",
        r"Scenario & Values & Stable rest points \\",
        r"\midrule",
    ]
    for (name, g), (_, a) in zip(runs, analyses):
        changes = _changes(game, name)
        values_md = ", ".join(f"`{k} = {_number(v)}`" for k, v in changes) or "defaults"
        pm = game.parameter_map
        values_tex = (
            ", ".join(f"${pm[k].latex_name} = {_number(v)}$" for k, v in changes) or "defaults"
        )
        stable = a.stable()
        md.append(
            f"| {name or '(defaults)'} | {values_md} | "
            + ("; ".join(f"`{r.label}` ({_state(g, r)})" for r in stable) or "none")
            + " |"
        )
        cell = (
            "; ".join(rf"\texttt{{{_tex(r.label)}}} (${_state(g, r)}$)" for r in stable) or "none"
        )
        tex.append(rf"{_tex(name or '(defaults)')} & {values_tex} & {cell} \\")
    tex += [r"\bottomrule", r"\end{tabular}"]
    return "\n".join(md) + "\n", "\n".join(tex) + "\n", analyses


def scenario_outcomes(
    game: lg.Game,
    analyses: Sequence[tuple[str, lg.Analysis]],
    out: Output,
    *,
    n: int,
    t_end: float,
    dt: float = 0.05,
) -> dict[str, dict[str, float]]:
    """Where the ``--starts n`` grid is at ``t_end`` for the defaults and each scenario.

    ``analyses`` are the pairs :func:`scenario_table` returns. Writes
    ``scenario_outcomes.csv`` (scenario, rest point or ``not_converged``, share) and prints
    one line per scenario; returns ``scenario -> {label: share}``.
    """
    starts = lg.starts_grid(game, n)
    shares: dict[str, dict[str, float]] = {}
    print(f"\nScenarios: stable rest points | where {len(starts)} starts are at t = {t_end:g}")
    for name, an in analyses:
        g = game if name == "defaults" else game.scenario(name)
        conv = lg.converge(lg.simulate(g, starts, t_end=t_end, dt=dt), an)
        shares[name] = {lab: float(v[0]) for lab, v in lg.basins(conv).items()}
        stable = "; ".join(r.label for r in an.stable()) or "none"
        text = ", ".join(f"{lab} {100 * v:.1f}%" for lab, v in shares[name].items() if v)
        print(f"  {name}: {stable} | {text}")
    rows = [(name, lab, v) for name, d in shares.items() for lab, v in d.items()]
    out.rows("scenario_outcomes.csv", ("scenario", "reached", "share"), rows)
    return shares


# ------------------------------------------------------------------ rest points along a parameter
@dataclass(frozen=True)
class Switch:
    """A value of the parameter where one rest point gains or loses asymptotic stability."""

    value: float
    label: str
    stable_above: bool


@dataclass(frozen=True, eq=False)
class Branches:
    """Every rest point along one parameter, from :func:`lmc_games.compile_rest_points`."""

    game: lg.Game
    parameter: str
    values: np.ndarray
    points: lg.RestPointValues
    switches: tuple[Switch, ...]


def branches(game: lg.Game, name: str, lo: float, hi: float, num: int = 401) -> Branches:
    """Rest points and their stability on a grid of ``name``, and where stability switches.

    The rest points come from the compiled symbolic answers (the ones ``sweep`` uses), so
    this is fast where a full continuation is not; it knows *whether* a point is stable, not
    which kind of unstable. Each switch is located by bisection on the compiled stability
    condition, down to that condition's relative guard band of 1e-12.
    """
    table = lg.compile_rest_points(game, [name])
    values = np.linspace(lo, hi, num)
    points = table.evaluate(values[:, None])
    found = []
    for j, label in enumerate(points.labels):
        flags = points.stable[:, j]
        for i in np.flatnonzero(flags[1:] != flags[:-1]):
            a, b, below = values[i], values[i + 1], bool(flags[i])
            for _ in range(60):
                m = 0.5 * (a + b)
                if bool(table.evaluate([[m]]).stable[0, j]) == below:
                    a = m
                else:
                    b = m
            found.append(Switch(float(0.5 * (a + b)), label, not below))
    found.sort(key=lambda s: (s.value, s.label))
    return Branches(game, name, values, points, tuple(found))


def branches_figure(br: Branches) -> Any:
    """One panel per free share: each rest point's coordinate against the parameter, solid
    where asymptotically stable, dashed where it exists and is not; dotted verticals at the
    switches. Corners are drawn only if they are stable somewhere."""
    from matplotlib.figure import Figure

    game = br.game
    names = [(pop, i) for pop in game.populations for i in range(pop.k - 1)]
    # Corners sit at 0 or 1 whatever the parameter: drawn only where they matter, i.e. if
    # they are stable somewhere; mixed rest points wherever they exist.
    shown = [
        j
        for j, label in enumerate(br.points.labels)
        if br.points.stable[:, j].any() or ("+" in label and br.points.exists[:, j].any())
    ]
    with plot.paper_style(1):
        fig = Figure(figsize=(plot.COLUMN_WIDTH[1] * 1.5, 1.6 * len(names) + 0.5))
        fig.set_layout_engine("constrained")
        axes = fig.subplots(len(names), 1, sharex=True, squeeze=False)[:, 0]
        for v, (ax, (pop, i)) in enumerate(zip(axes, names)):
            for c, j in enumerate(shown):
                colour = plot.PALETTE[c % len(plot.PALETTE)]
                y = br.points.coordinates[:, j, v]
                st = br.points.stable[:, j]
                ax.plot(
                    br.values,
                    np.where(st, y, np.nan),
                    "-",
                    color=colour,
                    lw=1.6,
                    label=br.points.labels[j] if v == 0 else None,
                )
                ax.plot(
                    br.values,
                    np.where(br.points.exists[:, j] & ~st, y, np.nan),
                    "--",
                    color=colour,
                    lw=0.9,
                )
            for s in br.switches:
                ax.axvline(s.value, color="0.5", lw=0.6, ls=":")
            sym = pop.share_symbols[i]
            strategy = pop.strategies[i].replace("_", " ")
            ax.set_ylabel(f"{pop.label}:\nshare of {strategy}, ${sym}$")
            ax.set_ylim(-0.05, 1.05)
        latex = game.parameter_map[br.parameter].latex_name
        axes[-1].set_xlabel(f"${latex}$")
        axes[-1].set_xlim(br.values[0], br.values[-1])
        handles, labels = axes[0].get_legend_handles_labels()
        from matplotlib.lines import Line2D

        handles += [
            Line2D([], [], color="0.3", lw=1.6),
            Line2D([], [], color="0.3", lw=0.9, ls="--"),
            Line2D([], [], color="0.5", lw=0.6, ls=":"),
        ]
        labels += ["asymptotically stable", "exists, not stable", "stability switch"]
        fig.legend(handles, [lb.replace("_", " ") for lb in labels], loc="outside right upper")
    return fig
