"""The figures and tables of the overlapping-mechanisms game (docs/models/mechanism_overlap.md).

Usage::

    python examples/05_mechanism_overlap.py OUTDIR [--quick] [--format png|pdf|svg]

Mekong local governments put their cooperation effort into the LMC, the US-Mekong or the
Japan-Mekong mechanism. Writes the analysis tables (defaults and each scenario), the stability
conditions in (c, o, w, h), the phase diagram on the simplex, time series, a sensitivity panel
for the LMC's trust deficit ``h``, a region map over (c, h) with its analytic boundaries, the
basins of the three attractors and their shares along h, n_lmc and c, a continuation diagram
in ``c``, the scenario table with basin shares, and the CSV data of every sweep. Prints the
numbers the model page states (claims M1 and M2).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from _common import Output, continuation, parse_args, scenario_outcomes, scenario_table

import lmc_games as lg
from lmc_games import plot

# The basin-share tables of the model page: (parameter, values).
SHARE_SWEEPS = [
    ("h", [2, 1.5, 1, 0.5, 0]),
    ("n_lmc", [0, 17, 32, 60, 100]),
    ("c", [5, 6, 8, 12, 20, 40]),
]


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(__doc__, argv)
    quick = args.quick
    out = Output(args.outdir, args.format)
    game = lg.load_model("mechanism_overlap")
    print(f"{game.title} ({'quick' if quick else 'full'} run)")
    # The model page's basin shares are over the 820 starts of --starts 40 (t_end = 60). They
    # are cheap enough to keep in the quick run for the defaults and h; the quick run only
    # coarsens the other two share tables.
    n_starts, t_end = 40, 60.0

    # Analysis tables and the scenario table.
    analysis = lg.analyze(game)
    out.analysis("analysis", analysis)
    md, tex, analyses = scenario_table(game)
    for name, an in analyses[1:]:
        out.analysis(f"analysis_{name}", an)

    # Basin shares of every scenario, from the same grid of starts.
    scenario_outcomes(game, analyses, out, n=n_starts, t_end=t_end)
    out.text("scenarios.md", md)
    out.text("scenarios.tex", tex)

    # Stability conditions in c, o, w, h (the NGO counts and base benefits at the defaults).
    conditions = lg.analyze(game.with_free(["c", "o", "w", "h"]), symbolic=True)
    out.analysis("conditions", conditions)
    print("\nStable if (symbolic in c, o, w, h):")
    for rp in conditions.rest_points:
        print(f"  {rp.label}: {rp.stable_if}")

    # Phase diagrams: the defaults (three attractors) and weak coordination (two).
    out.figure(plot.phase_figure(game), "phase")
    out.figure(plot.phase_figure(game.scenario("weak_coordination")), "phase_weak_coordination")

    # Time series from three mixed starts, one in each basin.
    mixed = [[0.7, 0.1], [0.25, 0.5], [0.25, 0.15]]
    sim = lg.simulate(game, mixed, t_end=15)
    out.figure(plot.simulation_figure(sim, game), "time_series")
    conv = lg.converge(sim, analysis)
    print("\nFrom three mixed starts (x_l, x_u):")
    for x0, lab, t in zip(mixed, conv.reached[:, 0], conv.time[:, 0]):
        print(f"  ({x0[0]}, {x0[1]}) -> {lab} at t = {t:.2f}")

    # Sensitivity to the trust deficit h from (0.7, 0.1): a start the LMC keeps while h is
    # small and loses to the US-Mekong mechanism when it grows.
    runs = plot.sensitivity_runs(game, "h", np.linspace(0, 2, 9), start=[0.7, 0.1], t_end=15)
    out.figure(plot.simulation_figure(runs, game), "sensitivity_h")

    # Region map over (c, h): three attractors iff c + o > 94 w + h (M1), i.e. c > 3.7 + h;
    # the Japan-Mekong mechanism needs c > 79 w - o = 2.95.
    n = 31 if quick else 121
    ch = lg.sweep(game, {"c": np.linspace(0, 12, n), "h": np.linspace(0, 4, n)}, progress=False)
    out.sweep(ch, "region_c_h")
    out.figure(plot.sweep_figure(ch, game), "region_c_h")

    # Basins at the defaults, and the shares along h, n_lmc and c (M2).
    out.figure(plot.basin_figure(game, n=20 if quick else n_starts, t_end=t_end), "basins")
    for name, values in SHARE_SWEEPS:
        coarse = quick and name != "h"
        res = lg.sweep(
            game,
            {name: values},
            measure="outcome",
            starts=12 if coarse else n_starts,
            t_end=t_end,
            progress=False,
        )
        out.sweep(res, f"basins_{name}")
        out.figure(plot.sweep_figure(res, game), f"basins_{name}")
        print(f"\nBasin shares along {name} ({len(res.starts)} starts, t_end = {t_end:g}):")
        for lab in res.labels:
            cells = ", ".join(f"{v:g}: {100 * s:.1f}%" for v, s in zip(values, res.shares[lab]))
            print(f"  share {lab}: {cells}")
        print(f"  not converged: max {100 * res.not_converged.max():.1f}%")

    # Continuation in c: Japan-Mekong becomes an attractor at c = 79 w - o = 2.95, the LMC at
    # c = 94 w + h - o = 4.7.
    cont = continuation(game, "c", 0, 12, num=121 if quick else 481)
    out.continuation(cont, "continuation_c")
    out.figure(plot.continuation_figure(cont, game), "continuation_c")
    print("\nStability changes along c (continuation):")
    for ch_ in cont.changes:
        if ch_.after is lg.Stability.STABLE:
            print(f"  threshold c = {ch_.value:.6g}: {ch_.label} becomes stable")
    return out.finish()


if __name__ == "__main__":
    raise SystemExit(main())
