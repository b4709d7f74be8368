"""Redraw time of the explorer page after a slider move, in headless Chromium.

Issue 13's target: a slider move on a 2x2x2 model redraws in under 50 ms with trajectories
from 64 starts to t = 50 (RK4, dt = 0.05: 1000 steps each). The page is written by
``lmc_games.explore``, opened from disk, warmed up by a few redraws, and then one slider is
moved through ``--moves`` positions; each move dispatches the slider's ``input`` event and
runs the redraw it schedules (rest points, direction field, nullclines, 64 trajectories,
markers, table, time series).

The slider moved is ``--param`` (default: the first parameter the field depends on; a
parameter the field does not use leaves the trajectories as they were, and the page reuses
them), through ``--span`` of its range centred on the default (default 0.2; ``--span 1``
is the whole range). Near the defaults of water_use_lmc every corner is a saddle and the
trajectories never settle: each redraw integrates all 64 x 1000 steps, the worst case. The
column ``steps`` is the median number of RK4 steps per redraw.

Columns, medians over the moves (p90: 90th percentile):

- ``redraw``: ``performance.now()`` around the page's redraw function (what the page
  reports as its redraw time; canvas drawing is recorded, not yet rasterised);
- ``paint``: the same plus reading one pixel back, which makes Chromium rasterise the
  canvas: the time until the pixels are there;
- ``cpu``: CPU time of the page's main thread per move (the ``ThreadTime`` metric of the
  DevTools protocol), rasterisation included: on a machine loaded by other work the wall
  times grow, this much less.

The load average is printed before and after: the machine is shared. Also printed: the
page's size and the time to write it.

A second table measures the fallback where nothing is live (a 2x2 coordination game whose
payoffs hold exp of the shares): writing the page with a precomputed grid of ``analyze`` over
two parameters (``--grid-sizes`` points per axis), its size, and the redraw time there.

Needs Debian's ``chromium`` and the ``playwright`` Python package (no downloaded browser)::

    python benchmarks/bench_explore.py [--moves 20] [--models water_use_lmc basin_compensation]
        [--param NAME] [--span 0.2] [--click] [--grid-sizes 5 11]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# One slider move: set the slider's position (a fraction of its range), dispatch its input
# event, run the redraw, then read a pixel back so that the canvas is rasterised. The redraw
# the input event schedules for the next animation frame is held back, so that each move
# runs exactly one redraw (else the CPU time would count two).
MOVE = """([name, frac]) => {
  const r = document.getElementById(`param-${name}`);
  const lo = Number(r.min), hi = Number(r.max);
  r.value = String(lo + frac * (hi - lo));
  const raf = window.requestAnimationFrame;
  window.requestAnimationFrame = () => 0;
  try { r.dispatchEvent(new Event("input")); } finally { window.requestAnimationFrame = raf; }
  const t0 = performance.now();
  const redraw = window.lmcExplore.redraw();
  document.getElementById("phase").getContext("2d").getImageData(0, 0, 1, 1);
  const paint = performance.now() - t0;
  let steps = 0;
  for (const t of state.gridTrajs) steps += t.count - 1;
  return [redraw, paint, steps];
}"""

# The default's position on the slider, as a fraction of its range.
HOME = """(name) => {
  const r = document.getElementById(`param-${name}`);
  const lo = Number(r.min), hi = Number(r.max);
  return hi > lo ? (Number(r.value) - lo) / (hi - lo) : 0.5;
}"""


def _field_parameter(game) -> str:
    """The first parameter the reduced field depends on."""
    from lmc_games._system import system

    used = set().union(*(getattr(e, "free_symbols", set()) for e in system(game).field))
    for p in game.parameters:
        if game.symbols[p.name] in used:
            return p.name
    return game.parameters[0].name


def _p90(values: list[float]) -> float:
    return sorted(values)[int(0.9 * (len(values) - 1))]


def _moves(page, cdp, pname: str, fracs: list[float]) -> tuple[list, list, list, list]:
    def thread_time() -> float:
        metrics = cdp.send("Performance.getMetrics")["metrics"]
        return next(m["value"] for m in metrics if m["name"] == "ThreadTime")

    redraw, paint, cpu, steps = [], [], [], []
    for f in fracs:
        t0 = thread_time()
        r, p, s = page.evaluate(MOVE, [pname, f])
        cpu.append(1000 * (thread_time() - t0))
        redraw.append(r)
        paint.append(p)
        steps.append(s)
    return redraw, paint, cpu, steps


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--moves", type=int, default=20)
    ap.add_argument("--models", nargs="+", default=["water_use_lmc", "basin_compensation"])
    ap.add_argument("--param", default=None, help="the slider to move (default: see above)")
    ap.add_argument("--span", type=float, default=0.2, help="fraction of the slider's range")
    ap.add_argument("--click", action="store_true", help="with a clicked start as well")
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--grid-sizes", type=int, nargs="*", default=[5, 11])
    args = ap.parse_args()

    from playwright.sync_api import sync_playwright

    from lmc_games import load_model
    from lmc_games._explore import explore

    print(f"load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    rows = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=args.chromium, args=ARGS)
        for name in args.models:
            game = load_model(name)
            t0 = time.perf_counter()
            page_obj = explore(game)
            write_s = time.perf_counter() - t0
            path = page_obj.write(Path(tmp) / f"{name}.html")
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.goto(path.as_uri())
            page.wait_for_function("window.lmcExplore !== undefined")
            cdp = page.context.new_cdp_session(page)
            cdp.send("Performance.enable")
            starts = page.evaluate("STARTS.length")
            if args.click:
                page.evaluate(
                    "(s) => window.lmcExplore.start(s)", [0.3, 0.6, 0.45][: len(game.variables)]
                )
            pname = args.param or _field_parameter(game)
            home = page.evaluate(HOME, pname)
            lo = min(max(home - args.span / 2, 0.0), 1.0 - args.span)
            fracs = [lo + args.span * (k + 0.5) / args.moves for k in range(args.moves)]
            _moves(page, cdp, pname, [home] * 5)
            redraw, paint, cpu, steps = _moves(page, cdp, pname, fracs)
            rows.append(
                (
                    name,
                    "x".join(str(p.k) for p in game.populations),
                    starts,
                    pname,
                    statistics.median(steps),
                    statistics.median(redraw),
                    _p90(redraw),
                    statistics.median(paint),
                    _p90(paint),
                    statistics.median(cpu),
                    len(page_obj.html.encode()) / 1024,
                    write_s,
                )
            )
            page.close()
        grid_rows = [_grid_row(browser, Path(tmp), n, args.moves) for n in args.grid_sizes]
        browser.close()
    head = ("model", "shape", "starts", "param", "steps", "redraw", "p90", "paint", "p90")
    head += ("cpu", "page KiB", "write s")
    print(
        f"{head[0]:<20}{head[1]:>6}{head[2]:>7}{head[3]:>7}{head[4]:>8}{head[5]:>8}{head[6]:>7}"
        f"{head[7]:>7}{head[8]:>7}{head[9]:>7}{head[10]:>9}{head[11]:>8}"
    )
    for r in rows:
        print(
            f"{r[0]:<20}{r[1]:>6}{r[2]:>7}{r[3]:>7}{r[4]:>8.0f}{r[5]:>8.1f}{r[6]:>7.1f}"
            f"{r[7]:>7.1f}{r[8]:>7.1f}{r[9]:>7.1f}{r[10]:>9.1f}{r[11]:>8.1f}"
        )
    print(
        f"(ms; t_end = 50, dt = 0.05; {args.moves} moves over {args.span:g} of the slider's"
        f" range after 5 warm-up redraws{'; with a clicked start' if args.click else ''})"
    )
    if grid_rows:
        print()
        print("No closed forms: precomputed grid of analyze over (a, b), 2x2 game with exp(x)")
        cols = ("grid", "points", "write s", "s/point", "page KiB", "median ms")
        print(f"{cols[0]:<10}{cols[1]:>8}{cols[2]:>9}{cols[3]:>9}{cols[4]:>10}{cols[5]:>11}")
        for r in grid_rows:
            print(f"{r[0]:<10}{r[1]:>8}{r[2]:>9.1f}{r[3]:>9.2f}{r[4]:>10.1f}{r[5]:>11.1f}")
    print(f"load average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


def _grid_row(browser, tmp: Path, n: int, moves: int) -> tuple:
    from lmc_games import Game
    from lmc_games._explore import explore

    game = Game.bimatrix(
        [["a*exp(x - 1)", 0], [0, 1]],
        [["b*exp(y - 1)", 0], [0, 1]],
        parameters={
            "a": {"value": 1, "min": -1, "max": 2},
            "b": {"value": 0.5, "min": -1, "max": 2},
        },
    )
    t0 = time.perf_counter()
    page_obj = explore(game, grid=n)
    write_s = time.perf_counter() - t0
    path = page_obj.write(tmp / f"grid{n}.html")
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.goto(path.as_uri())
    page.wait_for_function("window.lmcExplore !== undefined")
    for _ in range(5):
        page.evaluate(MOVE, ["a", 0.5])
    times = [page.evaluate(MOVE, ["a", (k + 0.5) / moves])[0] for k in range(moves)]
    page.close()
    points = n * n
    size = len(page_obj.html.encode()) / 1024
    return (f"{n}x{n}", points, write_s, write_s / points, size, statistics.median(times))


if __name__ == "__main__":
    main()
