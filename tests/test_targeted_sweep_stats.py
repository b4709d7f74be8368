"""Sweep statistics (basin shares, share not converged, median convergence time) against a
direct computation from per-start results.

For every parameter point the expected statistics are computed here from scratch: the game is
simulated from each start with :func:`simulate` (the same fixed RK4 step) and matched with
:func:`converge`, and the shares are counts divided by the number of starts, the median is
``statistics.median`` of the converged starts' times. The sweep computes the same numbers
through a different path (the compiled one-pass tracker of ``measure="outcome"``), so a slip in
either the tracker or the aggregation shows up. The starts are chosen so that the mean and the
median of the convergence times differ by far more than a step.

``basins`` is checked the same way: its shares must equal the counts, which is a real check,
unlike a sum of shares being one (true by construction).
"""

import statistics
from fractions import Fraction

import numpy as np
import pytest

from lmc_games import Game, analyze, basins, converge, load_model, simulate, sweep


def _direct(game, name, values, starts, *, t_end, dt, eps):
    """Per parameter point: {label: share}, not converged share, median time, times."""
    out = []
    for v in values:
        g = game.with_values(**{name: Fraction(v)})
        sim = simulate(g, starts, t_end=t_end, dt=dt, engine="numpy")
        conv = converge(sim, analyze(g), eps=eps)
        reached = list(conv.reached[:, 0])
        times = [t for t in conv.time[:, 0] if t is not None]
        n = len(starts)
        shares = {lab: reached.count(lab) / n for lab in set(reached) if lab is not None}
        median = statistics.median(times) if times else None
        out.append((shares, reached.count(None) / n, median, times))
    return out


def _check(r, direct):
    for j, (shares, not_conv, median, _times) in enumerate(direct):
        got = {lab: float(r.shares[lab][j]) for lab in r.labels if r.shares[lab][j] > 0}
        assert got == pytest.approx(shares, abs=1e-15)
        assert float(r.not_converged[j]) == pytest.approx(not_conv, abs=1e-15)
        if median is None:
            assert np.isnan(r.convergence_time_median[j])
        else:
            assert float(r.convergence_time_median[j]) == pytest.approx(median, abs=1e-9)


def test_coordination_game_basin_shares_and_median_time():
    """A = [[a, 0], [0, 1]]: both corners are strict Nash (stable), the interior
    x* = 1/(1 + a) separates their basins. Starts 0.05, 0.10, ..., 0.95 (19 of them, none at
    x* for the values of a used): for a = 1/2 (x* = 2/3) 6 starts go to s, 13 to t; for
    a = 7/2 (x* = 2/9 = 0.222...) 15 go to s, 4 to t. Times of starts near x* are long, far
    from it short, so the mean and the median differ by more than half a time unit."""
    game = Game.symmetric([["a", 0], [0, 1]], ["s", "t"], parameters={"a": {"value": 1}})
    starts = [[k / 20] for k in range(1, 20)]
    values = [0.5, 3.5]
    kw = {"t_end": 80.0, "dt": 0.05, "eps": 1e-3}
    r = sweep(game, {"a": values}, measure="outcome", starts=starts, engine="numpy", **kw)
    direct = _direct(game, "a", values, np.array(starts), **kw)
    # Hand counts of the basins (see the docstring).
    assert direct[0][0] == {"s": 6 / 19, "t": 13 / 19}
    assert direct[1][0] == {"s": 15 / 19, "t": 4 / 19}
    for _, _, median, times in direct:
        assert abs(statistics.fmean(times) - median) > 0.5
    _check(r, direct)


def test_rps_median_time_and_not_converged_share_across_a_centre():
    """Rock-paper-scissors with loss b = 1 and gain a in {1, 2, 3}. a = 1: zero-sum, closed
    orbits around the centre, no start of the --starts 5 grid (15 interior starts; none is the
    barycentre, as 1/3 is no multiple of 1/7) converges: share not converged 1 and no median.
    a = 2, 3: the interior attracts every interior start (Zeeman 1980): share 1; the median
    is over all 15 times."""
    game = load_model("rock_paper_scissors")
    # DESIGN §4: shares n_j/(N + k - 1) = n_j/7, n_j >= 1, for N = 5, k = 3; free shares (r, p).
    starts = np.array(
        [[i / 7, j / 7] for i in range(1, 6) for j in range(1, 6) if i + j <= 6], dtype=float
    )
    assert len(starts) == 15
    values = [1.0, 2.0, 3.0]
    kw = {"t_end": 60.0, "dt": 0.05, "eps": 1e-3}
    r = sweep(game, {"a": values}, measure="outcome", starts=5, engine="numpy", **kw)
    assert np.array_equal(np.sort(r.starts, axis=0), np.sort(starts, axis=0))
    direct = _direct(game, "a", values, r.starts, **kw)
    assert direct[0][1] == 1.0 and direct[0][2] is None
    assert direct[1][1] == 0.0 and direct[2][1] == 0.0
    assert any(abs(statistics.fmean(t) - m) > 0.4 for _, _, m, t in direct[1:])
    _check(r, direct)


def test_basins_are_the_counts_of_the_reached_labels():
    """Hawk-dove with two roles (owner, intruder): an interior saddle splits the starts between
    (hawk, dove) and (dove, hawk). Each basin share must equal the count of starts whose
    reached label it is, divided by the number of starts."""
    g = load_model("hawk_dove_roles")
    from lmc_games import starts_grid

    sim = simulate(g, starts_grid(g, 4), t_end=100, engine="numpy")
    conv = converge(sim, analyze(g))
    b = basins(conv)
    reached = list(conv.reached[:, 0])
    n = len(reached)
    for label, share in b.items():
        key = None if label == "not_converged" else label
        assert share[0] == reached.count(key) / n
    assert set(b) - {"not_converged"} == {lab for lab in reached if lab is not None}
