"""Claims of the central–local interpretation games (models ``central_local`` and
``central_local_dynamic``; issue 4, part 3; docs/models/central_local.md).

C1  central_local at its defaults has no asymptotically stable rest point; its interior rest
    point (x*, y*) = (11/16, 31/38) is a centre, and
    H = a ln x + b ln(1 - x) - c ln y - d ln(1 - y) is a constant of motion, with
    a = D_y(0), b = -D_y(1), c = D_x(0), d = -D_x(1) (D_x, D_y the payoff advantages of
    faithful and strict implementation; Hofbauer & Sigmund 1998, ch. 10).
C2  with G_s = 6 (scenario ``accountability``) (faithful, strict) is the only stable rest point;
    the threshold is G_s > C_s + A = 5.
C3  central_local_dynamic (every P becomes P_max (1 - x), P_max = 20) has an asymptotically
    stable interior rest point, x* = 13/10 - sqrt(161)/20, which attracts every interior start;
    the library says why this does not contradict Selten (1980).

Each claim is checked symbolically (``analyze``, sympy) and by simulation.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import solve_ivp

from lmc_games import (
    Stability,
    analyze,
    basins,
    converge,
    load_model,
    simulate,
    starts_grid,
    sweep,
    system,
)
from lmc_games._compile import compile_field

R = sympy.Rational
INTERIOR = "faithful+distorted, strict+lax"


@pytest.fixture(scope="module")
def game():
    return load_model("central_local")


@pytest.fixture(scope="module")
def dynamic():
    return load_model("central_local_dynamic")


def _sym(game, *names):
    return [game.symbols[n] for n in names]


def _advantages(game):
    """D_x(y) and D_y(x) written out by hand from the payoff table of the model file."""
    R_l, C_f, dR, q, q0, P, A, C_s, G_s, V, L_c, mu, K = _sym(
        game, "R_l", "C_f", "dR", "q", "q0", "P", "A", "C_s", "G_s", "V", "L_c", "mu", "K"
    )
    x, y = game.variables
    local = {  # local's payoff of (faithful | distorted) against (strict | lax)
        ("f", "s"): R_l - C_f + A,
        ("f", "l"): R_l - C_f,
        ("d", "s"): R_l + dR - q * P,
        ("d", "l"): R_l + dR - q0 * P,
    }
    centre = {
        ("f", "s"): V - C_s - A + G_s,
        ("f", "l"): V,
        ("d", "s"): V - (1 - q) * L_c - C_s + q * P + G_s,
        ("d", "l"): V - (1 - q0) * L_c - mu * K,
    }
    dx = y * (local["f", "s"] - local["d", "s"]) + (1 - y) * (local["f", "l"] - local["d", "l"])
    dy = x * (centre["f", "s"] - centre["f", "l"]) + (1 - x) * (centre["d", "s"] - centre["d", "l"])
    return sympy.expand(dx), sympy.expand(dy)


def _constant_of_motion(game):
    """H of the module docstring, in the model's symbols."""
    x, y = game.variables
    dx, dy = _advantages(game)
    a, b = dy.subs(x, 0), -dy.subs(x, 1)
    c, d = dx.subs(y, 0), -dx.subs(y, 1)
    return a * sympy.log(x) + b * sympy.log(1 - x) - c * sympy.log(y) - d * sympy.log(1 - y)


def _same_conditions(cond, expected):
    """Whether ``cond`` is the conjunction of ``e > 0`` for ``e`` in ``expected``, each
    inequality up to a positive factor and written either way round."""
    parts = cond.args if isinstance(cond, sympy.And) else (cond,)
    if len(parts) != len(expected):
        return False
    got = []
    for rel in parts:
        if not isinstance(rel, sympy.StrictGreaterThan | sympy.StrictLessThan):
            return False
        got.append(rel.gts - rel.lts)
    for e in expected:
        ratios = [sympy.simplify(g / e) for g in got]
        if not any(r.is_number and r > 0 for r in ratios):
            return False
    return True


# ----------------------------------------------------------------------------------- C1


def test_field_is_the_payoff_table(game):
    # An independent reading of the table: x' = x(1-x) D_x, y' = y(1-y) D_y.
    x, y = game.variables
    dx, dy = _advantages(game)
    f = system(game).field
    assert sympy.simplify(f[0] - x * (1 - x) * dx) == 0
    assert sympy.simplify(f[1] - y * (1 - y) * dy) == 0


def test_c1_no_stable_rest_point_and_interior_centre(game):
    a = analyze(game)
    assert a.stable() == ()
    assert [r.stability for r in a.rest_points if r.is_pure] == [Stability.SADDLE] * 4
    centre = a[INTERIOR]
    assert centre.stability is Stability.CENTRE
    assert not centre.asymptotically_stable
    assert "Hofbauer & Sigmund" in centre.reason
    x, y = game.variables
    # x* = D_y(0)/(D_y(0) - D_y(1)) = 11/16, y* = -D_x(0)/(D_x(1) - D_x(0)) = 6.2/7.6 = 31/38.
    assert centre.coordinates == {x: R(11, 16), y: R(31, 38)}
    # Eigenvalues +-i sqrt(det), det = x*(1-x*) y*(1-y*) (-dD_x/dy)(dD_y/dx) = 2387/608.
    det = R(11, 16) * R(5, 16) * R(31, 38) * R(7, 38) * R(38, 5) * 16
    assert det == R(2387, 608)
    ev = centre.eigenvalues
    assert len(ev) == 2 and sympy.simplify(ev[0] + ev[1]) == 0
    assert all(sympy.simplify(e**2 + det) == 0 for e in ev)
    assert a.inert_parameters == ("R_l", "V")


def test_c1_centre_for_every_parameter_value_symbolic(game):
    # Symbolic in four parameters: wherever the interior point exists it is a centre.
    a = analyze(game.with_free(["G_s", "P", "A", "C_s"]), symbolic=True)
    centre = a[INTERIOR]
    assert centre.stability is Stability.CENTRE
    assert centre.stable_if == sympy.false
    G_s, P, A, C_s = _sym(game.with_free(["G_s", "P", "A", "C_s"]), "G_s", "P", "A", "C_s")
    x, y = game.variables
    # x* = D_y(0)/(D_y(0) + C_s + A - G_s), D_y(0) = (q - q0) L_c - C_s + q P + G_s + mu K.
    num = R(56, 10) - C_s + R(8, 10) * P + G_s + 2
    assert sympy.simplify(centre.coordinates[x] - num / (num + C_s + A - G_s)) == 0
    assert sympy.simplify(centre.coordinates[y] - (7 - P / 10) / (A + R(7, 10) * P)) == 0


def test_c1_constant_of_motion_symbolic(game):
    # dH/dt = grad H . field vanishes identically, for every parameter value.
    x, y = game.variables
    H = _constant_of_motion(game)
    f = system(game).field
    assert sympy.simplify(sympy.diff(H, x) * f[0] + sympy.diff(H, y) * f[1]) == 0
    # Equivalently the field times the Dulac function 1/(x(1-x)y(1-y)) is divergence-free.
    B = 1 / (x * (1 - x) * y * (1 - y))
    assert sympy.simplify(sympy.diff(B * f[0], x) + sympy.diff(B * f[1], y)) == 0
    # At the defaults H = 11 ln x + 5 ln(1-x) + 6.2 ln y + 1.4 ln(1-y), maximal at (x*, y*).
    Hd = H.xreplace(game.value_substitution())
    expected = (
        11 * sympy.log(x)
        + 5 * sympy.log(1 - x)
        + R(31, 5) * sympy.log(y)
        + R(7, 5) * sympy.log(1 - y)
    )
    assert sympy.simplify(Hd - expected) == 0


def _h_numeric(game):
    x, y = game.variables
    H = _constant_of_motion(game).xreplace(game.value_substitution())
    return sympy.lambdify((x, y), H, "numpy")


def test_c1_constant_of_motion_conserved_by_simulation(game):
    H = _h_numeric(game)
    inits = np.array([[0.5, 0.5], [0.3, 0.6], [0.6875, 0.95]])
    # engine="numpy": dopri5 calls the field once per stage from Python, and a call of the
    # numba-compiled field costs ~0.8 ms against ~0.02 ms for the numpy one (12 s against 0.5 s).
    sim = simulate(
        game, inits, t_end=30, method="dopri5", rtol=1e-10, atol=1e-12, dt=0.05, engine="numpy"
    )
    orbit = sim.states[:, :, 0, :]  # (T, N, 2)
    h = H(orbit[..., 0], orbit[..., 1])
    drift = np.abs(h - h[0]).max(axis=0)
    assert np.all(drift < 1e-7), drift
    # The orbits are closed and do not shrink: each passes near its start again and stays
    # away from the centre and from the boundary.
    assert np.all(np.linalg.norm(orbit - inits[None], axis=-1)[-200:].min(axis=0) < 0.05)
    dist = np.abs(orbit - np.array([11 / 16, 31 / 38])).max(axis=-1)
    assert np.all(dist.min(axis=0) > 0.02)
    # Fixed-step RK4 drifts by O(dt^4) per period: small at dt = 0.01.
    rk = simulate(game, inits, t_end=30, dt=0.01)
    hr = H(rk.states[:, :, 0, 0], rk.states[:, :, 0, 1])
    assert np.abs(hr - hr[0]).max() < 1e-5
    # No start converges: every trajectory keeps cycling.
    conv = converge(sim, analyze(game), eps=1e-3)
    assert basins(conv)["not_converged"].tolist() == [1.0]


def test_c1_constant_of_motion_independent_integrator(game):
    # scipy's LSODA on the numpy-compiled field, not the library's integrators.
    H = _h_numeric(game)
    cf = compile_field(system(game), engine="numpy")
    p = np.array([float(game.values[k]) for k in cf.parameters])
    sol = solve_ivp(
        lambda t, s: cf(s, p),
        (0, 50),
        [0.5, 0.5],
        method="LSODA",
        rtol=1e-12,
        atol=1e-14,
        dense_output=True,
    )
    xs, ys = sol.sol(np.linspace(0, 50, 2001))
    assert np.abs(H(xs, ys) - H(0.5, 0.5)).max() < 1e-7
    # The orbit is a large closed curve: x swings between about 0.40 and 0.90.
    assert xs.min() < 0.41 and xs.max() > 0.89


@settings(max_examples=25, deadline=None)
@given(
    G_s=st.fractions(0, 4),
    P=st.fractions(1, 30),
    A=st.fractions(0, 5),
)
def test_c1_centre_wherever_interior_exists(game, G_s, P, A):
    # Property: with fixed payoffs the interior point is never asymptotically stable (Selten
    # 1980) and, where all four corners are saddles, it is a centre.
    a = analyze(game.with_values(G_s=G_s, P=P, A=A))
    for r in a.rest_points:
        if not r.is_pure:
            assert r.stability in (Stability.CENTRE, Stability.SADDLE)
            assert not r.asymptotically_stable


# ----------------------------------------------------------------------------------- C2


def test_c2_accountability_only_faithful_strict(game):
    g = game.scenario("accountability")
    assert g.values["G_s"] == 6
    a = analyze(g)
    assert [r.label for r in a.stable()] == ["faithful, strict"]
    assert a["faithful, strict"].strict_nash
    # Eigenvalues: -D_x(1) = -1.4 and -D_y(1) = -(G_s - C_s - A) = -1.
    assert sorted(a["faithful, strict"].eigenvalues) == [R(-7, 5), -1]
    assert all(r.is_pure for r in a.rest_points)  # the interior point is gone


def test_c2_threshold_symbolic(game):
    g = game.with_free(["G_s"])
    a = analyze(g, symbolic=True)
    (G_s,) = _sym(g, "G_s")
    # G_s > C_s + A = 5.
    assert _same_conditions(a["faithful, strict"].stable_if, [G_s - 5])
    assert _same_conditions(a[INTERIOR].exists_if, [5 - G_s])
    # Three parameters free: G_s > C_s + A and A + q P > C_f + dR, i.e. A > 0.6.
    g3 = game.with_free(["G_s", "A", "C_s"])
    G_s, A, C_s = _sym(g3, "G_s", "A", "C_s")
    cond = analyze(g3, symbolic=True)["faithful, strict"].stable_if
    assert _same_conditions(cond, [G_s - A - C_s, A - R(3, 5)])


def test_c2_threshold_agrees_with_sweep(game):
    r = sweep(game, {"G_s": np.linspace(0, 10, 101)}, measure="stable")
    stable = r.stable["faithful, strict"]
    G = r.coords["G_s"]
    np.testing.assert_array_equal(stable, G > 5 + 1e-9)
    for i in range(len(G)):
        assert r.stable_labels(i) in ((), ("faithful, strict",))


def test_c2_every_start_reaches_faithful_strict(game):
    g = game.scenario("accountability")
    sim = simulate(g, starts_grid(g, 8), t_end=60, dt=0.05)
    b = basins(converge(sim, analyze(g), eps=1e-3))
    assert b == {"faithful, strict": pytest.approx([1.0]), "not_converged": pytest.approx([0.0])}


# ----------------------------------------------------------------------------------- C3


def test_c3_dynamic_is_central_local_with_state_dependent_penalty(game, dynamic):
    # Substituting P = P_max (1 - x) in central_local's field gives central_local_dynamic's.
    x, _ = game.variables
    f0 = system(game).field
    f1 = system(dynamic).field
    (P,) = _sym(game, "P")
    (P_max,) = _sym(dynamic, "P_max")
    for a, b in zip(f0, f1, strict=True):
        assert sympy.simplify(a.xreplace({P: P_max * (1 - x)}) - b) == 0
    assert dynamic.state_dependent and not game.state_dependent


def test_c3_interior_attractor_exact(dynamic):
    a = analyze(dynamic)
    assert [r.label for r in a.stable()] == [INTERIOR]
    r = a[INTERIOR]
    assert r.stability is Stability.STABLE and r.asymptotically_stable
    assert r.exact
    x, y = dynamic.variables
    # D_y(x) = 0 with u = 1 - x: 16u^2 + 9.6u - 5 = 0, u = sqrt(161)/20 - 3/10;
    # then D_x = 0: y* = (7 - 2u)/(2 + 14u).
    u = sympy.sqrt(161) / 20 - R(3, 10)
    assert sympy.simplify(16 * u**2 + R(48, 5) * u - 5) == 0
    assert sympy.simplify(r.coordinates[x] - (1 - u)) == 0
    assert sympy.simplify(r.coordinates[y] - (7 - 2 * u) / (2 + 14 * u)) == 0
    assert r.numeric_shares[0][0] == pytest.approx(0.66557, abs=1e-5)
    assert r.numeric_shares[1][0] == pytest.approx(0.94749, abs=1e-5)
    assert all(z.real < 0 for z in r.numeric_eigenvalues)
    # The library says why an interior attractor is allowed here (DESIGN §1, Stability).
    assert any("Selten" in n and "depend on the shares" in n for n in a.notes)


def test_c3_trace_negative_and_no_closed_orbits_symbolic(dynamic):
    # Why it attracts: D_x now falls with x, so the trace x(1-x) dD_x/dx < 0; and with the
    # Dulac function 1/(x(1-x)y(1-y)) the divergence is -P_max (q0 + (q - q0) y)/(y(1-y)) < 0,
    # so no closed orbit exists in the interior (Bendixson-Dulac): every interior orbit tends to
    # the rest point (Poincare-Bendixson; the boundary holds no cycle of saddles because the
    # corner (faithful, strict) is a source).
    x, y = dynamic.variables
    f = system(dynamic).field
    P_max, q, q0 = _sym(dynamic, "P_max", "q", "q0")
    B = 1 / (x * (1 - x) * y * (1 - y))
    div = sympy.diff(B * f[0], x) + sympy.diff(B * f[1], y)
    assert sympy.simplify(div + P_max * (q0 + (q - q0) * y) / (y * (1 - y))) == 0
    assert analyze(dynamic)["faithful, strict"].stability is Stability.UNSTABLE


def test_c3_every_interior_start_converges(dynamic):
    a = analyze(dynamic)
    target = np.array(a[INTERIOR].numeric_shares)[:, 0]
    sim = simulate(dynamic, starts_grid(dynamic, 8), t_end=150, dt=0.05)
    b = basins(converge(sim, a, eps=1e-4))
    assert b[INTERIOR].tolist() == [1.0]
    np.testing.assert_allclose(sim.final[:, 0], np.broadcast_to(target, (64, 2)), atol=1e-6)


def test_c3_threshold_in_p_max_agrees_with_sweep(dynamic):
    # On the edge y = 1 the point 1 - x = 6.25/P_max is stable iff D_y > 0 there, i.e.
    # P_max < 6.25 * 14.6 / 5 = 18.25; above it the interior point takes over. (distorted,
    # strict) is stable iff q P_max < C_f + dR - A = 5, i.e. P_max < 6.25.
    r = sweep(dynamic, {"P_max": [2, 6, 7, 18, 18.5, 20, 40]}, measure="stable")
    assert [r.stable_labels(i) for i in range(7)] == [
        ("distorted, strict",),
        ("distorted, strict",),
        ("faithful+distorted, strict",),
        ("faithful+distorted, strict",),
        (INTERIOR,),
        (INTERIOR,),
        (INTERIOR,),
    ]


def test_c3_scenarios(dynamic):
    for name in ("accountability", "mild_penalty"):
        a = analyze(dynamic.scenario(name))
        assert [r.label for r in a.stable()] == ["faithful+distorted, strict"]
    x, _ = dynamic.variables
    for name, share in (("accountability", R(11, 16)), ("mild_penalty", R(3, 8))):
        edge = analyze(dynamic.scenario(name))["faithful+distorted, strict"]
        assert edge.coordinates[x] == share
