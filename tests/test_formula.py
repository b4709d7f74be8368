"""Tests of the safe formula parser, lmc_games._formula."""

from __future__ import annotations

import ast
import builtins
import time
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
import sympy
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from sympy import Abs, Max, Min, Rational, Symbol, exp, sqrt

import lmc_games._formula as formula_module
from lmc_games._errors import FormulaError, LmcGamesError
from lmc_games._formula import (
    ALLOWED_FUNCTIONS,
    exact_number,
    format_condition,
    format_expr,
    parse_condition,
    parse_formula,
    parse_number,
)

x, y, z = sympy.symbols("x y z")
p, q, theta, F, k = sympy.symbols("p q theta F k")
NAMES = {"x": x, "y": y, "z": z, "p": p, "q": q, "theta": theta, "F": F, "k": k}


# ------------------------------------------------------------------ exactness


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0.1", Rational(1, 10)),
        ("1e-3", Rational(1, 1000)),
        ("1E3", Rational(1000)),
        ("2.50", Rational(5, 2)),
        (".5", Rational(1, 2)),
        ("3.", Rational(3)),
        ("1_000.5", Rational(2001, 2)),
        ("0.1 + 0.2 - 0.3", Rational(0)),
        ("-0.25", Rational(-1, 4)),
        ("2**-2", Rational(1, 4)),
        ("7", Rational(7)),
        ("0x10", Rational(16)),
        (Decimal("0.3"), Rational(3, 10)),
        (Decimal("-1.25E+2"), Rational(-125)),
        (5, Rational(5)),
    ],
)
def test_numbers_are_exact(text: object, expected: Rational) -> None:
    value = parse_formula(text, {})
    assert value == expected
    assert isinstance(value, sympy.Rational)


def test_no_float_anywhere_in_result() -> None:
    value = parse_formula("0.35*p + 1.1*theta - 2e-2", NAMES)
    assert not value.atoms(sympy.Float)
    assert value == Rational(35, 100) * p + Rational(11, 10) * theta - Rational(2, 100)


def test_typical_payoff_formulas() -> None:
    names = dict(NAMES)
    names.update({n: Symbol(n) for n in ("B_L", "dB_L", "S_L", "D_L", "V", "C", "P_max")})
    s = {n: names[n] for n in names}
    assert parse_formula("B_L + dB_L + S_L - D_L - p*theta*k*F", names) == (
        s["B_L"] + s["dB_L"] + s["S_L"] - s["D_L"] - p * theta * k * F
    )
    assert parse_formula("(V - C)/2", names) == (s["V"] - s["C"]) / 2
    assert parse_formula("P_max*(1 - x)", names) == s["P_max"] * (1 - x)
    assert parse_formula("max(0, p - q)", names) == Max(0, p - q)
    assert parse_formula("min(p, q, 1)", names) == Min(p, q, 1)
    assert parse_formula("exp(-k*x) + log(p) + sqrt(q) + abs(theta)", names) == (
        exp(-k * x) + sympy.log(p) + sqrt(q) + Abs(theta)
    )
    assert parse_formula("x**p", names) == x**p
    assert parse_formula("-x**2", names) == -(x**2)
    assert parse_formula("+x", names) == x
    assert parse_formula("exp(1)", {}) == sympy.E


def test_definitions_may_stand_for_expressions() -> None:
    names = {"p": p, "D": p * theta, "theta": theta}
    assert parse_formula("2*D", names) == 2 * p * theta


def test_multiline_text_in_parentheses() -> None:
    assert parse_formula("(x +\n y)", NAMES) == x + y


# ------------------------------------------------------------------ collisions


COLLIDING = ("S", "N", "I", "E", "Q", "O", "gamma", "beta", "zeta", "pi", "oo")


def test_names_colliding_with_sympy_are_the_users() -> None:
    names = {n: Symbol(n) for n in COLLIDING}
    value = parse_formula(" + ".join(COLLIDING), names)
    assert value.free_symbols == set(names.values())
    assert parse_formula("E", names) is names["E"]
    assert parse_formula("E", names) != sympy.E
    assert parse_formula("I**2", names) == names["I"] ** 2
    assert parse_formula("I**2", names) != -1
    assert parse_formula("pi", names) != sympy.pi
    assert parse_formula("oo", names) != sympy.oo
    assert isinstance(parse_formula("N", names), Symbol)
    assert isinstance(parse_formula("gamma*beta*zeta", names), sympy.Mul)
    assert parse_formula("S*Q*O", names) == names["S"] * names["Q"] * names["O"]


@pytest.mark.parametrize("name", COLLIDING)
def test_colliding_names_are_unknown_unless_declared(name: str) -> None:
    with pytest.raises(FormulaError, match="unknown name"):
        parse_formula(name, {"x": x})


def test_declared_name_cannot_be_called() -> None:
    with pytest.raises(FormulaError, match="not a function"):
        parse_formula("N(x)", {"N": Symbol("N"), "x": x})


def test_names_map_to_arbitrary_values() -> None:
    names = {"c": Rational(1, 3), "d": Decimal("0.5"), "n": 2}
    assert parse_formula("c + d + n", names) == Rational(17, 6)
    with pytest.raises(TypeError):
        parse_formula("bad", {"bad": "x"})


def test_unicode_names_are_matched_after_normalization() -> None:
    micro = Symbol("\u00b5")  # MICRO SIGN, which Python's parser turns into GREEK MU
    assert parse_formula("2*\u00b5", {"\u00b5": micro}) == 2 * micro
    theta_sym = Symbol("\u03b8")
    assert parse_formula("\u03b8 + 1", {"\u03b8": theta_sym}) == theta_sym + 1


# ------------------------------------------------------------------ keywords


def test_keyword_parameter_names() -> None:
    lam, in_ = Symbol("lambda"), Symbol("in")
    names = {"lambda": lam, "in": in_, "x": x}
    assert parse_formula("lambda*x", names) == lam * x
    assert parse_formula("in + 1", names) == in_ + 1
    assert parse_formula("max(lambda, in)**2", names) == Max(lam, in_) ** 2
    assert parse_condition("lambda > 0 and in < 1", names) == sympy.And(lam > 0, in_ < 1)


def test_keyword_alias_does_not_shadow_declared_names() -> None:
    lam, other = Symbol("lambda"), Symbol("other")
    names = {"lambda": lam, "_kw_lambda": other}
    assert parse_formula("lambda - _kw_lambda", names) == lam - other
    # An undeclared identifier spelled like the private alias stays unknown.
    with pytest.raises(FormulaError, match="unknown name '__kw_lambda'"):
        parse_formula("lambda + __kw_lambda", names)


def test_undeclared_keywords_are_still_refused() -> None:
    with pytest.raises(FormulaError, match="lambda"):
        parse_formula("lambda x: x", {"x": x})
    with pytest.raises(FormulaError):
        parse_formula("x in y", {"x": x, "y": y})
    with pytest.raises(FormulaError, match="syntax error"):
        parse_formula("lambda: 1", {"lambda": Symbol("lambda")})


def test_keyword_names_in_error_messages_use_the_declared_spelling() -> None:
    names = {"class": Symbol("class")}
    with pytest.raises(FormulaError, match=r"'class' is a declared name"):
        parse_formula("class(2)", names)
    with pytest.raises(FormulaError, match=r"class is a number, not a condition"):
        parse_condition("class", names)


# ------------------------------------------------------------------ hostility


def hostile_strings(target: Path) -> list[str]:
    path = str(target)
    return [
        f"__import__('os').system('touch {path}')",
        f"open('{path}', 'w')",
        f"open({path!r}, 'w').write('x')",
        "().__class__.__bases__[0].__subclasses__()",
        "p.real",
        "lambda: 1",
        "[p for p in q]",
        "(p for p in q)",
        "{p for p in q}",
        "{p: q for p in q}",
        "1 if p else 2",
        "import os",
        f"exec('open({path!r}, \"w\")')",
        "exec('x=1')",
        "eval('1')",
        "compile('1', 'f', 'eval')",
        "f'{p}'",
        "'abc'",
        "b'abc'",
        "p[0]",
        "(x := 1)",
        "globals()",
        "locals()",
        "vars()",
        "getattr(p, 'real')",
        "max(*p)",
        "exp(x=1)",
        "p @ q",
        "p // q",
        "p % q",
        "p ^ q",
        "p & q",
        "p | q",
        "p << q",
        "~p",
        "1j",
        "True",
        "None",
        "...",
        "[p, q]",
        "(p, q)",
        "{p: q}",
        "{p}",
        "p()",
        "exp.__globals__",
        "sympy.sympify('1')",
        "S('1')",
        "p; q",
        "await p",
        "yield p",
        "p < q",
        "p and q",
        "not p",
        "sin(p)",
        "log(p, 2)",
        "max(p)",
        "sqrt(p, q)",
        "exp()",
        "exp(p)(q)",
        "p.__class__",
        "p if q else p",
        "\\x00",
        "p\x00",
        "p q",
        "p +",
        ")",
        "'''",
    ]


def test_hostile_strings_are_refused_and_run_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "pwned"
    calls: list[str] = []

    def sentinel(name: str):
        def refuse(*args: object, **kwargs: object) -> None:
            calls.append(name)
            raise AssertionError(f"{name} was called")

        return refuse

    # compile() and __import__ stay: ast.parse needs the first, sympy the second.
    monkeypatch.setattr(builtins, "eval", sentinel("eval"))
    monkeypatch.setattr(builtins, "exec", sentinel("exec"))
    monkeypatch.setattr(builtins, "open", sentinel("open"))
    import os

    monkeypatch.setattr(os, "system", sentinel("os.system"))
    from sympy.parsing import sympy_parser

    monkeypatch.setattr(sympy_parser, "parse_expr", sentinel("parse_expr"))
    names = {"p": p, "q": q, "x": x}
    for text in hostile_strings(target):
        with pytest.raises(FormulaError) as info:
            parse_formula(text, names, where="hostile.toml")
        assert info.value.args[0].startswith("hostile.toml: "), text
        assert "\n" not in str(info.value)
    assert calls == []
    assert not target.exists()


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os')",
        "p.real",
        "[p for p in q]",
        "p[0]",
        "lambda: 1",
        "open('f')",
        "(x := 1)",
        "1 if p else 2",
        "'abc'",
        "True",
        "x in q",
        "x is q",
        "p ^ q",
        "1j",
    ],
)
def test_hostile_strings_are_refused_in_conditions(text: str) -> None:
    with pytest.raises(FormulaError):
        parse_condition(text, {"p": p, "q": q, "x": x})


def test_module_never_evaluates_or_uses_sympys_parser() -> None:
    tree = ast.parse(Path(formula_module.__file__).read_text(encoding="utf-8"))
    forbidden = {"eval", "exec", "sympify", "parse_expr", "__import__", "S", "N"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            assert node.id not in forbidden | {"compile"}, node.id
        if isinstance(node, ast.Attribute):
            # re.compile is fine; sympy.S(...) and friends would sympify.
            assert node.attr not in forbidden, node.attr
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            module = getattr(node, "module", None) or ""
            imported = [alias.name for alias in node.names]
            assert "parsing" not in module and not any("parsing" in n for n in imported)


def test_unknown_name_is_explained() -> None:
    with pytest.raises(FormulaError) as info:
        parse_formula("pp*theta", {"p": p, "theta": theta, "F": F})
    message = str(info.value)
    assert "unknown name 'pp'" in message
    assert "did you mean 'p'" in message
    assert "declared: p, theta, F" in message


def test_unknown_name_list_is_truncated() -> None:
    names = {f"a{i}": Symbol(f"a{i}") for i in range(20)}
    with pytest.raises(FormulaError, match=r"declared: a0, a1, .*, \.\.\.$"):
        parse_formula("zz", names)
    with pytest.raises(FormulaError, match="no names are declared"):
        parse_formula("zz", {})


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("p ^ 2", r"write a\*\*b for powers"),
        ("p // 2", "floor division"),
        ("exp(p=1)", "keyword arguments"),
        ("log(p, 2)", r"log\(x\)/log\(b\)"),
        ("max(p)", "at least two arguments"),
        ("sqrt(p, q)", "exactly one argument"),
        ("sin(p)", "allowed: exp, log, sqrt, min, max, abs"),
        ("p(2)", r"write p\*\(\.\.\.\) for a product"),
        ("1/0", "division by zero"),
        ("p/(q - q)", "division by zero"),
        ("0**-1", "division by zero"),
        ("log(0)", r"log\(0\) is undefined"),
        ("sqrt(-1)", "not a real number"),
        ("log(-2)", "not a real number"),
        ("", "empty"),
        ("   \n\t", "empty"),
        ("p +", "syntax error"),
        ("p q", "syntax error"),
        ("p < q", "only allowed in conditions"),
        ("p and q", "only allowed in conditions"),
        ("true", "only allowed in conditions"),
        ("True", "booleans are not allowed"),
        ("e", r"exp\(1\)"),
    ],
)
def test_refusals_say_what_to_change(text: str, reason: str) -> None:
    with pytest.raises(FormulaError, match=reason):
        parse_formula(text, {"p": p, "q": q})


def test_error_message_format() -> None:
    where = 'models/water_use.toml, [payoffs] "reasonable, excessive"'
    with pytest.raises(FormulaError) as info:
        parse_formula("p.__class__", {"p": p}, where=where)
    assert str(info.value) == (f"{where}: 'p.__class__': attribute access (a.b) is not allowed")
    with pytest.raises(FormulaError) as info:
        parse_formula("p.__class__", {"p": p})
    assert str(info.value) == "'p.__class__': attribute access (a.b) is not allowed"
    assert isinstance(info.value, LmcGamesError)
    assert isinstance(info.value, ValueError)


def test_syntax_error_is_one_line() -> None:
    with pytest.raises(FormulaError) as info:
        parse_formula("(p +\n\n q", {"p": p, "q": q}, where="w")
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("w: '(p +\\n\\n q': syntax error: ")


def test_bare_number_errors_name_where() -> None:
    with pytest.raises(FormulaError, match=r"^f.toml: NaN: only finite numbers"):
        parse_formula(Decimal("NaN"), {}, where="f.toml")
    with pytest.raises(FormulaError, match="a boolean is not a number"):
        parse_formula(True, {})  # type: ignore[arg-type]
    with pytest.raises(FormulaError, match="expected a number"):
        parse_formula(None, {})  # type: ignore[arg-type]


# ------------------------------------------------------------------ bounds


ABSURD = [
    "9**9**9",
    "10**100000",
    "2**-100000",
    "(2*p)**100000",
    "p**(10**100)",
    "sqrt(2)**(10**9)",
    "exp(100000*log(2))",
    "exp(log(2)*10**6 + p)",
    "(" * 500 + "p" + ")" * 500,
    "(" * 150 + "p" + ")" * 150,
    "-" * 5000 + "p",
    "exp(" * 150 + "p" + ")" * 150,
    "p" + "**p" * 3000,
    " + ".join(["p"] * 5000),
    "p + " * 2999 + "p",
    "1e999999",
    "1e-999999",
    "0." + "0" * 5000 + "1",
    "1" * 5000,
    "sqrt(10**1000 + 7)",
    "(10**1000 + 7)**(1/3)",
    "*".join(f"sqrt(10**150 + {i})" for i in range(30)),
    " + ".join(f"1/3**{3000 + i}" for i in range(400)),
    "10**4000*10**4000",
]


@pytest.mark.parametrize("text", ABSURD, ids=lambda t: t[:30])
def test_absurd_inputs_are_refused_quickly(text: str) -> None:
    started = time.perf_counter()
    with pytest.raises(FormulaError) as info:
        parse_formula(text, {"p": p})
    assert time.perf_counter() - started < 1.0
    assert len(str(info.value)) < 400


def test_absurd_bare_numbers_are_refused() -> None:
    started = time.perf_counter()
    for value in (Decimal("1e999999999"), Decimal("1e-999999999"), 10**5000):
        with pytest.raises(FormulaError, match="4000 digits"):
            parse_formula(value, {})
    assert time.perf_counter() - started < 1.0


def test_text_length_limit() -> None:
    long_sum = "+".join(["p"] * 10_000)  # 19,999 characters
    with pytest.raises(FormulaError, match="longer than 10000 characters") as info:
        parse_formula(long_sum, {"p": p})
    assert "(19999 characters)" in str(info.value)


def test_large_but_reasonable_inputs_are_accepted() -> None:
    assert parse_formula("2**100", {}) == 2**100
    assert parse_formula("10**3999", {}) == sympy.Integer(10) ** 3999
    assert parse_formula("0.5**1000", {}) == Rational(1, 2**1000)
    assert parse_formula("(1 + p)**1000", {"p": p}) == (1 + p) ** 1000
    assert parse_formula("p**(x + 1)", {"p": p, "x": x}) == p ** (x + 1)
    assert parse_formula("(" * 60 + "p" + ")" * 60, {"p": p}) == p
    assert parse_formula("exp(" * 60 + "p" + ")" * 60, {"p": p}).count(exp) == 60
    sum_text = " + ".join(f"{i}*p" for i in range(1, 1001))
    assert parse_formula(sum_text, {"p": p}) == 500500 * p
    assert parse_formula("exp(10*log(2))", {}) == 1024
    assert parse_formula("sqrt(2)*sqrt(3)", {}) == sqrt(6)


def test_min_max_argument_count_is_bounded() -> None:
    names = {f"a{i}": Symbol(f"a{i}") for i in range(50)}
    args = [f"{i}*a{i % 50} - a{(i * 3) % 50}/{i + 1}" for i in range(11)]
    with pytest.raises(FormulaError, match="at most 10 arguments"):
        parse_formula("max(" + ", ".join(args) + ")", names)
    nested = "max(" * 10 + "a0" + "".join(f", a{i + 1})" for i in range(10))
    with pytest.raises(FormulaError, match="nested min/max count together"):
        parse_formula(nested, names)
    # Arguments that sympy can show to be redundant do not count.
    redundant = "max(" * 20 + "p" + "".join(f", p + {i})" for i in range(20))
    assert parse_formula(redundant, {"p": p}) == p + 19
    started = time.perf_counter()
    value = parse_formula("min(" + ", ".join(args[:10]) + ")", names)
    assert time.perf_counter() - started < 1.0
    point = {s: Rational(i % 7 - 3, i + 1) for i, s in enumerate(names.values())}
    expected = min(parse_formula(a, names).xreplace(point) for a in args[:10])
    assert value.xreplace(point) == expected


def test_many_min_max_stay_fast_and_correct() -> None:
    names = {f"a{i}": Symbol(f"a{i}") for i in range(50)}
    terms = [f"max(a{i % 50}, {i}*a{(i * 7) % 50} - 1, p)" for i in range(200)]
    names["p"] = p
    started = time.perf_counter()
    value = parse_formula(" + ".join(terms), names)
    assert time.perf_counter() - started < 2.0
    point = {s: Rational(i % 5 - 2, i + 2) for i, s in enumerate(names.values())}
    expected = sum(parse_formula(t, names).xreplace(point) for t in terms)
    assert value.xreplace(point) == expected


def test_small_min_max_are_simplified() -> None:
    assert parse_formula("max(p, p + 1)", {"p": p}) == p + 1
    assert parse_formula("min(3, 0.5, 2)", {}) == Rational(1, 2)
    assert parse_formula("max(max(p, q), q)", {"p": p, "q": q}) == Max(p, q)


# ------------------------------------------------------------------ conditions


def test_chained_comparison() -> None:
    # sympy.Lt(0, x), not 0 < x, which Python turns into x > 0.
    assert parse_condition("0 < x < 1", NAMES) == sympy.And(sympy.Lt(0, x), x < 1)
    assert parse_condition("0 <= x <= y < 1", NAMES) == sympy.And(sympy.Le(0, x), x <= y, y < 1)


def test_boolean_operators_and_words() -> None:
    value = parse_condition("p > 0.5 and not (theta <= 0.2) or true", NAMES)
    assert value is sympy.true
    value = parse_condition("p > 0.5 and not (theta <= 0.2) or false", NAMES)
    assert value == sympy.And(p > Rational(1, 2), theta > Rational(1, 5))
    assert parse_condition("p == q or p != 1", NAMES) == sympy.Or(sympy.Eq(p, q), sympy.Ne(p, 1))
    assert parse_condition("1 < 2", NAMES) is sympy.true
    assert parse_condition("false", NAMES) is sympy.false
    assert parse_condition(True, NAMES) is sympy.true


def test_declared_truth_word_wins() -> None:
    t = Symbol("true")
    assert parse_condition("true > 0", {"true": t}) == (t > 0)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("p", "is a number, not a condition"),
        ("p + 1", "is a number, not a condition"),
        ("not p", "is a number, not a condition"),
        ("p and q > 0", "is a number, not a condition"),
        ("(p < 1) + 1", "a condition cannot be used as a number"),
        ("(p < 1) < q", "a condition cannot be used as a number"),
        ("exp(p < 1)", "a condition cannot be used as a number"),
        ("True", "write true"),
        ("p in q", "compare with"),
        ("p is q", "compare with"),
        ("", "empty"),
    ],
)
def test_condition_refusals(text: str, reason: str) -> None:
    with pytest.raises(FormulaError, match=reason):
        parse_condition(text, NAMES)


def test_number_is_not_a_condition() -> None:
    with pytest.raises(FormulaError, match="a number is not a condition"):
        parse_condition(Decimal(1), NAMES)  # type: ignore[arg-type]


# ------------------------------------------------------------------ numbers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2", Rational(2)),
        ("+2", Rational(2)),
        ("-1.5e-3", Rational(-3, 2000)),
        (".5", Rational(1, 2)),
        ("5.", Rational(5)),
        ("0.1", Rational(1, 10)),
        ("1E3", Rational(1000)),
        ("1/3", Rational(1, 3)),
        ("-2/7", Rational(-2, 7)),
        ("4/-6", Rational(-2, 3)),
        ("  0.25 ", Rational(1, 4)),
    ],
)
def test_parse_number_accepts(text: str, expected: Rational) -> None:
    assert parse_number(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "abc",
        "nan",
        "inf",
        "-inf",
        "1/0",
        "1/2/3",
        "1.5/2",
        "2**3",
        "0x10",
        "1_000",
        "1e",
        "e3",
        ".",
        "--1",
        "1 2",
        "p",
        "1e999999",
        "\u0661",
    ],
)
def test_parse_number_refuses(text: str) -> None:
    with pytest.raises(FormulaError) as info:
        parse_number(text)
    assert repr(text) in str(info.value)
    if text not in ("1/0", "1e999999"):
        assert "such as 1/3" in str(info.value)


def test_parse_number_refuses_non_strings() -> None:
    with pytest.raises(FormulaError, match="expected text"):
        parse_number(1.5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.1, Rational(1, 10)),
        (1e-3, Rational(1, 1000)),
        (-2.5, Rational(-5, 2)),
        (1e300, sympy.Integer(10) ** 300),
        (3, Rational(3)),
        (Decimal("0.30"), Rational(3, 10)),
        (Fraction(1, 3), Rational(1, 3)),
        (Rational(2, 7), Rational(2, 7)),
        (sympy.Float("0.1"), Rational(1, 10)),
        (sympy.Integer(-4), Rational(-4)),
    ],
)
def test_exact_number(value: object, expected: Rational) -> None:
    assert exact_number(value) == expected
    assert isinstance(exact_number(value), sympy.Rational)


def test_exact_number_accepts_numpy_scalars() -> None:
    numpy = pytest.importorskip("numpy")
    assert exact_number(numpy.float64(0.1)) == Rational(1, 10)
    assert exact_number(numpy.int64(-3)) == -3
    with pytest.raises(FormulaError):
        exact_number(numpy.float64("nan"))


@pytest.mark.parametrize(
    "value",
    [
        True,
        False,
        "0.1",
        float("nan"),
        float("inf"),
        -float("inf"),
        Decimal("NaN"),
        Decimal("Infinity"),
        Decimal("1e999999"),
        None,
        [1],
        Symbol("x"),
        sympy.pi,
    ],
)
def test_exact_number_refuses(value: object) -> None:
    with pytest.raises(FormulaError):
        exact_number(value)


# ------------------------------------------------------------------ printing


@pytest.mark.parametrize(
    ("expr", "text"),
    [
        (Rational(1, 10) * x - y / 3, "x/10 - y/3"),
        (Rational(-3, 7), "-3/7"),
        (Rational(5, 4), "1.25"),
        (-x, "-x"),
        (x**2, "x**2"),
        (x ** Rational(1, 3), "x**(1/3)"),
        (x ** Rational(3, 2), "x**1.5"),
        ((x + y) ** 2, "(x + y)**2"),
        ((-x) ** y, "(-x)**y"),
        (1 / (x * y), "1/(x*y)"),
        (2 * x / (3 * y), "2*x/(3*y)"),
        (-x / y, "-x/y"),
        (1 / sqrt(x), "1/sqrt(x)"),
        (Max(0, x - 1), "max(0, x - 1)"),
        (Abs(x) + exp(-x), "abs(x) + exp(-x)"),
        (sympy.E, "exp(1)"),
        (sympy.log(x), "log(x)"),
        (Symbol("lambda") * x, "lambda*x"),
        (x ** (y**z), "x**(y**z)"),
        ((x**y) ** z, "(x**y)**z"),
        (sympy.Integer(2) ** x, "2**x"),
        (Rational(1, 2) ** x, "0.5**x"),
        (Rational(1, 3) ** x, "(1/3)**x"),
        (Rational(1, 1024), "0.0009765625"),
        (Rational(1, 8192), "1/8192"),
        (x / Rational(-3, 7), "-7*x/3"),
        (x / (-y * z), "-x/(y*z)"),
    ],
)
def test_format_expr(expr: sympy.Expr, text: str) -> None:
    assert format_expr(expr) == text
    names = {s.name: s for s in expr.free_symbols}
    assert parse_formula(text, names) == expr


@pytest.mark.parametrize("expr", [sympy.pi, sympy.I, sympy.oo, sympy.sin(x), Symbol("a b"), x < 1])
def test_format_expr_refuses_what_the_syntax_cannot_express(expr: sympy.Basic) -> None:
    with pytest.raises(FormulaError, match="cannot be written"):
        format_expr(expr)


def test_format_condition_examples() -> None:
    assert format_condition(sympy.And(x > 0, x < 1)) == "x > 0 and x < 1"
    assert format_condition(sympy.Not(sympy.Or(x > 0, y > 0))) == "not (x > 0 or y > 0)"
    assert format_condition(sympy.Eq(x, y)) == "x == y"
    assert format_condition(sympy.Ne(x + 1, y)) == "x + 1 != y"
    assert format_condition(sympy.true) == "true"
    assert format_condition(False) == "false"
    xor = sympy.Xor(x > 0, y > 0)
    reparsed = parse_condition(format_condition(xor), NAMES)
    for vx, vy in [(1, 1), (1, -1), (-1, 1), (-1, -1)]:
        assert reparsed.subs({x: vx, y: vy}) == xor.subs({x: vx, y: vy})
    with pytest.raises(FormulaError, match="not a condition"):
        format_condition(x)


# ------------------------------------------------------------------ round trips

# Real symbols: for complex ones sympy rewrites abs(exp(x)) as exp(re(x)), and re is
# not part of the syntax.
xr, yr, zr = sympy.symbols("x y z", real=True)
SYMBOLS = [xr, yr, zr, *(Symbol(n, real=True) for n in ("lambda", "E", "I"))]
ROUND_TRIP_NAMES = {s.name: s for s in SYMBOLS}

rationals = st.fractions(min_value=-20, max_value=20, max_denominator=16).map(
    lambda f: Rational(f.numerator, f.denominator)
)
leaves = st.one_of(st.sampled_from(SYMBOLS), rationals)


def _safely(op):
    """``op``, except that sympy's refusals (Min of non-real numbers, ...) give nan,
    which the tests then discard with assume()."""

    def call(args: tuple) -> sympy.Basic:
        try:
            return op(*args)
        except (TypeError, ValueError):
            return sympy.nan

    return call


def _binary(children: st.SearchStrategy, op) -> st.SearchStrategy:
    return st.tuples(children, children).map(_safely(op))


def _unary(children: st.SearchStrategy, op) -> st.SearchStrategy:
    return st.tuples(children).map(_safely(op))


def _extend(children: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(
        _binary(children, lambda a, b: a + b),
        _binary(children, lambda a, b: a - b),
        _binary(children, lambda a, b: a * b),
        _binary(children, lambda a, b: a / b),
        st.tuples(children, st.integers(-3, 3)).map(_safely(lambda a, n: a**n)),
        _unary(children, exp),
        _unary(children, sqrt),
        _unary(children, Abs),
        _binary(children, Min),
        _binary(children, Max),
        st.tuples(children, st.sampled_from(SYMBOLS)).map(_safely(lambda a, s: a**s)),
    )


expressions = st.recursive(leaves, _extend, max_leaves=8)

BAD_ATOMS = (sympy.zoo, sympy.nan, sympy.oo, -sympy.oo, sympy.I)


SYNTAX_FUNCTIONS = (sympy.exp, sympy.log, Min, Max, Abs)


def _acceptable(expr: sympy.Basic) -> bool:
    """Whether ``expr`` lies within the formula syntax: sympy's own rewriting of the
    generated trees can step outside it (abs(exp(sqrt(x))) becomes exp(re(...)))."""
    if any(expr.has(a) for a in BAD_ATOMS):
        return False
    if any(not isinstance(f, SYNTAX_FUNCTIONS) for f in expr.atoms(sympy.Function)):
        return False
    return all(
        e.free_symbols or e.is_extended_real is not False
        for e in sympy.preorder_traversal(expr)
        if isinstance(e, sympy.Expr)
    )


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions)
def test_round_trip_expressions(expr: sympy.Expr) -> None:
    assume(_acceptable(expr))
    text = format_expr(expr)
    back = parse_formula(text, ROUND_TRIP_NAMES)
    # sympy's canonical form depends on how a tree was built (sqrt(abs(x))*abs(x) may
    # or may not become abs(x)**1.5), so equality is checked symbolically, then by
    # sympy's numeric zero test when simplify gives up.
    difference = back - expr
    assert back == expr or sympy.simplify(difference) == 0 or difference.equals(0), (
        expr,
        text,
        back,
    )


def _relation(parts: tuple[sympy.Expr, type, sympy.Expr]) -> sympy.Basic | None:
    left, relation, right = parts
    try:
        return relation(left, right)
    except TypeError:  # sympy refuses to compare non-real numbers
        return None


relations = (
    st.tuples(
        expressions,
        st.sampled_from([sympy.Lt, sympy.Le, sympy.Gt, sympy.Ge, sympy.Eq, sympy.Ne]),
        expressions,
    )
    .map(_relation)
    .filter(lambda r: r is not None)
)


def _extend_conditions(children: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(
        _binary(children, sympy.And),
        _binary(children, sympy.Or),
        _unary(children, sympy.Not),
    )


conditions = st.recursive(
    st.one_of(relations, st.sampled_from([sympy.true, sympy.false])),
    _extend_conditions,
    max_leaves=5,
)

SAMPLE_POINTS = [
    {xr: Rational(1, 3), yr: Rational(-2), zr: Rational(5, 2)},
    {xr: Rational(-1), yr: Rational(1, 2), zr: Rational(0)},
    {xr: Rational(7, 4), yr: Rational(7, 4), zr: Rational(-3, 5)},
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(conditions)
# Found by hypothesis: conditions undefined at a sample point (z = 0) that sympy's
# evaluation called true or could not compare.
@example((xr < 1) & (xr < xr**2 * sympy.Abs(zr**-2)))
@example((xr < sympy.Min(xr, zr**xr)) & (xr < 1 / (2 * (xr + yr))))
def test_round_trip_conditions(cond: sympy.Basic) -> None:
    assume(_acceptable(cond))
    text = format_condition(cond)
    back = parse_condition(text, ROUND_TRIP_NAMES)
    if back == cond:
        return
    # Otherwise the two must agree wherever both can be decided.
    others = {s: Rational(3, 7) for s in SYMBOLS if s not in (xr, yr, zr)}
    decided = 0
    for point in SAMPLE_POINTS:
        values = {**point, **others}
        expected = _truth(cond, values)
        if expected is not None:
            assert _truth(back, values) is expected, (cond, text, back, values)
            decided += 1
    assume(decided > 0)


def _truth(cond: sympy.Basic, values: dict) -> sympy.Basic | None:
    """true or false at ``values``, or None where sympy cannot decide (sqrt of a
    negative number makes comparisons invalid) or a side is undefined there: at z = 0,
    ``x < x**2*abs(1/z**2)`` is no more true than its round trip ``x < x**2/z**2`` (sympy
    said True to the first, through abs(zoo) = oo, and nothing to the second)."""
    for rel in cond.atoms(sympy.core.relational.Relational):
        for side in (rel.lhs, rel.rhs):
            try:
                v = side.subs(values)
            except (TypeError, ValueError):
                return None  # min(-1, zoo): sympy refuses to compare a side that is undefined
            if v.has(sympy.zoo, sympy.oo, -sympy.oo, sympy.nan):
                return None
    try:
        value = cond.subs(values)
    except (TypeError, ValueError):
        return None
    return value if value in (sympy.true, sympy.false) else None


@given(rationals)
def test_round_trip_numbers(value: Rational) -> None:
    assert parse_formula(format_expr(value), {}) == value
    assert parse_number(format_expr(value)) == value


@given(st.floats(allow_nan=False, allow_infinity=False, width=64))
def test_exact_number_matches_float_repr(value: float) -> None:
    assert exact_number(value) == Rational(Fraction(Decimal(repr(value))))


def test_allowed_functions_constant() -> None:
    assert ALLOWED_FUNCTIONS == ("exp", "log", "sqrt", "min", "max", "abs")
