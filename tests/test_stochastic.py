"""The stochastic replicator (issue 12 §4): sigma = 0 is the deterministic replicator, the
noise has the law of the model (log-ratios of a constant-advantage game are Brownian motions
with drift), exact bounds for water_use under strong supervision, reproducibility, and the
engines against each other and against an independent Euler--Maruyama loop."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy.integrate import solve_ivp
from scipy.stats import norm

from lmc_games import Game, IntegrationError, ParameterError, analyze, load_model, simulate
from lmc_games._compile import numba_available
from lmc_games._stochastic import (
    ELSEWHERE,
    _logratios,
    sigma_sweep,
    stochastic_outcomes,
)

ENGINES = ["numpy"] + (["numba"] if numba_available() else [])
FAST = "numba" if numba_available() else "numpy"


def hawk_dove() -> Game:
    return Game.symmetric(
        [["(V - C)/2", "V"], [0, "V/2"]], ["hawk", "dove"], parameters={"V": 2, "C": 3}
    )


def constant_advantage(a: float) -> Game:
    # The first strategy earns a more than the second whatever the state: pi_1 - pi_2 = a.
    return Game.symmetric([[a, a], [0, 0]], ["A", "B"])


@pytest.fixture(scope="module")
def bistable() -> Game:
    return load_model("water_use").scenario("bistable")


@pytest.fixture(scope="module")
def strong() -> Game:
    return load_model("water_use").scenario("strong_supervision")


# --------------------------------------------------------------------------- sigma = 0


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("dt", [None, 0.03])
def test_sigma_zero_is_simulate_bit_for_bit(bistable, engine, dt):
    starts = np.array([[0.9, 0.9], [0.1, 0.1], [0.3, 0.7], [0.55, 0.45]])
    out = stochastic_outcomes(bistable, 0.0, starts=starts, runs=3, t_end=30, dt=dt, engine=engine)
    sim = simulate(bistable, starts, t_end=30, dt=dt, engine=engine)
    for r in range(3):
        assert np.array_equal(out.final[:, r, :], sim.final[:, 0, :])
    assert out.method == "deterministic"
    assert out.dt == float(sim.dt[0])
    # The counts are the nearest rest point of each deterministic end.
    an = analyze(bistable)
    lab = {r.label: np.array(sum(r.numeric_shares, ())) for r in an.rest_points}
    for s in range(len(starts)):
        x, y = sim.final[s, 0]
        full = np.array([x, 1 - x, y, 1 - y])
        near = [k for k, v in lab.items() if np.max(np.abs(full - v)) <= 1e-3]
        expect = near[0] if near else ELSEWHERE
        assert out.counts[s, out.labels.index(expect)] == 3


def test_sigma_zero_row_of_a_sweep_is_simulate(bistable):
    starts = np.array([[0.9, 0.9], [0.1, 0.1]])
    sw = sigma_sweep(bistable, [0.0, 0.3], starts=starts, runs=2, t_end=60, engine="numpy")
    sim = simulate(bistable, starts, t_end=60, engine="numpy")
    assert sw.rows[0].counts["reasonable, reasonable"] == 2
    assert sw.rows[0].counts["excessive, excessive"] == 2
    assert sim.final[0, 0].min() > 0.999 and sim.final[1, 0].max() < 0.001


@pytest.mark.parametrize("engine", ENGINES)
def test_vanishing_noise_tends_to_the_ode(bistable, engine):
    """Tiny noise runs the log-ratio RK4, another integrator in other coordinates: it must
    agree with simulate() (RK4 in the shares) and with scipy's solve_ivp."""
    starts = np.array([[0.6, 0.3], [0.3, 0.6], [0.5, 0.52]])
    out = stochastic_outcomes(bistable, 1e-13, starts=starts, runs=1, t_end=10, engine=engine)
    assert out.method == "log-ratio RK4 + exact noise"
    sim = simulate(bistable, starts, t_end=10, engine="numpy")
    assert np.max(np.abs(out.final[:, 0, :] - sim.final[:, 0, :])) < 1e-6
    from lmc_games import system
    from lmc_games._compile import compile_field

    f = compile_field(system(bistable), engine="numpy")
    pv = np.array([[float(v) for v in bistable.values.values()]])
    for s, x0 in enumerate(starts):
        ref = solve_ivp(lambda t, x: f(x[None, :], pv)[0], (0, 10), x0, rtol=1e-12, atol=1e-14)
        assert np.max(np.abs(out.final[s, 0] - ref.y[:, -1])) < 1e-7


# --------------------------------------------------------------------------- the law


@pytest.mark.parametrize("scheme", ["rk4", "euler"])
def test_constant_advantage_log_ratio_is_brownian_with_drift(scheme):
    """pi_1 - pi_2 = a: u = log(x / (1 - x)) = u0 + a t + sigma (W_1 - W_2)(t), so u(t) is
    normal with mean u0 + a t and variance 2 sigma^2 t (both schemes are exact here)."""
    a, sigma, t, x0, R = 0.5, 0.7, 2.0, 0.3, 4000
    out = stochastic_outcomes(
        constant_advantage(a), sigma, starts=[[x0]], runs=R, t_end=t, seed=3, scheme=scheme
    )
    x = out.final[0, :, 0]
    u = np.log(x) - np.log1p(-x)
    mean, var = math.log(x0 / (1 - x0)) + a * t, 2 * sigma**2 * t
    assert abs(u.mean() - mean) < 4 * math.sqrt(var / R)
    assert abs(u.var(ddof=1) - var) < 4 * var * math.sqrt(2 / (R - 1))
    # Normal: the share beyond one standard deviation is 2 (1 - Phi(1)) = 0.3173.
    beyond = np.mean(np.abs(u - mean) > math.sqrt(var))
    p = 2 * norm.sf(1)
    assert abs(beyond - p) < 4 * math.sqrt(p * (1 - p) / R)


def test_three_strategies_noise_covariance():
    """Three strategies with constant payoffs 1, 0.5, 0: the log-ratios to the last are
    u_i = u_i(0) + a_i t + sigma (W_i - W_3): variances 2 sigma^2 t, covariance sigma^2 t
    (the k - 1 correlated normals per step must reproduce this)."""
    g = Game.symmetric([[1, 1, 1], [0.5, 0.5, 0.5], [0, 0, 0]], ["a", "b", "c"])
    sigma, t, R = 0.6, 1.5, 6000
    x0 = np.array([[0.2, 0.5]])
    out = stochastic_outcomes(g, sigma, starts=x0, runs=R, t_end=t, seed=11, engine=FAST)
    u = _logratios(out.final[0], ((0, 1),))
    expect_mean = _logratios(x0, ((0, 1),))[0] + np.array([1.0, 0.5]) * t
    cov = np.cov(u.T)
    s2 = sigma**2 * t
    assert np.all(np.abs(u.mean(axis=0) - expect_mean) < 4 * math.sqrt(2 * s2 / R))
    assert abs(cov[0, 0] - 2 * s2) < 4 * 2 * s2 * math.sqrt(2 / R)
    assert abs(cov[1, 1] - 2 * s2) < 4 * 2 * s2 * math.sqrt(2 / R)
    # Var of a sample covariance of (X, Y): (var X var Y + cov^2) / R.
    assert abs(cov[0, 1] - s2) < 4 * math.sqrt((4 * s2**2 + s2**2) / R)


def _independent_euler(game, x0, sigma, runs, t_end, dt, seed):
    """Euler--Maruyama in log-ratios written from the model, for a symmetric 2x2 game: the
    advantage from the payoff matrix at the shares, the normals drawn as the library
    documents (per step, an array over (start, run, free share); Y = sqrt(2) Z for k = 2)."""
    V, C = 2.0, 3.0  # hawk_dove()'s values
    A = np.array([[(V - C) / 2, V], [0.0, V / 2]])
    rng = np.random.Generator(np.random.PCG64(seed))
    n = round(t_end / dt)
    u = np.full(runs, math.log(x0 / (1 - x0)))
    for _ in range(n):
        z = rng.standard_normal((1, runs, 1))[0, :, 0]
        x = 1 / (1 + np.exp(-u))
        adv = (A[0, 0] - A[1, 0]) * x + (A[0, 1] - A[1, 1]) * (1 - x)
        u = u + dt * adv + sigma * math.sqrt(dt) * (z + (math.sqrt(2) - 1) * z)
    return 1 / (1 + np.exp(-u))


def test_euler_against_an_independent_loop():
    g = hawk_dove()
    out = stochastic_outcomes(
        g, 0.8, starts=[[0.3]], runs=50, t_end=5, dt=0.05, seed=5, scheme="euler", engine="numpy"
    )
    ref = _independent_euler(g, 0.3, 0.8, 50, 5, 0.05, 5)
    assert np.max(np.abs(out.final[0, :, 0] - ref)) < 1e-12


def test_water_use_strong_supervision_exact_bounds(strong):
    """Under strong supervision reasonable use is strictly dominant for both sides: the
    advantage of Savannakhet lies in [3.26, 4.14], Mukdahan's in [4.26, 5.14] (see the model
    file's advantage formulas at p = 0.9). So, path by path, u_x(T) lies between
    sigma sqrt(2) W_x(T) + 3.26 T and the same + 4.14 T (u from 0), and likewise for y with an
    independent W_y; ending within eps of (reasonable, reasonable) means u_x, u_y >=
    log((1 - eps)/eps). The probability is bracketed by products of normal tails -- for the
    discrete scheme too, whose drift increments are averages of advantages in those ranges."""
    sigma, T, eps, R = 10.0, 25.0, 1e-3, 2000
    out = stochastic_outcomes(strong, sigma, starts=[[0.5, 0.5]], runs=R, t_end=T, eps=eps)
    c, s = math.log((1 - eps) / eps), sigma * math.sqrt(2 * T)
    lo = norm.cdf((3.26 * T - c) / s) * norm.cdf((4.26 * T - c) / s)
    hi = norm.cdf((4.14 * T - c) / s) * norm.cdf((5.14 * T - c) / s)
    p = out.probability("reasonable, reasonable")
    se = math.sqrt(0.25 / R)
    assert lo - 4 * se <= p <= hi + 4 * se
    assert hi < 0.9  # the noise moves the outcome away from the deterministic one
    calm = stochastic_outcomes(strong, 0.0, starts=[[0.5, 0.5]], runs=1, t_end=T)
    assert calm.probability("reasonable, reasonable") == 1.0


def test_strong_noise_moves_away_from_the_deterministic_outcome(strong):
    sw = sigma_sweep(strong, [0.0, 5.0, 40.0], starts=2, runs=100, t_end=50, engine=FAST)
    col = sw.column("reasonable, reasonable")
    assert col[0] == 1.0
    assert col[2] < 0.8 < col[1]


# --------------------------------------------------------------------------- reproducibility


@pytest.mark.parametrize("engine", ENGINES)
def test_same_seed_same_result_other_seed_other(engine):
    g = hawk_dove()
    kw = dict(starts=[[0.2], [0.7]], runs=64, t_end=10, engine=engine)
    a = stochastic_outcomes(g, 0.9, seed=7, **kw)
    b = stochastic_outcomes(g, 0.9, seed=7, **kw)
    c = stochastic_outcomes(g, 0.9, seed=8, **kw)
    assert np.array_equal(a.final, b.final) and np.array_equal(a.counts, b.counts)
    assert not np.array_equal(a.final, c.final)


@pytest.mark.skipif(not numba_available(), reason="numba is not installed")
@pytest.mark.parametrize("scheme", ["rk4", "euler"])
def test_engines_agree(bistable, scheme):
    kw = dict(starts=3, runs=20, t_end=20, seed=2, scheme=scheme)
    a = stochastic_outcomes(bistable, 0.7, engine="numpy", **kw)
    b = stochastic_outcomes(bistable, 0.7, engine="numba", **kw)
    assert np.max(np.abs(a.final - b.final)) < 1e-12
    assert np.array_equal(a.counts, b.counts)


@pytest.mark.skipif(not numba_available(), reason="numba is not installed")
def test_engines_agree_three_strategies_and_no_parameters():
    rps = Game.symmetric(
        [[0, "-b", 1], [1, 0, "-b"], ["-b", 1, 0]], ["r", "p", "s"], parameters={"b": 2}
    )
    pd = Game.bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]])
    for g in (rps, pd):
        kw = dict(starts=2, runs=7, t_end=5, seed=9)
        a = stochastic_outcomes(g, 0.5, engine="numpy", **kw)
        b = stochastic_outcomes(g, 0.5, engine="numba", **kw)
        # Not to the bit: the engines' compiled payoff advantages group a parameter's terms
        # differently (rps: -s_1*(b + 2) against (-b - 2)*s_1), rounding apart by 4e-16.
        assert np.max(np.abs(a.final - b.final)) < 1e-12
        assert np.array_equal(a.counts, b.counts)


@pytest.mark.parametrize("engine", ENGINES)
def test_sweep_rows_equal_single_runs(bistable, engine):
    """Common random numbers: a row of a sweep is the single run at its sigma and value,
    bit for bit, whatever else is in the batch."""
    kw = dict(starts=[[0.4, 0.6], [0.5, 0.5]], runs=10, t_end=10, seed=4, engine=engine)
    sw = sigma_sweep(bistable, [0.2, (0.5, 1.0)], vary=("p", [0.2, 0.25]), **kw)
    assert len(sw) == 4
    for row in sw:
        one = stochastic_outcomes(bistable.with_values(p=row.value), row.sigma, **kw)
        got = {k: v for k, v in row.counts.items() if k in one.labels}
        assert got == dict(zip(one.labels, one.counts.sum(axis=0).tolist()))
        assert sum(row.counts.values()) == one.total == 20


# --------------------------------------------------------------------------- results


def test_results_to_csv_and_dict(tmp_path, bistable):
    sw = sigma_sweep(bistable, [0.0, 0.4], starts=2, runs=5, t_end=5, engine="numpy")
    path = tmp_path / "s.csv"
    sw.to_csv(path)
    lines = path.read_text().splitlines()
    assert lines[0].split(",")[:3] == ["sigma:savannakhet", "sigma:mukdahan", "runs"]
    assert len(lines) == 3
    import csv

    rows = list(csv.DictReader(path.open()))
    probs = [float(v) for k, v in rows[1].items() if k.startswith("probability:")]
    assert math.isclose(sum(probs), 1.0)
    json.dumps(sw.to_dict())
    one = stochastic_outcomes(bistable, 0.4, starts=2, runs=5, t_end=5, engine="numpy")
    d = one.to_dict()
    json.dumps(d)
    assert d["sigma"] == [0.4, 0.4] and len(d["starts"]) == 4
    assert math.isclose(sum(one.probabilities.values()), 1.0)
    assert one.labels[-1] == ELSEWHERE and one.total == 20
    assert 0 <= one.standard_error(ELSEWHERE) <= 0.5
    assert "StochasticOutcomes" in repr(one)


@pytest.mark.parametrize(
    "kwargs, error",
    [
        (dict(sigma=-1.0), IntegrationError),
        (dict(sigma=float("nan")), IntegrationError),
        (dict(sigma=(1.0, 2.0, 3.0)), IntegrationError),
        (dict(sigma=1.0, starts=[[0.0, 0.5]]), IntegrationError),
        (dict(sigma=1.0, starts=[[1.0, 0.5]]), IntegrationError),
        (dict(sigma=1.0, runs=0), IntegrationError),
        (dict(sigma=1.0, seed=-1), IntegrationError),
        (dict(sigma=1.0, eps=0.0), IntegrationError),
        (dict(sigma=1.0, scheme="milstein"), IntegrationError),
        (dict(sigma=1.0, engine="cuda"), IntegrationError),
    ],
)
def test_bad_arguments(bistable, kwargs, error):
    sigma = kwargs.pop("sigma")
    with pytest.raises(error):
        stochastic_outcomes(bistable, sigma, **{"runs": 2, "t_end": 1, **kwargs})


def test_bad_sweep_arguments(bistable):
    with pytest.raises(ParameterError):
        sigma_sweep(bistable, [0.1], vary=("nope", [1.0]), runs=2, t_end=1)
    with pytest.raises(IntegrationError):
        sigma_sweep(bistable, [], runs=2, t_end=1)
    with pytest.raises(ParameterError):
        stochastic_outcomes(bistable, 0.1, runs=2, t_end=1).probability("nowhere")


# --------------------------------------------------------------------------- convergence


class _Replay:
    """Stands in for the Generator: hands out given normals, step by step."""

    def __init__(self, z: np.ndarray) -> None:
        self.z, self.k = z, 0

    def standard_normal(self, size):
        out = self.z[self.k : self.k + size[0]]
        self.k += size[0]
        return out


@pytest.mark.parametrize("scheme", ["rk4", "euler"])
def test_strong_order_one(scheme):
    """The noise is additive in log-ratios, so the scheme converges with strong order 1:
    on one Brownian path (coarse increments are sums of fine ones), the mean error at t_end
    against a run with a 64 times finer step halves when the step halves (Kloeden & Platen
    1992, section 10.2)."""
    from lmc_games import system
    from lmc_games._stochastic import _advantages, _integrate_numpy

    g = hawk_dove()
    cfa = _advantages(system(g), "numpy")
    pv = np.array([[2.0, 3.0]])
    T, R, sigma, fine = 2.0, 300, 1.0, 2048
    z = np.random.default_rng(21).standard_normal((fine, R, 1))
    u0 = _logratios(np.array([[0.2]]), ((0,),))

    def run(steps: int) -> np.ndarray:
        m = fine // steps
        zc = z.reshape(steps, m, R, 1).sum(axis=1) / math.sqrt(m)
        args = (np.array([[sigma]]), np.array([T / steps]), np.array([steps]), R)
        out = _integrate_numpy(cfa, u0, pv, *args, _Replay(zc), ((0,),), scheme)
        return out[0, 0, 0, :, 0]

    ref = run(fine)
    errors = [np.mean(np.abs(run(s) - ref)) for s in (8, 16, 32)]
    rates = np.log2(np.array(errors[:-1]) / np.array(errors[1:]))
    assert np.all(rates > 0.8), (errors, rates)
    assert np.all(rates < 1.5), (errors, rates)


# --------------------------------------------------------------------------- resume


def test_sigma_sweep_resumes(tmp_path, bistable, monkeypatch):
    import lmc_games._stochastic as mod
    from lmc_games import ResumeWarning
    from lmc_games._errors import SweepError

    kw = dict(starts=[[0.4, 0.6]], runs=6, t_end=5, seed=3, engine="numpy")
    sigmas = [0.0, 0.3, 1.0]
    plain = sigma_sweep(bistable, sigmas, vary=("p", [0.2, 0.3]), **kw)
    d = tmp_path / "resume"
    first = sigma_sweep(bistable, sigmas, vary=("p", [0.2, 0.3]), resume=d, chunk_size=2, **kw)
    assert [r.counts for r in first] == [r.counts for r in plain]
    chunks = sorted(d.glob("chunk-*.npz"))
    assert len(chunks) == 3
    # Everything kept: nothing is integrated again.
    calls = []
    real = mod._run
    monkeypatch.setattr(mod, "_run", lambda *a, **k: calls.append(1) or real(*a, **k))
    again = sigma_sweep(bistable, sigmas, vary=("p", [0.2, 0.3]), resume=d, **kw)
    assert [r.counts for r in again] == [r.counts for r in plain] and not calls
    # A lost chunk is computed again, a damaged one too (with a warning).
    chunks[1].unlink()
    chunks[2].write_bytes(b"not a zip file")
    with pytest.warns(ResumeWarning):
        third = sigma_sweep(bistable, sigmas, vary=("p", [0.2, 0.3]), resume=d, **kw)
    assert [r.counts for r in third] == [r.counts for r in plain] and len(calls) >= 2
    # Another sweep in the same directory is refused.
    with pytest.raises(SweepError):
        sigma_sweep(bistable, [0.5], resume=d, **kw)


@pytest.mark.skipif(not numba_available(), reason="numba is not installed")
@pytest.mark.parametrize("scheme", ["rk4", "euler"])
def test_two_strategy_populations_run_the_numpy_arithmetic_bit_for_bit(scheme):
    """The numba engine takes the softmax's exponentials with numpy's vectorised exp (the
    speed of the RK4 scheme, benchmarks/bench_stochastic.py) and draws numpy's normals: the
    very arithmetic of the numpy engine, so the two agree to the last bit."""
    g = load_model("water_use").scenario("strong_supervision")
    kw = dict(starts=[[0.5, 0.5], [0.2, 0.7]], runs=40, t_end=10, dt=0.1, seed=3, scheme=scheme)
    a = stochastic_outcomes(g, 10.0, engine="numpy", **kw)
    b = stochastic_outcomes(g, 10.0, engine="numba", **kw)
    assert np.array_equal(a.final, b.final)


@pytest.mark.skipif(not numba_available(), reason="numba is not installed")
@pytest.mark.parametrize("scheme", ["rk4", "euler"])
def test_larger_populations_run_the_numpy_arithmetic_bit_for_bit(scheme):
    """Populations of three and four strategies, and one of three beside one of two: the
    numba engine takes the softmax's exponentials with numpy's exp over a tile too (the
    compiled loop's scalar exp made it slower than the numpy engine) and combines them in the
    numpy engine's order, so the engines agree to the last bit (with payoffs free of
    parameters, which both engines' compiled advantages round alike)."""
    four = Game.symmetric(
        [[0, 2, -1, 0.5], [-1, 0, 2, 0], [2, -1, 0, 0.3], [0, 0.5, 0.2, 0]], list("abcd")
    )
    three_two = Game.bimatrix([[3, 0], [5, 1], [2, 2]], [[3, 5], [0, 1], [1, 4]])
    for g, x0 in ((four, [[0.2, 0.3, 0.1]]), (three_two, [[0.2, 0.5, 0.6]])):
        kw = dict(starts=x0, runs=30, t_end=5, dt=0.05, seed=8, scheme=scheme)
        a = stochastic_outcomes(g, 3.0, engine="numpy", **kw)
        b = stochastic_outcomes(g, 3.0, engine="numba", **kw)
        assert np.array_equal(a.final, b.final)
