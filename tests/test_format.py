"""Renderings of hand-built results: the JSON contract of DESIGN section 4, key by key, and the
well-formedness of the text, Markdown and LaTeX reports.

The results are built by hand so that these tests check the formatters alone. They are the
true results of their games (checked by hand below), so that a reader is never misled:

* matching pennies with stake a, ``x' = x(1-x)(4ay - 2a)``, ``y' = y(1-y)(2a - 4ax)``: at
  every corner the Jacobian is diagonal with entries ±2a (a saddle); at (1/2, 1/2) it is
  ``[[0, a], [-a, 0]]``, eigenvalues ±ia, a centre (Hofbauer & Sigmund 1998, §10.2);
* hawk–dove kept symbolic, ``x' = x(1-x)(V - Cx)/2``, interior point x* = V/C with
  eigenvalue -V(C - V)/(2C);
* a game whose rows are payoff-equivalent, so that ``x`` never moves: segments of rest points.
"""

from __future__ import annotations

import json
import math
import re

import pytest
import sympy

from lmc_games import (
    Analysis,
    Continuum,
    DetTraceRow,
    Game,
    RestPoint,
    Stability,
    System,
)
from lmc_games._render import (
    INERT_SENTENCE,
    WIDTH,
    analysis_to_dict,
    analysis_to_latex,
    analysis_to_markdown,
    analysis_to_text,
    game_to_dict,
    game_to_latex,
    game_to_markdown,
    game_to_text,
)

R = sympy.Rational
I = sympy.I  # noqa: E741 - the imaginary unit, as sympy names it

REQUIRED_TOP = ("model", "parameters", "populations", "inert_parameters", "rest_points", "continua")
REQUIRED_POINT = (
    "label",
    "state",
    "eigenvalues",
    "stability",
    "asymptotically_stable",
    "nash",
    "strict_nash",
    "ess",
    "exists_if",
    "stable_if",
)
REQUIRED_CONTINUUM = ("face", "dimension", "points", "stability", "description")
VERDICTS = {"stable", "unstable", "saddle", "centre", "non-hyperbolic"}


# =====================================================================================
# hand-built results
# =====================================================================================
def pennies_game(stake: int | str = 1) -> Game:
    return Game.bimatrix(
        [["a", "-a"], ["-a", "a"]],
        [["-a", "a"], ["a", "-a"]],
        (["heads", "tails"], ["heads", "tails"]),
        populations=("matcher", "mismatcher"),
        parameters={
            "a": {"value": stake, "min": 0, "description": "stake", "latex": r"\alpha"},
            "w": {"value": 5, "description": "a welfare-only constant"},
        },
        name="pennies",
        title="Matching pennies",
    )


def _point(game: Game, label, support, x, y, eig, stability, **kw) -> RestPoint:
    xs, ys = game.variables
    nums = tuple(sorted((complex(sympy.N(e)) for e in eig), key=lambda z: (z.real, z.imag)))
    defaults = dict(
        label=label,
        support=support,
        coordinates={xs: x, ys: y},
        shares=((x, 1 - x), (y, 1 - y)),
        numeric_shares=((float(x), float(1 - x)), (float(y), float(1 - y))),
        jacobian=None,
        eigenvalues=tuple(eig),
        numeric_eigenvalues=nums,
        charpoly=sympy.Mul(*[sympy.Symbol("lambda") - e for e in eig]),
        stability=stability,
        asymptotically_stable=stability is Stability.STABLE,
        reason="eigenvalues with positive and negative real parts",
        nash=False,
        strict_nash=False,
        ess=False,
        exists_if=sympy.true,
        stable_if=sympy.false,
        nash_if=sympy.false,
    )
    defaults.update(kw)
    return RestPoint(**defaults)


def pennies_analysis() -> Analysis:
    game = pennies_game()
    one, zero, half = sympy.Integer(1), sympy.Integer(0), R(1, 2)
    corners = [
        ("heads, heads", ((0,), (0,)), one, one),
        ("heads, tails", ((0,), (1,)), one, zero),
        ("tails, heads", ((1,), (0,)), zero, one),
        ("tails, tails", ((1,), (1,)), zero, zero),
    ]
    points = [
        _point(game, lab, sup, x, y, (sympy.Integer(-2), sympy.Integer(2)), Stability.SADDLE)
        for lab, sup, x, y in corners
    ]
    points.append(
        _point(
            game,
            "heads+tails, heads+tails",
            ((0, 1), (0, 1)),
            half,
            half,
            (-I, I),
            Stability.CENTRE,
            reason="interior rest point of a 2x2 bimatrix game: a centre with a constant of motion",
            nash=True,
            nash_if=sympy.true,
        )
    )
    rows = [
        DetTraceRow(lab, sympy.Integer(-4), zero, -1, 0, Stability.SADDLE) for lab, *_ in corners
    ]
    rows.append(
        DetTraceRow(
            "heads+tails, heads+tails", one, zero, 1, 0, Stability.CENTRE, "trace = 0, det > 0"
        )
    )
    return Analysis(
        game=game,
        system=System.of(game),
        symbolic=False,
        values=dict(game.values),
        rest_points=tuple(points),
        continua=(),
        inert_parameters=("w",),
        det_trace=tuple(rows),
        complete=True,
        notes=("a note for the reader",),
    )


def irrational_analysis() -> Analysis:
    """A one-point analysis with an irrational share and eigenvalue (values only matter to the
    formatter here) and a parameter a float cannot hold."""
    game = pennies_game().with_values(a="1/3")
    s = sympy.sqrt(2) / 2
    rp = _point(
        game,
        "heads+tails, heads",
        ((0, 1), (0,)),
        s,
        sympy.Integer(1),
        (-sympy.sqrt(2), R(1, 3)),
        Stability.SADDLE,
    )
    return Analysis(game, System.of(game), False, dict(game.values), (rp,), (), ())


def hawk_dove_symbolic() -> Analysis:
    game = Game.symmetric(
        [["(V - C)/2", "V"], [0, "V/2"]],
        ["hawk", "dove"],
        parameters={"V": {"value": 2, "min": 0}, "C": {"value": 3, "min": 0}},
        name="hawk_dove",
    )
    (x,) = game.variables
    V, C = game.symbols["V"], game.symbols["C"]
    lam = sympy.Symbol("lambda")

    def point(label, sup, share, eig, **kw):
        base = dict(
            label=label,
            support=sup,
            coordinates={x: share},
            shares=((share, 1 - share),),
            numeric_shares=None,
            jacobian=None,
            eigenvalues=eig,
            numeric_eigenvalues=None,
            charpoly=None,
            stability=None,
            asymptotically_stable=False,
            reason="stable exactly when stable_if holds",
            nash=None,
            strict_nash=None,
            ess=None,
        )
        base.update(kw)
        return RestPoint(**base)

    pts = (
        point("hawk", ((0,),), sympy.Integer(1), ((C - V) / 2,), stable_if=V > C),
        point("dove", ((1,),), sympy.Integer(0), (V / 2,), stable_if=sympy.false),
        point(
            "hawk+dove",
            ((0, 1),),
            V / C,
            (),
            charpoly=lam + V * (C - V) / (2 * C),
            exists_if=sympy.And(V > 0, C > V),
            stable_if=sympy.And(V > 0, C > V),
            nash=True,
            ess=True,
        ),
    )
    return Analysis(game, System.of(game), True, None, pts, (), ())


def segment_analysis() -> Analysis:
    """Rows payoff-equivalent (x' = 0); the mismatcher's first strategy earns 1 more:
    y' = y(1-y). Segments y = 1 (eigenvalues 0, -1) and y = 0 (0, 1)."""
    game = Game.bimatrix([[0, 0], [0, 0]], [[1, 0], [1, 0]], name="flat")
    x, y = game.variables
    one, zero = sympy.Integer(1), sympy.Integer(0)

    def corner(label, sup, xv, yv, eig, stability):
        return _point(game, label, sup, xv, yv, eig, stability, reason="a zero eigenvalue")

    pts = (
        corner("r1, c1", ((0,), (0,)), one, one, (zero, -one), Stability.NON_HYPERBOLIC),
        corner("r1, c2", ((0,), (1,)), one, zero, (zero, one), Stability.UNSTABLE),
        corner("r2, c1", ((1,), (0,)), zero, one, (zero, -one), Stability.NON_HYPERBOLIC),
        corner("r2, c2", ((1,), (1,)), zero, zero, (zero, one), Stability.UNSTABLE),
    )
    t = sympy.Symbol("t", real=True)
    cont = (
        Continuum(
            "r1+r2, c1",
            ((0, 1), (0,)),
            1,
            {x: t},
            "0 < t < 1",
            Stability.NON_HYPERBOLIC,
            {x: R(1, 2)},
            (-1 + 0j, 0j),
            "a segment of rest points",
        ),
        Continuum(
            "r1+r2, c2",
            ((0, 1), (1,)),
            1,
            {x: t},
            "0 < t < 1",
            Stability.UNSTABLE,
            {x: R(1, 2)},
            (0j, 1 + 0j),
            "a segment of rest points",
        ),
    )
    return Analysis(game, System.of(game), False, dict(game.values), pts, cont, ())


def numeric_search_analysis() -> Analysis:
    """A state-dependent game whose interior point comes from a numeric search: the point is
    inexact, the enumeration incomplete."""
    game = Game.symmetric([["b*x*x", 1], ["exp(x)", 0]], ["u", "v"], parameters={"b": 2}, share="x")
    (x,) = game.variables
    v = sympy.Float("0.462939094545785967405038263678", 30)
    ev = -0.5067876098887625
    rp = RestPoint(
        label="u+v",
        support=((0, 1),),
        coordinates={x: v},
        shares=((v, 1 - v),),
        numeric_shares=((float(v), float(1 - v)),),
        jacobian=None,
        eigenvalues=(sympy.Float(ev),),
        numeric_eigenvalues=(complex(ev),),
        charpoly=None,
        stability=Stability.STABLE,
        asymptotically_stable=True,
        reason="every eigenvalue has negative real part",
        nash=True,
        strict_nash=False,
        ess=None,
        exact=False,
        notes=("numeric search",),
    )
    return Analysis(
        game,
        System.of(game),
        False,
        dict(game.values),
        (rp,),
        (),
        (),
        complete=False,
        notes=("face 'u+v': rest points from a numeric search",),
    )


# =====================================================================================
# the JSON contract
# =====================================================================================
def exact(text: str) -> sympy.Expr:
    """Read an exact string of the JSON (decimals as rationals)."""
    return sympy.sympify(text, rational=True)


def numbers_in(obj, path="$"):
    """Every (path, value) of a JSON number in ``obj`` (bools excluded)."""
    if isinstance(obj, bool) or obj is None or isinstance(obj, str):
        return []
    if isinstance(obj, (int, float)):
        return [(path, obj)]
    if isinstance(obj, dict):
        return [n for k, v in obj.items() for n in numbers_in(v, f"{path}.{k}")]
    return [n for i, v in enumerate(obj) for n in numbers_in(v, f"{path}[{i}]")]


def check_analysis_json(d: dict, game: Game, *, symbolic: bool) -> None:
    """Validate ``d`` against DESIGN section 4, key by key."""
    assert json.loads(json.dumps(d, allow_nan=False)) == d
    for key in REQUIRED_TOP:
        assert key in d, key
    assert d["model"] == game.name
    assert list(d["parameters"]) == [p.name for p in game.parameters]
    for value in d["parameters"].values():
        assert value is None if symbolic else isinstance(value, float)
    assert [p["name"] for p in d["populations"]] == [p.name for p in game.populations]
    for entry, pop in zip(d["populations"], game.populations):
        assert set(entry) >= {"name", "strategies", "share"}
        assert entry["strategies"] == list(pop.strategies)
        assert entry["share"] == pop.share_names()
    assert isinstance(d["inert_parameters"], list)
    assert all(isinstance(n, str) for n in d["inert_parameters"])
    dim = sum(p.k - 1 for p in game.populations)
    for rp in d["rest_points"]:
        for key in REQUIRED_POINT:
            assert key in rp, key
        assert ";" not in rp["label"] and ":" not in rp["label"]
        assert list(rp["state"]) == [p.name for p in game.populations]
        for pop in game.populations:
            shares = rp["state"][pop.name]
            assert list(shares) == list(pop.strategies)
            for v in shares.values():
                assert isinstance(v, str) if symbolic else isinstance(v, float)
            if not symbolic:
                assert math.isclose(sum(shares.values()), 1.0, abs_tol=1e-12)
        for ev in rp["eigenvalues"]:
            if symbolic:
                assert isinstance(ev, str) or (isinstance(ev, dict) and set(ev) == {"charpoly"})
            else:
                assert isinstance(ev, list) and len(ev) == 2
                assert all(isinstance(part, float) for part in ev)
        if not symbolic:
            assert len(rp["eigenvalues"]) == dim
        assert rp["stability"] in VERDICTS or (symbolic and rp["stability"] is None)
        assert isinstance(rp["asymptotically_stable"], bool)
        if rp["stability"] == "stable":
            assert rp["asymptotically_stable"] is True
        for flag in ("nash", "strict_nash", "ess"):
            assert rp[flag] in (True, False, None)
        for cond in ("exists_if", "stable_if"):
            assert isinstance(rp[cond], str) and rp[cond]
        for extra in ("state_exact", "eigenvalues_exact"):
            if extra in rp:
                assert not symbolic
        if "state_exact" in rp:
            assert list(rp["state_exact"]) == list(rp["state"])
        if "eigenvalues_exact" in rp:
            assert len(rp["eigenvalues_exact"]) == len(rp["eigenvalues"])
    for c in d["continua"]:
        for key in REQUIRED_CONTINUUM:
            assert key in c, key
        assert isinstance(c["dimension"], int) and c["dimension"] >= 1
        assert isinstance(c["points"], str) and isinstance(c["description"], str)
        assert c["stability"] in VERDICTS or c["stability"] is None
    # Every number is a JSON number, and (counts aside) a float.
    for path, value in numbers_in(d):
        if not path.endswith(".dimension"):
            assert isinstance(value, float), path
        assert math.isfinite(value)


def test_json_matching_pennies_shape_and_values():
    a = pennies_analysis()
    d = analysis_to_dict(a)
    check_analysis_json(d, a.game, symbolic=False)
    assert d["parameters"] == {"a": 1.0, "w": 5.0}
    assert "parameters_exact" not in d
    assert "scenario" not in d
    assert d["populations"] == [
        {"name": "matcher", "strategies": ["heads", "tails"], "share": None},
        {"name": "mismatcher", "strategies": ["heads", "tails"], "share": None},
    ]
    assert d["inert_parameters"] == ["w"]
    labels = [rp["label"] for rp in d["rest_points"]]
    assert labels == [
        "heads, heads",
        "heads, tails",
        "tails, heads",
        "tails, tails",
        "heads+tails, heads+tails",
    ]
    corner = d["rest_points"][1]
    assert corner["state"] == {
        "matcher": {"heads": 1.0, "tails": 0.0},
        "mismatcher": {"heads": 0.0, "tails": 1.0},
    }
    assert corner["eigenvalues"] == [[-2.0, 0.0], [2.0, 0.0]]
    assert corner["stability"] == "saddle" and corner["asymptotically_stable"] is False
    assert (corner["exists_if"], corner["stable_if"]) == ("true", "false")
    inner = d["rest_points"][-1]
    assert inner["state"]["matcher"] == {"heads": 0.5, "tails": 0.5}
    assert inner["eigenvalues"] == [[0.0, -1.0], [0.0, 1.0]]
    assert inner["stability"] == "centre"
    assert (inner["nash"], inner["strict_nash"], inner["ess"]) == (True, False, False)
    # 1/2 and ±i are held exactly by floats: no exact strings are needed.
    assert "state_exact" not in inner and "eigenvalues_exact" not in inner
    assert d["continua"] == []
    # No negative zeros anywhere (they print as -0.0).
    assert "-0.0" not in json.dumps(d)


def test_json_exact_strings_beside_numbers():
    a = irrational_analysis()
    d = analysis_to_dict(a)
    check_analysis_json(d, a.game, symbolic=False)
    assert d["parameters"]["a"] == pytest.approx(1 / 3)
    assert d["parameters_exact"]["a"] == "1/3"
    rp = d["rest_points"][0]
    assert rp["state"]["matcher"]["heads"] == pytest.approx(math.sqrt(2) / 2)
    assert exact(rp["state_exact"]["matcher"]["heads"]) == sympy.sqrt(2) / 2
    # Exact forms sit beside the numbers, in the same order (sorted by real part here).
    assert rp["eigenvalues"] == [[pytest.approx(-math.sqrt(2)), 0.0], [pytest.approx(1 / 3), 0.0]]
    assert [exact(e) for e in rp["eigenvalues_exact"]] == [-sympy.sqrt(2), R(1, 3)]


def test_json_scenario_is_an_extra_key():
    a = pennies_analysis()
    game = a.game.with_values(a=2)
    scen = Game.from_table(
        [("p", ["u", "d"])],
        {"u": [0], "d": ["a"]},
        parameters={"a": 1},
        scenarios={"big": {"a": 3}},
        name="one",
    ).scenario("big")
    assert game.scenario_name is None
    d = analysis_to_dict(Analysis(scen, System.of(scen), False, dict(scen.values), (), (), ()))
    assert d["scenario"] == "big" and d["parameters"] == {"a": 3.0}
    for key in REQUIRED_TOP:
        assert key in d


def test_json_symbolic():
    a = hawk_dove_symbolic()
    d = analysis_to_dict(a)
    check_analysis_json(d, a.game, symbolic=True)
    assert d["parameters"] == {"V": None, "C": None}
    assert d["symbolic"] is True
    hawk, dove, mixed = d["rest_points"]
    assert hawk["state"] == {"players": {"hawk": "1", "dove": "0"}}
    assert hawk["stability"] is None and hawk["asymptotically_stable"] is False
    assert exact(hawk["eigenvalues"][0]) == exact("(C - V)/2")
    assert hawk["stable_if"] == "V > C" and dove["stable_if"] == "false"
    assert exact(mixed["state"]["players"]["hawk"]) == exact("V/C")
    assert list(mixed["eigenvalues"][0]) == ["charpoly"]
    assert "lambda" in mixed["eigenvalues"][0]["charpoly"]
    assert set(mixed["exists_if"].split(" and ")) == {"V > 0", "C > V"}
    assert (mixed["nash"], mixed["strict_nash"], mixed["ess"]) == (True, None, True)


def test_json_continua():
    a = segment_analysis()
    d = analysis_to_dict(a)
    check_analysis_json(d, a.game, symbolic=False)
    assert [c["face"] for c in d["continua"]] == ["r1+r2, c1", "r1+r2, c2"]
    first = d["continua"][0]
    assert first["dimension"] == 1
    assert first["points"] == "x = t, y = 1, 0 < t < 1"
    assert first["stability"] == "non-hyperbolic"
    assert d["continua"][1]["points"] == "x = t, y = 0, 0 < t < 1"
    # The pure profiles that end the segments are listed as rest points too.
    assert [rp["label"] for rp in d["rest_points"]] == ["r1, c1", "r1, c2", "r2, c1", "r2, c2"]
    assert d["rest_points"][0]["eigenvalues"] == [[-1.0, 0.0], [0.0, 0.0]]


def test_json_numeric_search_point_has_no_exact_strings():
    a = numeric_search_analysis()
    d = analysis_to_dict(a)
    check_analysis_json(d, a.game, symbolic=False)
    rp = d["rest_points"][0]
    assert rp["state"]["players"]["u"] == pytest.approx(0.46293909)
    assert "state_exact" not in rp and "eigenvalues_exact" not in rp
    assert rp["exact"] is False and rp["ess"] is None
    assert d["complete"] is False and d["notes"]


def test_game_to_dict():
    game = pennies_game().with_values(a="1/3")
    d = game_to_dict(game)
    json.dumps(d, allow_nan=False)
    assert d["model"] == "pennies" and d["title"] == "Matching pennies"
    assert d["parameters"]["a"]["value"] == pytest.approx(1 / 3)
    assert d["parameters"]["a"]["value_exact"] == "1/3"
    assert d["parameters"]["a"]["default"] == 1.0
    assert d["parameters"]["a"]["latex"] == r"\alpha"
    assert d["payoffs"]["heads, tails"] == ["-a", "a"]
    assert d["payoff_values"]["heads, tails"] == [pytest.approx(-1 / 3), pytest.approx(1 / 3)]
    assert d["variables"] == ["x", "y"]
    assert len(d["equations"]) == 2 and d["equations"][0].startswith("dx/dt = ")
    for path, value in numbers_in(d):
        assert isinstance(value, float), path


def test_game_to_dict_symmetric_and_state_dependent():
    game = Game.symmetric([["x*b", 0], [1, "b"]], ["s", "t"], parameters={"b": 2}, share="x")
    d = game_to_dict(game)
    assert d["symmetric"] is True
    assert d["payoffs"]["s, s"] == "b*x"
    assert d["payoff_values"]["s, s"] is None  # depends on the share
    assert d["payoff_values"]["t, t"] == 2.0


# =====================================================================================
# text
# =====================================================================================
def test_text_report_contents():
    a = pennies_analysis()
    text = analysis_to_text(a)
    assert text.startswith("Analysis of Matching pennies (pennies)")
    assert f"w {INERT_SENTENCE}." in text
    assert "dx/dt = " in text and "dy/dt = " in text
    for rp in a.rest_points:
        assert rp.label in text
    assert "centre" in text and "saddle" in text
    assert "±i" in text  # the centre's eigenvalues, in the table
    assert "eigenvalues: -i, i" in text  # and in the details
    assert "Det/trace" in text
    assert "a note for the reader" in text
    assert "stable if: never" in text
    assert all(len(line) <= WIDTH for line in text.splitlines())


def test_text_report_rounds_irrational_values():
    text = analysis_to_text(irrational_analysis())
    assert "x ~ 0.7071" in text  # the table: rounded
    assert "sqrt(2)" in text  # the details: exact
    assert "1/3" in text  # a parameter value a float cannot hold


def test_text_report_symbolic_and_continua():
    text = analysis_to_text(hawk_dove_symbolic())
    assert "kept as symbols" in text
    assert "undecided" in text
    assert "x = V/C" in text
    assert "stable if: V > C" in text
    text = analysis_to_text(segment_analysis())
    assert "Continua of rest points" in text
    assert "x = t, y = 1, 0 < t < 1" in text
    assert all(len(line) <= WIDTH for line in text.splitlines())


def test_text_report_numeric_search():
    text = analysis_to_text(numeric_search_analysis())
    assert "x ~ 0.4629" in text and "~-0.5068" in text
    assert "may be incomplete" in text
    assert "numeric search" in text


def test_text_tables_fall_back_to_records_when_too_wide():
    a = pennies_analysis()
    long = "heads_" + "x" * 80
    rp = a.rest_points[0]
    wide = Analysis(
        a.game, a.system, False, a.values, (RestPoint(**{**rp.__dict__, "label": long}),), (), ()
    )
    text = analysis_to_text(wide)
    assert all(len(line) <= WIDTH for line in text.splitlines() if long not in line)


def test_game_to_text_bimatrix_layout():
    text = game_to_text(pennies_game())
    lines = text.splitlines()
    start = lines.index("Payoffs (matcher , mismatcher)")
    header = start + 2
    assert lines[header - 1].strip() == "mismatcher"
    assert lines[header].split() == ["matcher", "heads", "tails"]
    assert lines[header + 2].split(None, 1) == ["heads", "a , -a  -a , a"]
    assert "[0, ∞)" in text and "stake" in text
    assert "dx/dt = 2*a*x*(1 - x)*(2*y - 1)" in text


def test_game_to_text_symmetric_and_three_populations():
    game = Game.symmetric([[0, -1, 1], [1, 0, -1], [-1, 1, 0]], ["R", "P", "S"])
    text = game_to_text(game)
    assert "focal player's strategy in rows" in text
    row = next(line for line in text.splitlines() if line.strip().startswith("P "))
    assert row.split() == ["P", "1", "0", "-1"]
    three = Game.from_table(
        [("a", ["u", "d"]), ("b", ["l", "r"]), ("c", ["e", "w"])],
        {f"{i}, {j}, {k}": [1, 2, 3] for i in "ud" for j in "lr" for k in "ew"},
    )
    text = game_to_text(three)
    assert "when c plays e" in text and "when c plays w" in text
    assert "1 , 2 , 3" in text


# =====================================================================================
# Markdown
# =====================================================================================
def markdown_tables(md: str) -> list[list[str]]:
    tables, current = [], []
    for line in md.splitlines():
        if line.startswith("|"):
            current.append(line)
        elif current:
            tables.append(current)
            current = []
    if current:
        tables.append(current)
    return tables


def cells(line: str) -> int:
    return len(re.split(r"(?<!\\)\|", line)) - 2


@pytest.mark.parametrize(
    "render",
    [
        lambda: analysis_to_markdown(pennies_analysis()),
        lambda: analysis_to_markdown(hawk_dove_symbolic()),
        lambda: analysis_to_markdown(segment_analysis()),
        lambda: game_to_markdown(pennies_game()),
        lambda: game_to_markdown(
            Game.symmetric(
                [[0, "a"], [1, 0]], parameters={"a": {"value": 1, "description": "left | right"}}
            )
        ),
        lambda: analysis_to_markdown(numeric_search_analysis()),
    ],
)
def test_markdown_tables_are_consistent(render):
    md = render()
    tables = markdown_tables(md)
    assert tables
    for table in tables:
        width = cells(table[0])
        assert re.fullmatch(r"\|(---\|)+", table[1])
        assert all(cells(line) == width for line in table), table


def test_markdown_contents():
    md = analysis_to_markdown(pennies_analysis())
    assert md.startswith("# Rest points of Matching pennies")
    assert f"`w` {INERT_SENTENCE}." in md
    assert "| `heads+tails, heads+tails` |" in md
    assert "```text\ndx/dt = " in md
    md = game_to_markdown(pennies_game())
    assert "| heads | `a , -a` | `-a , a` |" in md


# =====================================================================================
# LaTeX
# =====================================================================================
def _group(text: str, start: int) -> tuple[str, int]:
    """The brace group opening at ``text[start]`` and the index after it."""
    assert text[start] == "{"
    depth = 0
    for i in range(start, len(text)):
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        if depth == 0:
            return text[start + 1 : i], i + 1
    raise AssertionError("unbalanced braces")


def _tabulars(tex: str) -> list[tuple[str, str]]:
    """``(column spec, body)`` of every tabular and tabularx environment."""
    out = []
    for m in re.finditer(r"\\begin\{(tabularx?)\}", tex):
        pos = m.end()
        if m.group(1) == "tabularx":
            _, pos = _group(tex, pos)  # the width
        spec, pos = _group(tex, pos)
        end = tex.index(rf"\end{{{m.group(1)}}}", pos)
        out.append((spec, tex[pos:end]))
    return out


def _columns(spec: str) -> int:
    """Number of columns of a column specification (``>{..}``, ``@{..}`` and widths skipped)."""
    spec = spec.replace(" ", "")
    n, i = 0, 0
    while i < len(spec):
        ch = spec[i]
        if ch in ">@<":
            _, i = _group(spec, i + 1)
            continue
        if ch in "pmb" and i + 1 < len(spec) and spec[i + 1] == "{":
            _, i = _group(spec, i + 1)
            n += 1
            continue
        if ch in "lcrX":
            n += 1
        i += 1
    return n


def check_latex(tex: str) -> None:
    body = tex.replace(r"\{", "").replace(r"\}", "")
    depth = 0
    for ch in body:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        assert depth >= 0
    assert depth == 0
    assert tex.count("$") % 2 == 0 or r"\$" in tex
    for env in ("table", "tabular", "tabularx", "align*"):
        assert tex.count(rf"\begin{{{env}}}") == tex.count(rf"\end{{{env}}}")
    tables = _tabulars(tex)
    assert len(tables) >= 1
    for rule in (r"\toprule", r"\midrule", r"\bottomrule"):
        assert tex.count(rule) == len(tables)
    # Rows of each table have as many cells as its column specification.
    for spec, inner in tables:
        ncols = _columns(spec)
        for row in inner.split(r"\\")[:-1]:
            row = row.replace(r"\toprule", "").replace(r"\midrule", "")
            row = re.sub(r"\\cmidrule\([a-z]*\)\{[^}]*\}", "", row).strip()
            if not row:
                continue
            if r"\multicolumn" in row:
                continue
            assert len(re.findall(r"(?<!\\)&", row)) == ncols - 1, row
    # No bare underscore outside math: strip math, then look.
    text_only = re.sub(r"\$[^$]*\$", "", tex)
    text_only = re.sub(r"\\begin\{align\*\}.*?\\end\{align\*\}", "", text_only, flags=re.S)
    text_only = re.sub(r"\\label\{[^}]*\}", "", text_only)
    text_only = "\n".join(line for line in text_only.splitlines() if not line.startswith("%"))
    assert not re.search(r"(?<!\\)_", text_only)
    assert not re.search(r"(?<!\\)#", text_only)


def test_latex_analysis():
    a = pennies_analysis()
    tex = analysis_to_latex(a)
    check_latex(tex)
    assert r"\dot{x} &= " in tex
    assert r"\alpha" in tex  # the parameter's declared LaTeX name
    label = r"heads+\allowbreak{}tails, heads+\allowbreak{}tails"
    row = label + r" & $x = \frac{1}{2},\ y = \frac{1}{2}$"
    assert row in tex
    assert "centre" in tex
    check_latex(analysis_to_latex(hawk_dove_symbolic()))
    check_latex(analysis_to_latex(segment_analysis()))
    check_latex(analysis_to_latex(irrational_analysis()))
    tex = analysis_to_latex(numeric_search_analysis())
    check_latex(tex)
    assert r"$x \approx 0.4629$" in tex


def test_latex_escapes_labels():
    game = Game.bimatrix(
        [[1, 0], [0, 1]],
        [[1, 0], [0, 1]],
        (["no_inspect", "inspect"], ["a_b", "c"]),
        name="my_game",
    )
    x, y = game.variables
    rp = _point(
        game,
        "no_inspect, a_b #2",
        ((0,), (0,)),
        sympy.Integer(1),
        sympy.Integer(1),
        (sympy.Integer(-1), sympy.Integer(-1)),
        Stability.STABLE,
    )
    a = Analysis(game, System.of(game), False, {}, (rp,), (), ())
    tex = analysis_to_latex(a)
    check_latex(tex)
    assert r"no\_inspect, a\_b \#2" in tex
    gtex = game_to_latex(game)
    check_latex(gtex)
    assert r"no\_inspect" in gtex


def test_latex_game():
    tex = game_to_latex(pennies_game())
    check_latex(tex)
    assert r"\multicolumn{2}{c}{mismatcher}" in tex
    assert r"heads & $\alpha$, $- \alpha$ & $- \alpha$, $\alpha$ \\" in tex
    assert r"$[0, \infty)$" in tex
    sym = game_to_latex(
        Game.symmetric(
            [["(V - C)/2", "V"], [0, "V/2"]], ["hawk", "dove"], parameters={"V": 2, "C": R(3, 2)}
        )
    )
    check_latex(sym)
    assert r"\frac{3}{2}" in sym or "1.5" in sym


# =====================================================================================
# the same checks on the analyses of the bundled models
# =====================================================================================
BUNDLED = (
    "hawk_dove",
    "prisoners_dilemma",
    "rock_paper_scissors",
    "matching_pennies",
    "inspection",
    "hawk_dove_roles",
)


@pytest.mark.parametrize("symbolic", [False, True], ids=["exact", "symbolic"])
@pytest.mark.parametrize("model", BUNDLED)
def test_bundled_model_reports_are_well_formed(model, symbolic):
    from lmc_games._analysis import analyze
    from lmc_games._model_file import load_model

    game = load_model(model)
    a = analyze(game, symbolic=symbolic)
    check_analysis_json(analysis_to_dict(a), game, symbolic=symbolic)
    check_latex(analysis_to_latex(a))
    for table in markdown_tables(analysis_to_markdown(a)):
        assert all(cells(line) == cells(table[0]) for line in table)
    text = analysis_to_text(a)
    assert all(len(line) <= WIDTH for line in text.splitlines()), model
    if not symbolic:
        check_latex(game_to_latex(game))
        assert all(len(line) <= WIDTH for line in game_to_text(game).splitlines())
        for table in markdown_tables(game_to_markdown(game)):
            assert all(cells(line) == cells(table[0]) for line in table)


def test_a_maps_verdicts_speak_of_the_unit_circle():
    # Under the discrete-time replicator a rest point is stable when its multipliers lie inside
    # the unit circle; the text and Markdown once explained every verdict as "all eigenvalues
    # have negative real part" beside multipliers of 0.99 (mechanism_overlap, base 1000).
    from lmc_games import analyze, load_model
    from lmc_games._render import analysis_to_markdown, analysis_to_text

    a = analyze(load_model("hawk_dove"), dynamics="discrete:base=10")
    assert any(rp.stability is not None for rp in a.rest_points)
    for out in (analysis_to_text(a), analysis_to_markdown(a)):
        assert "unit circle" in out
        assert "negative real part" not in out
    replicator = analysis_to_text(analyze(load_model("hawk_dove")))
    assert "negative real part" in replicator and "unit circle" not in replicator
