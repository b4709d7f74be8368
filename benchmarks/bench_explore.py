"""Redraw time of the explorer page after a slider move, in headless Chromium.

Issue 13's target: a slider move on a 2x2x2 model redraws in under 50 ms with trajectories
from 64 starts to t = 50 (RK4, dt = 0.05: 1000 steps each). The page is written by
``lmc_games.explore``, opened from disk, warmed up by a few redraws, and then a slider is
moved through ``--moves`` positions; each move dispatches the slider's ``input`` event and
runs the redraw it schedules (rest points, direction field, nullclines, 64 trajectories,
markers, table, time series). The time is measured inside the page with
``performance.now()``. Also printed: the page's size and the time to write it.

A second table measures the fallback where nothing is live (a 2x2 coordination game whose
payoffs hold exp of the shares): writing the page with a precomputed grid of ``analyze`` over
two parameters (``--grid-sizes`` points per axis), its size, and the redraw time there.

Needs Debian's ``chromium`` and the ``playwright`` Python package (no downloaded browser)::

    python benchmarks/bench_explore.py [--moves 40] [--models water_use_lmc water_use]
        [--grid-sizes 5 11]
"""

from __future__ import annotations

import argparse
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

MOVE = """([name, frac]) => {
  const r = document.getElementById(`param-${name}`);
  const lo = Number(r.min), hi = Number(r.max);
  r.value = String(lo + frac * (hi - lo));
  r.dispatchEvent(new Event("input"));
  return window.lmcExplore.redraw();
}"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--moves", type=int, default=40)
    ap.add_argument("--models", nargs="+", default=["water_use_lmc", "water_use"])
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--grid-sizes", type=int, nargs="*", default=[5, 11])
    args = ap.parse_args()

    from playwright.sync_api import sync_playwright

    from lmc_games import load_model
    from lmc_games._explore import explore

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
            starts = page.evaluate("STARTS.length")
            # The slider of the first parameter with a range; the move runs the full redraw.
            pname = game.parameters[0].name
            for _ in range(5):
                page.evaluate(MOVE, [pname, 0.5])
            times = [
                page.evaluate(MOVE, [pname, (k + 0.5) / args.moves]) for k in range(args.moves)
            ]
            rows.append(
                (
                    name,
                    "x".join(str(p.k) for p in game.populations),
                    starts,
                    statistics.median(times),
                    sorted(times)[int(0.9 * (len(times) - 1))],
                    len(page_obj.html.encode()) / 1024,
                    write_s,
                )
            )
            page.close()
        grid_rows = [_grid_row(browser, Path(tmp), n, args.moves) for n in args.grid_sizes]
        browser.close()
    head = ("model", "shape", "starts", "median ms", "p90 ms", "page KiB", "write s")
    print(
        f"{head[0]:<22}{head[1]:>7}{head[2]:>8}{head[3]:>11}{head[4]:>9}{head[5]:>10}{head[6]:>9}"
    )
    for r in rows:
        print(f"{r[0]:<22}{r[1]:>7}{r[2]:>8}{r[3]:>11.1f}{r[4]:>9.1f}{r[5]:>10.1f}{r[6]:>9.1f}")
    print(f"(t_end = 50, dt = 0.05; {args.moves} slider moves after 5 warm-up redraws)")
    if grid_rows:
        print()
        print("No closed forms: precomputed grid of analyze over (a, b), 2x2 game with exp(x)")
        cols = ("grid", "points", "write s", "s/point", "page KiB", "median ms")
        print(f"{cols[0]:<10}{cols[1]:>8}{cols[2]:>9}{cols[3]:>9}{cols[4]:>10}{cols[5]:>11}")
        for r in grid_rows:
            print(f"{r[0]:<10}{r[1]:>8}{r[2]:>9.1f}{r[3]:>9.2f}{r[4]:>10.1f}{r[5]:>11.1f}")


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
    times = [page.evaluate(MOVE, ["a", (k + 0.5) / moves]) for k in range(moves)]
    page.close()
    points = n * n
    size = len(page_obj.html.encode()) / 1024
    return (f"{n}x{n}", points, write_s, write_s / points, size, statistics.median(times))


if __name__ == "__main__":
    main()
