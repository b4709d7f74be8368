"""Build the figure gallery of docs/gallery.md.

Usage::

    python examples/gallery.py OUTDIR            # PNG (for the docs)
    python examples/gallery.py OUTDIR --format pdf

Every figure is drawn by the one-call helpers of :mod:`lmc_games.plot` or by its drawing
functions inside :func:`lmc_games.plot.paper_style`, from results computed first.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

import lmc_games as lg
from lmc_games import plot

try:
    from lmc_games import continuation
except ImportError:  # not yet re-exported by lmc_games
    from lmc_games._continuation import continuation


def build(outdir: Path, fmt: str = "png", only: str | None = None, dpi: float = 200) -> list[Path]:
    """Draw the gallery into ``outdir``; ``only`` picks figures whose name contains it."""
    outdir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def want(name: str) -> bool:
        return only is None or only in name

    def emit(fig, name: str) -> None:
        written.append(plot.save(fig, outdir / f"{name}.{fmt}", dpi=dpi))

    # Phase diagrams, one per geometry.
    if want("phase_line_hawk_dove"):
        emit(plot.phase_figure(lg.load_model("hawk_dove")), "phase_line_hawk_dove")
    if want("phase_square_roles"):
        emit(plot.phase_figure(lg.load_model("hawk_dove_roles")), "phase_square_roles")
    if want("phase_square_inspection"):
        fig = plot.phase_figure(lg.load_model("inspection"), field="speed", colorbar=True)
        emit(fig, "phase_square_inspection")
    if want("phase_triangle_rps"):
        game = lg.load_model("rock_paper_scissors", scenario="attracting")
        fig = plot.phase_figure(game, starts=[[0.8, 0.1], [0.1, 0.8], [0.1, 0.1]])
        emit(fig, "phase_triangle_rps")
    if want("phase_triangle_overlap"):
        emit(plot.phase_figure(lg.load_model("mechanism_overlap")), "phase_triangle_overlap")
    if want("phase_cube_water_use_lmc"):
        emit(plot.phase_figure(lg.load_model("water_use_lmc")), "phase_cube_water_use_lmc")
    if want("phase_projections_water_use_lmc"):
        fig = plot.phase_figure(lg.load_model("water_use_lmc"), projections=True)
        emit(fig, "phase_projections_water_use_lmc")

    # Time series and sensitivity.
    if want("time_series_inspection"):
        game = lg.load_model("inspection")
        sim = lg.simulate(game, lg.starts_grid(game, 2), t_end=30)
        emit(plot.simulation_figure(sim, game), "time_series_inspection")
    if want("sensitivity_water_use_p"):
        game = lg.load_model("water_use")
        values = np.linspace(0.1, 0.9, 9)
        runs = plot.sensitivity_runs(game, "p", values, start=[0.5, 0.5], t_end=15)
        emit(plot.simulation_figure(runs, game), "sensitivity_water_use_p")

    # Basins of attraction.
    if want("basins_hawk_dove_roles"):
        emit(plot.basin_figure(lg.load_model("hawk_dove_roles")), "basins_hawk_dove_roles")
    if want("basins_overlap"):
        emit(plot.basin_figure(lg.load_model("mechanism_overlap")), "basins_overlap")

    # Region maps from sweeps, with the analytic boundaries.
    if want("region_map_water_use"):
        game = lg.load_model("water_use")
        res = lg.sweep(game, {"p": np.linspace(0, 1, 101), "F": np.linspace(0, 20, 101)})
        emit(plot.sweep_figure(res, game), "region_map_water_use")
    if want("region_outcome_water_use"):
        game = lg.load_model("water_use")
        grid = {"p": np.linspace(0, 1, 41)}
        res = lg.sweep(game, grid, measure="outcome", starts=5, t_end=60, dt=0.05)
        emit(plot.sweep_figure(res, game), "region_outcome_water_use")

    # Continuation of rest points along a parameter.
    if want("continuation_hawk_dove_C"):
        game = lg.load_model("hawk_dove")
        emit(
            plot.continuation_figure(continuation(game, "C", 0.5, 6, num=221), game),
            "continuation_hawk_dove_C",
        )
    if want("continuation_central_local_P"):
        game = lg.load_model("central_local")
        emit(
            plot.continuation_figure(continuation(game, "P", 2, 20, num=181), game),
            "continuation_central_local_P",
        )
    return written


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("outdir", type=Path)
    ap.add_argument("--format", default="png", choices=("png", "pdf", "svg"))
    ap.add_argument("--only", default=None, help="build only figures whose name contains this")
    ap.add_argument("--dpi", type=float, default=200, help="resolution of PNG files")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    for p in build(args.outdir, args.format, args.only, args.dpi):
        print(p)
    print(f"done in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
