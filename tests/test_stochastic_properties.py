"""Laws of the stochastic replicator (hypothesis): every end state lies on the state space,
the outcome counts add up, and payoff scale and noise trade exactly as the model says."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lmc_games import Game
from lmc_games._stochastic import _full, stochastic_outcomes

RPS = Game.symmetric(
    [[0, "-b", 1], [1, 0, "-b"], ["-b", 1, 0]], ["rock", "paper", "scissors"], parameters={"b": 2}
)
BIMATRIX = Game.bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]])

SETTINGS = settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)


def interior(k: int):
    """Strictly positive shares of k strategies, as the k - 1 free ones."""
    return st.lists(st.floats(0.01, 1.0), min_size=k, max_size=k).map(
        lambda w: [v / sum(w) for v in w[:-1]]
    )


@pytest.mark.filterwarnings("ignore:start 0 .* is a rest point")
@SETTINGS
@given(
    x0=interior(3),
    sigma=st.floats(0.0, 50.0),
    seed=st.integers(0, 2**32),
    scheme=st.sampled_from(["rk4", "euler"]),
)
def test_rps_ends_on_the_simplex(x0, sigma, seed, scheme):
    out = stochastic_outcomes(
        RPS, sigma, starts=[x0], runs=8, t_end=3, seed=seed, scheme=scheme, engine="numpy"
    )
    full = _full(out.final, ((0, 1),))
    assert np.all(np.isfinite(full))
    assert np.all(out.final >= 0) and np.all(out.final <= 1)
    assert np.all(full >= -1e-15)
    assert np.allclose(full.sum(axis=-1), 1.0, atol=1e-12, rtol=0)
    assert out.counts.sum() == 8 and np.all(out.counts >= 0)


@SETTINGS
@given(
    x=st.floats(1e-6, 1 - 1e-6),
    y=st.floats(1e-6, 1 - 1e-6),
    sigma=st.tuples(st.floats(0.0, 200.0), st.floats(0.0, 200.0)),
    seed=st.integers(0, 2**32),
)
def test_two_populations_end_in_the_square(x, y, sigma, seed):
    out = stochastic_outcomes(
        BIMATRIX, sigma, starts=[[x, y]], runs=6, t_end=2, seed=seed, engine="numpy"
    )
    assert np.all((out.final >= 0) & (out.final <= 1))
    assert abs(sum(out.probabilities.values()) - 1.0) < 1e-12


@SETTINGS
@given(c=st.sampled_from([0.25, 4.0, 1000.0]), seed=st.integers(0, 2**16))
def test_payoff_scale_and_noise_trade(c, seed):
    """Payoffs times c, noise times sqrt(c) and time divided by c give the same process
    (Brownian scaling: W(t/c) has the law of W(t)/sqrt(c)). With dt divided by c too, the
    scheme sees the same numbers up to rounding: (h/c)(c a) = h a for the drift and
    sigma sqrt(c) sqrt(h/c) = sigma sqrt(h) for the noise, on the same normals."""
    base = Game.symmetric([[1, 0], [0, 2]], ["a", "b"])
    big = Game.symmetric([[c, 0], [0, 2 * c]], ["a", "b"])
    kw = dict(starts=[[0.6]], runs=20, seed=seed, engine="numpy")
    a = stochastic_outcomes(base, 0.8, t_end=4, dt=0.05, **kw)
    b = stochastic_outcomes(big, 0.8 * c**0.5, t_end=4 / c, dt=0.05 / c, **kw)
    assert np.allclose(a.final, b.final, rtol=1e-9, atol=1e-12)
    assert np.array_equal(a.counts, b.counts)
