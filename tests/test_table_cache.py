"""The symbolic-answer cache cannot lie (issue 10 §4): whatever sits in a cache file — a pickle,
garbage, another game's answers, half a file, a payload that would run code — the sweep's CSV
is the one a clean run writes, and the file is rewritten."""

from __future__ import annotations

import json
import os
import pickle
import warnings

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from lmc_games import _analysis as analysis_mod
from lmc_games import _sweep as sweep_mod
from lmc_games import load_model, sweep
from lmc_games._compile import cache_dir
from lmc_games._exprjson import (
    MAX_DEPTH,
    Malformed,
    Unsupported,
    canonical,
    from_tree,
    to_tree,
)
from lmc_games._stability_table import TableCacheWarning, _cache_key, compile_rest_points
from lmc_games.cli import main

GRID = {"p": np.linspace(0, 1, 21), "F": np.linspace(0, 20, 9)}
NAMES = ("p", "F")


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("LMC_GAMES_CACHE", str(tmp_path / "cache"))
    sweep_mod._BUILT.clear()  # the per-process table would hide the disk cache
    yield
    sweep_mod._BUILT.clear()


@pytest.fixture
def analyses(monkeypatch):
    """Counts symbolic analyses, i.e. cache misses."""
    calls = []
    real = analysis_mod.analyze

    def counting(game, *a, **kw):
        if kw.get("symbolic"):
            calls.append(game.name)
        return real(game, *a, **kw)

    monkeypatch.setattr(analysis_mod, "analyze", counting)
    return calls


def _path(model="water_use", names=NAMES):
    game = load_model(model)
    return cache_dir() / "tables" / f"{_cache_key(game.with_free(names), names)}.json"


def _csv(tmp_path, name="s.csv"):
    sweep_mod._BUILT.clear()
    out = tmp_path / name
    sweep(load_model("water_use"), GRID).to_csv(out)
    return out.read_bytes()


@pytest.fixture
def clean(tmp_path, analyses):
    """The CSV of a run that filled the cache; then the cache file is there and used."""
    ref = _csv(tmp_path, "clean.csv")
    assert analyses == ["water_use"] and _path().exists()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert _csv(tmp_path, "warm.csv") == ref
    assert analyses == ["water_use"]  # the second run read the file
    return ref


def _check_recomputed(tmp_path, clean, analyses, match):
    with pytest.warns(TableCacheWarning, match=match):
        assert _csv(tmp_path, "again.csv") == clean
    assert analyses.count("water_use") == 2
    doc = json.loads(_path().read_text())  # rewritten: a good file again
    assert doc["key"] == _path().stem
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert _csv(tmp_path, "third.csv") == clean
    assert analyses.count("water_use") == 2


def _malicious_pickle(marker):
    class Payload:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    return pickle.dumps(Payload())


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (lambda tmp: pickle.dumps([]), "not a JSON file"),  # the old format's "none stable"
        (lambda tmp: os.urandom(2000), "not a JSON file"),
        (lambda tmp: b"", "not a JSON file"),
        (lambda tmp: b"\xff\xfe\x00garbage", "not a JSON file"),
        (lambda tmp: b"[]", "not a file of this cache format"),
        (lambda tmp: b"null", "not a file of this cache format"),
        (lambda tmp: _malicious_pickle(tmp / "pwned"), "not a JSON file"),
    ],
    ids=["pickled-empty-list", "garbage", "empty", "not-utf8", "json-list", "json-null", "pickle"],
)
def test_foreign_bytes_are_recomputed(tmp_path, clean, analyses, content, match):
    _path().write_bytes(content(tmp_path))
    _check_recomputed(tmp_path, clean, analyses, match)
    assert not (tmp_path / "pwned").exists()


def test_a_truncated_file_is_recomputed(tmp_path, clean, analyses):
    data = _path().read_bytes()
    _path().write_bytes(data[: len(data) // 2])
    _check_recomputed(tmp_path, clean, analyses, "not a JSON file")


def test_another_models_file_under_this_key_is_recomputed(tmp_path, clean, analyses):
    compile_rest_points(load_model("inspection"), ["f", "g"])
    other = _path("inspection", ("f", "g"))
    _path().write_bytes(other.read_bytes())
    _check_recomputed(tmp_path, clean, analyses, "another game")


def test_the_same_model_at_other_fixed_values_is_another_key(tmp_path, clean, analyses):
    """A sweep at other values of the fixed parameters must not read this file."""
    game = load_model("water_use").with_values(k=5)
    assert _cache_key(game.with_free(NAMES), NAMES) != _path().stem
    other = tmp_path / "other.csv"
    sweep(game, GRID).to_csv(other)
    assert analyses == ["water_use", "water_use"]


def _edit(change):
    doc = json.loads(_path().read_text())
    change(doc)
    _path().write_text(json.dumps(doc))


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (lambda d: d.update(formulas=[]), "no rest points"),
        (lambda d: d.update(formulas=d["formulas"][1:]), "lacks a corner"),
        (lambda d: d["formulas"].append(d["formulas"][0]), "twice"),
        (lambda d: d["formulas"][0]["coords"].pop(), "one coordinate per free share"),
        (lambda d: d["formulas"][0].update(label="hawk, dove", base="hawk, dove"), "no face"),
        (lambda d: d["formulas"][0].update(order_var=[7, 0]), "order_var"),
        (lambda d: d["formulas"][0].pop("stable"), "malformed rest point"),
        (lambda d: d["formulas"][0].update(stable=["int", "1"]), "not a condition"),
        (lambda d: d["formulas"][0].update(exists=["sym", "k", {"real": True}]), "condition"),
        (lambda d: d["formulas"][0]["coords"].__setitem__(0, ["sym", "x", {}]), "not a formula"),
        (lambda d: d.update(format=1), "cache format"),
        (lambda d: d.update(kind="reason"), "malformed"),
        (lambda d: d.update(extra=1), "malformed"),
    ],
    ids=[
        "empty",
        "corner-missing",
        "duplicate",
        "short-coords",
        "foreign-label",
        "order-var",
        "field-missing",
        "number-as-condition",
        "symbol-as-condition",
        "foreign-symbol",
        "old-format",
        "kind",
        "extra-field",
    ],
)
def test_a_file_of_the_wrong_structure_is_recomputed(tmp_path, clean, analyses, change, match):
    _edit(change)
    _check_recomputed(tmp_path, clean, analyses, match)


@pytest.mark.parametrize(
    "payload",
    [
        ["op", "__import__('os').system('touch PWNED')", []],
        ["op", "eval", [["int", "1"]]],
        ["op", "Symbol", [["int", "1"]]],
        ["sym", "x", {"__class__": True}],
        ["const", "__builtins__"],
        ["int", "__import__('os').system('touch PWNED')"],
        "Add(Symbol('p'), Integer(1))",
    ],
    ids=["op-code", "eval", "op-symbol", "assumption", "const", "int", "srepr-text"],
)
def test_a_payload_that_would_run_code_is_rejected(tmp_path, clean, analyses, payload, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _edit(lambda d: d["formulas"][0]["coords"].__setitem__(0, payload))
    _check_recomputed(tmp_path, clean, analyses, "malformed expression")
    assert not (tmp_path / "PWNED").exists()


def test_the_cli_gives_the_clean_csv_after_a_pickled_empty_list(tmp_path, clean, capsys):
    """The issue's case: a pickled [] used to give "stable somewhere: none", exit 0."""
    _path().write_bytes(pickle.dumps([]))
    out = tmp_path / "cli.csv"
    sweep_mod._BUILT.clear()
    code = main(
        ["sweep", "water_use", "--vary", "p=0:1:21", "--vary", "F=0:20:9", "--out", str(out)]
    )
    _, err = capsys.readouterr()
    assert code == 0
    assert "warning: symbolic-answer cache" in err and "stable somewhere: none" not in err
    assert out.read_bytes() == clean


def test_an_unwritable_cache_still_gives_answers(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("LMC_GAMES_CACHE", str(blocker))  # a file, not a directory
    ref = compile_rest_points(load_model("water_use"), NAMES)
    assert ref.method == "symbolic"


def test_keys_of_games_with_huge_integers(tmp_path):
    """``srepr`` fails on integers past 4,300 digits; the keys do not use it."""
    from lmc_games import Game

    big = Game.symmetric(
        [["a", 2**13000], [0, 1]], ["s", "t"], parameters={"a": {"value": 1}}
    ).with_free(["a"])
    other = Game.symmetric(
        [["a", 2**13000 + 1], [0, 1]], ["s", "t"], parameters={"a": {"value": 1}}
    ).with_free(["a"])
    assert _cache_key(big, ("a",)) != _cache_key(other, ("a",))
    settings_ = {"measure": "stable"}
    grid = {"coord:a": np.array([1.0])}
    assert sweep_mod._fingerprint(big, ("a",), settings_, grid) != sweep_mod._fingerprint(
        other, ("a",), settings_, grid
    )


def test_no_temporary_files_are_left(tmp_path, clean):
    assert [p.name for p in _path().parent.iterdir()] == [_path().name]


# ------------------------------------------------------------------ the expression format

x = sympy.Symbol("x", real=True, nonnegative=True)
y = sympy.Symbol("y")
EXPRS = [
    sympy.zoo,
    -sympy.oo,
    sympy.nan,
    sympy.I * x,
    sympy.pi + sympy.E,
    sympy.Rational(3**12000, 7**9000 + 2),  # far past Python's 4,300-digit limit
    -(sympy.Integer(10) ** 5000),
    sympy.Float("0.1", 30) * x,
    sympy.Float(0.0),
    sympy.Float("-1.5e-300"),
    sympy.sqrt(2) * x - 1,
    sympy.Integer(-2) ** sympy.Rational(1, 3),
    sympy.exp(x) * sympy.log(y) - sympy.Min(x, y) + sympy.Max(x, 2) + sympy.Abs(y),
    sympy.Piecewise((x, x > 0), (0, True)),
    sympy.And(x > 0, sympy.Or(y < 1, sympy.Ne(x, y)), sympy.Not(x >= 2), sympy.Eq(x, 3)),
    x * y <= 2,
    sympy.true,
    sympy.false,
    True,
    False,
]


@pytest.mark.parametrize("expr", EXPRS, ids=range(len(EXPRS)))
def test_round_trip_is_exact(expr):
    back = from_tree(json.loads(json.dumps(to_tree(expr))))
    assert type(back) is type(expr)
    assert back == expr
    assert canonical(back) == canonical(expr)  # srepr itself fails past 4,300 digits
    if isinstance(expr, sympy.Float):
        assert back._mpf_ == expr._mpf_ and back._prec == expr._prec


def test_symbols_keep_their_assumptions():
    back = from_tree(to_tree(x))
    assert back == x and back.is_nonnegative and back != sympy.Symbol("x")


def test_unsupported_classes_are_refused_when_writing():
    for expr in (sympy.sin(x), sympy.Dummy("d"), sympy.CRootOf(x**5 - x - 1, 0)):
        with pytest.raises(Unsupported):
            to_tree(expr)


@pytest.mark.parametrize(
    "tree",
    [
        [],
        ["int"],
        ["int", "12g"],
        ["int", 12],
        ["rat", "1", "0"],
        ["rat", "1", "-2"],
        ["float", 0, "5", -1, 7, 53],  # bit count does not match the mantissa
        ["sym", "", {}],
        ["sym", "x", {"real": "yes"}],
        ["op", "Pow", [["int", "1"]]],
        ["op", "Not", [["int", "1"], ["int", "1"]]],
        ["op", "Add", "x"],
        ["bool", 1],
        ["const", "zoo", "extra"],
        {"op": "Add"},
    ],
)
def test_malformed_trees_are_refused(tree):
    with pytest.raises(Malformed):
        from_tree(tree)


def test_a_very_deep_tree_is_malformed_not_a_recursion_error():
    tree = ["int", "1"]
    for _ in range(MAX_DEPTH + 5):
        tree = ["op", "exp", [tree]]
    with pytest.raises(Malformed, match="deep"):
        from_tree(tree)


_atoms = st.one_of(
    st.integers(-(10**30), 10**30).map(sympy.Integer),
    st.fractions().map(lambda f: sympy.Rational(f.numerator, f.denominator)),
    st.sampled_from([x, y, sympy.Symbol("z", positive=True)]),
)
_small_atoms = st.one_of(
    st.integers(-5, 5).map(sympy.Integer),
    st.sampled_from([x, y, sympy.Symbol("z", positive=True)]),
)
_exprs = st.recursive(
    _atoms,
    lambda sub: st.one_of(
        st.tuples(sub, sub).map(lambda t: t[0] + t[1]),
        st.tuples(sub, sub).map(lambda t: t[0] * t[1]),
        st.tuples(sub, st.integers(-3, 3)).map(lambda t: t[0] ** t[1]),
        # exp of small atoms only: Min compares its arguments numerically, and exp(10**30)
        # or exp(exp(exp(5))) would make that comparison run for hours (seen once in CI's
        # environment).
        _small_atoms.map(sympy.exp),
        st.tuples(sub, sub).filter(lambda t: not _undefined(*t)).map(lambda t: sympy.Min(*t)),
    ),
    max_leaves=8,
)


def _undefined(*exprs: sympy.Expr) -> bool:
    # 0**-1 is zoo, and Min refuses to compare it (ValueError while drawing an example).
    return any(e.has(sympy.zoo, sympy.nan) for e in exprs)


@settings(max_examples=60, deadline=None)
@given(_exprs, _exprs, st.sampled_from(["<", "<=", ">", ">=", "==", "!="]))
def test_round_trip_property(a, b, op):
    for e in (a, b):
        assert from_tree(json.loads(json.dumps(to_tree(e)))) == e
    rel = sympy.Rel(a, b, op, evaluate=False)
    assert from_tree(json.loads(json.dumps(to_tree(rel)))) == rel
