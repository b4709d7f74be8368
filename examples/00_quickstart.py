"""Quick start: from a payoff table written in Python to an analysis, a phase diagram and a sweep.

Usage::

    python examples/00_quickstart.py OUTDIR [--quick] [--format png|pdf|svg]

Two governments share a river; each conserves water or over-uses it. A spot check (probability
``p``) fines a violator; a lone violator pays ``2F``, each of two joint violators ``F``. The
advantage of conserving is ``p F (1 + y) - 1`` for a government whose neighbour conserves with
share ``y``, so conserving by both is stable for ``2 p F > 1``, over-use by both for
``p F < 1``, and both are attractors in between.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

import lmc_games as lg
from lmc_games import plot

# 1. The payoff table, as a paper prints it: one row per strategy profile, the payoffs of
#    (upstream, downstream).
GAME = lg.Game.from_table(
    [
        {"name": "upstream", "strategies": ["conserve", "overuse"], "share": "x"},
        {"name": "downstream", "strategies": ["conserve", "overuse"], "share": "y"},
    ],
    {
        "conserve, conserve": ["3", "3"],
        "conserve, overuse": ["0", "4 - 2*p*F"],
        "overuse, conserve": ["4 - 2*p*F", "0"],
        "overuse, overuse": ["1 - p*F", "1 - p*F"],
    },
    parameters={
        "p": {"value": 0.3, "min": 0, "max": 1, "description": "spot-check probability"},
        "F": {"value": 2.5, "min": 0, "description": "fine of a joint violator"},
    },
    name="river",
    title="Two governments sharing a river",
)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("outdir", type=Path, help="folder for the tables, figures and CSV files")
    ap.add_argument("--quick", action="store_true", help="smaller grids (for tests)")
    ap.add_argument("--format", default="png", choices=("png", "pdf", "svg"))
    args = ap.parse_args(argv)
    out: Path = args.outdir
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    written: list[Path] = []

    # 2. Rest points, eigenvalues and verdicts at the parameter values (exact arithmetic):
    #    as text (what print(analysis) shows), Markdown and LaTeX tables.
    analysis = lg.analyze(GAME)
    for name, text in (
        ("analysis.txt", str(analysis)),
        ("analysis.md", analysis.to_markdown()),
        ("analysis.tex", analysis.to_latex()),
    ):
        (out / name).write_text(text)
        written.append(out / name)
    for rp in analysis.rest_points:
        print(f"{rp.label}: {rp.stability.value}")

    # 3. The same, with p and F kept as symbols: the conditions under which each rest point
    #    is stable.
    conditions = lg.analyze(GAME, symbolic=True)
    (out / "conditions.md").write_text(conditions.to_markdown())
    written.append(out / "conditions.md")

    # 4. The phase diagram: arrows, trajectories, nullclines, rest points marked by verdict.
    written.append(plot.save(plot.phase_figure(GAME), out / f"phase.{args.format}"))

    # 5. A sweep over (p, F): which corners are stable where. The CSV has one row per point.
    n = 41 if args.quick else 101
    grid = {"p": np.linspace(0, 1, n), "F": np.linspace(0, 5, n)}
    res = lg.sweep(GAME, grid, measure="stable")
    res.to_csv(out / "sweep_p_F.csv")
    written.append(out / "sweep_p_F.csv")
    written.append(plot.save(plot.sweep_figure(res, GAME), out / f"sweep_p_F.{args.format}"))

    print("Stable at the defaults (p = 0.3, F = 2.5):", [r.label for r in analysis.stable()])
    for rp in conditions.rest_points:
        print(f"  {rp.label}: stable if {rp.stable_if}")
    both = res.stable["conserve, conserve"] & res.stable["overuse, overuse"]
    print(f"bistable share of the (p, F) grid: {both.mean():.4f} ({both.sum()} of {both.size})")
    print("\nwritten:")
    for p in written:
        print(f"  {p}")
    print(f"done in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
