"""Every stage takes ``dynamics=`` (issue 12 §1): a dynamics written here from scratch reaches
simulate, converge, basins, sweep (both measures), continuation, the plot data, the renderers,
the report and the scenario table, and nothing cached for one dynamics is used for another.

The dynamics below are written in this file on purpose: a user's own subclass must work in
every stage, and the stages must not depend on the registered dynamics (tested from the command
line in test_cli_dynamics.py).
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
import sympy
from scipy.integrate import solve_ivp

from lmc_games import Game, analyze, basins, continuation, converge, load_model, simulate, sweep
from lmc_games._compile import compile_field, numba_available
from lmc_games._compile._common import project
from lmc_games._compile._steps import _difference_entries, lattice, stiffness
from lmc_games._errors import IntegrationError, LmcGamesError, SweepError
from lmc_games._render import render
from lmc_games._report import report, scenario_table
from lmc_games._simulate import system_for
from lmc_games.dynamics import Dynamics, Replicator, RestPointMethod, Time
from lmc_games.plot import basin_data, portrait


# ---------------------------------------------------------------------- dynamics of the test
class Mutator(Dynamics):
    """Replicator-mutator (uniform mutation at rate mu), written from scratch."""

    name = "test-mutator"
    title = "test mutator dynamics"
    latex = r"\text{test mutator}"
    rest_points = RestPointMethod.SEARCH
    options = {"mu": (0.05, 0, 1, "mutation rate")}

    def growth(self, game, shares, payoffs):
        mu = self.value("mu")
        out = []
        for x, f in zip(shares, payoffs):
            k = len(x)
            mean = sympy.Add(*[a * b for a, b in zip(x, f)])
            out.append(
                tuple(
                    (1 - mu) * xi * (fi - mean) + mu * (sympy.Rational(1, k) - xi)
                    for xi, fi in zip(x, f)
                )
            )
        return tuple(out)


class ExpImitation(Dynamics):
    """An imitative dynamics with exponential rates: rest points face by face, field with exp."""

    name = "test-exp"
    title = "exponential imitation"
    latex = r"\text{exp.\ imitation}"
    rest_points = RestPointMethod.FACES
    options = {"rate": (1, 0, None, "speed")}
    open_bounds = frozenset({"rate"})

    def growth(self, game, shares, payoffs):
        r = self.value("rate")
        out = []
        for x, f in zip(shares, payoffs):
            mean = sympy.Add(*[a * sympy.exp(b) for a, b in zip(x, f)])
            out.append(tuple(r * xi * (sympy.exp(fi) - mean) for xi, fi in zip(x, f)))
        return tuple(out)


class Reversed(Dynamics):
    """The replicator run backwards: the same rest points, every stability verdict reversed;
    a stage that used the replicator's verdicts in its place would be caught."""

    name = "test-reversed"
    title = "reversed replicator"
    latex = r"\text{reversed}"
    rest_points = RestPointMethod.FACES

    def growth(self, game, shares, payoffs):
        forward = Replicator().growth(game, shares, payoffs)
        return tuple(tuple(-g for g in pop) for pop in forward)


class MaxDynamics(Dynamics):
    """BNN written from scratch: max(., 0) of excess payoffs, not differentiable."""

    name = "test-bnn"
    title = "test BNN dynamics"
    latex = r"\text{test BNN}"
    rest_points = RestPointMethod.NASH
    smooth = False

    def growth(self, game, shares, payoffs):
        out = []
        for x, f in zip(shares, payoffs):
            mean = sympy.Add(*[a * b for a, b in zip(x, f)])
            excess = [sympy.Max(fi - mean, 0) for fi in f]
            total = sympy.Add(*excess)
            out.append(tuple(e - xi * total for e, xi in zip(excess, x)))
        return tuple(out)


class HalfReplicatorMap(Dynamics):
    """A map in discrete time: x' = x + x (f - mean) / 2, rest points face by face."""

    name = "test-map"
    title = "test map"
    latex = r"\text{test map}"
    rest_points = RestPointMethod.FACES
    time = Time.DISCRETE

    def growth(self, game, shares, payoffs):
        out = []
        for x, f in zip(shares, payoffs):
            mean = sympy.Add(*[a * b for a, b in zip(x, f)])
            out.append(tuple(xi * (fi - mean) / 2 for xi, fi in zip(x, f)))
        return tuple(out)


def hawk_dove() -> Game:
    return Game.symmetric(
        [["(V - C)/2", "V"], [0, "V/2"]],
        ["hawk", "dove"],
        parameters={"V": {"value": 2, "min": 0}, "C": {"value": 3, "min": 0}},
        name="hd",
    )


def rps() -> Game:
    return Game.symmetric(
        [[0, -1, 2], [2, 0, -1], [-1, 2, 0]], ["rock", "paper", "scissors"], name="rps"
    )


def pennies() -> Game:
    return Game.bimatrix([[1, -1], [-1, 1]], [[-1, 1], [1, -1]], name="pennies")


def reference(sys_, x0, times, params=()):
    """scipy's solve_ivp of the same reduced field, lambdified from sympy independently of the
    library's code generator."""
    symbols = list(sys_.variables) + [p.symbol for p in sys_.game.parameters]
    f = sympy.lambdify(symbols, list(sys_.field), modules="numpy")
    sol = solve_ivp(
        lambda t, y: np.array(f(*y, *params), dtype=float),
        (0.0, float(times[-1])),
        np.asarray(x0, dtype=float),
        t_eval=times,
        rtol=1e-11,
        atol=1e-13,
        method="DOP853",
    )
    assert sol.success
    return sol.y.T


# ---------------------------------------------------------------------- simulate
@pytest.mark.parametrize("game", [pennies(), rps()], ids=["pennies", "rps"])
def test_simulate_user_dynamics_equals_solve_ivp(game):
    dyn = Mutator(mu=0.1)
    starts = np.array([[0.2, 0.7]]) if game.name == "pennies" else np.array([[0.6, 0.3]])
    sim = simulate(game, starts, t_end=10, dynamics=dyn, engine="numpy")
    assert sim.dynamics == "test-mutator:mu=0.1" and sim.time == "continuous"
    ref = reference(system_for(game, dyn), starts[0], sim.times)
    np.testing.assert_allclose(sim.states[:, 0, 0, :], ref, atol=1e-6)
    # The replicator's trajectory is another one: the dynamics really was used.
    rep = simulate(game, starts, t_end=10, engine="numpy")
    assert np.abs(rep.final - sim.final).max() > 1e-2


def test_simulate_spec_string_and_system_agree():
    g = pennies()
    a = simulate(g, [[0.2, 0.7]], t_end=5, dynamics=Mutator(mu=0.1), engine="numpy")
    b = simulate(system_for(g, Mutator(mu=0.1)), [[0.2, 0.7]], t_end=5, engine="numpy")
    assert np.array_equal(a.states, b.states)
    with pytest.raises(IntegrationError, match="pass the game instead"):
        simulate(system_for(g, Mutator(mu=0.1)), [[0.2, 0.7]], dynamics="replicator")
    # None, "replicator" and Replicator() are one dynamics, with the same numbers.
    c = simulate(g, [[0.2, 0.7]], t_end=5, engine="numpy")
    d = simulate(g, [[0.2, 0.7]], t_end=5, engine="numpy", dynamics="replicator")
    assert np.array_equal(c.states, d.states) and c.dynamics == d.dynamics == "replicator"


@pytest.mark.parametrize("dyn", [ExpImitation(), MaxDynamics()], ids=["exp", "max"])
def test_exp_and_max_fields_compile_in_both_engines(dyn):
    g = rps()
    x = np.array([[0.2, 0.3], [0.5, 0.1], [0.1, 0.8]])
    sys_ = system_for(g, dyn)
    symbols = list(sys_.variables)
    f = sympy.lambdify(symbols, list(sys_.field), modules="numpy")
    want = np.array([f(*row) for row in x], dtype=float)
    got = compile_field(sys_, engine="numpy")(x, np.zeros((1, 0)))
    np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-15)
    if numba_available():
        got_nb = compile_field(sys_, engine="numba")(x, np.zeros((1, 0)))
        np.testing.assert_allclose(got_nb, want, rtol=1e-13, atol=1e-15)
    sim = simulate(g, x[:1], t_end=3, dynamics=dyn, engine="numpy")
    # The non-smooth field is integrated to the accuracy of RK4 across its kinks.
    ref = reference(sys_, x[0], sim.times)
    np.testing.assert_allclose(sim.states[:, 0, 0, :], ref, atol=1e-4 if not dyn.smooth else 1e-6)


def test_automatic_step_of_a_non_smooth_field_uses_difference_quotients():
    g = hawk_dove()
    sys_ = system_for(g, MaxDynamics())
    params = np.array([[2.0, 3.0], [2000.0, 3000.0]])
    rho = stiffness(sys_, params)
    entries = _difference_entries(sys_, lattice(sys_), params)
    assert np.allclose(rho, np.abs(entries[0]).max(axis=1))
    # A bound that scales with the payoffs, so the step shrinks with them.
    assert rho[1] == pytest.approx(1000 * rho[0], rel=1e-6)
    fast = {"V": 20, "C": 30}
    big = simulate(g, [[0.1]], params=fast, t_end=5, dynamics=MaxDynamics(), engine="numpy")
    assert big.dt[0] < 0.05 and bool(big.trusted.all()) and not big.redone.any()
    ref = reference(sys_, [0.1], big.times, params=(20.0, 30.0))
    np.testing.assert_allclose(big.states[:, 0, 0, :], ref, atol=1e-4)


class Jump(Dynamics):
    """Best response, written from scratch: the field jumps where the payoffs tie."""

    name = "test-jump"
    title = "test best response"
    latex = r"\text{jump}"
    rest_points = RestPointMethod.NASH
    smooth = False

    def growth(self, game, shares, payoffs):
        out = []
        for x, f in zip(shares, payoffs):
            b = sympy.Piecewise((1, f[0] > f[1]), (0, True))
            out.append((b - x[0], 1 - b - x[1]))
        return tuple(out)


def test_a_jump_is_compiled_and_its_untrusted_steps_say_why():
    # A forced step: with the automatic one, the dopri5 re-run spends its whole step budget
    # chattering across the jump (tens of seconds with numpy) before giving the same warning.
    g = hawk_dove()
    with pytest.warns(Warning, match="not differentiable everywhere") as rec:
        sim = simulate(g, [[0.1]], t_end=10, dt=0.05, dynamics=Jump(), engine="numpy")
    assert "drop dt" not in str(rec[0].message)
    # Chattering around the rest point 2/3 within about a step's move.
    assert abs(sim.final[0, 0, 0] - 2 / 3) < 0.05 and not sim.trusted.any()


def test_difference_quotients_equal_the_jacobian_of_a_smooth_field():
    from lmc_games._compile._steps import _jacobian_entries

    sys_ = system_for(rps(), ExpImitation())
    X = lattice(sys_)
    a = _jacobian_entries(sys_, X, np.zeros((1, 0)))
    b = _difference_entries(sys_, X, np.zeros((1, 0)))
    for u, v in zip(a, b):
        np.testing.assert_allclose(u, v, atol=1e-7)


# ---------------------------------------------------------------------- discrete time
def hand_iterate(sys_, x0, steps):
    symbols = list(sys_.variables) + [p.symbol for p in sys_.game.parameters]
    f = sympy.lambdify(symbols, list(sys_.field), modules="numpy")
    params = [float(sys_.game.values[p.name]) for p in sys_.game.parameters]
    x = np.array(x0, dtype=float)
    out = [x.copy()]
    groups = tuple(
        tuple(
            range(
                sum(q.k - 1 for q in sys_.game.populations[:i]),
                sum(q.k - 1 for q in sys_.game.populations[: i + 1]),
            )
        )
        for i in range(len(sys_.game.populations))
    )
    for _ in range(steps):
        x = x + np.array(f(*x, *params), dtype=float)
        project(x[None, :], groups)
        out.append(x.copy())
    return np.array(out)


@pytest.mark.parametrize("game", [hawk_dove(), rps()], ids=["hd", "rps"])
def test_discrete_map_iterates_exactly(game):
    dyn = HalfReplicatorMap()
    x0 = [0.1] if game.name == "hd" else [0.5, 0.2]
    sim = simulate(game, [x0], t_end=40, dynamics=dyn, engine="numpy")
    assert sim.method == "map" and sim.time == "discrete"
    assert sim.times.tolist() == list(range(41)) and sim.dt.tolist() == [1.0]
    want = hand_iterate(system_for(game, dyn), x0, 40)
    np.testing.assert_allclose(sim.states[:, 0, 0, :], want, rtol=1e-13, atol=1e-15)
    if numba_available():
        nb = simulate(game, [x0], t_end=40, dynamics=dyn, engine="numba")
        np.testing.assert_allclose(nb.states, sim.states, rtol=1e-13, atol=1e-15)
    # Saving every fifth iterate keeps those iterates.
    every = simulate(game, [x0], t_end=40, dynamics=dyn, engine="numpy", save_every=5)
    assert np.array_equal(every.states[:, 0, 0, :], sim.states[::5, 0, 0, :])


def test_discrete_map_rejects_steps_and_integrators():
    g = hawk_dove()
    with pytest.raises(IntegrationError, match="dt must be 1"):
        simulate(g, [[0.1]], t_end=10, dt=0.5, dynamics=HalfReplicatorMap())
    with pytest.raises(IntegrationError, match="iterated, not integrated"):
        simulate(g, [[0.1]], t_end=10, method="dopri5", dynamics=HalfReplicatorMap())
    with pytest.raises(IntegrationError, match="whole numbers"):
        simulate(g, [[0.1]], t_end=10.5, dynamics=HalfReplicatorMap())
    ok = simulate(g, [[0.1]], t_end=10, dt=1, dynamics=HalfReplicatorMap(), engine="numpy")
    assert ok.states.shape == (11, 1, 1, 1)


# ---------------------------------------------------------------------- converge and basins
def test_converge_and_basins_under_a_user_dynamics():
    g = hawk_dove()
    dyn = ExpImitation()
    sim = simulate(g, [[0.1], [0.9]], t_end=40, dynamics=dyn, engine="numpy")
    conv = converge(sim, analyze(g, dynamics=dyn))
    assert conv.reached.tolist() == [["hawk+dove"], ["hawk+dove"]]
    assert basins(conv)["hawk+dove"].tolist() == [1.0]
    with pytest.raises(IntegrationError, match="analyse the game under the simulation"):
        converge(sim, analyze(g))


# ---------------------------------------------------------------------- sweep
def test_sweep_both_measures_under_a_user_dynamics():
    g = hawk_dove()
    dyn = ExpImitation()
    stable = sweep(g, {"C": [1, 3, 6]}, measure="stable", dynamics=dyn)
    assert [stable.stable_labels(i) for i in range(3)] == [
        ("hawk",),
        ("hawk+dove",),
        ("hawk+dove",),
    ]
    assert stable.settings["dynamics"] == "test-exp:rate=1"
    out = sweep(
        g, {"C": [1, 3]}, measure="outcome", starts=3, t_end=60, dynamics=dyn, engine="numpy"
    )
    # Against simulate and converge under the same dynamics, point by point.
    from lmc_games._simulate import starts_grid

    starts = starts_grid(g, 3)
    for i, c in enumerate([1, 3]):
        gc = g.with_values({"C": c})
        sim = simulate(gc, starts, t_end=60, dynamics=dyn, engine="numpy")
        conv = converge(sim, analyze(gc, dynamics=dyn))
        got = [out.labels[r] if r >= 0 else None for r in out.reached[i]]
        assert got == conv.reached[:, 0].tolist()


def test_sweep_uses_the_dynamics_own_verdicts_and_rest_points():
    g = hawk_dove()
    rev = sweep(g, {"C": [3, 6]}, measure="stable", dynamics=Reversed())
    # The verdicts of the dynamics' own analysis at each point.
    own = [
        tuple(
            r.label
            for r in analyze(g.with_values({"C": c}), dynamics=Reversed()).rest_points
            if r.asymptotically_stable
        )
        for c in (3, 6)
    ]
    assert [rev.stable_labels(i) for i in range(2)] == own == [("hawk", "dove")] * 2
    rep = sweep(g, {"C": [3, 6]}, measure="stable")
    assert [rep.stable_labels(i) for i in range(2)] == [("hawk+dove",)] * 2
    out = sweep(
        g,
        {"C": [3]},
        measure="outcome",
        starts=[[0.5], [0.8]],
        t_end=60,
        dynamics=Reversed(),
        engine="numpy",
    )
    # Backwards, the trajectories leave x* = 2/3 for the corners on either side of it.
    assert [out.labels[r] for r in out.reached[0]] == ["dove", "hawk"]


def test_sweep_outcome_of_a_map_iterates_it():
    g = hawk_dove()
    dyn = HalfReplicatorMap()
    starts = [[0.1], [0.9]]
    out = sweep(
        g, {"C": [3]}, measure="outcome", starts=starts, t_end=60, dynamics=dyn, engine="numpy"
    )
    assert out.settings["method"] == "map" and out.settings["dt"] == 1.0
    assert out.labels == ("hawk+dove",)
    # The convergence time is the first iterate from which the hand loop stays within eps.
    for s, x0 in enumerate([0.1, 0.9]):
        path = hand_iterate(system_for(g, dyn), [x0], 60)[:, 0]
        far = np.flatnonzero(np.abs(path - 2 / 3) > 1e-3)
        assert out.convergence_time[0, s] == far[-1] + 1
    with pytest.raises(SweepError, match="dt must be 1"):
        sweep(g, {"C": [3]}, measure="outcome", dt=0.5, dynamics=dyn)
    with pytest.raises(SweepError, match="whole number"):
        sweep(g, {"C": [3]}, measure="outcome", t_end=2.5, dynamics=dyn)


def test_sweep_keys_name_the_dynamics(tmp_path):
    g = hawk_dove()
    kw = {"measure": "outcome", "starts": 2, "t_end": 20, "engine": "numpy"}
    first = sweep(g, {"C": [1, 3]}, resume=tmp_path / "r", **kw)
    manifest = json.loads((tmp_path / "r" / "manifest.json").read_text())
    assert "dynamics" not in manifest["sweep"]  # the replicator's manifest is as before
    # The replicator under any of its names is the same sweep: its chunks are reused.
    again = sweep(g, {"C": [1, 3]}, resume=tmp_path / "r", dynamics="replicator", **kw)
    assert np.array_equal(first.reached, again.reached)
    again = sweep(g, {"C": [1, 3]}, resume=tmp_path / "r", dynamics=Replicator(), **kw)
    assert np.array_equal(first.reached, again.reached)
    # Another dynamics is another sweep, and so is the same one with another option value.
    with pytest.raises(SweepError, match="different sweep"):
        sweep(g, {"C": [1, 3]}, resume=tmp_path / "r", dynamics=ExpImitation(), **kw)
    sweep(g, {"C": [1, 3]}, resume=tmp_path / "e", dynamics=ExpImitation(), **kw)
    with pytest.raises(SweepError, match="different sweep"):
        sweep(g, {"C": [1, 3]}, resume=tmp_path / "e", dynamics=ExpImitation(rate=2), **kw)
    manifest = json.loads((tmp_path / "e" / "manifest.json").read_text())
    assert manifest["sweep"]["dynamics"] == "test-exp:rate=1"


def test_compiled_fields_are_never_shared_between_dynamics():
    g = hawk_dove()
    a = compile_field(system_for(g, None), engine="numpy")
    b = compile_field(system_for(g, ExpImitation()), engine="numpy")
    assert a.source != b.source
    x, p = np.array([[0.3]]), np.array([[2.0, 3.0]])
    assert not np.allclose(a(x, p), b(x, p))


# ---------------------------------------------------------------------- continuation
def test_continuation_under_a_user_dynamics():
    g = hawk_dove()
    c = continuation(g, "C", 1, 3, num=5, dynamics=ExpImitation())
    assert c.dynamics == "test-exp:rate=1" and c.method == "numeric"
    assert any("replicator" in n for n in c.notes)
    # The rest points of an imitative dynamics are the replicator's; hawk loses stability
    # where C = V, as under the replicator (the sign of its eigenvalue is that of V - C).
    hawk = [ch for ch in c.changes if ch.label == "hawk"]
    assert len(hawk) == 1 and hawk[0].value == pytest.approx(2.0, abs=1e-9)
    assert "under test-exp" in repr(c)
    rep = continuation(g, "C", 0.5, 5, num=11)
    assert rep.dynamics == "replicator" and rep.method == "symbolic"


def test_analysis_of_a_face_dynamics_uses_its_own_jacobian():
    a = analyze(hawk_dove(), dynamics=Reversed())
    verdicts = {r.label: r.stability.value for r in a.rest_points}
    assert verdicts == {"hawk": "stable", "dove": "stable", "hawk+dove": "unstable"}


# ---------------------------------------------------------------------- plot data
def test_portrait_and_basins_use_the_dynamics():
    g = hawk_dove()
    pp = portrait(g, t_end=5, dynamics=ExpImitation())
    assert pp.analysis.system.dynamics == ExpImitation()
    with pytest.raises(LmcGamesError, match="analyse the game under the dynamics"):
        portrait(g, analysis=analyze(g), dynamics=ExpImitation())
    b = basin_data(g, n=4, t_end=40, dynamics=ExpImitation())
    assert set(b.reached) == {"hawk+dove"}
    dyn = HalfReplicatorMap()
    m = portrait(pennies(), t_end=12, starts=[[0.2, 0.7]], dynamics=dyn)
    want = hand_iterate(system_for(pennies(), dyn), [0.2, 0.7], 12)
    np.testing.assert_allclose(m.trajectories[0], want[: len(m.trajectories[0])], rtol=1e-13)
    assert len(m.trajectories[0]) > 2


# ---------------------------------------------------------------------- renderers, report
def test_renderers_name_the_dynamics():
    g = hawk_dove()
    rep = analyze(g)
    other = analyze(g, dynamics=ExpImitation(rate=2))
    assert "Replicator equations" in render(rep, "text")
    text = render(other, "text")
    assert "Exponential imitation (rate = 2) equations" in text
    assert "Replicator equations" not in text
    assert "## Exponential imitation (rate = 2) equations" in render(other, "markdown")
    assert "Rest points of the exponential imitation (rate = 2)" in render(other, "latex")
    assert "Rest points of the replicator dynamics" in render(rep, "latex")
    d = render(other, "json")
    assert d["dynamics"] == "test-exp" and d["dynamics_options"] == {"rate": 2}
    assert render(rep, "json")["dynamics"] == "replicator"
    assert "dynamics_options" not in render(rep, "json")
    sim_text = render(analyze(g, dynamics=HalfReplicatorMap()), "text")
    assert "x' - x = " in sim_text and "dx/dt" not in sim_text


def test_scenario_table_under_a_dynamics():
    g = load_model("water_use")
    rows = scenario_table(g, dynamics=ExpImitation())
    assert [r.scenario for r in rows] == [r.scenario for r in scenario_table(g)]
    # Same rest points; the stable ones are those of the dynamics' own analysis.
    want = [r.label for r in analyze(g, dynamics=ExpImitation()).rest_points]
    assert set(rows[0].stable) <= set(want)


def test_report_names_the_dynamics(tmp_path):
    g = hawk_dove()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report(g, tmp_path, figures=False, pdf=False, dynamics=ExpImitation())
    md = (tmp_path / "report.md").read_text()
    assert "## Exponential imitation (rate = 1) equations" in md
    assert "Replicator equations" not in md and "replicator equations" not in md
    assert "The exponential imitation (rate = 1): RK4" in md
    tex = (tmp_path / "report.tex").read_text()
    assert "exponential imitation (rate = 1) equations" in tex
    prov = json.loads((tmp_path / "provenance.json").read_text())
    assert prov["dynamics"] == "test-exp:rate=1"
    data = json.loads((tmp_path / "data/analysis.json").read_text())
    assert data["dynamics"] == "test-exp"
    plain = tmp_path / "plain"
    report(g, plain, figures=False, pdf=False)
    assert "## Replicator equations" in (plain / "report.md").read_text()
    assert json.loads((plain / "provenance.json").read_text())["dynamics"] == "replicator"
