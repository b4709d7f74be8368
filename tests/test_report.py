"""``lmc_games.report`` / ``lmc-games report`` (issue 6)."""

from __future__ import annotations

import csv
import json
import shutil

import pytest

from lmc_games import bundled_models, citation, load_model, report, scenario_table
from lmc_games.cli import main

HAS_TEX = shutil.which("pdflatex") is not None


def test_scenario_table_of_water_use():
    # docs/models/water_use.md and issue 4: at the defaults (reasonable, reasonable) is the
    # only stable point; `bistable` (p = 0.2, k = 4) adds (excessive, excessive) (W5).
    rows = {r.scenario: r for r in scenario_table(load_model("water_use"))}
    assert rows["defaults"].stable == ("reasonable, reasonable",)
    assert rows["bistable"].stable == ("reasonable, reasonable", "excessive, excessive")
    assert str(rows["bistable"].changes["k"]) == "4"


def test_scenario_table_names_centres():
    # central_local (issue 4, C1): no stable rest point, an interior centre.
    rows = scenario_table(load_model("central_local"))
    assert rows[0].stable == () and rows[0].note
    assert rows[0].centres == ("faithful+distorted, strict+lax",)


def test_report_contents(tmp_path):
    r = report(load_model("water_use"), tmp_path, pdf=False)
    names = {str(f) for f in r.files}
    for f in (
        "report.md",
        "report.tex",
        "references.bib",
        "provenance.json",
        "data/analysis.json",
        "data/rest_points.csv",
        "data/scenarios.csv",
        "data/trajectories.csv",
        "figures/phase.pdf",
        "figures/phase.png",
        "figures/time_series.pdf",
    ):
        assert f in names and (tmp_path / f).stat().st_size > 0, f
    md = (tmp_path / "report.md").read_text()
    for heading in (
        "## Parameters",
        "## Payoffs",
        "## Replicator equations",
        "## Jacobian",
        "## Rest points at the default values",
        "## Conditions on the parameters",
        "## Regimes",
        "## Scenarios",
        "## Figures",
    ):
        assert heading in md, heading
    # W3: the symbolic regime of (reasonable, reasonable), as the library prints it.
    assert (
        "`C_L + S_L + dB_L < D_L + F*k*p*theta + V_L and C_T + S_T + dB_T < D_T + "
        "F*k*p*theta + V_T`" in md
    )
    tex = (tmp_path / "report.tex").read_text()
    assert "\\toprule" in tex and "\\includegraphics" in tex and "\\begin{document}" in tex
    prov = json.loads((tmp_path / "provenance.json").read_text())
    assert prov["model"] == "water_use" and prov["parameters"]["p"] == "1/2"
    assert prov["simulation"]["method"] == "rk4"
    with open(tmp_path / "data/scenarios.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["scenario"] for r in rows] == ["defaults", "bistable", "strong_supervision"]
    analysis = json.loads((tmp_path / "data/analysis.json").read_text())
    assert analysis["inert_parameters"] == ["B_L", "B_T", "E_L", "E_T"]
    bib = (tmp_path / "references.bib").read_text()
    assert bib == citation(load_model("water_use"))


def test_report_refuses_a_file_as_directory(tmp_path, capsys):
    f = tmp_path / "x"
    f.write_text("")
    assert main(["report", "hawk_dove", "--out", str(f), "--pdf", "no"]) == 2
    assert "not a directory" in capsys.readouterr().err


@pytest.mark.skipif(not HAS_TEX, reason="pdflatex is not installed")
@pytest.mark.slow
@pytest.mark.parametrize("model", bundled_models())
def test_every_bundled_report_compiles(tmp_path, capsys, model):
    code = main(["report", model, "--out", str(tmp_path), "--pdf", "yes"])
    assert code == 0, capsys.readouterr().err
    pdf = tmp_path / "report.pdf"
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000
