"""Simulated finite populations (issue 12 §3): seeds, conservation, and the large-N limits —
the mean dynamic of the Fermi rule, the replicator as beta -> 0, the Moran mean dynamic — and
the fixation frequency against the closed form. Statistical tests use fixed seeds and bounds
of four standard errors plus the O(1/N) bias."""

from __future__ import annotations

import numpy as np
import pytest
import sympy
from scipy.integrate import solve_ivp

from lmc_games import Game, load_model
from lmc_games._errors import ParameterError
from lmc_games._finite import fixation_probabilities
from lmc_games._finite_sim import simulate_finite

try:
    import numba  # noqa: F401

    _NUMBA = True
except ImportError:
    _NUMBA = False
# The numba engine draws in another order: its runs agree in distribution only, so every
# statistical test runs on both engines. Its first call compiles the kernel (a few seconds).
ENGINES = [
    "numpy",
    pytest.param("numba", marks=pytest.mark.skipif(not _NUMBA, reason="numba not installed")),
]


def _advantages(game):
    """Payoff advantage of the first strategy in each population, as a function of the shares
    of the first strategies (from Game.expected_payoffs, not from the finite-population code)."""
    subs = game.value_substitution()
    xs = [p.share_symbols[0] for p in game.populations]
    adv = [(row[0] - row[1]).xreplace(subs) for row in game.expected_payoffs()]
    return sympy.lambdify(xs, adv, "numpy")


def _check_mean(sim, expected, n, runs, pop=0, column=0, slack=0.0):
    shares = sim.shares()[:, :, column]
    mean = shares.mean(axis=1)
    se = shares.std(axis=1) / np.sqrt(runs)
    bound = 4 * se + 2.0 / n + slack
    assert np.all(np.abs(mean - expected) <= bound), (mean, expected, bound)


@pytest.mark.parametrize("engine", ENGINES)
def test_seed_reproducible_and_members_conserved(engine):
    game = load_model("water_use")
    a = simulate_finite(
        game,
        {"savannakhet": 30, "mukdahan": 20},
        selection=1.0,
        runs=8,
        t_end=3,
        mutation=0.05,
        seed=11,
        engine=engine,
    )
    b = simulate_finite(
        game,
        {"savannakhet": 30, "mukdahan": 20},
        selection=1.0,
        runs=8,
        t_end=3,
        mutation=0.05,
        seed=11,
        engine=engine,
    )
    c = simulate_finite(
        game,
        {"savannakhet": 30, "mukdahan": 20},
        selection=1.0,
        runs=8,
        t_end=3,
        mutation=0.05,
        seed=12,
        engine=engine,
    )
    np.testing.assert_array_equal(a.counts, b.counts)
    assert not np.array_equal(a.counts, c.counts)
    assert (a.counts >= 0).all()
    assert (a.counts[:, :, :2].sum(axis=2) == 30).all()
    assert (a.counts[:, :, 2:].sum(axis=2) == 20).all()
    assert a.times[0] == 0 and a.times[-1] == pytest.approx(3.0)


@pytest.mark.parametrize("engine", ENGINES)
def test_fermi_mean_dynamic_one_population(engine):
    # Traulsen, Claussen & Hauert (2005), PRL 95:238701; Traulsen, Nowak & Pacheco (2006):
    # for large N the share follows dx/dt = x(1 - x) tanh(beta * (pi_1 - pi_2) / 2).
    game = load_model("hawk_dove")
    adv = _advantages(game)
    n, runs, beta = 1000, 300, 1.0
    sim = simulate_finite(
        game, n, selection=beta, runs=runs, t_end=2.0, saves=5, start=[0.1], seed=2
    )
    sol = solve_ivp(
        lambda t, x: x * (1 - x) * np.tanh(beta * adv(x)[0] / 2),
        (0, 2.0),
        [0.1],
        t_eval=sim.times,
        rtol=1e-10,
        atol=1e-12,
    )
    _check_mean(sim, sol.y[0], n, runs)
    assert sol.y[0][-1] - sol.y[0][0] > 0.05  # the test sees real movement


@pytest.mark.parametrize("engine", ENGINES)
def test_fermi_mean_dynamic_two_populations(engine):
    # Each population revises at rate N_p (one revision per member per unit of time), so each
    # follows its own mean dynamic against the other's share.
    game = load_model("water_use")
    adv = _advantages(game)
    n, runs, beta = 800, 200, 0.5
    sim = simulate_finite(
        game, n, selection=beta, runs=runs, t_end=2.0, saves=5, start=[0.3, 0.6], seed=4
    )

    def field(t, z):
        a = adv(z[0], z[1])
        return [z[i] * (1 - z[i]) * np.tanh(beta * a[i] / 2) for i in range(2)]

    sol = solve_ivp(field, (0, 2.0), [0.3, 0.6], t_eval=sim.times, rtol=1e-10, atol=1e-12)
    _check_mean(sim, sol.y[0], n, runs, column=0)
    _check_mean(sim, sol.y[1], n, runs, column=2)


def test_weak_selection_gives_the_replicator():
    # Traulsen, Claussen & Hauert (2005): as beta -> 0, tanh(beta d/2) ~ beta d/2, so in the
    # time tau = beta t / 2 the share follows the replicator dx/dtau = x(1 - x)(pi_1 - pi_2).
    game = Game.symmetric([[1, 3], [2, 1]], ["a", "b"])  # interior rest point at x = 2/3
    adv = _advantages(game)
    n, runs, beta, tau_end = 500, 300, 0.2, 1.0
    t_end = 2 * tau_end / beta
    sim = simulate_finite(
        game, n, selection=beta, runs=runs, t_end=t_end, saves=5, start=[0.2], seed=8
    )
    tau = beta * sim.times / 2
    sol = solve_ivp(
        lambda t, x: x * (1 - x) * adv(x)[0],
        (0, tau_end),
        [0.2],
        t_eval=tau,
        rtol=1e-10,
        atol=1e-12,
    )
    # Beyond sampling error: the O(beta^2) gap between tanh and its slope, below 0.002 here.
    _check_mean(sim, sol.y[0], n, runs, slack=0.002)
    assert sol.y[0][-1] - sol.y[0][0] > 0.2


@pytest.mark.parametrize("engine", ENGINES)
def test_moran_mean_dynamic(engine):
    # Birth-death Moran: E[change of x] per unit time = x(1 - x)(f_1 - f_2)/(x f_1 + (1 - x) f_2)
    # (Nowak 2006, ch. 6; the adjusted replicator dynamics of Maynard Smith 1982).
    game = load_model("hawk_dove")
    subs = game.value_substitution()
    x = game.populations[0].share_symbols[0]
    pay = [sympy.lambdify(x, e.xreplace(subs)) for e in game.expected_payoffs()[0]]
    n, runs, w = 1000, 300, 0.5

    def field(t, z):
        f1, f2 = 1 - w + w * pay[0](z[0]), 1 - w + w * pay[1](z[0])
        return [z[0] * (1 - z[0]) * (f1 - f2) / (z[0] * f1 + (1 - z[0]) * f2)]

    sim = simulate_finite(
        game, n, selection=w, process="moran", runs=runs, t_end=2.0, saves=5, start=[0.1], seed=6
    )
    sol = solve_ivp(field, (0, 2.0), [0.1], t_eval=sim.times, rtol=1e-10, atol=1e-12)
    _check_mean(sim, sol.y[0], n, runs)


@pytest.mark.parametrize("process", ["fermi", "moran"])
def test_mutation_only(process, engine="numpy"):
    # beta = 0 (w = 0) and mu = 1: every revision (offspring) takes the other strategy, so
    # dx/dt = (1 - x) - x and x(t) = 1/2 + (x0 - 1/2) exp(-2 t).
    game = load_model("prisoners_dilemma")
    n, runs = 1000, 200
    sim = simulate_finite(
        game,
        n,
        selection=0.0,
        process=process,
        mutation=1.0,
        runs=runs,
        t_end=1.0,
        saves=5,
        start=[0.9],
        seed=3,
    )
    _check_mean(sim, 0.5 + 0.4 * np.exp(-2 * sim.times), n, runs)


@pytest.mark.parametrize("engine", ENGINES)
def test_fixation_frequency_matches_closed_form(engine):
    game = load_model("prisoners_dilemma")
    n, runs, beta = 10, 2000, 0.3
    rho = {
        (f.resident, f.mutant): f.probability
        for f in fixation_probabilities(game, n, selection=beta)
    }
    # one cooperator among defectors: start with the share of cooperate at 1/N
    sim = simulate_finite(
        game, n, selection=beta, runs=runs, t_end=40.0, saves=2, start=[1 / n], seed=9
    )
    final = sim.counts[-1, :, 0]
    assert np.isin(final, [0, n]).mean() > 0.999  # absorbed
    freq = (final == n).mean()
    p = rho[("defect", "cooperate")]
    assert abs(freq - p) < 4 * np.sqrt(p * (1 - p) / runs)
    # and one defector among cooperators
    sim = simulate_finite(
        game, n, selection=beta, runs=runs, t_end=40.0, saves=2, start=[1 - 1 / n], seed=10
    )
    freq = (sim.counts[-1, :, 1] == n).mean()
    p = rho[("cooperate", "defect")]
    assert abs(freq - p) < 4 * np.sqrt(p * (1 - p) / runs)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"runs": 0}, "runs"),
        ({"saves": 1}, "saves"),
        ({"t_end": -1}, "t_end"),
        ({"start": [0.5, 0.5]}, "free shares"),
        ({"start": [1.5]}, r"\[0, 1\]"),
        ({"mutation": 1.5}, r"\(0, 1\]"),
    ],
)
def test_bad_input(kwargs, match):
    with pytest.raises(ParameterError, match=match):
        simulate_finite(load_model("hawk_dove"), 10, selection=1.0, **kwargs)


@pytest.mark.skipif(not _NUMBA, reason="numba not installed")
def test_numba_engine_refuses_share_dependent_payoffs():
    with pytest.raises(ParameterError, match="engine='numpy'"):
        simulate_finite(load_model("central_local_dynamic"), 10, selection=1.0, engine="numba")


@pytest.mark.skipif(not _NUMBA, reason="numba not installed")
def test_numba_engine_moran_fitness_error():
    game = Game.symmetric([[-10, 1], [1, 1]], ["a", "b"])
    with pytest.raises(ParameterError, match="not positive"):
        simulate_finite(game, 10, selection=0.5, process="moran", engine="numba", seed=1)
