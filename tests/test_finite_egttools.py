"""Finite populations against EGTtools (Fernández Domingos et al. 2023, iScience 26:106419),
the reference implementation for one population.

Conventions checked in EGTtools 0.1.14 before comparing (so that this is like for like):

* payoffs exclude self-interaction: a member of strategy i among x of its kind earns
  ((x - 1) A[i, i] + (Z - x) A[i, j]) / (Z - 1) (``StochDynamics.fitness_pair``; the C++
  ``Matrix2PlayerGameHolder`` does the same), as lmc_games does;
* the pairwise-comparison (Fermi) rule: imitation with probability 1/(1 + exp(-beta (f_model -
  f_self))), so T-/T+ = exp(-beta (f_mutant - f_resident));
* in the rare-mutation limit the transition from resident to mutant is
  rho / (number of strategies - 1) (``transition_and_fixation_matrix``);
* the full chain with mutation mu: a random member (of strategy a) mutates with probability mu
  to each other strategy with mu / (k - 1), else imitates a random other member. lmc_games'
  ``full_stationary`` is this chain. The Python ``StochDynamics.calculate_full_transition_matrix``
  of 0.1.14 forgets to subtract, on the edges of the simplex with three or more strategies, the
  mutation into a strategy that is absent from the diagonal (its rows then sum to more than 1),
  so for k >= 3 the full chain is compared with the C++ ``PairwiseComparison`` instead.
* ``StochDynamics.fixation_probability`` returns 0 once its ratio sum passes 1e7, and the C++
  ``calculate_fixation_probability`` returns 0 for tiny values too; there we check that ours is
  positive and below 1e-7.

EGTtools has no Moran process in its analytical module and treats one population only, so the
Moran process and several populations are tested elsewhere (tests/test_finite.py).
"""

from __future__ import annotations

import numpy as np
import pytest

from lmc_games import Game, load_model
from lmc_games._finite import finite, fixation_probabilities, full_stationary
from lmc_games._finite_core import gth_log

# ImportError too, not only a missing module: a wheel built for another numpy fails to load.
egttools = pytest.importorskip(
    "egttools",
    reason="egttools is not installed or does not load (pip install 'lmc-games[egt]'): the "
    "comparison with EGTtools is skipped",
    exc_type=ImportError,
)
from egttools import sample_simplex  # noqa: E402
from egttools.analytical import PairwiseComparison, StochDynamics  # noqa: E402
from egttools.games import Matrix2PlayerGameHolder  # noqa: E402

THREE = [[1.0, 2.0, 0.0], [0.0, 1.0, 3.0], [2.0, 0.0, 1.5]]


def _matrix(game: Game) -> np.ndarray:
    subs = game.value_substitution()
    k = game.shape[0]
    return np.array(
        [[float(game.payoffs[(i, j)][0].xreplace(subs)) for j in range(k)] for i in range(k)]
    )


GAMES = {
    "hawk_dove": load_model("hawk_dove"),
    "hawk_dove_costly": load_model("hawk_dove").scenario("costly_fights"),
    "prisoners_dilemma": load_model("prisoners_dilemma"),
    "rps_attracting": load_model("rock_paper_scissors").scenario("attracting"),
    "three": Game.symmetric(THREE, ["a", "b", "c"]),
}


def _stationary_of(t, method: str = "gth") -> np.ndarray:
    """Stationary distribution of EGTtools' row- or column-stochastic matrix.

    ``gth``: GTH elimination (tested against eigenvectors in tests/test_finite.py), for the
    full chain: an eigenvector of the dense matrix loses ~1e-13 in absolute terms to
    cancellation, 0.5% of a probability of 1e-11. ``eig``: the eigenvector for eigenvalue 1,
    for the rare-mutation chain, which EGTtools' cut-off fixation probabilities can make
    reducible.
    """
    t = np.asarray(t.toarray() if hasattr(t, "toarray") else t, dtype=float)
    rows = t if np.allclose(t.sum(axis=1), 1.0) else t.T
    if method == "eig":
        w, v = np.linalg.eig(rows.T)
        pi = np.abs(v[:, np.argmin(np.abs(w - 1.0))].real)
        return pi / pi.sum()
    with np.errstate(divide="ignore"):
        return np.exp(gth_log(np.log(rows)))


@pytest.mark.parametrize("name", list(GAMES))
@pytest.mark.parametrize("n, beta", [(10, 0.1), (30, 1.0), (50, 2.0)])
def test_fixation_probabilities(name, n, beta):
    game = GAMES[name]
    a = _matrix(game)
    k = a.shape[0]
    sd = StochDynamics(k, a, n)
    holder = Matrix2PlayerGameHolder(k, a)  # kept alive while the C++ object uses it
    pc = PairwiseComparison(n, holder)
    mine = {(f.resident, f.mutant): f for f in fixation_probabilities(game, n, selection=beta)}
    names = game.populations[0].strategies
    for r in range(k):
        for m in range(k):
            if r == m:
                continue
            ours = mine[(names[r], names[m])].probability
            for theirs in (
                pc.calculate_fixation_probability(m, r, beta),
                sd.fixation_probability(m, r, beta),
            ):
                if theirs > 0:
                    assert ours == pytest.approx(theirs, rel=1e-8)
                else:  # both implementations return 0 below a cut-off; ours keeps the value
                    assert 0 < ours < 1e-7


@pytest.mark.filterwarnings("ignore:Some of the entries in the transition matrix:RuntimeWarning")
@pytest.mark.parametrize("name", list(GAMES))
@pytest.mark.parametrize("n, beta", [(10, 0.1), (30, 1.0), (50, 2.0)])
def test_rare_mutation_stationary(name, n, beta):
    game = GAMES[name]
    a = _matrix(game)
    k = a.shape[0]
    holder = Matrix2PlayerGameHolder(k, a)
    pc = PairwiseComparison(n, holder)
    transitions, _ = pc.calculate_transition_and_fixation_matrix_sml(beta)
    cpp = _stationary_of(transitions, "eig")
    res = finite(game, n, selection=beta)
    ours = np.array([res.stationary[label] for label in res.labels])
    # Where EGTtools cut a fixation probability below ~1e-11 to 0, its stationary entry is 0.
    np.testing.assert_allclose(ours, cpp, rtol=1e-8, atol=1e-10)
    py = StochDynamics(k, a, n).calculate_stationary_distribution(beta)
    if np.all(py > 1e-7):
        np.testing.assert_allclose(ours, py, rtol=1e-8)


@pytest.mark.parametrize("name", ["hawk_dove", "prisoners_dilemma", "rps_attracting", "three"])
@pytest.mark.parametrize("n, beta, mu", [(8, 0.5, 1e-2), (15, 1.0, 1e-3)])
def test_full_chain(name, n, beta, mu):
    game = GAMES[name]
    a = _matrix(game)
    k = a.shape[0]
    holder = Matrix2PlayerGameHolder(k, a)
    pc = PairwiseComparison(n, holder)
    cpp = _stationary_of(pc.calculate_transition_matrix(beta, mu))
    full = full_stationary(game, n, selection=beta, mutation=mu)
    ours = {tuple(int(v) for v in s): p for s, p in zip(full.states, full.probability)}
    states = [tuple(int(v) for v in sample_simplex(i, n, k)) for i in range(len(cpp))]
    assert set(states) == set(ours)
    np.testing.assert_allclose([ours[s] for s in states], cpp, rtol=1e-8, atol=1e-300)
    if k == 2:
        sd = StochDynamics(k, a, n, mu=mu)
        py = sd.calculate_stationary_distribution(beta)
        # StochDynamics solves by a dense eigenvector: good to ~1e-13 in absolute terms.
        np.testing.assert_allclose([ours[s] for s in states], py, rtol=1e-8, atol=1e-12)
