"""Fully symbolic analysis of a 2x2x2 game with 24 free payoff parameters.

Target (issue 2): rest points, eigenvalues and stability conditions in under 5 s on a 2-core
machine. Baseline: sympy's ``solve`` on the whole system, which gives no answer within the
time limit set here (120 s in the issue's measurement). Run::

    python benchmarks/bench_symbolic.py            # library only
    python benchmarks/bench_symbolic.py --baseline 60   # also sympy.solve, 60 s limit
"""

from __future__ import annotations

import argparse
import itertools
import multiprocessing as mp
import time

from lmc_games import Game, analyze


def game_2x2x2() -> Game:
    pops = [("A", ["a1", "a2"]), ("B", ["b1", "b2"]), ("C", ["c1", "c2"])]
    params = {}
    table = {}
    for prof in itertools.product(range(2), repeat=3):
        key = tuple(f"{'abc'[p]}{s + 1}" for p, s in enumerate(prof))
        row = []
        for p in range(3):
            name = f"u{p + 1}_{''.join(str(s + 1) for s in prof)}"
            params[name] = len(params) % 5 + 1
            row.append(name)
        table[key] = row
    return Game.from_table(pops, table, parameters=params, name="generic_2x2x2")


def _solve_whole(queue) -> None:
    import sympy

    from lmc_games import system

    s = system(game_2x2x2())
    sol = sympy.solve(list(s.field), list(s.variables), dict=True)
    queue.put(len(sol))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline", type=float, default=0.0, help="seconds for sympy.solve (0: skip)")
    args = ap.parse_args()
    g = game_2x2x2()
    t0 = time.perf_counter()
    a = analyze(g, symbolic=True)
    dt = time.perf_counter() - t0
    print(f"{'method':<44}{'seconds':>10}  result")
    print(
        f"{'lmc_games analyze(symbolic=True)':<44}{dt:>10.2f}  {len(a.rest_points)} rest points, "
        f"{len(a.continua)} continua, {len(g.parameters)} parameters"
    )
    t0 = time.perf_counter()
    an = analyze(g)
    print(
        f"{'lmc_games analyze (exact values)':<44}{time.perf_counter() - t0:>10.2f}  "
        f"{len(an.rest_points)} rest points"
    )
    if args.baseline > 0:
        q: mp.Queue = mp.Queue()
        proc = mp.Process(target=_solve_whole, args=(q,))
        t0 = time.perf_counter()
        proc.start()
        proc.join(args.baseline)
        if proc.is_alive():
            proc.terminate()
            print(
                f"{'sympy.solve on the whole system':<44}{'>' + str(args.baseline):>10}  no answer"
            )
        else:
            print(
                f"{'sympy.solve on the whole system':<44}{time.perf_counter() - t0:>10.2f}  "
                f"{q.get()} solutions"
            )


if __name__ == "__main__":
    main()
