"""The passage rule of :func:`lmc_games.confirm_reached` case by case, at its boundaries
(tests written to kill surviving mutants of tools/mutation.py, issue 14).

Expected values come from the rule as DESIGN §4 and the function's docstring state it: a
final stay near a rest point that is not asymptotically stable counts only if (1) it began no
later than half the run, (2) no strategy absent at the point but present at the start has a
positive, growing share at the end, and (3) no such share has fallen below the smallest
normal double. A stay near an asymptotically stable point always counts.

Game for all cases: one population, strategies A and B, free share x = share of A, so the
full shares are (x, 1 - x). Rest point 0 is the corner B (x = 0, A absent there), so A's share
near it is x itself (subnormal values included); rest point 1 is the interior point x = 1/2.
"""

import numpy as np
import pytest

from lmc_games._simulate import confirm_reached

TINY = np.finfo(np.float64).tiny  # the smallest normal double
REST = np.array([[[0.0], [0.5]]])  # (1, R = 2, n = 1)
T_END = 40.0


def _one(index, entry, final_x, velocity_x, start_x, attracting):
    idx, t = confirm_reached(
        np.array([index]),
        np.array([entry]),
        final=np.array([[final_x]]),
        velocity=np.array([[velocity_x]]),
        starts=np.array([[start_x]]),
        rest=REST,
        attracting=np.array([attracting]),
        groups=((0,),),
        t_end=T_END,
    )
    return int(idx[0]), float(t[0])


def _kept(result, index, entry):
    return result[0] == index and result[1] == entry


def _rejected(result):
    return result[0] == -1 and np.isnan(result[1])


@pytest.mark.parametrize("entry", [0.0, 20.0])
def test_a_stay_of_at_least_half_the_run_near_a_saddle_counts(entry):
    """A's share 1e-6 at the end and shrinking: not leaving; the stay began at
    ``entry`` <= t_end/2 = 20, so rule 1 holds (20 exactly: the boundary is included)."""
    r = _one(0, entry, 1e-6, -1e-7, 0.5, [False, False])
    assert _kept(r, 0, entry)


def test_a_stay_that_began_after_half_the_run_near_a_saddle_does_not_count():
    r = _one(0, 20.5, 1e-6, -1e-7, 0.5, [False, False])
    assert _rejected(r)


def test_the_same_stays_near_an_attracting_point_always_count():
    """Short, leaving and lost: none of the three rules applies to an attracting point."""
    assert _kept(_one(0, 39.0, 1e-6, 1e-7, 0.5, [True, False]), 0, 39.0)
    assert _kept(_one(0, 1.0, TINY / 2, 0.0, 0.5, [True, False]), 0, 1.0)


def test_a_growing_share_of_an_absent_strategy_is_leaving():
    """A present at the start (x0 = 1/2), absent at the corner, with share 1e-6 at the end
    and growing: the trajectory is leaving, however long it stayed. Growth exactly 0 or a
    share exactly 0 is no growth."""
    assert _rejected(_one(0, 0.5, 1e-6, 1e-9, 0.5, [False, False]))
    assert _kept(_one(0, 0.5, 1e-6, 0.0, 0.5, [False, False]), 0, 0.5)


def test_a_share_of_an_absent_strategy_below_the_smallest_normal_double_is_lost():
    """A's share in [0, tiny): subnormal or zero, its growth cannot be carried (rule 3), even
    with no velocity. At exactly ``tiny`` it is still a normal number: kept."""
    for x in (0.0, TINY / 2, 5e-324):
        assert _rejected(_one(0, 1.0, x, 0.0, 0.5, [False, False])), x
    assert _kept(_one(0, 1.0, TINY, 0.0, 0.5, [False, False]), 0, 1.0)


def test_a_strategy_absent_from_the_start_is_not_watched():
    """Started at the corner (A absent from the start): A's share is exactly 0 at the end,
    which rule 3 would reject, but only strategies present at the start are watched; a start
    share of 1e-13 counts as absent too (below the 1e-12 of rounding on a face)."""
    assert _kept(_one(0, 0.0, 0.0, 0.0, 0.0, [False, False]), 0, 0.0)
    assert _kept(_one(0, 0.0, 0.0, 0.0, 1e-13, [False, False]), 0, 0.0)
    assert _rejected(_one(0, 0.0, 0.0, 0.0, 1e-11, [False, False]))


def test_an_interior_saddle_has_no_absent_strategy_and_only_the_time_rule_applies():
    """Rest point 1 (x = 1/2) has both strategies present: rules 2 and 3 watch nothing;
    a growing departure from it is judged by the length of the stay alone."""
    assert _kept(_one(1, 10.0, 0.5 + 1e-6, 1e-6, 0.2, [False, False]), 1, 10.0)
    assert _rejected(_one(1, 30.0, 0.5 + 1e-6, 1e-6, 0.2, [False, False]))


def test_no_stay_stays_no_stay():
    r = confirm_reached(
        np.array([-1, 0]), np.array([np.nan, 5.0]),
        final=np.array([[0.3], [1e-6]]), velocity=np.array([[0.1], [-1e-7]]),
        starts=np.array([[0.5], [0.5]]), rest=REST, attracting=np.array([[False, False]]),
        groups=((0,),), t_end=T_END,
    )  # fmt: skip
    assert r[0].tolist() == [-1, 0]
    assert np.isnan(r[1][0]) and r[1][1] == 5.0
