"""Model files: the TOML format of DESIGN section 3, its error messages and the bundled models."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import sympy

from lmc_games._errors import FormulaError, LmcGamesError, ModelError, ParameterError
from lmc_games._model_file import bundled_models, load_model, model_path

BUNDLED = [
    "basin_compensation",
    "central_local",
    "central_local_dynamic",
    "central_local_social",
    "hawk_dove",
    "hawk_dove_roles",
    "inspection",
    "matching_pennies",
    "mechanism_overlap",
    "prisoners_dilemma",
    "rock_paper_scissors",
    "water_use",
    "water_use_lmc",
]

SYMMETRIC = """
[model]
name = "tiny"
symmetric = true

[[population]]
name = "players"
strategies = ["a", "b"]

[parameters.p]
value = 0.5
min = 0
max = 1

[payoffs]
"a, a" = "p"
"a, b" = 0
"b, a" = 1
"b, b" = "1 - p"
"""

TWO_POPULATIONS = """
[model]
name = "pair"

[[population]]
name = "row"
strategies = ["up", "down"]
share = "x"

[[population]]
name = "col"
strategies = ["left", "right"]
share = "y"

[parameters]
a = {value = 1, min = 0}

[payoffs]
"up, left" = ["a", "-a"]
"up, right" = ["-a", "a"]
"down, left" = ["-a", "a"]
"down, right" = ["a", "-a"]
"""


def write(tmp_path: Path, text: str, name: str = "model.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def refused(path: Path, *keys: str) -> str:
    """Load ``path``, expect a ModelError naming the file and every key; return the message."""
    with pytest.raises(ModelError) as info:
        load_model(path)
    message = str(info.value)
    assert str(path) in message, message
    for key in keys:
        assert key in message, f"{key!r} not in {message!r}"
    return message


# --------------------------------------------------------------------- valid files
def test_minimal_symmetric_file_loads(tmp_path):
    path = write(tmp_path, SYMMETRIC)
    game = load_model(path)
    assert game.name == "tiny"
    assert game.title == "tiny"
    assert game.is_symmetric
    assert game.source == str(path)
    assert game.values["p"] == sympy.Rational(1, 2)


def test_string_path_and_path_object_agree(tmp_path):
    path = write(tmp_path, SYMMETRIC)
    assert load_model(str(path)).payoffs == load_model(path).payoffs


def test_two_population_file_with_inline_parameter(tmp_path):
    game = load_model(write(tmp_path, TWO_POPULATIONS))
    assert [p.name for p in game.populations] == ["row", "col"]
    a = game.symbols["a"]
    assert game.payoffs[(0, 1)] == (-a, a)
    assert game.parameter_map["a"].min == 0


def test_inline_and_table_parameters_are_the_same(tmp_path):
    table = SYMMETRIC
    inline = SYMMETRIC.replace(
        "[parameters.p]\nvalue = 0.5\nmin = 0\nmax = 1\n",
        "[parameters]\np = {value = 0.5, min = 0, max = 1}\n",
    )
    assert inline != table
    g1 = load_model(write(tmp_path, table, "table.toml"))
    g2 = load_model(write(tmp_path, inline, "inline.toml"))
    assert g1.parameters == g2.parameters
    assert g1.payoffs == g2.payoffs


def test_decimals_are_exact(tmp_path):
    text = SYMMETRIC.replace("value = 0.5", "value = 0.1").replace('"a, b" = 0', '"a, b" = 0.1')
    text += "\n[scenarios.s]\np = 0.3\n"
    game = load_model(write(tmp_path, text))
    assert game.values["p"] == sympy.Rational(1, 10)
    assert isinstance(game.values["p"], sympy.Rational)
    assert game.payoffs[(0, 1)] == (sympy.Rational(1, 10),)
    assert game.scenarios["s"]["p"] == sympy.Rational(3, 10)
    # 0.3 - 0.1 - 0.2 is not zero in floating point; here it must be.
    assert game.scenario("s").values["p"] - sympy.Rational(1, 10) - sympy.Rational(2, 10) == 0


def test_decimal_in_formula_is_exact(tmp_path):
    text = SYMMETRIC.replace('"a, a" = "p"', '"a, a" = "p - 0.1"')
    game = load_model(write(tmp_path, text))
    p = game.symbols["p"]
    assert game.payoffs[(0, 0)][0] == p - sympy.Rational(1, 10)


def test_bare_number_and_one_element_list_payoffs(tmp_path):
    text = SYMMETRIC.replace('"b, a" = 1', '"b, a" = ["2*p"]').replace('"a, b" = 0', '"a, b" = -3')
    game = load_model(write(tmp_path, text))
    p = game.symbols["p"]
    assert game.payoffs[(1, 0)] == (2 * p,)
    assert game.payoffs[(0, 1)] == (sympy.Integer(-3),)


def test_keyword_named_parameter_lambda(tmp_path):
    text = (
        SYMMETRIC.replace("[parameters.p]", "[parameters.lambda]")
        .replace('"a, a" = "p"', '"a, a" = "2*lambda"')
        .replace('"b, b" = "1 - p"', '"b, b" = "1 - lambda"')
    )
    game = load_model(write(tmp_path, text))
    lam = game.symbols["lambda"]
    assert lam.name == "lambda"
    assert game.payoffs[(0, 0)] == (2 * lam,)
    assert game.with_values({"lambda": "1/4"}).values["lambda"] == sympy.Rational(1, 4)


def test_user_symbols_that_sympy_also_names(tmp_path):
    # S, N, I, E and gamma are sympy names (singletons, imaginary unit, Euler's number, the gamma
    # function); in a model file they are the user's parameters.
    text = """
[model]
name = "epidemic_like"
symmetric = true

[[population]]
name = "players"
strategies = ["a", "b"]
share = "x"

[parameters]
S = {value = 1}
N = {value = 2}
I = {value = 3}
E = {value = 4}
gamma = {value = 5}

[payoffs]
"a, a" = "S + N"
"a, b" = "I*E"
"b, a" = "gamma"
"b, b" = "S*N*I*E*gamma*x"
"""
    game = load_model(write(tmp_path, text))
    sym = game.symbols
    assert game.payoffs[(0, 0)] == (sym["S"] + sym["N"],)
    assert game.payoffs[(0, 1)] == (sym["I"] * sym["E"],)
    assert game.payoffs[(1, 0)] == (sym["gamma"],)
    values = game.value_substitution()
    assert game.payoffs[(0, 1)][0].xreplace(values) == 12
    assert game.payoffs[(1, 0)][0].xreplace(values) == 5
    names = {s.name for s in game.payoffs[(1, 1)][0].free_symbols}
    assert names == {"S", "N", "I", "E", "gamma", "x"}


def test_definitions_and_scenarios(tmp_path):
    text = (
        SYMMETRIC.replace('"a, a" = "p"', '"a, a" = "gain"')
        + """
[definitions]
gain = "2*half"
half = "p/2"
one = 1

[scenarios.high]
p = 0.9
"""
    )
    game = load_model(write(tmp_path, text))
    assert game.payoffs[(0, 0)] == (game.symbols["p"],)
    assert game.definitions["one"] == 1
    assert load_model(write(tmp_path, text), scenario="high").values["p"] == sympy.Rational(9, 10)


def test_scenario_then_values(tmp_path):
    text = SYMMETRIC + "\n[scenarios.high]\np = 0.9\n"
    path = write(tmp_path, text)
    game = load_model(path, scenario="high", values={"p": "1/3"})
    assert game.values["p"] == sympy.Rational(1, 3)
    assert load_model(path, values={"p": 0.25}).values["p"] == sympy.Rational(1, 4)
    with pytest.raises(ParameterError):
        load_model(path, scenario="nope")
    with pytest.raises(ParameterError):
        load_model(path, values={"q": 1})
    with pytest.raises(ParameterError):
        load_model(path, values={"p": 2})


# --------------------------------------------------------------------- errors
def test_file_not_found(tmp_path):
    missing = tmp_path / "absent.toml"
    refused(missing, "no such model file")


def test_path_with_slash_is_a_path_not_a_name():
    with pytest.raises(ModelError, match="nowhere/none"):
        load_model("nowhere/none")


def test_toml_syntax_error_gives_the_line(tmp_path):
    path = write(tmp_path, '[model]\nname = "x"\ntitle = "unterminated\n')
    message = refused(path, "not valid TOML")
    assert re.search(r"line \d+", message), message


def test_not_utf8(tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes('[model]\nname = "caf\xe9"\n'.encode("latin-1"))
    refused(path, "not valid TOML")


def test_missing_model_table(tmp_path):
    text = SYMMETRIC.replace('[model]\nname = "tiny"\nsymmetric = true\n', "")
    refused(write(tmp_path, text), "[model]", "missing")


def test_model_not_a_table(tmp_path):
    text = 'model = "tiny"\n[[population]]' + SYMMETRIC.split("[[population]]", 1)[1]
    refused(write(tmp_path, text), "[model]", "table")


def test_missing_model_name(tmp_path):
    text = SYMMETRIC.replace('name = "tiny"\n', "")
    refused(write(tmp_path, text), "[model].name", "missing")


def test_model_name_not_identifier(tmp_path):
    text = SYMMETRIC.replace('name = "tiny"', 'name = "two words"')
    refused(write(tmp_path, text), "[model].name", "identifier")


def test_unknown_model_key_suggests_the_right_one(tmp_path):
    text = SYMMETRIC.replace('name = "tiny"', 'name = "tiny"\ntitel = "Tiny"')
    message = refused(write(tmp_path, text), "[model].titel", "unknown key")
    assert "'title'" in message


def test_unknown_top_level_key(tmp_path):
    text = SYMMETRIC.replace("[parameters.p]", "[parameter.p]")
    message = refused(write(tmp_path, text), "parameter", "unknown key")
    assert "'parameters'" in message


def test_unknown_population_key(tmp_path):
    text = SYMMETRIC.replace('name = "players"', 'name = "players"\nlable = "Players"')
    message = refused(write(tmp_path, text), "[[population]] 1", "lable", "unknown key")
    assert "'label'" in message


def test_unknown_parameter_key(tmp_path):
    text = SYMMETRIC.replace("min = 0\n", 'min = 0\ndescripton = "oops"\n')
    message = refused(write(tmp_path, text), "[parameters.p].descripton", "unknown key")
    assert "'description'" in message


def test_unknown_inline_parameter_key(tmp_path):
    text = TWO_POPULATIONS.replace("a = {value = 1, min = 0}", "a = {value = 1, minimum = 0}")
    message = refused(write(tmp_path, text), "[parameters.a].minimum", "unknown key")
    assert "'min'" in message


def test_wrong_model_value_types(tmp_path):
    text = SYMMETRIC.replace("symmetric = true", 'symmetric = "yes"')
    refused(write(tmp_path, text), "[model].symmetric")
    text = SYMMETRIC.replace('name = "tiny"', 'name = "tiny"\nreferences = "Smith 2020"')
    refused(write(tmp_path, text), "[model].references", "array")
    text = SYMMETRIC.replace('name = "tiny"', 'name = "tiny"\ntitle = 3')
    refused(write(tmp_path, text), "[model].title", "string")


def test_missing_populations(tmp_path):
    text = SYMMETRIC.replace('[[population]]\nname = "players"\nstrategies = ["a", "b"]\n', "")
    refused(write(tmp_path, text), "[[population]]", "missing")


def test_population_as_single_table(tmp_path):
    text = SYMMETRIC.replace("[[population]]", "[population]")
    refused(write(tmp_path, text), "[[population]]", "double brackets")


def test_population_missing_name(tmp_path):
    text = SYMMETRIC.replace('name = "players"\n', "")
    refused(write(tmp_path, text), "[[population]] 1.name", "missing")


def test_population_missing_strategies(tmp_path):
    text = SYMMETRIC.replace('strategies = ["a", "b"]\n', "")
    refused(write(tmp_path, text), "[[population]] 1 ('players').strategies", "missing")


def test_population_strategies_not_names(tmp_path):
    text = SYMMETRIC.replace('strategies = ["a", "b"]', 'strategies = "a, b"')
    refused(write(tmp_path, text), "strategies", "array")


def test_population_share_wrong_type(tmp_path):
    text = SYMMETRIC.replace('strategies = ["a", "b"]', 'strategies = ["a", "b"]\nshare = 1')
    refused(write(tmp_path, text), "share")


def test_parameter_missing_value(tmp_path):
    text = SYMMETRIC.replace("value = 0.5\n", "")
    refused(write(tmp_path, text), "[parameters.p].value", "missing")


def test_parameter_bare_number_suggests_a_table(tmp_path):
    text = TWO_POPULATIONS.replace("a = {value = 1, min = 0}", "a = 1")
    refused(write(tmp_path, text), "[parameters.a]", "{value = 1}")


@pytest.mark.parametrize(
    "value, what",
    [
        ('"1/3"', "string"),
        ('"0.5"', "string"),
        ("true", "boolean"),
        ("[1]", "array"),
        ("1979-05-27", "date"),
        ("nan", "finite"),
        ("inf", "finite"),
    ],
)
def test_parameter_value_must_be_a_number(tmp_path, value, what):
    text = SYMMETRIC.replace("value = 0.5", f"value = {value}").replace("min = 0\nmax = 1\n", "")
    message = refused(write(tmp_path, text), "[parameters.p].value", what)
    assert "number" in message


def test_parameter_bound_must_be_a_number(tmp_path):
    text = SYMMETRIC.replace("max = 1", 'max = "one"')
    refused(write(tmp_path, text), "[parameters.p].max", "number")


def test_parameter_min_above_max(tmp_path):
    text = SYMMETRIC.replace("min = 0\nmax = 1", "min = 1\nmax = 0")
    refused(write(tmp_path, text), "[parameters.p]", "min 1 is above max 0")


@pytest.mark.parametrize("value, word", [("-0.5", "below"), ("1.5", "above")])
def test_parameter_value_outside_bounds(tmp_path, value, word):
    text = SYMMETRIC.replace("value = 0.5", f"value = {value}")
    refused(write(tmp_path, text), "[parameters.p].value", word)


def test_parameter_description_and_latex_are_strings(tmp_path):
    text = SYMMETRIC.replace("min = 0\n", "min = 0\ndescription = 5\n")
    refused(write(tmp_path, text), "[parameters.p].description", "string")
    text = SYMMETRIC.replace("min = 0\n", "min = 0\nlatex = false\n")
    refused(write(tmp_path, text), "[parameters.p].latex", "string")


def test_symmetric_with_two_populations(tmp_path):
    text = TWO_POPULATIONS.replace('name = "pair"', 'name = "pair"\nsymmetric = true')
    refused(write(tmp_path, text), "[model].symmetric", "exactly one [[population]]")


def test_missing_payoffs(tmp_path):
    text = SYMMETRIC.split("[payoffs]")[0]
    refused(write(tmp_path, text), "[payoffs]", "missing")


def test_multi_population_row_not_a_list(tmp_path):
    text = TWO_POPULATIONS.replace('"up, left" = ["a", "-a"]', '"up, left" = "a"')
    refused(write(tmp_path, text), '[payoffs] "up, left"', "array of 2")


def test_multi_population_row_wrong_length(tmp_path):
    text = TWO_POPULATIONS.replace('"up, left" = ["a", "-a"]', '"up, left" = ["a"]')
    refused(write(tmp_path, text), '[payoffs] "up, left"', "array of 2")


def test_symmetric_row_with_two_payoffs(tmp_path):
    text = SYMMETRIC.replace('"b, a" = 1', '"b, a" = [1, 2]')
    refused(write(tmp_path, text), '[payoffs] "b, a"', "one payoff")


@pytest.mark.parametrize("row", ["true", "{x = 1}", "1979-05-27", "[[1]]"])
def test_payoff_not_a_formula(tmp_path, row):
    text = SYMMETRIC.replace('"b, a" = 1', f'"b, a" = {row}')
    refused(write(tmp_path, text), '[payoffs] "b, a"')


def test_payoff_in_a_row_not_a_formula(tmp_path):
    text = TWO_POPULATIONS.replace('"up, left" = ["a", "-a"]', '"up, left" = ["a", true]')
    refused(write(tmp_path, text), '[payoffs] "up, left"', "formula")


def test_payoffs_not_a_table(tmp_path):
    text = "payoffs = 1\n" + SYMMETRIC.split("[payoffs]")[0]
    refused(write(tmp_path, text), "[payoffs]", "table")


def test_missing_and_unknown_profiles(tmp_path):
    text = SYMMETRIC.replace('"b, b" = "1 - p"\n', "")
    refused(write(tmp_path, text), "[payoffs]", "missing")
    text = SYMMETRIC.replace('"b, b" = "1 - p"', '"b, c" = "1 - p"')
    refused(write(tmp_path, text), "[payoffs]", "'c'")


def test_unknown_name_in_formula(tmp_path):
    text = SYMMETRIC.replace('"a, a" = "p"', '"a, a" = "q"')
    with pytest.raises(ModelError) as info:
        load_model(write(tmp_path, text))
    assert isinstance(info.value, FormulaError)
    assert str(tmp_path) in str(info.value)
    assert '"a, a"' in str(info.value)


def test_hostile_formula_is_refused_and_runs_nothing(tmp_path):
    target = tmp_path / "pwned"
    text = SYMMETRIC.replace(
        '"a, a" = "p"', f"\"a, a\" = \"__import__('os').system('touch {target}')\""
    )
    with pytest.raises(LmcGamesError) as info:
        load_model(write(tmp_path, text))
    assert isinstance(info.value, ModelError)
    assert '"a, a"' in str(info.value)
    assert not target.exists()


def test_hostile_definition_is_refused_and_runs_nothing(tmp_path):
    target = tmp_path / "pwned2"
    text = (
        SYMMETRIC
        + f"""
[definitions]
evil = "p.__class__.__init__.__globals__['os'].system('touch {target}')"
"""
    )
    with pytest.raises(ModelError) as info:
        load_model(write(tmp_path, text))
    assert "evil" in str(info.value)
    assert not target.exists()


def test_definition_not_a_formula(tmp_path):
    text = SYMMETRIC + "\n[definitions]\nflag = true\n"
    refused(write(tmp_path, text), "[definitions] flag", "formula")


def test_definitions_not_a_table(tmp_path):
    text = "definitions = 3\n" + SYMMETRIC
    refused(write(tmp_path, text), "[definitions]", "table")


def test_scenario_with_unknown_parameter(tmp_path):
    text = SYMMETRIC + "\n[scenarios.strong]\npp = 0.9\n"
    message = refused(write(tmp_path, text), "[scenarios.strong].pp", "not a parameter")
    assert "'p'" in message


def test_scenario_out_of_bounds(tmp_path):
    text = SYMMETRIC + "\n[scenarios.strong]\np = 2\n"
    refused(write(tmp_path, text), "[scenarios.strong].p", "above max 1")


def test_scenario_value_not_a_number(tmp_path):
    text = SYMMETRIC + '\n[scenarios.strong]\np = "0.9"\n'
    refused(write(tmp_path, text), "[scenarios.strong].p", "number")


def test_scenario_not_a_table(tmp_path):
    text = SYMMETRIC + "\n[scenarios]\nstrong = 0.9\n"
    refused(write(tmp_path, text), "[scenarios.strong]", "table")


def test_errors_from_the_game_name_the_file(tmp_path):
    # Checks done by Game.from_table (duplicated strategy) are prefixed with the file too.
    text = SYMMETRIC.replace('strategies = ["a", "b"]', 'strategies = ["a", "a"]')
    refused(write(tmp_path, text), "listed twice")


# --------------------------------------------------------------------- bundled models
def test_bundled_models_are_exactly_these():
    assert bundled_models() == BUNDLED


def test_unknown_bundled_name_lists_the_bundled_models():
    with pytest.raises(ModelError) as info:
        load_model("hawk_dvoe")
    message = str(info.value)
    assert "'hawk_dove'" in message
    for name in BUNDLED:
        assert name in message


def test_model_path_of_unknown_name():
    with pytest.raises(ModelError, match="no bundled model"):
        model_path("nope")


@pytest.mark.parametrize("name", BUNDLED)
def test_bundled_model_loads_by_name_and_by_path(name):
    by_name = load_model(name)
    path = model_path(name)
    assert path.is_file()
    assert path.name == f"{name}.toml"
    by_path = load_model(path)
    assert by_name.name == name
    assert by_name.source == f"models/{name}.toml"
    assert by_path.source == str(path)
    assert by_name.payoffs == by_path.payoffs
    assert by_name.parameters == by_path.parameters
    for scenario in by_name.scenarios:
        load_model(name, scenario=scenario)


@pytest.mark.parametrize("name", BUNDLED)
def test_bundled_file_name_equals_model_name(name):
    with open(model_path(name), "rb") as f:
        data = tomllib.load(f)
    assert data["model"]["name"] == name


@pytest.mark.parametrize("name", BUNDLED)
def test_bundled_models_fill_every_descriptive_key(name):
    with open(model_path(name), "rb") as f:
        data = tomllib.load(f)
    model = data["model"]
    for key in ("title", "description"):
        assert isinstance(model.get(key), str) and model[key].strip(), key
    refs = model.get("references")
    assert isinstance(refs, list) and refs
    for ref in refs:
        # a full citation: authors, a year in parentheses, a title
        assert re.search(r"\(\d{4}\)\.", ref), ref
    for pop in data["population"]:
        assert isinstance(pop.get("label"), str) and pop["label"].strip(), pop
        assert "share" in pop, pop
    assert data.get("parameters")
    for pname, spec in data["parameters"].items():
        assert isinstance(spec.get("description"), str) and spec["description"].strip(), pname
        assert isinstance(spec.get("latex"), str) and spec["latex"].strip(), pname
    assert data.get("scenarios"), "every bundled model has at least one scenario"


def test_bundled_payoffs_match_their_claims():
    """The payoff tables encode the rest points their descriptions state (a light check; the
    dynamics are tested in tests/models/)."""
    hd = load_model("hawk_dove")
    ((f_hawk, f_dove),) = hd.expected_payoffs()
    x = hd.populations[0].variables[0]
    V, C = hd.symbols["V"], hd.symbols["C"]
    assert sympy.solve(sympy.expand(f_hawk - f_dove), x) == [V / C]

    insp = load_model("inspection")
    (f_insp, f_no), (f_viol, f_comply) = insp.expected_payoffs()
    p, q = insp.variables
    s = insp.symbols
    assert sympy.solve(sympy.expand(f_insp - f_no), q) == [s["c"] / (s["r"] + s["l"])]
    assert sympy.solve(sympy.expand(f_viol - f_comply), p) == [s["g"] / s["f"]]

    roles = load_model("hawk_dove_roles")
    (fo_h, fo_d), (fi_h, fi_d) = roles.expected_payoffs()
    x, y = roles.variables
    V, C = roles.symbols["V"], roles.symbols["C"]
    assert sympy.solve(sympy.expand(fo_h - fo_d), y) == [V / C]
    assert sympy.solve(sympy.expand(fi_h - fi_d), x) == [V / C]

    mp = load_model("matching_pennies")
    (m_h, m_t), (n_h, n_t) = mp.expected_payoffs()
    x, y = mp.variables
    a = mp.symbols["a"]
    assert sympy.expand(m_h - m_t - 2 * a * (2 * y - 1)) == 0
    assert sympy.expand(n_h - n_t - 2 * a * (1 - 2 * x)) == 0

    rps = load_model("rock_paper_scissors")
    a, b = rps.symbols["a"], rps.symbols["b"]
    matrix = sympy.Matrix(3, 3, lambda i, j: rps.payoffs[(i, j)][0])
    assert matrix == sympy.Matrix([[0, -b, a], [a, 0, -b], [-b, a, 0]])

    pd = load_model("prisoners_dilemma")
    assert [str(p.name) for p in pd.parameters] == ["R", "S", "T", "P"]
    assert [pd.values[n] for n in "RSTP"] == [3, 0, 5, 1]


# --------------------------------------------------------------------- packaging
def test_every_subpackage_ships_in_the_wheel():
    """pyproject.toml lists the packages by hand (to map models/ to lmc_games.models); a
    subpackage missing from that list would be left out of the wheel."""
    root = Path(__file__).resolve().parent.parent
    with open(root / "pyproject.toml", "rb") as f:
        listed = set(tomllib.load(f)["tool"]["setuptools"]["packages"])
    found = {
        ".".join(init.parent.relative_to(root).parts)
        for init in (root / "lmc_games").rglob("__init__.py")
    }
    assert found - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"
    assert "lmc_games.models" in listed


def test_the_example_in_the_docs_loads(tmp_path):
    root = Path(__file__).resolve().parent.parent
    text = (root / "docs" / "model-files.md").read_text(encoding="utf-8")
    example = re.search(r"```toml\n(.*?)```", text, re.S).group(1)
    game = load_model(write(tmp_path, example, "water_use.toml"))
    assert game.name == "water_use"
    assert game.scenario("strong_supervision").values["p"] == sympy.Rational(9, 10)
    assert game.values["D"] == sympy.Rational(3, 2)


def test_missing_file_named_like_a_bundled_model_gets_a_hint(tmp_path):
    with pytest.raises(ModelError, match="give its name alone: hawk_dove"):
        load_model(tmp_path / "hawk_dove.toml")
