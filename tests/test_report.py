"""``lmc_games.report`` / ``lmc-games report`` (issue 6)."""

from __future__ import annotations

import csv
import json
import re
import shutil

import pytest
import sympy

import lmc_games
from lmc_games import bundled_models, load_model, report, scenario_table
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
    # W3: the regime of (reasonable, reasonable) against a derivation by hand from the payoff
    # table: the corner is stable iff neither government gains by deviating alone, i.e.
    # Savannakhet (B_L + dB_L + S_L - D_L - p theta k F) - (B_L + V_L - C_L) < 0 and Mukdahan
    # the same with _T (B cancels; the fine of a lone violator is p*theta*k*F).
    regimes = md.split("## Regimes", 1)[1].split("\n## ", 1)[0]
    row = re.search(r"\| `reasonable, reasonable` \| `([^`]*)` \|", regimes)
    assert row, regimes
    names = {n: sympy.Symbol(n) for n in re.findall(r"[A-Za-z_]\w*", row.group(1))}
    S = {
        n: sympy.Symbol(n) for n in "C_L S_L dB_L D_L V_L C_T S_T dB_T D_T V_T F k p theta".split()
    }
    fine = S["p"] * S["theta"] * S["k"] * S["F"]
    hand = {
        sympy.expand(S[f"D_{i}"] + fine + S[f"V_{i}"] - S[f"C_{i}"] - S[f"S_{i}"] - S[f"dB_{i}"])
        for i in ("L", "T")
    }
    printed = set()
    for part in row.group(1).split(" and "):
        lhs, op, rhs = re.fullmatch(r"(.+) ([<>]) (.+)", part).groups()
        lhs, rhs = (sympy.parse_expr(t, local_dict=names) for t in (lhs, rhs))
        printed.add(sympy.expand(rhs - lhs if op == "<" else lhs - rhs))  # positive when true
    assert printed == hand
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
    # references.bib: the library's @software entry, then one @misc per reference of the
    # model, in order, keyed by first surname and year (citation's docstring), the reference
    # kept whole in `note` (TeX specials escaped) and its DOI split out when it has one.
    bib = (tmp_path / "references.bib").read_text()
    entries = re.findall(r"@(\w+)\{([^,\n]+),\n(.*?)\n\}", bib, flags=re.S)
    refs = load_model("water_use").references
    assert [(kind, key) for kind, key, _ in entries] == [("software", "lmc_games")] + [
        ("misc", k) for k in ("zhang2020", "lu2021", "friedman1991", "selten1980")
    ]
    assert f"version = {{{lmc_games.__version__}}}" in entries[0][2]
    for (_, _, body), ref in zip(entries[1:], refs, strict=True):
        fields = dict(re.findall(r"^  (\w+) = \{(.*)\},?$", body, flags=re.M))
        assert fields["note"].replace("\\&", "&") == ref.strip()
        assert fields["year"] == re.search(r"\((\d{4})\)", ref).group(1)
        doi = re.search(r"doi\.org/(\S+?)\.?$", ref)
        assert fields.get("doi") == (doi.group(1) if doi else None)


def test_report_refuses_a_file_as_directory(tmp_path, capsys):
    f = tmp_path / "x"
    f.write_text("")
    assert main(["report", "hawk_dove", "--out", str(f), "--pdf", "no"]) == 2
    err = capsys.readouterr().err
    # One line that names the file and says what to give instead.
    assert err.count("\n") == 1 and str(f) in err and "folder" in err


@pytest.mark.skipif(not HAS_TEX, reason="pdflatex is not installed")
@pytest.mark.slow
@pytest.mark.parametrize("model", bundled_models())
def test_every_bundled_report_compiles(tmp_path, capsys, model):
    code = main(["report", model, "--out", str(tmp_path), "--pdf", "yes"])
    assert code == 0, capsys.readouterr().err
    pdf = tmp_path / "report.pdf"
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000
    # Nothing runs past the margin: the report deletes pdflatex's log, so compile once more
    # here and read it (four reports had overfull boxes: long equations, a table's last
    # column, a rest point's label in the audit).
    import subprocess

    for _ in range(2):
        subprocess.run(
            ["pdflatex", "-interaction=nonstopmode", "report.tex"],
            cwd=tmp_path,
            capture_output=True,
            timeout=300,
        )
    log = (tmp_path / "report.log").read_text(errors="replace")
    overfull = [ln for ln in log.splitlines() if ln.startswith("Overfull \\hbox")]
    assert not overfull, overfull


def test_report_analyses_each_game_once(tmp_path, monkeypatch):
    # The scenario table and the audit reuse the report's analyses (one per values, free set
    # and dynamics) instead of making them again.
    from lmc_games import _analysis
    from lmc_games._claims import _analysis_key

    real = _analysis.analyze
    calls = []

    def counting(g, *args, **kwargs):
        calls.append((_analysis_key(g, kwargs.get("dynamics")), kwargs.get("symbolic", False)))
        return real(g, *args, **kwargs)

    monkeypatch.setattr(_analysis, "analyze", counting)
    game = load_model("hawk_dove")
    report(game, tmp_path, figures=False, pdf=False)
    numeric = [k for k, symbolic in calls if not symbolic]
    # The defaults and each scenario, under the replicator dynamics, each once.
    assert len(set(numeric)) == len(numeric) == 1 + len(game.scenarios)
