"""Claims of ``basin_compensation``: ecological compensation between an upstream and a
downstream local government under a supervisor (issue 11 §3; docs/models/basin_compensation.md).

Everything here is derived twice: by hand, from the payoff advantages typed in again below
(for a game with two strategies per population and multilinear payoffs the Jacobian at a
corner is diagonal, with entries ``(1 - 2 s_i) A_i`` where ``A_i`` is population i's payoff
advantage at the corner (Friedman 1991; Hofbauer & Sigmund 1998)), and by the library; the
outcomes of scenarios once more with scipy's ``solve_ivp`` on the hand-written field.

B1  Corner eigenvalues are the payoff advantages at the corner, with the signs above.
B2  (protect, compensate, lax) is never stable: an unsupervised downstream never pays for
    protected water (its advantage there is -(C + C_t)).
B3  (protect, compensate, supervise) is stable iff beta E + eta L_d + (1 + theta) C + T
    + e F_u > C_p + D_u, e F_d + gamma C > C + C_t and G_s > C_s + T + gamma C; every corner's
    stability condition agrees with the hand-derived one at 1,000 random points.
B4  Defaults: exactly (protect, compensate, supervise) and (develop, refuse, supervise) are
    stable (eigenvalues -3.2, -2, -1 and -5.1, -0.4, -0.4); 62 of the 64 starts of
    ``--starts 4`` reach the first, 2 the second.
B5  no_supervision: only (develop, refuse, lax); lmc_fund: only (protect, compensate,
    supervise); both reached from every start. strong_compensation: no stable rest point, no
    start converges, the supervisor ends supervising while the governments keep cycling.
B6  R_u, R_d and W cannot affect the dynamics; no rest point with a mixed population is
    asymptotically stable (Selten 1980).
"""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest
import sympy
from scipy.integrate import solve_ivp
from scipy.special import expit

from lmc_games import Stability, analyze, basins, converge, load_model, simulate, starts_grid

R = sympy.Rational
PCS = "protect, compensate, supervise"
DRS = "develop, refuse, supervise"
DRL = "develop, refuse, lax"
PCL = "protect, compensate, lax"
NAMES = "R_u R_d C_p D_u E beta L_d eta C theta C_t gamma T e F_u F_d rho C_s G_s mu K W".split()


@pytest.fixture(scope="module")
def game():
    return load_model("basin_compensation")


@pytest.fixture(scope="module")
def symbolic(game):
    return analyze(game, symbolic=True)


def _p(game):
    return {n: game.symbols[n] for n in NAMES}


def _advantages(p, x, y, z):
    """The payoff advantages, derived by hand from the payoff table of the docs page."""
    a_x = (
        p["beta"] * p["E"]
        + p["eta"] * p["L_d"]
        - p["C_p"]
        - p["D_u"]
        + (1 + p["theta"]) * p["C"] * y
        + (p["T"] + p["e"] * p["F_u"]) * z
    )
    a_y = (
        p["theta"] * p["C"]
        - p["C_t"]
        - (1 + p["theta"]) * p["C"] * x
        + (p["gamma"] * p["C"] + p["e"] * p["F_d"]) * x * z
    )
    fine_u, fine_d = p["rho"] * p["e"] * p["F_u"], p["rho"] * p["e"] * p["F_d"]
    a_z = (
        p["G_s"]
        - p["C_s"]
        + fine_u
        + p["mu"] * p["K"]
        - (p["T"] + fine_u + p["mu"] * p["K"] - fine_d) * x
        - (p["gamma"] * p["C"] + fine_d) * x * y
    )
    return a_x, a_y, a_z


def _label(corner):
    names = (("protect", "develop"), ("compensate", "refuse"), ("supervise", "lax"))
    return ", ".join(names[i][1 - s] for i, s in enumerate(corner))


def _hand_eigenvalues(p, corner):
    x, y, z = corner
    a = _advantages(p, x, y, z)
    return [(1 - 2 * s) * ai for s, ai in zip(corner, a)]


CORNERS = list(itertools.product((1, 0), repeat=3))


def test_payoff_table_as_documented(game):
    p = _p(game)
    u, d, W, Ct = p["R_u"], p["R_d"], p["W"], p["C_t"]
    E, beta, C, T, gamma, th = p["E"], p["beta"], p["C"], p["T"], p["gamma"], p["theta"]
    fu, fd = p["e"] * p["F_u"], p["e"] * p["F_d"]
    pro, down = u - p["C_p"] + beta * E, d + (1 - beta) * E
    dev, loss = u + p["D_u"] - p["eta"] * p["L_d"], d - p["L_d"]
    sup, exposed = p["G_s"] - p["C_s"], -p["mu"] * p["K"]
    table = {
        (0, 0, 0): (pro + C + T, down - (1 - gamma) * C - Ct, W + sup - gamma * C - T),
        (0, 0, 1): (pro + C, down - C - Ct, W),
        (0, 1, 0): (pro + T, down - fd, W + sup - T + p["rho"] * fd),
        (0, 1, 1): (pro, down, W),
        (1, 0, 0): (dev - fu - th * C, loss + th * C - Ct, sup + p["rho"] * fu),
        (1, 0, 1): (dev - th * C, loss + th * C - Ct, exposed),
        (1, 1, 0): (dev - fu, loss, sup + p["rho"] * fu),
        (1, 1, 1): (dev, loss, exposed),
    }
    assert set(game.payoffs) == set(table)
    for profile, row in table.items():
        for got, want in zip(game.payoffs[profile], row, strict=True):
            assert sympy.simplify(got - want) == 0, (profile, got, want)


def test_hand_advantages_are_the_library_system(game):
    from lmc_games import system

    x, y, z = game.variables
    mine = _advantages(_p(game), x, y, z)
    for (got,), want in zip(system(game).advantages, mine, strict=True):
        assert sympy.simplify(got - want) == 0


# ----------------------------------------------------------------------------------- B1, B2


@pytest.mark.parametrize("corner", CORNERS)
def test_b1_corner_eigenvalues_by_hand(game, symbolic, corner):
    got = list(symbolic[_label(corner)].eigenvalues)
    want = _hand_eigenvalues(_p(game), corner)
    assert len(got) == 3
    for w in want:
        match = [g for g in got if sympy.simplify(g - w) == 0]
        assert match, (corner, w, got)
        got.remove(match[0])


def test_b2_unsupervised_compensation_never_stable(game, symbolic):
    assert symbolic[PCL].stable_if == sympy.false
    lam_y = _hand_eigenvalues(_p(game), (1, 1, 0))[1]
    assert sympy.simplify(lam_y - (game.symbols["C"] + game.symbols["C_t"])) == 0


# ----------------------------------------------------------------------------------- B3


def _random_point(game, rnd):
    out = {}
    for prm in game.parameters:
        hi = prm.max if prm.max is not None else 20
        lo = prm.min if prm.min is not None else 0
        out[prm.symbol] = lo + (hi - lo) * R(rnd.randint(0, 1000), 1000)
    return out


def test_b3_stability_conditions_agree_at_random_points(game, symbolic):
    p = _p(game)
    rnd = random.Random(11)
    points = [_random_point(game, rnd) for _ in range(1000)]
    for corner in CORNERS:
        lam = _hand_eigenvalues(p, corner)
        lib = symbolic[_label(corner)].stable_if
        for pt in points:
            hand = all(v.xreplace(pt) < 0 for v in lam)
            assert bool(lib.xreplace(pt)) == hand, (corner, pt)
    # The condition of (protect, compensate, supervise), as the docs page prints it.
    printed = [
        p["beta"] * p["E"] + p["eta"] * p["L_d"] + (1 + p["theta"]) * p["C"] + p["T"]
        + p["e"] * p["F_u"] - p["C_p"] - p["D_u"],
        p["e"] * p["F_d"] + p["gamma"] * p["C"] - p["C"] - p["C_t"],
        p["G_s"] - p["C_s"] - p["T"] - p["gamma"] * p["C"],
    ]  # fmt: skip
    for pt in points:
        assert bool(symbolic[PCS].stable_if.xreplace(pt)) == all(
            e.xreplace(pt) > 0 for e in printed
        )


# ----------------------------------------------------------------------------------- B4, B5


def test_b4_defaults_two_attractors(game):
    a = analyze(game)
    assert a.complete
    assert [r.label for r in a.stable()] == [PCS, DRS]
    assert sorted(a[PCS].eigenvalues) == [R(-16, 5), -2, -1]
    assert sorted(a[DRS].eigenvalues) == [R(-51, 10), R(-2, 5), R(-2, 5)]
    # The same numbers from the hand formulas at the defaults.
    vals = game.value_substitution()
    for label, corner in ((PCS, (1, 1, 1)), (DRS, (0, 0, 1))):
        hand = sorted(v.xreplace(vals) for v in _hand_eigenvalues(_p(game), corner))
        assert hand == sorted(a[label].eigenvalues)


def _scipy_outcomes(game, n=4, t_end=300.0):
    """Where solve_ivp (LSODA, tight tolerances) takes each start of ``--starts n``, on the
    field written by hand."""
    vals = {s.name: float(v) for s, v in game.value_substitution().items()}
    p = {n_: vals[n_] for n_ in NAMES}

    def field(_t, u):
        # In logits u = log(s / (1 - s)) the replicator equation s' = s (1 - s) A(s) reads
        # u' = A(s): orbits that pass close to the boundary stay well resolved.
        return list(_advantages(p, *expit(u)))

    out = []
    for s0 in starts_grid(game, n):
        u0 = np.log(s0 / (1 - s0))
        sol = solve_ivp(field, (0, t_end), u0, method="LSODA", rtol=1e-10, atol=1e-12)
        end = expit(sol.y[:, -1])
        corner = tuple(int(round(v)) for v in end)
        out.append(_label(corner) if np.max(np.abs(end - corner)) < 1e-3 else None)
    return out


def test_b4_basins_library_and_scipy(game):
    a = analyze(game)
    st = starts_grid(game, 4)
    sim = simulate(game, st, t_end=150, dt=0.02)
    reached = converge(sim, a).reached[:, 0].tolist()
    assert reached == _scipy_outcomes(game)
    assert reached.count(PCS) == 62 and reached.count(DRS) == 2


@pytest.mark.parametrize(
    ("scenario", "only"), [("no_supervision", DRL), ("lmc_fund", PCS)]
)  # fmt: skip
def test_b5_scenarios_with_one_attractor(game, scenario, only):
    g = game.scenario(scenario)
    a = analyze(g)
    assert [r.label for r in a.stable()] == [only]
    sim = simulate(g, starts_grid(g, 4), t_end=150, dt=0.02)
    assert basins(converge(sim, a))[only].tolist() == [1.0]
    assert set(_scipy_outcomes(g)) == {only}


def test_b5_strong_compensation_cycles(game):
    g = game.scenario("strong_compensation")
    a = analyze(g)
    assert a.stable() == ()
    sim = simulate(g, starts_grid(g, 4), t_end=400, dt=0.02, save_every=1.0)
    assert basins(converge(sim, a))["not_converged"].tolist() == [1.0]
    last = sim.states[-100:, :, 0, :]
    assert np.all(last[..., 2].min(axis=0) > 0.99)  # the supervisor supervises ...
    assert np.all(np.ptp(last[..., 0], axis=0) > 0.1)  # ... and the upstream keeps switching
    assert set(_scipy_outcomes(g, t_end=400.0)) == {None}


def test_b5_scenarios_symbolically(game):
    """The scenario verdicts follow from B3's condition: lmc_fund meets all three parts,
    strong_compensation fails the downstream's (8 gamma + 5 > 9 needs gamma > 1/2)."""
    p = _p(game)
    part = p["e"] * p["F_d"] + p["gamma"] * p["C"] - p["C"] - p["C_t"]
    assert part.xreplace(game.scenario("strong_compensation").value_substitution()) == -4
    assert part.xreplace(game.scenario("lmc_fund").value_substitution()) == 2


# ----------------------------------------------------------------------------------- B6


def test_b6_inert_parameters_and_selten(game, symbolic):
    assert analyze(game).inert_parameters == ("R_u", "R_d", "W")
    for r in symbolic.rest_points:
        if not r.is_pure:
            assert r.stable_if == sympy.false, r.label
            assert r.stability is not Stability.STABLE
