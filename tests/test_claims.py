"""Claims and the audit (DESIGN §5): every kind of wrong claim gives exactly its finding.

Each wrong claim below is wrong for a reason the literature names: a zero eigenvalue called
stable (DESIGN §2's corner with eigenvalues (-25, 0) at the end of a segment of rest points), a
mixed point of a two-population game called an ESS (Selten 1980), a centre called stable
(matching pennies, Hofbauer & Sigmund 1998), a stable point that is not an ESS (Zeeman 1980's
3x3 game), and so on. The findings are checked against independent computations: the witness of a
wrong condition is re-analysed from scratch, and the library's eigenvalues are recomputed by hand.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from lmc_games import (
    Audit,
    Claim,
    ClaimError,
    Finding,
    FindingCode,
    Game,
    ModelError,
    analyze,
    audit_section,
    check,
    load_claims,
    load_model,
    system,
)

RR = "reasonable, reasonable"
RE = "reasonable, excessive"
ER = "excessive, reasonable"
EE = "excessive, excessive"
KINDS = {
    "stable",
    "complete",
    "ess",
    "unstable",
    "saddle",
    "centre",
    "eigenvalues",
    "stable_if",
    "trajectory",
    "equation",
}


@pytest.fixture(scope="module")
def hawk_dove():
    return load_model("hawk_dove")


@pytest.fixture(scope="module")
def water_use():
    return load_model("water_use")


def _segment_game():
    # DESIGN §2: row advantage y (zero on the edge y = 0), column advantage 30x - 25; the corner
    # (r2, c2) has eigenvalues (-25, 0) and ends the segment r1+r2, c2 of rest points.
    return Game.bimatrix([[1, 0], [0, 0]], [[5, 0], [-25, 0]], name="segment")


def _zeeman_game():
    # Zeeman (1980), the 3x3 game whose interior rest point is asymptotically stable under the
    # replicator dynamics but is not an ESS (Hofbauer & Sigmund 1998, section 7.3).
    return Game.symmetric([[0, 6, -4], [-3, 0, 5], [-1, 3, 0]], ["e1", "e2", "e3"], name="zeeman")


def _only(audit: Audit, kind: str | None = None) -> Finding:
    found = [f for f in audit.findings if kind is None or f.kind == kind]
    assert len(found) == 1, found
    return found[0]


def _codes(audit: Audit) -> list[tuple[str, str | None, str]]:
    return [(f.kind, f.subject, f.code.value) for f in audit.findings]


# --------------------------------------------------------------------------- true claims hold
def test_every_kind_of_true_claim_holds(hawk_dove):
    claims = {
        "paper": {
            "source": "Maynard Smith (1982)",
            "stable": ["hawk+dove"],
            "ess": ["hawk+dove"],
            "unstable": ["hawk", "dove"],
            "eigenvalues": {"hawk+dove": ["-V*(C - V)/(2*C)"], "hawk": ["(C - V)/2"]},
            "stable_if": {"hawk+dove": "C > V and V > 0", "dove": "false"},
            "trajectories": [{"from": [0.1], "reaches": "hawk+dove"}],
            "equations": {"x": "x*(1 - x)*(V - C*x)/2"},
        }
    }
    audit = check(hawk_dove, claims)
    assert audit.ok
    assert {f.kind for f in audit.findings} == KINDS - {"saddle", "centre"}
    assert all(f.source == "Maynard Smith (1982)" for f in audit.findings)
    centre = check(load_model("matching_pennies"), {"c": {"centre": ["heads+tails, heads+tails"]}})
    saddle = check(load_model("hawk_dove_roles"), {"s": {"saddle": ["hawk+dove, hawk+dove"]}})
    assert centre.ok and saddle.ok


def test_claims_carried_by_the_model_file_are_the_default(hawk_dove):
    assert hawk_dove.claims and all(isinstance(c, Claim) for c in hawk_dove.claims)
    audit = check(hawk_dove)
    assert audit.ok
    assert {f.claim for f in audit.findings} == {c.name for c in hawk_dove.claims}
    # The claims survive scenarios, values and pickling (games travel to worker processes).
    import pickle

    assert pickle.loads(pickle.dumps(hawk_dove)).claims == hawk_dove.claims
    assert hawk_dove.scenario("cheap_fights").with_values(V=3).claims == hawk_dove.claims


# --------------------------------------------------------------------------- stability claims
def test_zero_eigenvalue_called_stable():
    g = _segment_game()
    corner = analyze(g)["r2, c2"]
    assert sorted(corner.eigenvalues) == [-25, 0]
    # Only the wrong one fails: r1, c1 (eigenvalues -1, -5) is a strict Nash equilibrium.
    audit = check(g, {"paper": {"stable": ["r2, c2", "r1, c1"]}})
    assert _codes(audit) == [
        ("stable", "r2, c2", "zero-eigenvalue"),
        ("stable", "r1, c1", "holds"),
        ("complete", None, "holds"),
    ]
    assert "-25" in audit.findings[0].detail
    # A point of the segment itself is never asymptotically stable either.
    f = _only(check(g, {"p": {"stable": ["r1+r2, c2"], "complete": False}}))
    assert f.code is FindingCode.ZERO_EIGENVALUE and "continuum" in f.detail
    # An ESS claim on the corner: not strict Nash, and the zero eigenvalue says why.
    assert _only(check(g, {"p": {"ess": ["r2, c2"]}})).code is FindingCode.ZERO_EIGENVALUE


def test_saddle_and_source_called_stable(water_use):
    audit = check(water_use, {"paper": {"stable": [RE, EE], "complete": False}})
    assert _codes(audit) == [("stable", RE, "not-stable"), ("stable", EE, "not-stable")]
    assert "saddle" in audit.findings[0].detail and "source" in audit.findings[1].detail


def test_centre_called_stable_and_ess():
    mp = load_model("matching_pennies")
    audit = check(mp, {"paper": {"stable": ["heads+tails, heads+tails"], "complete": False}})
    assert _only(audit).code is FindingCode.CENTRE
    rps = load_model("rock_paper_scissors")
    # Symmetric zero-sum RPS: the interior is a centre, so neither stable nor an ESS.
    audit = check(rps, {"p": {"stable": ["rock+paper+scissors"], "ess": ["rock+paper+scissors"]}})
    assert _codes(audit) == [
        ("stable", "rock+paper+scissors", "centre"),
        ("complete", None, "holds"),
        ("ess", "rock+paper+scissors", "centre"),
    ]


def test_missed_attractors_one_finding_each(water_use):
    audit = check(water_use, {"paper": {"scenario": "bistable", "stable": [RR]}})
    assert _codes(audit) == [("stable", RR, "holds"), ("complete", EE, "missed-attractor")]
    mo = load_model("mechanism_overlap")
    audit = check(mo, {"paper": {"stable": ["lmc"]}})
    assert _codes(audit) == [
        ("stable", "lmc", "holds"),
        ("complete", "us_mekong", "missed-attractor"),
        ("complete", "japan_mekong", "missed-attractor"),
    ]
    # complete = false: the same list is a partial claim and holds.
    assert check(mo, {"paper": {"stable": ["lmc"], "complete": False}}).ok
    # stable = [] with complete (the default): every attractor is missed.
    assert [f.code for f in check(mo, {"none": {"stable": []}}).findings] == [
        FindingCode.MISSED_ATTRACTOR
    ] * 3


# --------------------------------------------------------------------------- ESS claims
def test_mixed_point_of_a_two_population_game_called_ess():
    roles = load_model("hawk_dove_roles")
    f = _only(check(roles, {"paper": {"ess": ["hawk+dove, hawk+dove"]}}))
    assert f.code is FindingCode.MIXED_ESS and "Selten 1980" in f.detail
    # Even where the mixed point is a centre, the Selten finding comes first.
    mp = load_model("matching_pennies")
    f = _only(check(mp, {"paper": {"ess": ["heads+tails, heads+tails"]}}))
    assert f.code is FindingCode.MIXED_ESS
    # But a mixed point of a symmetric one-population game can be an ESS (hawk-dove).
    assert check(load_model("hawk_dove"), {"p": {"ess": ["hawk+dove"]}}).ok


def test_stable_but_not_ess():
    z = _zeeman_game()
    a = analyze(z)
    assert a["e1+e2+e3"].asymptotically_stable and a["e1+e2+e3"].ess is False
    audit = check(z, {"paper": {"stable": ["e1", "e1+e2+e3"], "ess": ["e1", "e1+e2+e3"]}})
    assert _codes(audit) == [
        ("stable", "e1", "holds"),
        ("stable", "e1+e2+e3", "holds"),
        ("complete", None, "holds"),
        ("ess", "e1", "holds"),
        ("ess", "e1+e2+e3", "not-ess"),
    ]


def test_ess_undecided_when_payoffs_depend_on_the_shares():
    g = load_model("central_local_dynamic")
    f = _only(check(g, {"p": {"ess": ["faithful+distorted, strict+lax"]}}))
    assert f.code is FindingCode.NOT_ESS and "depend on the shares" in f.detail


# --------------------------------------------------------------------------- verdict claims
def test_wrong_verdicts(water_use):
    claims = {
        "paper": {
            "scenario": "bistable",
            "centre": ["reasonable+excessive, reasonable+excessive"],
            "saddle": [RE],
            "unstable": [RR],
        }
    }
    audit = check(water_use, claims)
    assert _codes(audit) == [
        ("unstable", RR, "wrong-verdict"),
        ("saddle", RE, "wrong-verdict"),
        ("centre", "reasonable+excessive, reasonable+excessive", "wrong-verdict"),
    ]
    assert "stable" in audit.findings[0].detail
    assert "unstable" in audit.findings[1].detail
    assert "saddle" in audit.findings[2].detail


# --------------------------------------------------------------------------- eigenvalues
def test_wrong_eigenvalues_symbolic_and_numeric(hawk_dove):
    # At hawk (x = 1) the derivative of x(1 - x)(V - Cx)/2 is -(V - C)/2 = (C - V)/2.
    x = sympy.Symbol("x")
    V, C = hawk_dove.symbols["V"], hawk_dove.symbols["C"]
    field = x * (1 - x) * (V - C * x) / 2
    assert sympy.simplify(sympy.diff(field, x).subs(x, 1) - (C - V) / 2) == 0
    claims = {
        "paper": {
            "eigenvalues": {
                "hawk": ["(V - C)/2"],  # sign error
                "dove": ["V/2"],
                "hawk+dove": ["-V*(C - V)/(2*C)"],
            }
        }
    }
    assert _codes(check(hawk_dove, claims)) == [
        ("eigenvalues", "hawk", "wrong-eigenvalues"),
        ("eigenvalues", "dove", "holds"),
        ("eigenvalues", "hawk+dove", "holds"),
    ]
    # Right at the defaults (V = 2) but not an identity in V and C: wrong.
    f = _only(check(hawk_dove, {"p": {"eigenvalues": {"hawk": ["(C - V)/2 + V - 2"]}}}))
    assert f.code is FindingCode.WRONG_EIGENVALUES
    # A number is compared at the claim's values: 1/2 at the defaults, 3 when C = 8.
    assert check(hawk_dove, {"p": {"eigenvalues": {"hawk": ["0.5"]}}}).ok
    f = _only(check(hawk_dove, {"p": {"set": {"C": 8}, "eigenvalues": {"hawk": ["0.5"]}}}))
    assert f.code is FindingCode.WRONG_EIGENVALUES and "3" in f.detail


def test_eigenvalues_compare_as_multisets(water_use):
    # (-1.3, -0.3) in either order holds; a repeated value or a missing one does not.
    for printed, ok in [
        (["-0.3", "-1.3"], True),
        (["-1.3", "-0.3"], True),
        (["-1.3", "-1.3"], False),
        (["-1.3"], False),
        (["-1.3", "-0.3", "0"], False),
    ]:
        audit = check(water_use, {"p": {"eigenvalues": {RR: printed}}})
        assert audit.ok is ok, printed
    dyn = load_model("central_local_dynamic")  # faithful, strict has the double eigenvalue 5
    assert check(dyn, {"p": {"eigenvalues": {"faithful, strict": ["5", "5"]}}}).ok
    assert not check(dyn, {"p": {"eigenvalues": {"faithful, strict": ["5", "-5"]}}}).ok


def test_eigenvalues_of_an_irrational_mixed_point():
    # water_use bistable interior: +-9*sqrt(20801)/4600 (det < 0, trace 0: a saddle).
    g = load_model("water_use", scenario="bistable")
    label = "reasonable+excessive, reasonable+excessive"
    r = analyze(g)[label]
    assert sympy.simplify(r.jacobian.trace()) == 0
    assert sympy.simplify(r.jacobian.det() + sympy.Rational(81 * 20801, 4600**2)) == 0
    ok = {"p": {"eigenvalues": {label: ["9*sqrt(20801)/4600", "-9*sqrt(20801)/4600"]}}}
    bad = {"p": {"eigenvalues": {label: ["9*sqrt(20801)/4600", "-9*sqrt(20802)/4600"]}}}
    assert check(g, ok).ok
    assert _only(check(g, bad)).code is FindingCode.WRONG_EIGENVALUES


def test_purely_imaginary_eigenvalues_as_printed():
    # Matching pennies: +-a*i, printed as square roots of -a**2 (the syntax has no i).
    mp = load_model("matching_pennies")
    label = "heads+tails, heads+tails"
    assert check(mp, {"p": {"eigenvalues": {label: ["sqrt(-a**2)", "-sqrt(-a**2)"]}}}).ok
    f = _only(check(mp, {"p": {"eigenvalues": {label: ["sqrt(-4*a**2)", "-sqrt(-4*a**2)"]}}}))
    assert f.code is FindingCode.WRONG_EIGENVALUES


# --------------------------------------------------------------------------- conditions
def test_wrong_condition_with_a_witness_that_really_disagrees(water_use):
    # The supervision form of (reasonable, reasonable): stable iff 2Fkp*theta > 9 (Savannakhet's
    # threshold; Mukdahan's, > 7, is implied). Printing only Mukdahan's is wrong.
    f = _only(check(water_use, {"paper": {"stable_if": {RR: "2*F*k*p*theta > 7"}}}))
    assert f.code is FindingCode.WRONG_CONDITION
    witness = dict(f.witness)
    assert set(witness) == {"F", "k", "p", "theta"}
    product = 2 * witness["F"] * witness["k"] * witness["p"] * witness["theta"]
    assert 7 < product <= 9
    # Independently: an exact analysis at the witness (other parameters at the defaults).
    a = analyze(water_use.with_values(witness))
    assert not a[RR].asymptotically_stable
    assert "library's is false" in f.detail and "printed condition is true" in f.detail
    # The right condition holds, in any equivalent form.
    for text in ("2*F*k*p*theta > 9", "F*k*p*theta > 4.5 and 2*F*k*p*theta > 7"):
        assert check(water_use, {"p": {"stable_if": {RR: text}}}).ok, text


def test_wrong_condition_at_the_claims_values(hawk_dove):
    f = _only(check(hawk_dove, {"paper": {"stable_if": {"hawk+dove": "C < V"}}}))
    assert f.code is FindingCode.WRONG_CONDITION
    assert dict(f.witness) == {"C": 3, "V": 2}
    assert f.detail.startswith("at the claim's values")


def test_condition_points_are_seeded_and_at_least_a_thousand(water_use):
    claims = {"p": {"stable_if": {RR: "2*F*k*p*theta > 7.2"}}}
    a, b = check(water_use, claims, seed=3), check(water_use, claims, seed=3)
    assert a == b
    assert not a.ok and a.points == 1000
    with pytest.raises(ValueError, match="at least 1000"):
        check(water_use, claims, points=999)


# --------------------------------------------------------------------------- equations
def test_wrong_equation(hawk_dove):
    f = _only(check(hawk_dove, {"paper": {"equations": {"x": "x*(1 - x)*(V - C*x)"}}}))
    assert f.code is FindingCode.WRONG_EQUATION and f.subject == "x"
    assert "dx/dt" in f.detail
    # Any algebraically equal form holds.
    assert check(hawk_dove, {"p": {"equations": {"x": "(V*x - C*x**2)*(1 - x)/2"}}}).ok


def test_equation_of_a_three_strategy_population():
    rps = load_model("rock_paper_scissors")
    text = str(sympy.expand(system(rps).field[0]))
    assert check(rps, {"p": {"equations": {"r": text}}}).ok
    f = _only(check(rps, {"p": {"equations": {"p": text}}}))
    assert f.code is FindingCode.WRONG_EQUATION


# --------------------------------------------------------------------------- trajectories
def test_trajectory_that_goes_elsewhere(water_use):
    claims = {
        "paper": {
            "scenario": "bistable",
            "trajectories": [
                {"from": [0.1, 0.1], "reaches": RR},
                {"from": [0.9, 0.9], "reaches": RR},
            ],
        }
    }
    audit = check(water_use, claims)
    assert _codes(audit) == [("trajectory", RR, "trajectory-differs"), ("trajectory", RR, "holds")]
    assert EE in audit.findings[0].detail


def test_trajectory_that_reaches_nothing():
    # Matching pennies cycles around its centre for ever.
    mp = load_model("matching_pennies")
    claims = {"p": {"trajectories": [{"from": [0.3, 0.3], "reaches": "heads+tails, heads+tails"}]}}
    f = _only(check(mp, claims))
    assert f.code is FindingCode.TRAJECTORY_DIFFERS and "no rest point" in f.detail


# --------------------------------------------------------------------------- no such point
def test_point_that_does_not_exist(hawk_dove):
    # With V > C there is no mixed rest point (x* = V/C > 1).
    claims = {"paper": {"scenario": "cheap_fights", "stable": ["hawk+dove"], "complete": False}}
    f = _only(check(hawk_dove, claims))
    assert f.code is FindingCode.NO_SUCH_POINT
    for kind in ("ess", "unstable", "saddle", "centre"):
        f = _only(check(hawk_dove, {"p": {"scenario": "cheap_fights", kind: ["hawk+dove"]}}))
        assert f.code is FindingCode.NO_SUCH_POINT, kind
    f = _only(check(hawk_dove, {"p": {"stable": ["hawk+dove #2"], "complete": False}}))
    assert f.code is FindingCode.NO_SUCH_POINT
    traj = {
        "p": {"scenario": "cheap_fights", "trajectories": [{"from": [0.5], "reaches": "hawk+dove"}]}
    }
    assert _only(check(hawk_dove, traj)).code is FindingCode.NO_SUCH_POINT


# --------------------------------------------------------------------------- values of a claim
def test_scenario_then_set_then_game_values(water_use):
    # Without a scenario a claim is taken at the game's current values.
    claims = {"p": {"stable": [EE]}}
    assert not check(water_use, claims).ok
    assert check(water_use.with_values(p="0.1"), claims).ok
    # A scenario starts from the defaults; set applies after it.
    claims = {"p": {"scenario": "bistable", "set": {"k": 1}, "stable": [EE]}}
    assert check(water_use.with_values(p="0.9"), claims).ok


def test_payoffs_at_scale(hawk_dove):
    # Multiplying every payoff by 1e6 changes no verdict and scales every eigenvalue.
    claims = {
        "p": {
            "set": {"V": 2_000_000, "C": 3_000_000},
            "stable": ["hawk+dove"],
            "ess": ["hawk+dove"],
            "eigenvalues": {"hawk+dove": ["-1000000/3"], "hawk": ["500000"]},
        }
    }
    assert check(hawk_dove, claims).ok


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 50), st.integers(1, 50))
def test_hawk_dove_ess_iff_c_exceeds_v(v, c):
    hd = load_model("hawk_dove").with_values(V=v, C=c)
    f = _only(check(hd, {"p": {"ess": ["hawk+dove"]}}))
    # Maynard Smith (1982): the mixed ESS exists exactly when C > V (x* = V/C inside (0, 1)).
    assert f.holds is (c > v)
    if not f.holds:
        assert f.code is FindingCode.NO_SUCH_POINT


# --------------------------------------------------------------------------- results
def test_findings_are_frozen_and_json_has_the_contract_shape(water_use):
    audit = check(water_use, {"p": {"stable": [RR, RE], "stable_if": {RR: "2*F*k*p*theta > 7"}}})
    with pytest.raises(dataclasses.FrozenInstanceError):
        audit.findings[0].code = FindingCode.HOLDS
    with pytest.raises(dataclasses.FrozenInstanceError):
        audit.model = "x"
    obj = json.loads(audit.to_json())
    assert set(obj) == {"model", "findings"} and obj["model"] == "water_use"
    for f in obj["findings"]:
        assert set(f) == {"claim", "kind", "subject", "finding", "holds", "detail", "witness"}
        assert f["kind"] in KINDS
        assert f["finding"] in {c.value for c in FindingCode}
        assert f["holds"] is (f["finding"] == "holds")
    witness = obj["findings"][-1]["witness"]
    assert set(witness) == {"F", "k", "p", "theta"}
    assert all(isinstance(v, float) and math.isfinite(v) for v in witness.values())
    assert audit.to_dict() == obj
    assert not audit.ok and len(audit.failures()) == 2


def test_every_finding_code_has_a_message():
    assert len(FindingCode) == 13
    for code in FindingCode:
        assert code.message and str(code) == code.value


def test_renderings(water_use):
    audit = check(water_use, {"p": {"stable": [RE], "complete": False}})
    text = str(audit)
    assert text == audit.to_text()
    assert "FAIL [p] stable reasonable, excessive: not-stable" in text
    assert text.splitlines()[-1] == "water_use: 1 of 1 findings do not hold"
    md = audit.to_markdown()
    assert "| Claim | Kind | Subject | Finding | Detail |" in md
    assert "**not-stable**" in md and "`not-stable`:" in md
    tex = audit.to_latex()
    assert r"\begin{longtable}" in tex and r"\textbf{not-stable}" in tex
    assert "_" not in tex.replace(r"\_", "")  # every underscore escaped
    section = audit_section(audit, "markdown", heading="Audit", level=3)
    assert section.startswith("### Audit\n")
    assert audit_section(audit, "latex", level=1).startswith(r"\section{Audit of the claims}")
    with pytest.raises(ValueError):
        audit_section(audit, "html")


# --------------------------------------------------------------------------- input errors
@pytest.mark.parametrize(
    ("claim", "message"),
    [
        ({"stable": ["reasonable, wasteful"]}, "names no face"),
        ({"stable": "reasonable, reasonable"}, "must be an array"),
        ({"stable": [RR + " #1"]}, "suffix"),
        ({"stabel": [RR]}, "did you mean 'stable'"),
        ({"complete": True}, "no 'stable' list"),
        ({"complete": "yes", "stable": []}, "true or false"),
        ({"scenario": "nope"}, "not a scenario"),
        ({"set": {"q": 1}}, "not a parameter"),
        ({"set": {"p": 2}}, "above"),
        ({"set": {"p": "abc"}}, "expected a decimal"),
        ({"eigenvalues": {RR: ["-1.3", "p.__class__"]}}, "attribute"),
        ({"eigenvalues": {RR: ["zeta"]}}, "zeta"),
        ({"eigenvalues": {RR: "-1.3"}}, "array of formulas"),
        ({"eigenvalues": {"nowhere": ["1"]}}, "names no face"),
        ({"stable_if": {RR: "p"}}, "not a condition"),
        ({"stable_if": {RR: "x > 0"}}, "unknown name 'x'"),
        ({"equations": {"z": "0"}}, "not a free share"),
        ({"equations": {"x": "__import__('os')"}}, "not an allowed function"),
        ({"trajectories": [{"from": [0.5], "reaches": RR}]}, "2 free shares"),
        ({"trajectories": [{"from": [0.5, 1.5], "reaches": RR}]}, "[0, 1]"),
        ({"trajectories": [{"from": [0.5, 0.5]}]}, "missing"),
        ({"trajectories": [{"from": [0.5, 0.5], "reaches": RR, "t_end": -1}]}, "positive"),
        ({"trajectories": {"from": [0.5, 0.5], "reaches": RR}}, "trajectories"),
        ({"source": 3}, "must be a string"),
    ],
)
def test_malformed_claims_are_input_errors(water_use, claim, message):
    with pytest.raises(ClaimError, match=None) as info:
        check(water_use, {"bad": claim})
    assert message in str(info.value)
    assert "\n" not in str(info.value)
    assert isinstance(info.value, ModelError)


def test_claim_name_must_be_an_identifier(water_use):
    with pytest.raises(ClaimError, match="identifier"):
        check(water_use, {"not a name": {"stable": []}})


def test_no_claims_is_an_input_error():
    with pytest.raises(ClaimError, match="carries no claims"):
        check(_segment_game())


def test_model_file_with_a_bad_claim_does_not_load(tmp_path):
    from lmc_games._model_file import model_path

    text = model_path("hawk_dove").read_text()
    bad = tmp_path / "hd.toml"
    bad.write_text(text + '\n[claims.oops]\nstable = ["hawk+dov"]\n')
    with pytest.raises(ModelError, match=r"hd\.toml, \[claims\.oops\]\.stable\[0\]: 'hawk\+dov'"):
        load_model(bad)


def test_claims_file(tmp_path, water_use):
    path = tmp_path / "paper.toml"
    path.write_text(
        '[claims.table5]\nsource = "Table 5"\nscenario = "bistable"\n'
        f'stable = ["{RR}"]\n'
        "[claims.table5.eigenvalues]\n"
        f'"{RR}" = ["-1.62", "-0.62"]\n'
    )
    claims = load_claims(path, water_use)
    assert [c.name for c in claims] == ["table5"]
    audit = check(water_use, path)
    # The model's own claims are ignored: only table5's findings.
    assert {f.claim for f in audit.findings} == {"table5"}
    assert _codes(audit) == [
        ("stable", RR, "holds"),
        ("complete", EE, "missed-attractor"),
        ("eigenvalues", RR, "holds"),
    ]
    other = tmp_path / "other.toml"
    other.write_text('[model]\nname = "x"\n[claims.a]\nstable = []\n')
    with pytest.raises(ClaimError, match="only \\[claims.NAME\\] tables"):
        load_claims(other, water_use)
    with pytest.raises(ClaimError, match="no such claims file"):
        load_claims(tmp_path / "missing.toml", water_use)
    broken = tmp_path / "broken.toml"
    broken.write_text("[claims.a\n")
    with pytest.raises(ClaimError, match="not valid TOML"):
        load_claims(broken, water_use)


@pytest.mark.parametrize(
    ("model", "free"), [("water_use", ["p", "k"]), ("central_local_social", ["s", "G_s"])]
)
def test_the_librarys_own_conditions_hold_as_printed(model, free):
    # Round trip: each condition of the symbolic analysis, printed in the model-file syntax and
    # claimed, holds (the audit decides corners from their Jacobian, mixed points from the
    # analysis: both must agree with it).
    from lmc_games._formula import format_condition

    game = load_model(model)
    sym = analyze(game.with_free(free), symbolic=True)
    table = {
        r.label: format_condition(sympy.And(r.exists_if, r.stable_if))
        for r in sym.rest_points
        if not r.intermediates
    }
    assert len(table) >= 4
    audit = check(game, {"own": {"stable_if": table}})
    assert audit.ok, audit.failures()
    assert len(audit.findings) == len(table)


def test_parameters_at_their_bounds(water_use):
    # p = 0: no supervision, excessive use everywhere; p = 1: full supervision (P = 6.4,
    # k*P = 9.6 > 9/2), reasonable use everywhere. The random points of a condition stay in
    # [0, 1] for p and theta.
    claims = {
        "none": {"set": {"p": 0}, "stable": [EE], "ess": [EE]},
        "full": {"set": {"p": 1}, "stable": [RR], "stable_if": {RR: "2*F*k*p*theta > 9"}},
    }
    assert check(water_use, claims).ok
    from lmc_games._claims import _random_points

    p, theta = water_use.parameter_map["p"], water_use.parameter_map["theta"]
    points = _random_points([p, theta], water_use.values, 1000, 0)
    assert all(0 <= pt[p.symbol] <= 1 and 0 <= pt[theta.symbol] <= 1 for pt in points)
    k = water_use.parameter_map["k"]  # min 1, no max: drawn in [1, 1.5 + 3]
    ks = [pt[k.symbol] for pt in _random_points([k], water_use.values, 1000, 0)]
    assert min(ks) >= 1 and max(ks) <= 4.5 and max(ks) > 4


def test_trajectory_finding_agrees_with_scipy(water_use):
    # Independently of the library's integrator: scipy's LSODA on the same field, written out.
    import numpy as np
    from scipy.integrate import solve_ivp

    g = water_use.scenario("bistable")
    x, y = g.variables
    field = [sympy.lambdify((x, y), f.xreplace(g.value_substitution())) for f in system(g).field]
    sol = solve_ivp(
        lambda t, u: [field[0](*u), field[1](*u)], (0, 100), [0.1, 0.1], method="LSODA", rtol=1e-10
    )
    assert np.max(np.abs(sol.y[:, -1])) < 1e-3  # (excessive, excessive): x = y = 0
    claims = {"p": {"trajectories": [{"from": [0.1, 0.1], "reaches": EE}]}}
    assert check(g, claims).ok


@settings(max_examples=20, deadline=None)
@given(st.lists(st.integers(-5, 5), min_size=8, max_size=8), st.integers(0, 3))
def test_the_librarys_own_table_holds_and_one_wrong_number_is_caught(entries, which):
    # Any 2x2 bimatrix game: the claims read off the exact analysis hold; changing one corner
    # eigenvalue by 1 gives wrong-eigenvalues, and dropping an attractor gives missed-attractor.
    A = [entries[0:2], entries[2:4]]
    B = [entries[4:6], entries[6:8]]
    g = Game.bimatrix(A, B, name="random")
    a = analyze(g)
    corners = [r for r in a.rest_points if r.is_pure]
    stable = [r.label for r in a.stable()]
    table = {r.label: [str(e) for e in r.eigenvalues] for r in corners}
    assert check(g, {"own": {"stable": stable, "eigenvalues": table}}).ok
    r = corners[which]
    wrong = {r.label: [str(r.eigenvalues[0] + 1), str(r.eigenvalues[1])]}
    f = _only(check(g, {"bad": {"eigenvalues": wrong}}))
    assert f.code is FindingCode.WRONG_EIGENVALUES
    if stable:
        audit = check(g, {"short": {"stable": stable[1:]}})
        assert [f.code for f in audit.findings if f.kind == "complete"] == [
            FindingCode.MISSED_ATTRACTOR
        ]


@pytest.mark.skipif(not __import__("shutil").which("pdflatex"), reason="needs pdflatex")
def test_latex_audit_compiles_and_breaks_across_pages(tmp_path):
    import subprocess

    audit = check(load_model("water_use"))  # 53 findings: more than one page
    assert len(audit.findings) > 40
    doc = (
        "\\documentclass[10pt]{article}\n\\usepackage[T1]{fontenc}\n"
        "\\usepackage[utf8]{inputenc}\n\\usepackage{booktabs,longtable,array}\n"
        "\\begin{document}\n" + audit_section(audit, "latex", level=1) + "\\end{document}\n"
    )
    (tmp_path / "a.tex").write_text(doc, encoding="utf-8")
    run = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "a.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout[-2000:]
    log = (tmp_path / "a.log").read_text(errors="replace")
    assert "Overfull \\hbox" not in log
    pages = int(re.search(r"Output written on a\.pdf \((\d+) pages?", log).group(1))
    assert pages >= 2  # the table broke across pages instead of running off the first


def test_claim_objects_are_checked_like_tables(hawk_dove):
    (claim,) = hawk_dove.claims[:1]
    assert check(hawk_dove, [claim]).ok
    with pytest.raises(ClaimError, match="names no face"):
        check(hawk_dove, [Claim("x", stable=("hawk+doves",), complete=True)])
    with pytest.raises(ClaimError, match="not a scenario"):
        check(hawk_dove, [Claim("x", scenario="nope")])
    with pytest.raises(ClaimError, match="Claim objects"):
        check(hawk_dove, [{"stable": []}])


def test_shared_analyses_are_keyed_by_values_free_set_and_dynamics(hawk_dove, monkeypatch):
    # report() hands its numeric analyses to the audit; one of another game, free set or
    # dynamics must never stand in for the audit's own.
    from lmc_games import _analysis
    from lmc_games._claims import _analysis_key

    key = _analysis_key(hawk_dove)
    assert key == _analysis_key(hawk_dove.with_values(C=hawk_dove.values["C"]))
    assert key == _analysis_key(hawk_dove, "replicator")
    assert key != _analysis_key(hawk_dove.with_values(C=hawk_dove.values["C"] + 1))
    assert key != _analysis_key(hawk_dove.with_free(["V"]))
    assert key != _analysis_key(hawk_dove, "logit:eta=0.5")

    claims = {"paper": {"stable": ["hawk+dove"], "unstable": ["hawk", "dove"]}}
    plain = check(hawk_dove, claims)
    calls = []
    real = _analysis.analyze

    def counting(g, *args, **kwargs):
        calls.append((_analysis_key(g, kwargs.get("dynamics")), kwargs.get("symbolic", False)))
        return real(g, *args, **kwargs)

    monkeypatch.setattr(_analysis, "analyze", counting)
    # A logit analysis under the logit key is not the replicator's: the audit makes its own.
    logit = {_analysis_key(hawk_dove, "logit:eta=0.5"): real(hawk_dove, dynamics="logit:eta=0.5")}
    assert check(hawk_dove, claims, _analyses=logit) == plain
    assert (key, False) in calls
    calls.clear()
    shared = {key: real(hawk_dove)}
    assert check(hawk_dove, claims, _analyses=shared) == plain
    assert (key, False) not in calls
