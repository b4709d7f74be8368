"""The automatic RK4 step: a bound on how fast the field can change, per parameter point.

RK4 is stable for ``h * lambda`` inside a region that reaches -2.79 on the real axis and
+-2.83 on the imaginary one; the replicator's eigenvalues grow with the payoffs, so a step
fit for payoffs of order 1 is unstable for payoffs in the hundreds. The spectral radius of
the reduced Jacobian at any state is at most its infinity norm; :func:`stiffness` takes the
largest infinity norm over a lattice of states (corners, edges and interior points of every
population's simplex), which bounds the spectral radius at those states and, times the
safety factor, elsewhere in practice. The step at parameter point ``p`` is then
``dt`` where ``rho_p dt <= 1``, else ``dt / m`` with ``rho_p dt / m <= 1/2``: well inside
the stability region and accurate enough for the error estimate to pass.

A dynamics whose field is not differentiable everywhere (``Dynamics.smooth`` false: BNN and
Smith take ``max(., 0)`` of payoff differences, best response jumps) has no Jacobian at its
kinks; there, and wherever the symbolic Jacobian cannot be compiled or evaluated, the bound is
taken from central difference quotients of the compiled field over the same lattice (step
``1e-6``): the largest row sum of their absolute values, a local Lipschitz constant of the
field, which bounds how fast it can change across a kink as the Jacobian does elsewhere.
"""

from __future__ import annotations

import itertools
import math
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .._system import System

#: ``|lambda| * h`` allowed at the lattice states with the requested step.
STEP_SAFETY = 1.0
#: ``|lambda| * h`` aimed at when the requested step must be shortened. A field that fast
#: is dominated by fast transients, where the error estimate at ``|lambda| h = 1`` sits at
#: the trust tolerance (measured on water_use for F from 100 to 1000: the estimate is
#: scale-free at a fixed ``|lambda| h``); half that step leaves a margin of about 16.
REFINED_SAFETY = 0.5
#: Most steps the automatic choice takes per step of the requested ``dt``; a point that
#: would need more is too stiff for fixed steps (its trajectories go to dopri5).
MAX_REFINE = 256
#: Largest number of lattice states at which the Jacobian is evaluated per parameter point.
_MAX_STATES = 4096


def lattice(system: System) -> np.ndarray:
    """States (free shares) on a lattice of every population's simplex, corners included:
    shares ``j / q`` with the finest ``q <= 4`` that keeps the product under 4096 states."""
    pops = [pop.k for pop in system.game.populations]
    for q in (4, 3, 2, 1):
        count = math.prod(math.comb(q + k - 1, k - 1) for k in pops)
        if count <= _MAX_STATES or q == 1:
            break
    per_pop = []
    for k in pops:
        pts = [
            tuple(c / q for c in combo)
            for combo in itertools.product(range(q + 1), repeat=k - 1)
            if sum(combo) <= q
        ]
        per_pop.append(pts)
    rows = [sum(parts, ()) for parts in itertools.product(*per_pop)]
    return np.array(rows, dtype=np.float64).reshape(len(rows), -1)


def stiffness(system: System, params: np.ndarray) -> np.ndarray:
    """Largest infinity norm of the reduced Jacobian over :func:`lattice`, per parameter
    point (``params`` of shape (P, m)); ``inf`` where it is not finite (overflow)."""
    X = lattice(system)
    S, n = X.shape
    P = params.shape[0]
    entries = None
    if getattr(system.dynamics, "smooth", True):
        try:
            entries = _jacobian_entries(system, X, params)
        except Exception:  # noqa: BLE001 (a Jacobian sympy cannot print or numpy evaluate)
            entries = None
    if entries is None:
        entries = _difference_entries(system, X, params)
    with np.errstate(all="ignore"):
        rows = np.zeros((P, S, n))
        for r in range(n):
            for c in range(n):
                rows[:, :, r] += np.abs(entries[r * n + c])
        norm = rows.max(axis=2)
    bad = ~np.isfinite(norm).all(axis=1)
    rho = np.where(bad, np.inf, np.nanmax(np.where(np.isfinite(norm), norm, 0.0), axis=1))
    return rho


def _jacobian_entries(system: System, X: np.ndarray, params: np.ndarray) -> list[np.ndarray]:
    """The reduced Jacobian's entries, row by row, each of shape (P, S)."""
    from . import compile_expressions

    cache = system._cache
    key = ("jacobian_rows", None)
    if key not in cache:
        symbols = list(system.variables) + [p.symbol for p in system.game.parameters]
        cache[key] = compile_expressions(symbols, list(system.jacobian))
    jac = cache[key]
    S, n = X.shape
    P = params.shape[0]
    cols = [np.repeat(X[:, c][None, :], P, axis=0) for c in range(n)]
    cols += [np.repeat(params[:, j][:, None], S, axis=1) for j in range(params.shape[1])]
    with np.errstate(all="ignore"):
        return [np.broadcast_to(np.asarray(v, dtype=np.float64), (P, S)) for v in jac(*cols)]


#: Step of the central difference quotients of a field without a Jacobian.
_DIFF_STEP = 1e-6


def _difference_entries(system: System, X: np.ndarray, params: np.ndarray) -> list[np.ndarray]:
    """Central difference quotients of the compiled field, entry ``(r, c)`` at index
    ``r * n + c``, each of shape (P, S)."""
    from . import compile_field

    cf = compile_field(system, engine="numpy")
    S, n = X.shape
    quotients = []
    with np.errstate(all="ignore"):
        for c in range(n):
            step = np.zeros(n)
            step[c] = _DIFF_STEP
            up = cf((X + step)[None, :, :], params[:, None, :])
            down = cf((X - step)[None, :, :], params[:, None, :])
            quotients.append((up - down) / (2 * _DIFF_STEP))  # (P, S, n)
    return [quotients[c][:, :, r] for r in range(n) for c in range(n)]


def refinements(rho: np.ndarray, h0: float) -> tuple[np.ndarray, np.ndarray]:
    """Steps per step of ``h0`` at each point (1 where ``h0 rho <= STEP_SAFETY``, else
    ``ceil(h0 rho / REFINED_SAFETY)``) and whether the point is too stiff (more than
    :data:`MAX_REFINE` needed, or ``rho`` not finite; such points get 1)."""
    with np.errstate(all="ignore"):
        fine = h0 * rho <= STEP_SAFETY
        need = np.where(fine, 1.0, np.ceil(h0 * rho / REFINED_SAFETY - 1e-9))
    stiff = ~(need <= MAX_REFINE)
    m = np.where(stiff, 1, np.maximum(need, 1)).astype(np.int64)
    return m, stiff
