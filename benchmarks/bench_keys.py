"""What keeping a sweep honest costs: the sweep's key, the checks on resumed chunks and the
symbolic-answer cache (issue 10 §3, §4).

Three tables:

1. *key* — seconds to fingerprint a grid of N points: the streamed hash of the grid's buffer
   (``lmc_games._sweep._fingerprint``) against ``json.dumps`` of the grid as a list, which is
   what the key cost before.
2. *chunks* — a ``"stable"`` sweep of water_use kept in a resume directory, run again: every
   chunk is read and verified (checksum, key, index, rows, dtypes, shapes).
3. *cache* — per bundled model, the symbolic analysis (cold) against loading and verifying the
   JSON cache file (warm).

Run::

    python benchmarks/bench_keys.py
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np


def _key_table() -> None:
    from lmc_games import _sweep as s
    from lmc_games import load_model

    game = load_model("water_use")
    s._fingerprint(game, ("p",), {"measure": "stable"}, {"coord:p": np.zeros(10)})  # warm up
    print(f"{'points':>10} {'streamed s':>11} {'json.dumps s':>13}")
    for n in (10**5, 10**6, 10**7):
        grid = np.linspace(0, 1, n)
        t = time.perf_counter()
        s._fingerprint(game, ("p",), {"measure": "stable"}, {"coord:p": grid})
        streamed = time.perf_counter() - t
        t = time.perf_counter()
        text = json.dumps({"vary": {"p": grid.tolist()}}, sort_keys=True)
        hashlib.sha256(text.encode()).hexdigest()
        old = time.perf_counter() - t
        print(f"{n:>10} {streamed:>11.3f} {old:>13.3f}")


def _chunk_table(tmp: Path) -> None:
    from lmc_games import load_model, sweep

    game = load_model("water_use")
    grid = {"p": np.linspace(0, 1, 1001), "F": np.linspace(0, 20, 1001)}
    print(f"\n{'chunks':>7} {'points':>9} {'first run s':>12} {'resumed s':>10}")
    for size in (100_000, 10_000):
        d = tmp / f"chunks{size}"
        t = time.perf_counter()
        sweep(game, grid, chunk_size=size, resume=d)
        first = time.perf_counter() - t
        t = time.perf_counter()
        sweep(game, grid, chunk_size=size, resume=d)
        again = time.perf_counter() - t
        n = len(list(d.glob("chunk-*.npz")))
        print(f"{n:>7} {1001 * 1001:>9} {first:>12.2f} {again:>10.2f}")


def _cache_table() -> None:
    from lmc_games import bundled_models, load_model
    from lmc_games._stability_table import _cached_formulas

    print(f"\n{'model':<24} {'analysis s':>11} {'cache load s':>13}")
    for name in bundled_models():
        game = load_model(name)
        names = tuple(p.name for p in game.parameters)[:2]
        if not names:
            continue
        reduced = game.with_free(names)
        t = time.perf_counter()
        _cached_formulas(reduced, names)
        cold = time.perf_counter() - t
        t = time.perf_counter()
        _cached_formulas(reduced, names)
        warm = time.perf_counter() - t
        print(f"{name:<24} {cold:>11.2f} {warm:>13.4f}")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["LMC_GAMES_CACHE"] = str(Path(tmp) / "cache")
        _key_table()
        _chunk_table(Path(tmp))
        _cache_table()


if __name__ == "__main__":
    main()
