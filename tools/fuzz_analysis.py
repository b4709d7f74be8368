"""Fuzz :func:`lmc_games.analyze` with random state-dependent two-population games.

Hypothesis generates the payoffs of a 2x2 bimatrix game as formulas in the shares ``x``,
``y`` and a parameter ``m`` (sums, products, quotients, ``exp``, ``log``, ``sqrt``, ``min``),
so that payoffs are often infinite, undefined, complex or not differentiable somewhere on
the state space. Each game is analysed with parameter values and symbolically. Anything
other than a result or a :class:`~lmc_games.LmcGamesError` is a finding, printed and
appended to ``--log`` as a JSON line (A, B, m, symbolic, exception). This search found the
two-population state-dependent games behind the regression tests
``test_state_dependent_game_found_by_hypothesis_with_zoo_on_a_whole_face`` and
``test_continuum_where_the_jacobian_is_not_finite`` in ``tests/test_analysis.py``.

Usage::

    nice python tools/fuzz_analysis.py --examples 400 --log /tmp/analysis-findings.jsonl
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

ATOMS = [
    "x",
    "y",
    "1",
    "2",
    "-1",
    "1/2",
    "(1-x)",
    "(1-y)",
    "m",
    "exp(x)",
    "log(1+y)",
    "sqrt(x)",
    "min(x, y)",
    "exp(m)",
    "log(x)",
]


@st.composite
def terms(draw, depth: int = 2) -> str:
    if depth == 0 or draw(st.booleans()):
        return draw(st.sampled_from(ATOMS))
    op = draw(st.sampled_from(["+", "-", "*", "/"]))
    return f"({draw(terms(depth - 1))} {op} {draw(terms(depth - 1))})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=200)
    parser.add_argument("--log", type=Path, default=Path("analysis-findings.jsonl"))
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    from lmc_games import Game, analyze
    from lmc_games._errors import LmcGamesError

    found: list[dict] = []
    count = [0]
    started = time.perf_counter()

    @settings(
        max_examples=args.examples,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(
        st.lists(terms(), min_size=8, max_size=8),
        st.sampled_from([0, 1, "1/2", -1, 2]),
        st.booleans(),
    )
    def one(ts, m, symbolic):
        count[0] += 1
        A = [[ts[0], ts[1]], [ts[2], ts[3]]]
        B = [[ts[4], ts[5]], [ts[6], ts[7]]]
        try:
            game = Game.bimatrix(A, B, parameters={"m": m})
            analyze(game, symbolic=symbolic)
        except LmcGamesError:
            return
        except Exception as exc:  # noqa: BLE001 - every other exception is a finding
            record = {"A": A, "B": B, "m": m, "symbolic": symbolic}
            record["error"] = f"{type(exc).__name__}: {exc}"[:300]
            found.append(record)
            print(json.dumps(record), flush=True)
            with args.log.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps(record) + "\n")

    one()
    elapsed = time.perf_counter() - started
    print(f"run time {elapsed:.0f} s; games {count[0]}; findings {len(found)}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
