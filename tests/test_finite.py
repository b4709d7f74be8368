"""Finite populations (issue 12 §3): fixation probabilities, rare-mutation stationary
distributions and the full chain, each against a known answer, an independent computation or a
property."""

from __future__ import annotations

import contextlib
import io
import json
import math
import warnings
from fractions import Fraction

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from lmc_games import Game, LimitError, LmcGamesError, load_model
from lmc_games._errors import GameError, ParameterError
from lmc_games._finite import finite, fixation_probabilities, full_stationary
from lmc_games._finite_core import compositions, count_states, gth_exact, gth_log

HAWK_DOVE = [[-0.5, 2.0], [0.0, 1.0]]
RPS_LIKE = [[0.0, -1.0, 2.0], [2.0, 0.0, -1.0], [-1.0, 2.0, 0.0]]
THREE = [[1.0, 2.0, 0.0], [0.0, 1.0, 3.0], [2.0, 0.0, 1.5]]


def _by_pair(fixes):
    return {(f.population, f.context, f.resident, f.mutant): f for f in fixes}


# ------------------------------------------------------------------ known answers
@pytest.mark.parametrize("model", ["hawk_dove", "water_use", "rock_paper_scissors"])
@pytest.mark.parametrize("n", [2, 7, 40])
def test_neutral_fixation_is_one_over_n(model, n):
    # Kimura; Nowak (2006), Evolutionary Dynamics, section 6.2: a neutral mutant fixes with
    # probability 1/N, whatever the payoffs (beta = 0, or w = 0 in the Moran process).
    game = load_model(model)
    for process in ("fermi", "moran"):
        for f in fixation_probabilities(game, n, selection=0, process=process, exact=True):
            assert f.probability == pytest.approx(1 / n, rel=1e-13)
            assert f.exact == sympy.Rational(1, n)
            assert not f.favoured


@pytest.mark.parametrize("r", ["3/2", "1/2", "2", "99/100"])
@pytest.mark.parametrize("n", [2, 5, 30])
def test_moran_constant_fitness(r, n):
    # Moran (1962); Nowak (2006), eq. 6.13: a mutant of constant relative fitness r fixes with
    # probability (1 - 1/r) / (1 - 1/r^N). Payoffs: mutant r, resident 1, whoever they meet;
    # with w = 1 the fitness is the payoff.
    rr = sympy.Rational(r)
    game = Game.symmetric([[rr, rr], [1, 1]], ["mutant", "resident"])
    fixes = _by_pair(fixation_probabilities(game, n, selection=1, process="moran", exact=True))
    f = fixes[("players", "", "resident", "mutant")]
    expected = (1 - 1 / rr) / (1 - 1 / rr**n)
    assert f.exact == expected
    assert f.probability == pytest.approx(float(expected), rel=1e-12)
    # and in a population of a two-population game, whatever the other population plays
    two = Game.from_table(
        [("a", ["mutant", "resident"]), ("b", ["u", "v"])],
        {
            "mutant, u": [rr, 1],
            "mutant, v": [rr, 5],
            "resident, u": [1, 2],
            "resident, v": [1, 3],
        },
    )
    for ctx in ("u", "v"):
        g = _by_pair(fixation_probabilities(two, n, selection=1, process="moran", exact=True))
        assert g[("a", ctx, "resident", "mutant")].exact == expected


def test_exact_moran_matches_float_and_weak_selection():
    game = load_model("hawk_dove")
    fixes = fixation_probabilities(game, 12, selection="0.25", process="moran", exact=True)
    for f in fixes:
        assert f.probability == pytest.approx(float(f.exact), rel=1e-12)


def test_fermi_is_not_rational():
    with pytest.raises(GameError, match="not rational unless beta = 0"):
        fixation_probabilities(load_model("hawk_dove"), 5, selection=1, exact=True)


# ------------------------------------------------------------------ independent computation
def _absorbing_chain(t_plus, t_minus):
    """Probability of absorption at N from 1 mutant of a birth-death chain, by a linear solve
    of the absorbing Markov chain (Kemeny & Snell): states 1..N-1 transient."""
    n = len(t_plus) + 1
    p = np.zeros((n + 1, n + 1))
    p[0, 0] = p[n, n] = 1.0
    for j in range(1, n):
        p[j, j + 1] = t_plus[j - 1]
        p[j, j - 1] = t_minus[j - 1]
        p[j, j] = 1.0 - t_plus[j - 1] - t_minus[j - 1]
    q = p[1:n, 1:n]
    r = p[1:n, n]
    h = np.linalg.solve(np.eye(n - 1) - q, r)
    return h[0]


@pytest.mark.parametrize("n", [3, 8, 15])
@pytest.mark.parametrize("beta", [0.1, 1.0, 3.0])
def test_fermi_closed_form_vs_absorbing_chain(n, beta):
    # Traulsen, Nowak & Pacheco (2006): T± = (j/N)((N-j)/(N-1)) / (1 + exp(∓beta(pi_m - pi_r)))
    # with the payoffs of a member who meets the other N - 1, written out here directly.
    a = np.array(RPS_LIKE)
    game = Game.symmetric(RPS_LIKE, ["r", "p", "s"])
    fixes = _by_pair(fixation_probabilities(game, n, selection=beta))
    for res in range(3):
        for mut in range(3):
            if res == mut:
                continue
            tp, tm = [], []
            for j in range(1, n):
                pi_m = ((j - 1) * a[mut, mut] + (n - j) * a[mut, res]) / (n - 1)
                pi_r = (j * a[res, mut] + (n - j - 1) * a[res, res]) / (n - 1)
                meet = (j / n) * ((n - j) / (n - 1))
                tp.append(meet / (1 + math.exp(-beta * (pi_m - pi_r))))
                tm.append(meet / (1 + math.exp(beta * (pi_m - pi_r))))
            want = _absorbing_chain(tp, tm)
            got = fixes[("players", "", "rps"[res], "rps"[mut])].probability
            assert got == pytest.approx(want, rel=1e-9)


def test_two_population_fixation_vs_absorbing_chain():
    # In several populations a member plays against the others' (pure) profile: its payoff is
    # the table entry, and the chain is the Moran birth-death chain of those constant fitnesses.
    game = load_model("water_use")
    n, w = 9, 0.3
    subs = game.value_substitution()
    fixes = _by_pair(
        fixation_probabilities(
            game, {"savannakhet": n, "mukdahan": 6}, selection=w, process="moran"
        )
    )
    names = game.populations[1].strategies
    for ctx in range(2):
        for res in range(2):
            mut = 1 - res
            pay = [float(game.payoffs[(ctx, s)][1].xreplace(subs)) for s in range(2)]
            f_m, f_r = 1 - w + w * pay[mut], 1 - w + w * pay[res]
            m = 6
            tp = [(m - j) / m * j * f_m / (j * f_m + (m - j) * f_r) for j in range(1, m)]
            tm = [j / m * (m - j) * f_r / (j * f_m + (m - j) * f_r) for j in range(1, m)]
            ctx_label = game.populations[0].strategies[ctx]
            got = fixes[("mukdahan", ctx_label, names[res], names[mut])].probability
            assert got == pytest.approx(_absorbing_chain(tp, tm), rel=1e-10)


def test_gth_vs_eigenvector_and_exact():
    rng = np.random.default_rng(5)
    for m in (2, 3, 6):
        rates = rng.random((m, m)) * 10.0 ** rng.integers(-5, 5, size=(m, m))
        np.fill_diagonal(rates, 0)
        q = rates - np.diag(rates.sum(1))
        w, v = np.linalg.eig(q.T)
        pi = np.abs(v[:, np.argmin(np.abs(w))].real)
        pi /= pi.sum()
        with np.errstate(divide="ignore"):
            got = np.exp(gth_log(np.log(rates)))
        np.testing.assert_allclose(got, pi, rtol=1e-8)
        exact = gth_exact([[Fraction(x) for x in row] for row in rates])
        assert sum(exact) == 1
        np.testing.assert_allclose([float(x) for x in exact], pi, rtol=1e-8)


@pytest.mark.parametrize(
    "game, sizes, process, selection",
    [
        (Game.symmetric(HAWK_DOVE, ["hawk", "dove"]), 8, "fermi", 1.0),
        (Game.symmetric(HAWK_DOVE, ["hawk", "dove"]), 8, "moran", 0.2),
        (Game.symmetric(THREE, ["r", "p", "s"]), 6, "fermi", 0.7),
        (load_model("water_use"), {"savannakhet": 4, "mukdahan": 6}, "fermi", 0.5),
        (load_model("water_use"), {"savannakhet": 4, "mukdahan": 6}, "moran", 0.1),
        (Game.bimatrix([[1, 0, 2], [0, 1, 0]], [[0, 1, 0], [1, 0, 2]]), (4, 5), "fermi", 1.0),
    ],
)
def test_rare_mutation_limit_vs_full_chain(game, sizes, process, selection):
    # Fudenberg & Imhof (2006): as mu -> 0 the stationary distribution of the full chain
    # concentrates on the pure profiles, distributed as the embedded chain's. Unequal mutation
    # rates per population check the weights N_p mu_p (Veller & Hayward 2016).
    names = [p.name for p in game.populations]
    ratio = {n: (1.0 + 2.0 * i) / 3.0 for i, n in enumerate(names)}
    limit = finite(game, sizes, selection=selection, process=process, mutation=ratio)
    errors = []
    for mu in (1e-3, 1e-5, 1e-7):
        full = full_stationary(
            game,
            sizes,
            selection=selection,
            process=process,
            mutation={n: mu * r for n, r in ratio.items()},
        )
        assert full.residual < 1e-9
        mono = sum(full.profile_mass.values())
        err = max(abs(full.profile_mass[k] / mono - limit.stationary[k]) for k in limit.labels)
        errors.append(err)
    assert errors[-1] < 1e-5
    assert errors[0] > errors[1] > errors[2]


def test_full_chain_without_mutation_in_a_population_is_refused():
    with pytest.raises(ParameterError, match="mutation"):
        full_stationary(load_model("hawk_dove"), 5, selection=1, mutation=0)


def test_full_chain_size_guard_names_the_size():
    game = load_model("basin_compensation")
    with pytest.raises(LimitError, match=r"1,030,301 states .*reduce the population sizes"):
        full_stationary(game, 100, selection=1, mutation=0.01)
    assert count_states((100, 100, 100), (2, 2, 2)) == 101**3


def test_compositions():
    c = compositions(4, 3)
    assert len(c) == math.comb(6, 2) == 15
    assert (c.sum(axis=1) == 4).all()
    assert len({tuple(r) for r in c}) == 15


# ------------------------------------------------------------------ scale
@pytest.mark.parametrize("scale", [1e3, 1e6])
def test_extreme_payoffs_stay_in_log_space(scale):
    base = load_model("water_use")
    subs = base.value_substitution()
    pops = [(p.name, list(p.strategies)) for p in base.populations]
    table = {
        tuple(pop.strategies[i] for pop, i in zip(base.populations, prof)): [
            sympy.Float(scale) * e.xreplace(subs) for e in value
        ]
        for prof, value in base.payoffs.items()
    }
    big = Game.from_table(pops, table)
    # Underflow to 0 is expected (a probability of e^-1e6); overflow or NaN is not.
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        res = finite(big, 200, selection=1.0)
        scaled = finite(big, 200, selection=1.0 / scale)
    small = finite(base, 200, selection=1.0)
    for f in res.fixation:
        assert 0.0 <= f.probability <= 1.0 and math.isfinite(f.log_probability)
    assert sum(res.stationary.values()) == pytest.approx(1.0)
    assert all(math.isfinite(v) for v in res.log_stationary.values())
    # Fermi depends on beta * payoff only: scaling payoffs by c and beta by 1/c changes nothing.
    for a, b in zip(scaled.fixation, small.fixation):
        assert a.log_probability == pytest.approx(b.log_probability, rel=1e-9, abs=1e-12)
    for k in small.labels:
        assert scaled.log_stationary[k] == pytest.approx(small.log_stationary[k], rel=1e-9)


def test_underflowing_fixation_keeps_its_logarithm():
    game = Game.symmetric([[1e6, 1e6], [0, 0]], ["good", "bad"])
    fixes = _by_pair(fixation_probabilities(game, 1000, selection=1.0))
    f = fixes[("players", "", "good", "bad")]
    assert f.probability == 0.0
    # Each step of the ratio sum costs exp(-1e6): log rho = -(N - 1) * 1e6 up to log terms.
    assert f.log_probability == pytest.approx(-999 * 1e6, rel=1e-9)
    res = finite(game, 1000, selection=1.0)
    assert res.stationary["good"] == 1.0 and res.occupied == ("good",)
    assert res.log_stationary["bad"] < -1e8


# ------------------------------------------------------------------ properties
@st.composite
def _games(draw):
    k = draw(st.integers(2, 3))
    entries = st.floats(-5, 5, allow_nan=False).map(lambda v: round(v, 3))
    matrix = [[draw(entries) for _ in range(k)] for _ in range(k)]
    return Game.symmetric(matrix, [f"s{i}" for i in range(k)])


@given(
    game=_games(),
    n=st.integers(2, 60),
    beta=st.floats(0, 20),
    w=st.floats(0, 0.15),
)
@settings(max_examples=40, deadline=None)
def test_probabilities_are_probabilities(game, n, beta, w):
    for process, sel in (("fermi", beta), ("moran", w)):
        res = finite(game, n, selection=sel, process=process)
        for f in res.fixation:
            assert 0.0 <= f.probability <= 1.0
            assert f.log_probability <= 0.0
        values = np.array(list(res.stationary.values()))
        assert (values >= 0).all() and values.sum() == pytest.approx(1.0, abs=1e-12)
        assert sum(res.stationary[k] for k in res.occupied) >= 0.9 * (1 - 1e-12)
        out = sum(t.probability for t in res.transitions if t.source == res.labels[0])
        assert 0.0 <= out <= 1.0 + 1e-12


@given(n=st.integers(2, 12), w=st.fractions(0, Fraction(1, 2)))
@settings(max_examples=20, deadline=None)
def test_exact_stationary_sums_to_one(n, w):
    game = load_model("water_use")
    res = finite(game, n, selection=float(w), process="moran", exact=True)
    assert sum(res.stationary_exact.values()) == 1
    for k in res.labels:
        assert res.stationary[k] == pytest.approx(float(res.stationary_exact[k]), rel=1e-9)


def test_rock_paper_scissors_is_uniform_by_symmetry():
    res = finite(load_model("rock_paper_scissors"), 25, selection=2.0)
    for v in res.stationary.values():
        assert v == pytest.approx(1 / 3, rel=1e-12)


def test_prisoners_dilemma_defection():
    res = finite(load_model("prisoners_dilemma"), 50, selection=1.0)
    assert res.occupied == (res.labels[1],)
    assert res.stationary[res.labels[1]] > 0.999


# ------------------------------------------------------------------ input errors
@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"size": 1, "selection": 1}, ParameterError, "at least 2"),
        ({"size": 2.5, "selection": 1}, ParameterError, "whole number"),
        ({"size": {"x": 5}, "selection": 1}, ParameterError, "unknown population"),
        ({"size": 5, "selection": -1}, ParameterError, "at least 0"),
        ({"size": 5, "selection": float("nan")}, ParameterError, "finite"),
        ({"size": 5, "selection": 2, "process": "moran"}, ParameterError, r"\[0, 1\]"),
        ({"size": 5, "selection": 1, "process": "wright"}, ParameterError, "fermi, moran"),
        ({"size": 5, "selection": 1, "mutation": 2}, ParameterError, r"\(0, 1\]"),
        ({"size": 10**9, "selection": 1}, LimitError, "at most"),
    ],
)
def test_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        finite(load_model("hawk_dove"), **kwargs)


def test_moran_fitness_must_be_positive():
    game = Game.symmetric([[-10, 1], [1, 1]], ["a", "b"])
    with pytest.raises(ParameterError, match=r"lowest payoff -8\.77778\); choose w < 0\.102273"):
        finite(game, 10, selection=0.5, process="moran")


# ------------------------------------------------------------------ command line
def _main(argv):
    """``lmc_games.cli.main`` with the finite subcommand (wired here if cli.py lacks it)."""
    from lmc_games import _cli_finite, cli

    original = cli.build_parser

    def build():
        parser = original()
        sub = next(a for a in parser._actions if a.dest == "command")
        if "finite" not in sub.choices:
            _cli_finite.add_parser(sub)
        return parser

    out, err = io.StringIO(), io.StringIO()
    cli.build_parser = build
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            rc = cli.main(argv)
    finally:
        cli.build_parser = original
    return rc, out.getvalue(), err.getvalue()


def test_cli_json_contract():
    rc, out, err = _main(
        [
            "finite",
            "water_use",
            "--size",
            "savannakhet=5,mukdahan=7",
            "--selection",
            "1/2",
            "--format",
            "json",
        ]
    )
    assert rc == 0, err
    obj = json.loads(out)
    assert set(obj["fixation"][0]) >= {"population", "resident", "mutant", "context", "probability"}
    first = obj["fixation"][0]
    assert first["population"] == "savannakhet" and first["context"] == "reasonable"
    assert set(obj["stationary"]) == {
        "reasonable, reasonable",
        "reasonable, excessive",
        "excessive, reasonable",
        "excessive, excessive",
    }
    res = finite(load_model("water_use"), {"savannakhet": 5, "mukdahan": 7}, selection=0.5)
    for k, v in res.stationary.items():
        assert obj["stationary"][k] == pytest.approx(v, rel=1e-15)
    # beside the replicator's verdicts (analyze water_use: one stable corner, two saddles)
    assert obj["replicator"] == {
        "reasonable, reasonable": "stable",
        "reasonable, excessive": "saddle",
        "excessive, reasonable": "saddle",
        "excessive, excessive": "unstable",
    }
    assert obj["replicator_stable"] == ["reasonable, reasonable"]


def test_cli_text_full_chain_and_plot(tmp_path):
    fig = tmp_path / "f.png"
    rc, out, err = _main(
        [
            "finite",
            "hawk_dove",
            "--size",
            "6",
            "--selection",
            "1/2",
            "--mutation",
            "1e-3",
            "--process",
            "moran",
            "--exact",
            "--plot",
            str(fig),
        ]
    )
    assert rc == 0, err
    assert "Full chain with mutation 0.001 (7 states)" in out
    assert fig.exists() and fig.stat().st_size > 1000


@pytest.mark.parametrize(
    "argv, match",
    [
        (["--size", "0", "--selection", "1"], "at least 2"),
        (["--size", "x", "--selection", "1"], "whole number"),
        (["--size", "animals=5,animals=6", "--selection", "1"], "twice"),
        (["--size", "birds=5", "--selection", "1"], "not a population"),
        (["--size", "5", "--selection", "fast"], "--selection"),
        (["--size", "5", "--selection", "1", "--exact"], "not rational"),
        (["--size", "5000", "--selection", "1", "--mutation", "0.1"], None),
    ],
)
def test_cli_errors_are_one_line(argv, match):
    rc, out, err = _main(["finite", "rock_paper_scissors" if match is None else "hawk_dove", *argv])
    assert rc == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("lmc-games: error: ")
    assert "internal error" not in err
    if match is None:
        assert "12,507,501 states" in lines[0]
    else:
        assert match in lines[0]


# ------------------------------------------------------------------ figure
def test_stationary_diagram_draws_what_finite_computed():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from lmc_games.plot._finite import corner_geometry, stationary_diagram

    res = finite(load_model("basin_compensation"), 30, selection=0.2)
    assert corner_geometry(res) == "cube"
    fig = plt.figure()
    with pytest.raises(LmcGamesError, match="3-D axes"):
        stationary_diagram(res, fig.add_subplot())
    art = stationary_diagram(res, fig.add_subplot(projection="3d"))
    assert len(art.arrows) == sum(t.favoured for t in res.transitions)
    sizes = art.bubbles.get_sizes()
    top = int(np.argmax(sizes))
    assert res.labels[top] == res.occupied[0]
    plt.close("all")


def test_state_dependent_payoffs_vs_absorbing_chain():
    # central_local_dynamic: the local's payoff depends on its own share x (P_eff = P_max(1 - x)).
    # With j faithful locals of N the payoffs are the table's entries at x = j/N, evaluated here
    # with sympy, and the Fermi chain of the local population is solved directly.
    game = load_model("central_local_dynamic")
    n, beta = 12, 0.8
    subs = game.value_substitution()
    x = game.populations[0].share_symbols[0]
    fixes = _by_pair(fixation_probabilities(game, n, selection=beta))
    names = game.populations[0].strategies
    for ctx in range(2):
        for res in range(2):
            mut = 1 - res
            tp, tm = [], []
            for j in range(1, n):
                share_first = j / n if mut == 0 else 1 - j / n
                pay = [
                    float(game.payoffs[(s, ctx)][0].xreplace(subs).subs(x, share_first))
                    for s in range(2)
                ]
                d = pay[mut] - pay[res]
                meet = (j / n) * ((n - j) / (n - 1))
                tp.append(meet / (1 + math.exp(-beta * d)))
                tm.append(meet / (1 + math.exp(beta * d)))
            ctx_label = game.populations[1].strategies[ctx]
            got = fixes[(game.populations[0].name, ctx_label, names[res], names[mut])]
            assert got.probability == pytest.approx(_absorbing_chain(tp, tm), rel=1e-9)


@pytest.mark.parametrize(
    "model",
    [
        pytest.param(m)
        for m in (
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
        )
    ],
)
def test_every_bundled_model_from_the_command_line(model):
    from lmc_games import bundled_models

    assert model in bundled_models()
    rc, out, err = _main(
        [
            "finite",
            model,
            "--size",
            "5",
            "--selection",
            "0.5",
            "--mutation",
            "0.01",
            "--format",
            "json",
            "--no-replicator",
        ]
    )
    assert rc == 0, err
    obj = json.loads(out)
    assert sum(obj["stationary"].values()) == pytest.approx(1.0)
    full = obj["full_chain"]
    assert sum(full["profile_mass"].values()) + full["mixed_mass"] == pytest.approx(1.0)
    for f in obj["fixation"]:
        assert 0.0 <= f["probability"] <= 1.0


@given(
    a=st.lists(st.integers(-5, 5), min_size=8, max_size=8),
    sizes=st.tuples(st.integers(2, 40), st.integers(2, 40)),
    beta=st.floats(0, 10),
)
@settings(max_examples=25, deadline=None)
def test_two_population_properties(a, sizes, beta):
    game = Game.bimatrix([[a[0], a[1]], [a[2], a[3]]], [[a[4], a[5]], [a[6], a[7]]])
    res = finite(game, list(sizes), selection=beta)
    assert len(res.fixation) == 8  # 2 populations x 2 contexts x 2 (resident, mutant) pairs
    for f in res.fixation:
        assert 0.0 <= f.probability <= 1.0
    values = np.array(list(res.stationary.values()))
    assert (values >= 0).all() and values.sum() == pytest.approx(1.0, abs=1e-12)
    # per mutation event, the probabilities of leaving a profile sum to at most 1
    for label in res.labels:
        out = sum(t.probability for t in res.transitions if t.source == label)
        assert out <= 1.0 + 1e-12


@pytest.mark.parametrize(
    "game, geometry",
    [
        (load_model("hawk_dove"), "line"),
        (load_model("water_use"), "square"),
        (load_model("rock_paper_scissors"), "triangle"),
        (Game.bimatrix([[1, 0, 2], [0, 1, 0]], [[0, 1, 0], [1, 0, 2]]), "circle"),
    ],
)
def test_stationary_diagram_geometries(game, geometry):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from lmc_games.plot._finite import corner_geometry, stationary_diagram

    res = finite(game, 8, selection=1.0)
    assert corner_geometry(res) == geometry
    fig, ax = plt.subplots()
    art = stationary_diagram(res, ax, arrows="all")
    assert art.axes is ax and len(art.arrows) == len(res.transitions)
    assert len(art.labels) == len(res.labels)
    np.testing.assert_allclose(
        art.bubbles.get_sizes(),
        np.maximum(900 * np.array([res.stationary[k] for k in res.labels]), 4.0),
    )
    plt.close(fig)


def test_exact_moran_size_guard():
    """Exact Moran arithmetic past MAX_EXACT_SIZE members is refused before any work (the
    fractions' time grows with about N**2); floating point and the neutral case still run."""
    from lmc_games._errors import ExactSizeError
    from lmc_games._finite import MAX_EXACT_SIZE
    from lmc_games.cli import main

    hd = load_model("hawk_dove")
    n = MAX_EXACT_SIZE + 1
    with pytest.raises(ExactSizeError, match=r"2,000 members.*leave out exact=True"):
        finite(hd, n, selection=0.01, process="moran", exact=True)
    assert isinstance(ExactSizeError("x"), LimitError)
    neutral = fixation_probabilities(hd, n, selection=0, process="moran", exact=True)
    assert all(f.exact == sympy.Rational(1, n) for f in neutral)
    floats = fixation_probabilities(hd, n, selection=0.01, process="moran")
    assert all(f.exact is None and 0 < f.probability < 1 for f in floats)
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(
            ["finite", "hawk_dove", "--size", str(n), "--selection", "1/100"]
            + ["--process", "moran", "--exact", "--mutation", "0.01"]
        )
    assert code == 2 and len(err.getvalue().strip().splitlines()) == 1
    assert "--exact" in err.getvalue()
