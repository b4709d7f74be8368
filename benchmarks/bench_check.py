"""What auditing a model's claims costs (``lmc-games check``, docs/claims.md).

One table: per bundled model, the number of findings of its own claims, the CPU seconds of
:func:`lmc_games.check` (the figure that does not depend on how busy the machine is) and the wall
seconds, and the CPU seconds of one printed condition compared at 1,000 random points.

Run::

    NUMBA_NUM_THREADS=1 python benchmarks/bench_check.py
"""

from __future__ import annotations

import time


def main() -> None:
    import lmc_games as lg

    print(f"{'model':24} {'findings':>8} {'cpu s':>7} {'wall s':>7}")
    for name in lg.bundled_models():
        game = lg.load_model(name)
        if not game.claims:
            print(f"{name:24} {'-':>8} {'no claims':>15}")
            continue
        cpu, wall = time.process_time(), time.perf_counter()
        audit = lg.check(game)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        status = "" if audit.ok else "  (claims fail!)"
        print(f"{name:24} {len(audit.findings):>8} {cpu:>7.2f} {wall:>7.2f}{status}")

    game = lg.load_model("water_use")
    claim = {"c": {"stable_if": {"reasonable, reasonable": "2*F*k*p*theta > 9"}}}
    lg.check(game, claim)  # the symbolic step is cheap here; time the 1,000 exact evaluations
    cpu = time.process_time()
    lg.check(game, claim)
    print(f"\none condition at 1,000 points (water_use): {time.process_time() - cpu:.2f} cpu s")


if __name__ == "__main__":
    main()
