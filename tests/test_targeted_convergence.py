"""DESIGN §4's convergence rule on spiralling approaches, against an independent integration.

A trajectory has converged when, from some saved time until the end, it stays within ``eps``
(max norm over all shares) of one rest point; the convergence time is the FIRST SUCH TIME, i.e.
the start of the final stay in the eps-ball. A trajectory spiralling into a stable focus enters
and leaves the ball several times before it stays, so the first entry is earlier than the
convergence time; these tests pick starts where the two differ.

The expected times come from scipy's ``solve_ivp`` (DOP853, rtol 1e-12) on the replicator
field written out here, evaluated with dense output at the simulation's saved times: the last
saved time outside the ball, plus one step. Each case checks that the distance to the ball's
edge at every saved time is far larger than the two integrations' disagreement, so both must
agree on every inside/outside decision.
"""

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from lmc_games import Game, analyze, converge, load_model, simulate


def _replicator(A):
    A = np.asarray(A, dtype=float)

    def f(t, s):
        x = np.array([s[0], s[1], 1.0 - s[0] - s[1]])
        fx = A @ x
        return (x * (fx - x @ fx))[:2]

    return f


def _expected(A, start, times, target, eps):
    sol = solve_ivp(
        _replicator(A), (0.0, times[-1]), start, method="DOP853", rtol=1e-12, atol=1e-14,
        dense_output=True,
    )  # fmt: skip
    s = sol.sol(times).T
    full = np.column_stack([s, 1.0 - s.sum(axis=1)])
    dist = np.abs(full - np.asarray(target)).max(axis=1)
    inside = dist <= eps
    assert inside[-1]
    outside = np.flatnonzero(~inside)
    final_stay = times[outside[-1] + 1]
    first_entry = times[np.argmax(inside)]
    margin = np.min(np.abs(dist - eps))
    return final_stay, first_entry, margin, full


# Attracting rock-paper-scissors: win a = 2, loss b = 1, A = [[0, -1, 2], [2, 0, -1],
# [-1, 2, 0]]; interior (1/3, 1/3, 1/3) attracts when a > b (Zeeman 1980; Hofbauer &
# Sigmund 1998, §7.7), a stable focus (complex eigenvalues (a - b)/6 ... with negative real
# part -(a - b)/6 = -1/6 and imaginary part ±(a + b)/(2*sqrt(3)) = ±sqrt(3)/2).
RPS = [[0, -1, 2], [2, 0, -1], [-1, 2, 0]]


@pytest.mark.parametrize(
    ("start", "eps", "method"),
    [
        ((0.5, 0.3), 1e-3, "rk4"),
        ((0.2, 0.1), 1e-3, "rk4"),
        ((0.7, 0.1), 0.05, "rk4"),
        ((0.5, 0.3), 1e-3, "dopri5"),
    ],
)
def test_attracting_rps_convergence_time_is_the_start_of_the_final_stay(start, eps, method):
    g = load_model("rock_paper_scissors").with_values(a=2, b=1)
    an = analyze(g)
    interior = an["rock+paper+scissors"]
    assert interior.stability.value == "stable"
    # The spiral: complex pair with real part -1/6 and imaginary part ±sqrt(3)/2 (see above).
    ev = sorted(interior.numeric_eigenvalues, key=lambda z: z.imag)
    assert np.allclose(ev, [complex(-1 / 6, -np.sqrt(3) / 2), complex(-1 / 6, np.sqrt(3) / 2)])

    sim = simulate(g, [list(start)], t_end=60, dt=0.05, method=method, rtol=1e-10, atol=1e-12,
                   engine="numpy")  # fmt: skip
    final_stay, first_entry, margin, full = _expected(RPS, start, sim.times, [1 / 3] * 3, eps)
    err = np.abs(sim.full_states()[:, 0, 0, :] - full).max()
    assert margin > 5 * err  # every inside/outside decision is the same in both integrations
    assert first_entry < final_stay  # the trajectory leaves the ball again after entering

    conv = converge(sim, an, eps=eps)
    assert conv.reached[0, 0] == "rock+paper+scissors"
    assert conv.time[0, 0] == pytest.approx(final_stay, abs=1e-9)


def test_stable_focus_of_a_generalised_rps_convergence_time_is_the_final_stay():
    """A = [[0, -1, 2], [3, 0, -1], [-1, 1, 0]]: a cyclic game with wins (2, 3, 1) and losses
    (1, 1, 1); the interior is asymptotically stable because 2*3*1 > 1*1*1 (Hofbauer & Sigmund
    1998, §7.7). Interior point: equal payoffs, (A x)_i = (A x)_j, solved by hand:
    -x2 + 2x3 = -x1 + x2 gives x1 = 2x2 - 2x3; 3x1 - x3 = -x1 + x2 gives 4x1 = x2 + x3; so
    7x2 = 9x3 and, with x1 + x2 + x3 = 1, x = (4, 9, 7)/20 (each payoff 1/4). The Jacobian
    is taken here by finite differences of the hand-written field, independently."""
    A = [[0, -1, 2], [3, 0, -1], [-1, 1, 0]]
    g = Game.symmetric(A, ["r", "p", "s"])
    an = analyze(g)
    target = [4 / 20, 9 / 20, 7 / 20]
    r = an["r+p+s"]
    assert np.allclose(np.concatenate(r.numeric_shares), target)
    f = _replicator(A)
    x0 = np.array(target[:2])
    h = 1e-6
    J = np.column_stack([(f(0, x0 + h * e) - f(0, x0 - h * e)) / (2 * h) for e in np.eye(2)])
    ev = np.linalg.eigvals(J)
    assert np.all(ev.real < 0) and np.all(np.abs(ev.imag) > 0.1)  # a stable focus
    by_imag = sorted(r.numeric_eigenvalues, key=lambda z: z.imag)
    assert np.allclose(sorted(ev, key=lambda z: z.imag), by_imag, atol=1e-6)

    start, eps = (0.1, 0.1), 1e-3
    sim = simulate(g, [list(start)], t_end=80, dt=0.05, engine="numpy")
    final_stay, first_entry, margin, full = _expected(A, start, sim.times, target, eps)
    err = np.abs(sim.full_states()[:, 0, 0, :] - full).max()
    assert margin > 5 * err
    assert first_entry < final_stay
    conv = converge(sim, an, eps=eps)
    assert conv.reached[0, 0] == "r+p+s"
    assert conv.time[0, 0] == pytest.approx(final_stay, abs=1e-9)


def test_a_centre_orbit_never_converges():
    """Zero-sum RPS (a = b = 1): orbits are closed (sum of log shares is conserved, Hofbauer &
    Sigmund 1998, §7.7), so a start off the centre stays at a fixed positive distance and the
    rule reports no convergence, however long the run."""
    g = load_model("rock_paper_scissors").with_values(a=1, b=1)
    sim = simulate(g, [[0.5, 0.3]], t_end=60, dt=0.05, engine="numpy")
    conv = converge(sim, analyze(g), eps=1e-3)
    assert conv.reached[0, 0] is None and conv.time[0, 0] is None
