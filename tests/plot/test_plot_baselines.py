"""A few key figures compared with stored baseline images.

The baselines in tests/baseline_images/ were generated once and checked by eye. Regenerate
them after an intended change of the figures with::

    LMC_GAMES_UPDATE_BASELINES=1 python -m pytest tests/plot/test_plot_baselines.py

and look at every image before committing it.
"""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from matplotlib.testing.compare import compare_images

from lmc_games import load_model, plot, sweep
from lmc_games._continuation import continuation

BASELINES = Path(__file__).resolve().parents[1] / "baseline_images"
# RMS difference allowed, in grey levels (0-255): room for FreeType versions, none for a
# marker, label or curve that moved.
TOLERANCE = 3.0
DPI = 110


def _region_map():
    g = load_model("hawk_dove")
    res = sweep(g, {"V": np.linspace(0.25, 4, 31), "C": np.linspace(0.3, 4.1, 29)})
    return plot.sweep_figure(res, g)


FIGURES = {
    "phase_line_hawk_dove": lambda: plot.phase_figure(load_model("hawk_dove")),
    "phase_square_hawk_dove_roles": lambda: plot.phase_figure(load_model("hawk_dove_roles")),
    "phase_triangle_rps": lambda: plot.phase_figure(load_model("rock_paper_scissors")),
    "region_map_hawk_dove": _region_map,
    "continuation_hawk_dove": lambda: plot.continuation_figure(
        continuation(load_model("hawk_dove"), "C", 0.5, 6, num=111)
    ),
}


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_figure_matches_its_baseline(name, tmp_path):
    fig = FIGURES[name]()
    expected = BASELINES / f"{name}.png"
    if os.environ.get("LMC_GAMES_UPDATE_BASELINES"):
        BASELINES.mkdir(exist_ok=True)
        plot.save(fig, expected, dpi=DPI)
        pytest.skip(f"baseline {expected.name} written: check it by eye")
    if not expected.exists():
        pytest.fail(f"missing baseline {expected}; see this module's docstring")
    actual = plot.save(fig, tmp_path / f"{name}.png", dpi=DPI)
    diff = compare_images(str(expected), str(actual), tol=TOLERANCE)
    assert diff is None, diff
