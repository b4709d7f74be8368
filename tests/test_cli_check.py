"""``lmc-games check`` (DESIGN §5): exit status 0/1/2, the JSON object, and every bundled model's
own claims passing."""

from __future__ import annotations

import json

import pytest

from lmc_games import bundled_models
from lmc_games.cli import main

RR = "reasonable, reasonable"
EE = "excessive, excessive"
FINDING_KEYS = {"claim", "kind", "subject", "finding", "holds", "detail", "witness"}


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _write(tmp_path, text: str, name: str = "paper.toml") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize("model", bundled_models())
def test_every_bundled_model_passes_its_own_claims(capsys, model):
    code, out, err = _run(capsys, "check", model, "--format", "json")
    obj = json.loads(out)
    failures = [f for f in obj["findings"] if not f["holds"]]
    assert code == 0, failures
    assert obj["model"] == model and obj["findings"]
    assert err == ""


def test_text_output_and_exit_zero(capsys):
    code, out, err = _run(capsys, "check", "hawk_dove")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[-1].startswith("hawk_dove: all ") and lines[-1].endswith(" findings hold")
    assert all(line.startswith("ok   [") for line in lines[:-1])


def test_wrong_claims_exit_one_with_the_contract_json(capsys, tmp_path):
    path = _write(
        tmp_path,
        "[claims.table5]\n"
        'source = "Table 5"\n'
        'scenario = "bistable"\n'
        f'stable = ["{RR}", "reasonable, excessive"]\n'
        'ess = ["reasonable+excessive, reasonable+excessive"]\n'
        "[claims.table5.stable_if]\n"
        f'"{RR}" = "2*F*k*p*theta > 7"\n',
    )
    code, out, err = _run(capsys, "check", "water_use", "--claims", path, "--format", "json")
    assert code == 1 and err == ""
    obj = json.loads(out)
    assert set(obj) == {"model", "findings"}
    for f in obj["findings"]:
        assert set(f) == FINDING_KEYS
    got = [(f["claim"], f["kind"], f["subject"], f["finding"]) for f in obj["findings"]]
    assert got == [
        ("table5", "stable", RR, "holds"),
        ("table5", "stable", "reasonable, excessive", "not-stable"),
        ("table5", "complete", EE, "missed-attractor"),
        ("table5", "ess", "reasonable+excessive, reasonable+excessive", "mixed-ess"),
        ("table5", "stable_if", RR, "wrong-condition"),
    ]
    witness = obj["findings"][-1]["witness"]
    assert set(witness) == {"F", "k", "p", "theta"}
    assert 7 < 2 * witness["F"] * witness["k"] * witness["p"] * witness["theta"] <= 9 + 1e-9
    assert all(f["witness"] is None for f in obj["findings"][:-1])


def test_scenario_and_set_move_claims_without_a_scenario(capsys, tmp_path):
    path = _write(tmp_path, f'[claims.a]\nstable = ["{RR}"]\n')
    assert _run(capsys, "check", "water_use", "--claims", path)[0] == 0
    code, out, _ = _run(capsys, "check", "water_use", "--claims", path, "--scenario", "bistable")
    assert code == 1 and "missed-attractor" in out
    code, out, _ = _run(capsys, "check", "water_use", "--claims", path, "--set", "p=1/10")
    assert code == 1 and "not-stable" in out


@pytest.mark.parametrize(("fmt", "marker"), [("markdown", "| Claim |"), ("latex", "longtable")])
def test_markdown_and_latex(capsys, fmt, marker):
    code, out, _ = _run(capsys, "check", "prisoners_dilemma", "--format", fmt)
    assert code == 0 and marker in out


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        (f'[claims.a]\nstable = ["{RR}x"]\n', "names no face"),
        ('[claims.a]\nstable_if = {"reasonable, reasonable" = "p.real > 0"}\n', "attribute"),
        ("[claims.a]\nequations = {w = 'x'}\n", "not a free share"),
        ("[claims.a]\nset = {nope = 1}\n", "not a parameter"),
        ("[claims.a\n", "not valid TOML"),
        ('[model]\nname = "x"\n', "only [claims.NAME] tables"),
    ],
)
def test_input_errors_exit_two_with_one_line(capsys, tmp_path, claims, message):
    path = _write(tmp_path, claims)
    code, out, err = _run(capsys, "check", "water_use", "--claims", path)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("lmc-games: error: ") and message in err


def test_missing_claims_file_and_model_without_claims(capsys, tmp_path):
    code, _, err = _run(capsys, "check", "water_use", "--claims", str(tmp_path / "none.toml"))
    assert code == 2 and "no such claims file" in err
    model = _write(
        tmp_path,
        '[model]\nname = "pd"\n[[population]]\nname = "a"\nstrategies = ["c", "d"]\n'
        '[[population]]\nname = "b"\nstrategies = ["c", "d"]\n'
        '[payoffs]\n"c, c" = [3, 3]\n"c, d" = [0, 5]\n"d, c" = [5, 0]\n"d, d" = [1, 1]\n',
        "pd.toml",
    )
    code, _, err = _run(capsys, "check", model)
    assert code == 2 and "carries no claims" in err
    code, _, err = _run(capsys, "check", "water_use", "--scenario", "nope")
    assert code == 2 and "unknown scenario" in err
