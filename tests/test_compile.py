"""Compiled fields: broadcasting, caching, and agreement between engines."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import sympy

from lmc_games import Game, load_model, system
from lmc_games._compile import EngineUnavailableError, compile_field, numba_available

MODELS = ["matching_pennies", "hawk_dove", "hawk_dove_roles", "inspection", "rock_paper_scissors"]


def _exact_field(sys_, state, values):
    """The field by substitution into the sympy expressions (the slow reference)."""
    sub = dict(zip(sys_.variables, map(sympy.Float, state)))
    sub.update({p.symbol: sympy.Float(v) for p, v in zip(sys_.game.parameters, values)})
    return np.array([float(f.xreplace(sub)) for f in sys_.field])


@pytest.mark.parametrize("name", MODELS)
def test_numpy_matches_substitution_and_broadcasts(name):
    sys_ = system(load_model(name))
    f = compile_field(sys_, engine="numpy")
    assert f.variables == tuple(map(str, sys_.variables))
    assert f.parameters == tuple(p.name for p in sys_.game.parameters)
    rng = np.random.default_rng(1)
    states = rng.uniform(0, 0.5, (4, 1, f.n))
    params = rng.uniform(0.5, 2, (1, 3, f.m))
    out = f(states, params)
    assert out.shape == (4, 3, f.n)
    for i in range(4):
        for j in range(3):
            ref = _exact_field(sys_, states[i, 0], params[0, j])
            np.testing.assert_allclose(out[i, j], ref, rtol=1e-12, atol=1e-14)


def test_cached_on_system():
    sys_ = system(load_model("matching_pennies"))
    assert compile_field(sys_, engine="numpy") is compile_field(sys_, engine="numpy")


def test_constant_component_and_keyword_parameter():
    # A zero payoff advantage makes a constant component; a parameter named like a Python
    # keyword must not leak into the generated source.
    g = Game.symmetric([["lambda", 0], [0, "lambda"]], ["a", "b"], parameters={"lambda": 1})
    f = compile_field(system(g), engine="numpy")
    assert "lambda" not in f.source
    out = f(np.array([[0.25]]), np.array([[2.0]]))
    assert out.shape == (1, 1)
    np.testing.assert_allclose(out[0, 0], 0.25 * 0.75 * (2 * 0.25 - 2 * 0.75))
    zero = Game.symmetric([[1, 1], [1, 1]], ["a", "b"])
    fz = compile_field(system(zero), engine="numpy")
    assert fz(np.full((3, 1), 0.5), np.zeros((1, 0))).tolist() == [[0.0]] * 3


def test_bad_engine_and_shapes():
    sys_ = system(load_model("matching_pennies"))
    with pytest.raises(ValueError):
        compile_field(sys_, engine="fortran")
    f = compile_field(sys_, engine="numpy")
    with pytest.raises(ValueError):
        f(np.zeros((2, 3)), np.ones((1, 1)))


def test_numba_missing_is_a_clear_error(monkeypatch):
    import lmc_games._compile as comp

    monkeypatch.setattr(comp, "numba_available", lambda: False)
    sys_ = system(load_model("hawk_dove"))
    with pytest.raises(EngineUnavailableError, match=r"pip install 'lmc-games\[fast\]'"):
        comp.compile_field(sys_, engine="numba")
    assert comp.compile_field(sys_, engine="auto").engine == "numpy"


@pytest.mark.parametrize("name", MODELS)
def test_numba_agrees_with_numpy(name, tmp_path, monkeypatch):
    pytest.importorskip("numba")
    monkeypatch.setenv("LMC_GAMES_CACHE", str(tmp_path))
    sys_ = system(load_model(name))
    fn = compile_field(sys_, engine="numpy")
    fb = compile_field(sys_, engine="numba")
    assert fb.engine == "numba"
    # numba's on-disk cache needs the kernel in a real file.
    assert Path(fb._batch.py_func.__code__.co_filename).is_file()
    rng = np.random.default_rng(2)
    states = rng.uniform(0, 0.5, (6, 1, fn.n))
    params = rng.uniform(0.5, 2, (1, 2, fn.m))
    np.testing.assert_allclose(fb(states, params), fn(states, params), rtol=1e-12, atol=1e-12)
    inits = rng.uniform(0, 0.5, (5, fn.n))
    a = fn.rk4(inits, params[0], 0.05, 200, 20)
    b = fb.rk4(inits, params[0], 0.05, 200, 20)
    assert a.shape == b.shape == (11, 5, 2, fn.n)
    np.testing.assert_allclose(b, a, rtol=1e-12, atol=1e-12)


def test_numba_available_reports_installation():
    try:
        import numba  # noqa: F401
    except ImportError:
        assert not numba_available()
    else:
        assert numba_available()
