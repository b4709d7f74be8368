"""Every bundled model through analyze, simulate, sweep, phase and report under each
registered dynamics, from the command line (issue 12: "Every bundled model runs through
analyze, simulate, sweep, phase and report under each dynamics from the command line").

Slow: 13 models x 8 dynamics x 5 commands take about 500 CPU seconds in one process (``-n 0``;
the longest case, central_local_dynamic under the discrete-time replicator, about 45 s, most
of it printing its report's long formulas), so ``pytest -m slow`` (and CI) runs one model per
geometry (line, square, triangle, cube) under every dynamics, and ``LMC_GAMES_FULL_MATRIX=1
pytest -m slow tests/test_every_model_every_dynamics.py`` runs all thirteen. Each command
must exit 0 and name its dynamics where its output has a place for it; the values themselves
are tested elsewhere (tests/test_dynamics_*.py, tests/test_cli_dynamics.py).
"""

from __future__ import annotations

import json
import os

import pytest

from lmc_games import bundled_models, load_model
from lmc_games.cli import main

# The discrete-time replicator needs positive fitness: a background fitness above every
# bundled model's most negative payoff (the map refuses a base that is too small and says
# which one works).
SPECS = (
    "replicator",
    "mutator:mu=0.01",
    "discrete:base=1000",
    "best-response",
    "logit:eta=0.5",
    "bnn",
    "smith",
    "imitation:rate=0.001",
)


MODELS = (
    bundled_models()
    if os.environ.get("LMC_GAMES_FULL_MATRIX")
    else ("hawk_dove", "water_use", "rock_paper_scissors", "basin_compensation")
)


def _first_parameter(model: str) -> tuple[str, float, float] | None:
    game = load_model(model)
    for p in game.parameters:
        value = float(p.value)
        lo = value if p.min is None else max(float(p.min), value * 0.9)
        hi = value if p.max is None else min(float(p.max), value * 1.1)
        if lo < hi:
            return p.name, lo, hi
    return None


@pytest.mark.slow
@pytest.mark.parametrize("spec", SPECS)
@pytest.mark.parametrize("model", MODELS)
def test_every_command_runs(model, spec, tmp_path, capsys):
    name = spec.split(":")[0]
    assert main(["analyze", model, "--dynamics", spec, "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["dynamics"] == name

    assert (
        main(
            [
                "simulate",
                model,
                "--dynamics",
                spec,
                "--starts",
                "2",
                "--t-end",
                "20",
                "--format",
                "json",
            ]
        )
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert out["dynamics"] == name and out["trajectories"]

    vary = _first_parameter(model)
    if vary is not None:
        p, lo, hi = vary
        csv = tmp_path / "sweep.csv"
        assert (
            main(
                [
                    "sweep",
                    model,
                    "--dynamics",
                    spec,
                    "--vary",
                    f"{p}={lo}:{hi}:2",
                    "--out",
                    str(csv),
                ]
            )
            == 0
        )
        assert len(csv.read_text().splitlines()) == 3
    capsys.readouterr()

    png = tmp_path / "phase.png"
    assert main(["phase", model, "--dynamics", spec, "--out", str(png)]) == 0
    assert png.read_bytes().startswith(b"\x89PNG")

    out_dir = tmp_path / "report"
    assert (
        main(
            [
                "report",
                model,
                "--dynamics",
                spec,
                "--out",
                str(out_dir),
                "--no-figures",
                "--pdf",
                "no",
            ]
        )
        == 0
    )
    provenance = json.loads((out_dir / "provenance.json").read_text())
    assert provenance["dynamics"].split(":")[0] == name
    capsys.readouterr()
