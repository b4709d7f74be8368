"""Compiled vector fields and integrators: the one place code generation runs.

A :class:`~lmc_games.System` holds its field as sympy expressions. Evaluating them with ``subs``
in a loop is far too slow, so :func:`compile_field` turns them, once per system and engine, into
Python source text (after common-subexpression elimination) and compiles that text:

* ``numpy`` (always available): one function over arrays of states and arrays of parameter
  values that broadcast against each other, and a component-wise form of it that the
  fixed-step integrators call on contiguous arrays (one array per free share);
* ``numba`` (the optional extra ``fast``): a scalar ``@njit`` kernel, a batched loop over
  rows, and three integrators over many trajectories -- fixed-step RK4, RK4 that tracks
  convergence to given rest points (:meth:`CompiledField.rk4_track`), and adaptive
  Dormand--Prince 5(4) with a step size per trajectory. The integrators cut the trajectories
  into blocks of :data:`LANES` lanes, hold each block's state in a small lanes-last array so
  that LLVM turns the loop over lanes into SIMD instructions, and run the blocks on numba's
  number of threads (the kernels release the GIL; see :func:`_blocks` for why not
  ``prange``). The generated module is written under :func:`cache_dir` keyed by a hash of its
  text, so numba's on-disk cache (``cache=True``, which needs a real file) survives between
  processes; numba compiles each kernel on its first call.

Reproducibility: no generated kernel uses ``fastmath`` (which would let LLVM reassociate sums
and contract multiply-adds differently in a vector body and in a scalar remainder) or calls a
libm function whose vector and scalar versions could differ (the step-size controller's
fractional power is plain arithmetic), and a lane never reads another lane's values, so a
trajectory's arithmetic is the same in whatever block, lane, chunk or thread it falls. Spare
lanes of a last, incomplete block work on copies of a trajectory of the block, whose results
are discarded.

Safety: the source text is printed by sympy's code printers from sympy expression trees. Every
symbol in those trees is a parameter or a share that the safe formula parser accepted from its
whitelist, and every symbol is renamed to a generated identifier (``s_0``, ``p_0``, ``c_0``)
before printing; the rest of the text is fixed templates and numbers formatted by Python. No
text a user wrote is ever placed in the generated source.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import math
import os
import re
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import sympy
from sympy.printing.numpy import NumPyPrinter
from sympy.printing.pycode import PythonCodePrinter

from ._errors import EngineUnavailableError, LmcGamesError

if TYPE_CHECKING:
    from ._system import System

__all__ = [
    "LANES",
    "CompiledField",
    "Dopri5Result",
    "EngineUnavailableError",
    "IntegrationError",
    "TrackResult",
    "cache_dir",
    "compile_field",
    "numba_available",
    "project",
]

#: Bumped whenever the generated code changes shape, so stale cache files are never reused.
_CODEGEN_VERSION = "3"

#: Trajectories per SIMD block of the numba integrators. Four AVX-512 vectors (eight AVX2
#: ones): fewer lanes leave the core waiting on the long dependency chain of one step, more
#: only waste work in a padded last block.
LANES = 32


class IntegrationError(LmcGamesError, ValueError):
    """Arguments of an integrator are malformed (shapes, step, tolerance), or the integration
    failed (step size underflow)."""


def numba_available() -> bool:
    """Whether the numba engine can be used (numba is importable)."""
    return importlib.util.find_spec("numba") is not None


@dataclass(frozen=True, eq=False)
class TrackResult:
    """Where each trajectory of :meth:`CompiledField.rk4_track` ended and when it settled.

    Attributes
    ----------
    final : ndarray, shape (P, N, n)
        Free shares at the last step, for parameter point ``j`` and start ``i`` at
        ``final[j, i]``.
    reached : ndarray of int64, shape (P, N)
        Index into the rest points of the nearest one at the end, if it lies within ``eps``
        (max norm over all shares); ``-1`` otherwise.
    time : ndarray of float64, shape (P, N)
        Time of the first step after the last one at which the trajectory was farther than
        ``eps`` from that rest point (0.0 if it never was); ``nan`` when not converged.
    """

    final: np.ndarray
    reached: np.ndarray
    time: np.ndarray


@dataclass(frozen=True, eq=False)
class Dopri5Result:
    """Output of the adaptive Dormand--Prince integrator of the numba engine.

    Attributes
    ----------
    states : ndarray, shape (T, N, P, n)
        Free shares at the requested times.
    steps, rejected, evaluations : ndarray of int64, shape (N, P)
        Accepted steps, rejected steps and field evaluations of each trajectory.
    """

    states: np.ndarray
    steps: np.ndarray
    rejected: np.ndarray
    evaluations: np.ndarray


@dataclass(frozen=True, eq=False)
class CompiledField:
    """The reduced vector field of a system, compiled for arrays.

    Call it as ``f(states, params)``: ``states`` has shape ``(..., n)`` (free shares, in the
    order of :attr:`variables`), ``params`` shape ``(..., m)`` (values in the order of
    :attr:`parameters`); the leading dimensions broadcast against each other and the result has
    shape ``broadcast + (n,)``.

    Attributes
    ----------
    variables : tuple of str
        Names of the free shares.
    parameters : tuple of str
        Names of the parameters, in the game's order.
    engine : str
        ``"numpy"`` or ``"numba"``.
    source : str
        The generated source text (for inspection).
    groups : tuple of tuple of int
        Indices of the free shares of each population (used to keep states on the simplex).
    """

    variables: tuple[str, ...]
    parameters: tuple[str, ...]
    engine: str
    source: str = field(repr=False)
    groups: tuple[tuple[int, ...], ...] = field(repr=False)
    _batch: Callable[..., Any] = field(repr=False)
    _rk4: Callable[..., Any] | None = field(default=None, repr=False)
    _track: Callable[..., Any] | None = field(default=None, repr=False)
    _dopri5: Callable[..., Any] | None = field(default=None, repr=False)
    # numpy engine: parameter-only subexpressions, and the field component by component.
    _hoist: Callable[..., Any] | None = field(default=None, repr=False)
    _rhs: Callable[..., Any] | None = field(default=None, repr=False)

    @property
    def n(self) -> int:
        """Dimension of the state space."""
        return len(self.variables)

    @property
    def m(self) -> int:
        """Number of parameters."""
        return len(self.parameters)

    def __call__(self, states: Any, params: Any) -> np.ndarray:
        states = np.asarray(states, dtype=np.float64)
        params = np.asarray(params, dtype=np.float64)
        if states.ndim == 0 or states.shape[-1] != self.n:
            raise IntegrationError(f"states must have shape (..., {self.n}); got {states.shape}")
        if params.ndim == 0 or params.shape[-1] != self.m:
            raise IntegrationError(f"params must have shape (..., {self.m}); got {params.shape}")
        shape = np.broadcast_shapes(states.shape[:-1], params.shape[:-1])
        if self.engine == "numpy":
            return self._batch(states, params, shape)
        # The numba loop works on rows: broadcast to a common shape and flatten it.
        s2 = np.ascontiguousarray(np.broadcast_to(states, shape + (self.n,))).reshape(-1, self.n)
        p2 = np.ascontiguousarray(np.broadcast_to(params, shape + (self.m,))).reshape(-1, self.m)
        out = np.empty_like(s2)
        self._batch(s2, p2, out)
        return out.reshape(shape + (self.n,))

    # -- fixed-step RK4 ------------------------------------------------------------------

    def rk4(
        self,
        inits: np.ndarray,
        params: np.ndarray,
        dt: float,
        nsteps: int,
        stride: int,
    ) -> np.ndarray:
        """Fixed-step RK4 from every ``inits`` row (N, n) for every ``params`` row (P, m).

        Returns the states saved every ``stride`` steps (and at step 0), shape
        ``(nsteps // stride + 1, N, P, n)``. After every step each population's free shares
        are clipped to [0, 1] and, if their sum exceeds 1, divided by it (see :func:`project`).
        Both engines do the same arithmetic in the same order.
        """
        inits, params = self._check_points(inits, params)
        dt, nsteps = _check_steps(dt, nsteps)
        if int(stride) != stride or stride < 1:
            raise IntegrationError(f"stride must be a positive integer; got {stride!r}")
        stride = int(stride)
        nsave = nsteps // stride + 1
        out = np.empty((nsave, inits.shape[0], params.shape[0], self.n))
        if self._rk4 is not None:
            _blocks(
                self._rk4, inits.shape[0] * params.shape[0], inits, params, dt, nsteps, stride, out
            )
            return out
        N, P = inits.shape[0], params.shape[0]
        y = [np.repeat(inits[:, c : c + 1], P, axis=1) for c in range(self.n)]
        step = self._numpy_stepper(params[None, :, :], dt)
        for c in range(self.n):
            out[0, :, :, c] = y[c]
        for k in range(1, nsteps + 1):
            y = step(y)
            if k % stride == 0:
                for c in range(self.n):
                    out[k // stride, :, :, c] = y[c]
        return out.reshape(nsave, N, P, self.n)

    def rk4_track(
        self,
        inits: np.ndarray,
        params: np.ndarray,
        rest: np.ndarray,
        dt: float,
        nsteps: int,
        eps: float,
    ) -> TrackResult:
        """Fixed-step RK4 that tracks convergence to given rest points, storing no trajectory.

        The result is what :func:`lmc_games.converge` reports for the states saved at every
        step (times ``k * dt``, ``k = 0 .. nsteps``): the rest point nearest at the end (max
        norm over all shares, each population's implied last share included) if it lies
        within ``eps``, and the first time from which the trajectory stays within ``eps`` of
        it. Steps are those of :meth:`rk4`, so ``final`` equals its last saved state.

        Parameters
        ----------
        inits : array_like, shape (N, n)
            Initial free shares.
        params : array_like, shape (P, m)
            Parameter points.
        rest : array_like, shape (P, R, n)
            ``rest[j, r]``: free shares of rest point ``r`` at parameter point ``j``; a row
            with a ``nan`` means that rest point does not exist there and is skipped.
        dt : float
            Step.
        nsteps : int
            Number of steps.
        eps : float
            Convergence radius.

        Returns
        -------
        TrackResult
            Arrays over (P, N) -- parameter points first, unlike :meth:`rk4`.

        Examples
        --------
        >>> import numpy as np
        >>> from lmc_games import Game, system
        >>> hd = Game.symmetric([["(V - C)/2", "V"], [0, "V/2"]], ["hawk", "dove"],
        ...                     parameters={"V": 2, "C": 3})
        >>> f = compile_field(system(hd), engine="numpy")
        >>> rest = np.array([[[0.0], [1.0], [2 / 3]]])   # dove, hawk, hawk+dove
        >>> res = f.rk4_track([[0.1], [0.9]], [[2.0, 3.0]], rest, 0.05, 800, 1e-3)
        >>> res.reached.tolist()
        [[2, 2]]
        >>> res.final.round(4).tolist()
        [[[0.6667], [0.6667]]]
        """
        inits, params = self._check_points(inits, params)
        dt, nsteps = _check_steps(dt, nsteps)
        rest = np.ascontiguousarray(rest, dtype=np.float64)
        N, P = inits.shape[0], params.shape[0]
        if rest.ndim != 3 or rest.shape[0] != P or rest.shape[2] != self.n:
            raise IntegrationError(
                f"rest must have shape (P, R, n) = ({P}, R, {self.n}); got {rest.shape}"
            )
        eps = float(eps)
        if not eps >= 0.0:
            raise IntegrationError(f"eps must be a non-negative number; got {eps!r}")
        if self._track is not None:
            final = np.empty((P, N, self.n))
            reached = np.empty((P, N), dtype=np.int64)
            when = np.empty((P, N))
            args = (inits, params, rest, dt, nsteps, eps, final, reached, when)
            _blocks(self._track, N * P, *args)
            return TrackResult(final, reached, when)
        return self._track_numpy(inits, params, rest, dt, nsteps, eps)

    def dopri5(
        self,
        inits: np.ndarray,
        params: np.ndarray,
        times: np.ndarray,
        rtol: float,
        atol: float,
    ) -> Dopri5Result:
        """Adaptive Dormand--Prince 5(4) from every ``inits`` row for every ``params`` row.

        Every trajectory has its own step size and error control (Shampine's controller, as
        scipy's ``RK45``: the RMS norm of the error estimate scaled by ``atol + rtol |y|``,
        next step ``0.9 err^(-1/5)`` times this one, within [0.2, 10] times after an accepted
        step and [0.2, 1] times after a rejected one), reusing the last stage of a step as
        the first of the next. After every accepted step the state is
        projected onto the simplex (see :func:`project`). Nothing is shared between
        trajectories, so each one's result does not depend on the batch.

        The numba engine steps freely and fills the requested ``times`` from Hairer's
        fourth-order continuous extension (projected too), landing exactly on the last time;
        the numpy engine shortens steps to land on every requested time.

        Parameters
        ----------
        inits : array_like, shape (N, n)
        params : array_like, shape (P, m)
        times : array_like, shape (T,)
            Increasing output times; ``times[0]`` is the initial time 0.
        rtol, atol : float
            Relative and absolute tolerances.

        Returns
        -------
        Dopri5Result

        Raises
        ------
        IntegrationError
            When a step size underflows (the field is too stiff or not finite).
        """
        inits, params = self._check_points(inits, params)
        times = np.ascontiguousarray(times, dtype=np.float64)
        if (
            times.ndim != 1
            or times.size < 1
            or times[0] != 0.0
            or not np.all(np.isfinite(times))
            or np.any(np.diff(times) <= 0)
        ):
            raise IntegrationError("times must be increasing and finite, starting at 0")
        rtol, atol = float(rtol), float(atol)
        if not (rtol > 0 and atol >= 0 and math.isfinite(rtol) and math.isfinite(atol)):
            raise IntegrationError(f"need rtol > 0 and atol >= 0; got {rtol!r}, {atol!r}")
        N, P = inits.shape[0], params.shape[0]
        if self._dopri5 is None:
            states, steps, rejected, evals = _dopri5_numpy(self, inits, params, times, rtol, atol)
            return Dopri5Result(states, steps, rejected, evals)
        out = np.empty((times.size, N, P, self.n))
        stats = [np.zeros(N * P, dtype=np.int64) for _ in range(4)]
        if times.size == 1:
            out[0] = inits[:, None, :]
            return Dopri5Result(out, *(a.reshape(N, P) for a in stats[:3]))
        import numba

        # Trajectories per block (several per lane: see the kernel), so that there are
        # about four blocks per thread; the choice never changes a result.
        per_lane = -(-N * P // (LANES * 4 * numba.get_num_threads()))
        ch = LANES * max(1, min(16, per_lane))
        args = (ch, inits, params, times, rtol, atol, out, *stats)
        _blocks(self._dopri5, N * P, *args, per_block=ch)
        if np.any(stats[3]):
            raise IntegrationError("dopri5: step size underflow; the field may be too stiff")
        steps, rejected, evals = (a.reshape(N, P) for a in stats[:3])
        return Dopri5Result(out, steps, rejected, evals)

    # -- helpers -------------------------------------------------------------------------

    def _check_points(self, inits: Any, params: Any) -> tuple[np.ndarray, np.ndarray]:
        inits = np.ascontiguousarray(inits, dtype=np.float64)
        params = np.ascontiguousarray(params, dtype=np.float64)
        if inits.ndim != 2 or inits.shape[1] != self.n:
            raise IntegrationError(f"inits must have shape (N, {self.n}); got {inits.shape}")
        if params.ndim != 2 or params.shape[1] != self.m:
            raise IntegrationError(f"params must have shape (P, {self.m}); got {params.shape}")
        return inits, params

    def _numpy_stepper(self, params: np.ndarray, h: float) -> Callable[[list], list]:
        """One RK4 step on a list of component arrays (numpy engine), projection included.

        ``params`` broadcasts against the components with the parameters last. The
        arithmetic, operation by operation, is that of the numba kernels.
        """
        assert self._hoist is not None and self._rhs is not None
        ps = [np.ascontiguousarray(params[..., j]) for j in range(self.m)]
        args = tuple(ps) + tuple(self._hoist(*ps))
        rhs = self._rhs
        n = self.n
        hh = 0.5 * h
        h6 = h / 6.0
        groups = [g for g in self.groups if len(g) > 1]

        def step(y: list) -> list:
            a = rhs(*y, *args)
            b = rhs(*[y[c] + hh * a[c] for c in range(n)], *args)
            cc = rhs(*[y[c] + hh * b[c] for c in range(n)], *args)
            d = rhs(*[y[c] + h * cc[c] for c in range(n)], *args)
            new = [y[c] + h6 * (a[c] + 2.0 * b[c] + 2.0 * cc[c] + d[c]) for c in range(n)]
            for v in new:
                np.clip(v, 0.0, 1.0, out=v)
            for g in groups:
                tot = new[g[0]]
                for i in g[1:]:
                    tot = tot + new[i]
                over = tot > 1.0
                if over.any():
                    for i in g:
                        new[i] = np.where(over, new[i] / tot, new[i])
            return new

        return step

    def _track_numpy(self, inits, params, rest, h, nsteps, eps) -> TrackResult:
        N, P, n = inits.shape[0], params.shape[0], self.n
        R = rest.shape[1]
        step = self._numpy_stepper(params[:, None, :], h)
        y = [np.repeat(inits[None, :, c], P, axis=0) for c in range(n)]  # each (P, N)
        exists = np.all(np.isfinite(rest), axis=2)  # (P, R)
        # Targets over all shares, the implied last ones included, each (P, 1).
        targets = [
            _all_shares([rest[:, r, c, None] for c in range(n)], self.groups) for r in range(R)
        ]
        last = [np.full((P, N), -1, dtype=np.int64) for _ in range(R)]

        def distances(y: list) -> list:
            full = _all_shares(y, self.groups)
            out = []
            for r in range(R):
                d = np.abs(full[0] - targets[r][0])
                for k in range(1, len(full)):
                    d = np.maximum(d, np.abs(full[k] - targets[r][k]))
                out.append(d)
            return out

        for k in range(nsteps + 1):
            if k:
                y = step(y)
            for r, d in enumerate(distances(y)):
                np.putmask(last[r], d > eps, k)
        if R:
            dist = np.stack(distances(y))  # (R, P, N)
            dist = np.where(exists.T[:, :, None] & ~np.isnan(dist), dist, np.inf)
            best_r = np.argmin(dist, axis=0)
            best = np.take_along_axis(dist, best_r[None], axis=0)[0]
            conv = best <= eps
            lastsel = np.take_along_axis(np.stack(last), best_r[None], axis=0)[0]
            reached = np.where(conv, best_r, -1).astype(np.int64)
            when = np.where(conv, (lastsel + 1) * h, np.nan)
        else:
            reached = np.full((P, N), -1, dtype=np.int64)
            when = np.full((P, N), np.nan)
        final = np.stack(y, axis=-1)
        return TrackResult(final, reached, when)


# Dormand--Prince 5(4) (Dormand & Prince 1980; Hairer, Norsett & Wanner, Solving ODEs I, II.5):
# stages, fifth-order weights, error weights (fifth minus fourth order) and the coefficients
# of the fourth-order continuous extension (Hairer's DOPRI5, CONTD5).
_DP_A = (
    (),
    (1 / 5,),
    (3 / 40, 9 / 40),
    (44 / 45, -56 / 15, 32 / 9),
    (19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729),
    (9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656),
    (35 / 384, 0.0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84),
)
_DP_E = (71 / 57600, 0.0, -71 / 16695, 71 / 1920, -17253 / 339200, 22 / 525, -1 / 40)
_DP_D = (
    -12715105075 / 11282082432,
    0.0,
    87487479700 / 32700410799,
    -10690763975 / 1880347072,
    701980252875 / 199316789632,
    -1453857185 / 822651844,
    69997945 / 29380423,
)


# The numpy engine's Dormand--Prince: vectorised over all trajectories, each with its own step.
def _norm(v: np.ndarray) -> np.ndarray:
    # RMS over components, summed in a fixed order so no trajectory's value can depend on
    # the batch (a library reduction may change its order with the array's layout).
    acc = v[:, 0] * v[:, 0]
    for c in range(1, v.shape[1]):
        acc = acc + v[:, c] * v[:, c]
    return np.sqrt(acc / v.shape[1])


def _dopri5_numpy(cf: CompiledField, x0, pvals, times, rtol, atol):
    N, P, n = x0.shape[0], pvals.shape[0], cf.n
    M = N * P
    y = np.repeat(x0, P, axis=0)  # trajectory r = i * P + j
    p = np.tile(pvals, (N, 1))
    out = np.empty((times.size, M, n))
    out[0] = y
    t = np.zeros(M)
    nxt = np.ones(M, dtype=np.int64)  # index of the next saved time
    steps = np.zeros(M, dtype=np.int64)
    rejected = np.zeros(M, dtype=np.int64)
    evals = np.zeros(M, dtype=np.int64)
    k1 = cf(y, p)
    evals += 1
    h = _initial_step(cf, y, p, k1, rtol, atol, times[-1])
    evals += 1
    active = np.flatnonzero(nxt < times.size)
    while active.size:
        ya, pa, ta, k1a = y[active], p[active], t[active], k1[active]
        target = times[nxt[active]]
        room = target - ta
        ha = np.minimum(h[active], room)
        lands = h[active] >= room  # the step ends exactly on a saved time
        ks = [k1a]
        for s in range(1, 7):
            inc = ks[0] * _DP_A[s][0]
            for q in range(1, s):
                inc = inc + ks[q] * _DP_A[s][q]
            ks.append(cf(ya + ha[:, None] * inc, pa))
        evals[active] += 6
        ynew = ya + ha[:, None] * (
            ks[0] * _DP_A[6][0]
            + ks[2] * _DP_A[6][2]
            + ks[3] * _DP_A[6][3]
            + ks[4] * _DP_A[6][4]
            + ks[5] * _DP_A[6][5]
        )
        errv = ks[0] * _DP_E[0]
        for q in range(2, 7):
            errv = errv + ks[q] * _DP_E[q]
        scale = atol + rtol * np.maximum(np.abs(ya), np.abs(ynew))
        err = _norm(ha[:, None] * errv / scale)
        ok = err <= 1.0
        # A nan error (a field that is not finite) counts as a huge one, so the step shrinks
        # until it underflows.
        err = np.where(np.isnan(err), np.inf, err)
        with np.errstate(divide="ignore"):
            fac = 0.9 * np.where(err > 0, err, 1e-300) ** -0.2
        fac = np.where(ok, np.clip(fac, 0.2, 10.0), np.clip(fac, 0.2, 1.0))
        hnew = ha * fac
        # Written so that a nan step (a field that is not finite) fails too.
        if not np.all(hnew >= 1e-14 * np.maximum(1.0, np.abs(ta))):
            raise IntegrationError("dopri5: step size underflow; the field may be too stiff")
        h[active] = hnew
        rejected[active[~ok]] += 1
        acc = active[ok]
        if acc.size:
            yacc = ynew[ok]
            yproj = yacc.copy()
            project(yproj, cf.groups)
            # FSAL: the last stage is the field at the new state, unless projection moved it.
            k7 = ks[6][ok]
            moved = np.any(yproj != yacc, axis=1)
            if np.any(moved):
                k7[moved] = cf(yproj[moved], p[acc[moved]])
                evals[acc[moved]] += 1
            y[acc] = yproj
            k1[acc] = k7
            steps[acc] += 1
            land = lands[ok]
            tnew = ta[ok] + ha[ok]
            tnew[land] = target[ok][land]  # exactly on the saved time, not t + h rounded
            t[acc] = tnew
            saved = acc[land]
            out[nxt[saved], saved] = y[saved]
            nxt[saved] += 1
        active = np.flatnonzero(nxt < times.size)
    shape = (N, P)
    return (
        out.reshape(times.size, N, P, n),
        steps.reshape(shape),
        rejected.reshape(shape),
        evals.reshape(shape),
    )


def _initial_step(cf, y, p, f0, rtol, atol, t_end):
    # Hairer, Nørsett & Wanner's starting-step heuristic (Solving ODEs I, II.4), per trajectory.
    sc = atol + rtol * np.abs(y)
    d0 = _norm(y / sc)
    d1 = _norm(f0 / sc)
    h0 = np.where((d0 < 1e-5) | (d1 < 1e-5), 1e-6, 0.01 * d0 / np.where(d1 > 0, d1, 1.0))
    f1 = cf(y + h0[:, None] * f0, p)
    d2 = _norm((f1 - f0) / sc) / h0
    big = np.maximum(d1, d2)
    h1 = np.where(
        big <= 1e-15,
        np.maximum(1e-6, h0 * 1e-3),
        (0.01 / np.where(big > 0, big, 1.0)) ** 0.2,
    )
    return np.minimum(np.minimum(100 * h0, h1), t_end)


_POOL: Any = None


def _blocks(kernel: Callable[..., Any], count: int, *args: Any, per_block: int = LANES) -> None:
    """Run a block kernel over the SIMD blocks of ``count`` trajectories on numba's number of
    threads (``numba.set_num_threads``), in contiguous ranges of blocks.

    The kernels release the GIL (``nogil``), so plain threads run them in parallel; numba's
    ``parallel=True`` would do the same but doubles the compilation time of every kernel.
    Which thread runs which block never changes any result.
    """
    import numba

    global _POOL
    nb = -(-count // per_block)
    threads = min(numba.get_num_threads(), nb)
    if threads <= 1:
        kernel(0, nb, *args)
        return
    if _POOL is None or _POOL._max_workers < threads:
        from concurrent.futures import ThreadPoolExecutor

        _POOL = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="lmc_games")
    # More pieces than threads, so a thread that drew fast blocks (dopri5's step counts vary)
    # takes another piece.
    pieces = min(nb, 4 * threads)
    cuts = [nb * k // pieces for k in range(pieces + 1)]
    futures = [_POOL.submit(kernel, a, b, *args) for a, b in zip(cuts, cuts[1:]) if b > a]
    for f in futures:
        f.result()


def _all_shares(free: list, groups) -> list:
    """Component arrays of all shares from those of the free ones: per population its free
    shares, then ``1 - (their sum, left to right)`` -- the order of the numba kernels."""
    out = []
    for g in groups:
        tot = free[g[0]]
        for i in g[1:]:
            tot = tot + free[i]
        out += [free[i] for i in g]
        out.append(1.0 - tot)
    return out


def _check_steps(dt: Any, nsteps: Any) -> tuple[float, int]:
    dt = float(dt)
    if not (dt > 0.0 and math.isfinite(dt)):
        raise IntegrationError(f"dt must be a positive number; got {dt!r}")
    if int(nsteps) != nsteps or nsteps < 0:
        raise IntegrationError(f"nsteps must be a non-negative integer; got {nsteps!r}")
    return dt, int(nsteps)


def project(y: np.ndarray, groups: tuple[tuple[int, ...], ...]) -> None:
    """Keep states on the simplex, in place: clip free shares to [0, 1] and, per population
    with k >= 3 strategies, divide its free shares by their sum where that exceeds 1.

    The same arithmetic, in the same order, runs in the numba integrators, so both engines
    agree.
    """
    np.clip(y, 0.0, 1.0, out=y)
    for g in groups:
        if len(g) < 2:
            continue
        total = y[..., g[0]].copy()
        for i in g[1:]:
            total = total + y[..., i]
        over = total > 1.0
        if np.any(over):
            for i in g:
                y[..., i] = np.where(over, y[..., i] / total, y[..., i])


def compile_field(system: System, *, engine: str = "auto") -> CompiledField:
    """Compile the reduced vector field of ``system`` for arrays of states and parameters.

    Parameters
    ----------
    system : System
        The symbolic system (see :func:`lmc_games.system`).
    engine : {"auto", "numpy", "numba"}
        ``"auto"`` takes numba when it is installed and numpy otherwise; ``"numba"`` raises
        :class:`EngineUnavailableError` when numba is missing.

    Returns
    -------
    CompiledField
        Cached on the system: compiling twice returns the same object. With numba, each
        kernel is compiled by numba on its first call (or loaded from the disk cache).

    Examples
    --------
    >>> import numpy as np
    >>> from lmc_games import Game, system
    >>> mp = Game.bimatrix([[1, -1], [-1, 1]], [[-1, 1], [1, -1]])
    >>> f = compile_field(system(mp), engine="numpy")
    >>> f.variables, f.parameters
    (('x', 'y'), ())
    >>> f(np.array([[0.25, 0.5]]), np.zeros((1, 0)))
    array([[0.  , 0.25]])
    """
    if engine not in ("auto", "numpy", "numba"):
        raise ValueError(f"engine must be 'auto', 'numpy' or 'numba'; got {engine!r}")
    if engine == "auto":
        engine = "numba" if numba_available() else "numpy"
    elif engine == "numba" and not numba_available():
        raise EngineUnavailableError(
            "the numba engine needs numba: pip install 'lmc-games[fast]' (or use engine='numpy')"
        )
    cache = system._cache
    key = ("compiled_field", engine)
    if key in cache:
        return cache[key]
    variables = tuple(system.variables)
    params = tuple(p.symbol for p in system.game.parameters)
    # Rename every symbol to a generated identifier: names users chose (even ones that are
    # Python keywords or shadow printer modules) never reach the source text.
    renames = {v: sympy.Symbol(f"s_{i}") for i, v in enumerate(variables)}
    renames.update({p: sympy.Symbol(f"p_{j}") for j, p in enumerate(params)})
    exprs = [sympy.Integer(e) if isinstance(e, int) else e for e in system.field]
    exprs = [e.xreplace(renames) for e in exprs]
    stray = (
        set().union(*(e.free_symbols for e in exprs)) - set(renames.values()) if exprs else set()
    )
    if stray:
        raise LmcGamesError(
            "the field depends on symbols that are neither shares nor parameters: "
            + ", ".join(sorted(map(str, stray)))
        )
    replacements, reduced = sympy.cse(exprs, symbols=sympy.numbered_symbols("c_"))
    parts = _Parts.split(replacements, reduced, len(variables), len(params))
    groups = _groups(system)
    names_v = tuple(str(v) for v in variables)
    names_p = tuple(p.name for p in system.game.parameters)
    if engine == "numpy":
        source = _numpy_source(replacements, reduced, parts)
        ns = _exec(source, "<lmc_games compiled field>")
        compiled = CompiledField(
            names_v,
            names_p,
            "numpy",
            source,
            groups,
            ns["field"],
            _hoist=ns["hoist"],
            _rhs=ns["rhs"],
        )
    else:
        source = _numba_source(parts, groups)
        module = _load_numba_module(source)
        compiled = CompiledField(
            names_v,
            names_p,
            "numba",
            source,
            groups,
            module.batch,
            _rk4=module.rk4,
            _track=module.track,
            _dopri5=module.dopri5,
        )
    cache[key] = compiled
    return compiled


def compile_expressions(args: Sequence[sympy.Symbol], exprs: Sequence[Any]) -> Callable:
    """``f(*arrays) -> list of arrays``: the library's own sympy expressions (coordinates and
    conditions of rest points, characteristic-polynomial coefficients) compiled once for
    numpy, after common-subexpression elimination.

    Like the fields above, the trees come from formulas the safe parser accepted and from the
    library's algebra on them, never from user text.

    Examples
    --------
    >>> a = sympy.Symbol("a")
    >>> f = compile_expressions([a], [a**2, 3])
    >>> [v.tolist() for v in map(np.asarray, f(np.array([1.0, 2.0])))]
    [[1.0, 4.0], 3]
    """
    exprs = [sympy.Integer(e) if isinstance(e, int) else e for e in exprs]
    return sympy.lambdify(list(args), exprs, modules="numpy", cse=True)


def _groups(system: System) -> tuple[tuple[int, ...], ...]:
    groups = []
    start = 0
    for pop in system.game.populations:
        groups.append(tuple(range(start, start + pop.k - 1)))
        start += pop.k - 1
    return tuple(groups)


def _exec(source: str, filename: str) -> dict[str, Any]:
    # The text was generated above from sympy trees over whitelisted, renamed symbols (see the
    # module docstring); it is the only text ever compiled here.
    namespace: dict[str, Any] = {"numpy": np, "math": math, "functools": functools}
    exec(compile(source, filename, "exec"), namespace)
    return namespace


@dataclass(frozen=True)
class _Parts:
    """The CSE'd field split for the integrators.

    ``hoisted`` are the subexpressions of parameters alone: computed once per trajectory, not
    four times per step. ``kargs`` are the names the per-state ``kernel`` needs besides the
    shares (parameters and hoisted subexpressions).
    """

    n: int
    m: int
    hoisted: tuple[tuple[str, sympy.Expr], ...]
    inner: tuple[tuple[str, sympy.Expr], ...]
    reduced: tuple[sympy.Expr, ...]
    kargs: tuple[str, ...]

    @classmethod
    def split(cls, replacements, reduced, n: int, m: int) -> _Parts:
        pset = {sympy.Symbol(f"p_{j}") for j in range(m)}
        free_ok = set(pset)
        hoisted: list[tuple[str, sympy.Expr]] = []
        inner: list[tuple[str, sympy.Expr]] = []
        fresh = sympy.numbered_symbols("c_", start=len(replacements))
        known: dict[sympy.Expr, sympy.Symbol] = {}

        def hoist(e: sympy.Expr, sym: sympy.Symbol | None = None) -> sympy.Symbol:
            if e in known:
                return known[e]
            sym = next(fresh) if sym is None else sym
            hoisted.append((str(sym), e))
            free_ok.add(sym)
            known[e] = sym
            return sym

        def lift(e: sympy.Expr) -> sympy.Expr:
            # Replace each largest subexpression of parameters alone (and the parameter-only
            # factors of a product, terms of a sum) by a hoisted symbol.
            fs = e.free_symbols
            if not fs or e.is_Atom:
                return e
            if fs <= free_ok:
                return hoist(e)
            if isinstance(e, (sympy.Add, sympy.Mul)):
                const = [a for a in e.args if a.free_symbols <= free_ok]
                rest = [lift(a) for a in e.args if not a.free_symbols <= free_ok]
                group = e.func(*const)
                if group.is_Atom:
                    return e.func(group, *rest)
                return e.func(hoist(group), *rest)
            return e.func(*[lift(a) for a in e.args])

        for sym, e in replacements:
            if e.free_symbols <= free_ok:
                if e in known:
                    # An alias of an earlier hoisted value: define it as that value.
                    hoisted.append((str(sym), known[e]))
                    free_ok.add(sym)
                else:
                    hoist(e, sym)
            else:
                inner.append((str(sym), lift(e)))
        reduced = [lift(e) for e in reduced]
        used: set[sympy.Symbol] = set()
        for e in [e for _, e in inner] + list(reduced):
            used |= e.free_symbols
        used -= {sympy.Symbol(s) for s, _ in inner}
        used &= free_ok
        hnames = [s for s, _ in hoisted]

        def order(name: str) -> tuple[int, int]:
            return (0, int(name[2:])) if name.startswith("p_") else (1, hnames.index(name))

        kargs = tuple(sorted((str(s) for s in used), key=order))
        return cls(n, m, tuple(hoisted), tuple(inner), tuple(reduced), kargs)


def _numpy_source(replacements, reduced, parts: _Parts) -> str:
    printer = NumPyPrinter({"fully_qualified_modules": True, "inline": True})
    n, m = parts.n, parts.m
    lines = ["def field(states, params, shape):"]
    lines += [f"    s_{i} = states[..., {i}]" for i in range(n)]
    lines += [f"    p_{j} = params[..., {j}]" for j in range(m)]
    lines += [f"    {sym} = {printer.doprint(e)}" for sym, e in replacements]
    lines.append(f"    out = numpy.empty(shape + ({n},))")
    # Assigning into `out` broadcasts each component (a constant included) to the full shape.
    lines += [f"    out[..., {i}] = {printer.doprint(e)}" for i, e in enumerate(reduced)]
    lines.append("    return out")
    # The component-wise form for the integrators: same expressions, same order.
    pnames = [f"p_{j}" for j in range(m)]
    hnames = [s for s, _ in parts.hoisted]
    lines += ["", "", f"def hoist({', '.join(pnames)}):"]
    lines += [f"    {sym} = {printer.doprint(e)}" for sym, e in parts.hoisted]
    lines.append(f"    return ({''.join(h + ', ' for h in hnames)})")
    svars = [f"s_{i}" for i in range(n)]
    lines += ["", "", f"def rhs({', '.join(svars + pnames + hnames)}):"]
    lines += [f"    {sym} = {printer.doprint(e)}" for sym, e in parts.inner]
    lines.append(f"    return ({''.join(printer.doprint(e) + ', ' for e in parts.reduced)})")
    return "\n".join(lines) + "\n"


_INT_LANES = frozenset({"NX", "DN", "NA", "NR", "NE", "SV", "MV", "BAD", "ID"})
_LANE_NAME = re.compile(r"\b([A-Z][A-Z0-9]*(?:_[0-9]+)?)\[l\]")


class _Gen:
    """Text templates of the numba module (all names generated; see the module docstring).

    The bodies of the lane loops are small jitted functions (``rk4_step``, ``dist``,
    ``dp_step``...) rather than text pasted into them: numba types and lowers each once,
    which keeps compilation short, and LLVM inlines them before vectorising the lane loop.
    """

    def __init__(self, parts: _Parts, groups) -> None:
        self.parts = parts
        self.groups = groups
        self.n = parts.n
        self.K = sum(len(g) + 1 for g in groups)
        self.printer = PythonCodePrinter({"fully_qualified_modules": True, "inline": True})
        # A block keeps its lanes' values in one array Z (rows: the states Y_c, each kernel
        # argument, then scratch rows of each integrator) and its counters in one array I:
        # two base pointers, so LLVM proves the lane loop free of aliasing without runtime
        # checks (with one array per quantity it gives up and does not vectorise).
        self.lane_of = {
            k: ("P" + k[1:] if k.startswith("p_") else "H" + k[1:]) for k in parts.kargs
        }

    # -- small text helpers
    def vec(self, prefix: str, n: int | None = None) -> list[str]:
        return [f"{prefix}_{c}" for c in range(self.n if n is None else n)]

    @staticmethod
    def tup(names: list[str]) -> str:
        return "(" + ", ".join(names) + ("," if len(names) == 1 else "") + ")"

    @staticmethod
    def args(names: list[str]) -> str:
        return ", ".join(names)

    def call(self, args: list[str]) -> str:
        return f"kernel({self.args(args + list(self.parts.kargs))})"

    def lane(self, prefix: str) -> list[str]:
        return [f"{prefix}_{c}[l]" for c in range(self.n)]

    def lane_kargs(self) -> list[str]:
        return [f"{a}[l]" for a in self.lane_of.values()]

    def header(
        self, name: str, args: list[str], parallel: bool = False, inline: bool = False
    ) -> list[str]:
        # inline=True (numba inlines the function into its caller): for the step functions,
        # each called once per integrator and too large for LLVM's inliner, which would
        # leave a call in the lane loop and so no SIMD. Small functions (kernel, project,
        # rpow5) LLVM inlines itself; numba then types them once, not at every call.
        opts = "nogil=True, " if parallel else ("inline='always', " if inline else "")
        return [
            "",
            "",
            f"@njit(cache=True, {opts}error_model='numpy')",
            f"def {name}({self.args(args)}):",
        ]

    # -- functions of one trajectory
    def kernel(self) -> list[str]:
        p = self.printer
        L = self.header("kernel", self.vec("s") + list(self.parts.kargs))
        L += [f"    {sym} = {p.doprint(e)}" for sym, e in self.parts.inner]
        L.append(f"    return {self.tup([f'float({p.doprint(e)})' for e in self.parts.reduced])}")
        return L

    def project(self) -> list[str]:
        """Clip to [0, 1], then divide a population's free shares by their sum where it
        exceeds 1 -- :func:`project`, in the same order."""
        v = self.vec("v")
        L = self.header("project", v)
        L += [f"    {x} = min(max({x}, 0.0), 1.0)" for x in v]
        for g in self.groups:
            if len(g) < 2:
                continue
            L.append("    tot = " + " + ".join(v[c] for c in g))
            L += [f"    {v[c]} = {v[c]} / tot if tot > 1.0 else {v[c]}" for c in g]
        L.append(f"    return {self.tup(v)}")
        return L

    def rk4_step(self) -> list[str]:
        """One RK4 step, as CompiledField._numpy_stepper."""
        n = self.n
        L = self.header(
            "rk4_step", self.vec("s") + list(self.parts.kargs) + ["h", "hh", "h6"], inline=True
        )
        L.append(f"    {self.tup(self.vec('ka'))} = {self.call(self.vec('s'))}")
        for k, prev, step in (("kb", "ka", "hh"), ("kc", "kb", "hh"), ("kd", "kc", "h")):
            args = [f"s_{c} + {step} * {prev}_{c}" for c in range(n)]
            L.append(f"    {self.tup(self.vec(k))} = {self.call(args)}")
        ys = [f"s_{c} + h6 * (ka_{c} + 2.0 * kb_{c} + 2.0 * kc_{c} + kd_{c})" for c in range(n)]
        L.append(f"    return project({self.args(ys)})")
        return L

    def shares(self, free: list[str]) -> list[str]:
        """All shares (the implied last ones included) from the free ones, as _all_shares."""
        out = []
        for g in self.groups:
            out += [free[c] for c in g]
            out.append("1.0 - (" + " + ".join(free[c] for c in g) + ")")
        return out

    def dist(self) -> list[str]:
        """Max-norm distance over all shares between a state and a rest point (its K shares)."""
        full = self.shares(self.vec("s"))
        L = self.header("dist", self.vec("s") + self.vec("t", self.K), inline=True)
        L.append(f"    d = abs({full[0]} - t_0)")
        L += [f"    d = max(d, abs({full[k]} - t_{k}))" for k in range(1, self.K)]
        L.append("    return d")
        return L

    def init_lanes(self, ind: str, row: str) -> list[str]:
        """Per lane: parameters of row ``row``, the hoisted subexpressions, kernel arguments."""
        p = self.printer
        L = [f"{ind}p_{j} = params[{row}, {j}]" for j in range(self.parts.m)]
        L += [f"{ind}{sym} = {p.doprint(e)}" for sym, e in self.parts.hoisted]
        L += [f"{ind}{a}[l] = {k}" for k, a in self.lane_of.items()]
        return L

    def alloc(self, ind: str) -> list[str]:
        # Sizes are placeholders that :meth:`finish` fills in once every row is known.
        return [
            f"{ind}Z = numpy.empty((@ZROWS@, {LANES}))",
            f"{ind}I = numpy.zeros((@IROWS@, {LANES}), numpy.int64)",
        ]

    def finish(self, L: list[str]) -> list[str]:
        """Map the lane names of the templates (``Y_0[l]``, ``HS[l]``, ``NX[l]``) to rows of
        one float array Z and one integer array I per block.

        Two base pointers let LLVM prove the lane loop free of aliasing without runtime
        checks; with one array per quantity it gives up and does not vectorise.
        """
        rows = {name: k for k, name in enumerate(self.vec("Y") + list(self.lane_of.values()))}
        irows: dict[str, int] = {}

        def sub(mt: re.Match) -> str:
            name = mt.group(1)
            if name in _INT_LANES:
                k = irows.setdefault(name, len(irows))
                return f"I[{k}, l]"
            k = rows.setdefault(name, len(rows))
            return f"Z[{k}, l]"

        out = [_LANE_NAME.sub(sub, x) for x in L]
        return [
            x.replace("@ZROWS@", str(max(1, len(rows)))).replace("@IROWS@", str(max(1, len(irows))))
            for x in out
        ]

    # -- the integrators
    def batch(self) -> list[str]:
        n = self.n
        L = self.header("batch", ["states", "params", "out"])
        L.append("    for r in range(states.shape[0]):")
        L += [f"        p_{j} = params[r, {j}]" for j in range(self.parts.m)]
        L += [f"        {sym} = {self.printer.doprint(e)}" for sym, e in self.parts.hoisted]
        L.append(f"        v = {self.call([f'states[r, {c}]' for c in range(n)])}")
        L += [f"        out[r, {c}] = v[{c}]" for c in range(n)]
        return L

    def rk4(self) -> list[str]:
        n = self.n
        L = self.header(
            "rk4", ["b0", "b1", "inits", "params", "h", "nsteps", "stride", "out"], True
        )
        L += [
            "    N = inits.shape[0]",
            "    P = params.shape[0]",
            "    M = N * P",
            "    hh = 0.5 * h",
            "    h6 = h / 6.0",
            "    for b in range(b0, b1):",
        ]
        L += self.alloc("        ")
        L += [
            f"        for l in range({LANES}):",
            f"            idx = min(b * {LANES} + l, M - 1)",
            "            i = idx // P",
            "            j = idx - i * P",
        ]
        L += [f"            Y_{c}[l] = inits[i, {c}]" for c in range(n)]
        L += self.init_lanes("            ", "j")
        L += ["        q = 0", "        for step in range(nsteps + 1):"]
        L += [
            "            if step > 0:",
            f"                for l in range({LANES}):",
            f"                    {self.tup(self.lane('Y'))} = rk4_step("
            f"{self.args(self.lane('Y') + self.lane_kargs())}, h, hh, h6)",
            "            if step % stride == 0:",
            f"                for l in range({LANES}):",
            f"                    idx = b * {LANES} + l",
            "                    if idx < M:",
            "                        i = idx // P",
            "                        j = idx - i * P",
        ]
        L += [f"                        out[q, i, j, {c}] = Y_{c}[l]" for c in range(n)]
        L.append("                q += 1")
        return self.finish(L)

    def track(self) -> list[str]:
        n, K = self.n, self.K
        args = ["b0", "b1", "inits", "params", "rest", "h", "nsteps", "eps", "final", "reached"]
        args.append("when")
        tg = [f"TG[r * {K} + {k}, l]" for k in range(K)]
        L = self.header("track", args, True)
        L += [
            "    N = inits.shape[0]",
            "    P = params.shape[0]",
            "    R = rest.shape[1]",
            "    M = P * N",
            "    hh = 0.5 * h",
            "    h6 = h / 6.0",
            "    for b in range(b0, b1):",
        ]
        L += self.alloc("        ")
        L += [
            f"        TG = numpy.empty((R * {K}, {LANES}))",
            f"        LAST = numpy.full((R, {LANES}), -1, numpy.int64)",
            f"        for l in range({LANES}):",
            f"            idx = min(b * {LANES} + l, M - 1)",
            "            j = idx // N",
            "            i = idx - j * N",
        ]
        L += [f"            Y_{c}[l] = inits[i, {c}]" for c in range(n)]
        L += self.init_lanes("            ", "j")
        L.append("            for r in range(R):")
        tshares = self.shares([f"rest[j, r, {c}]" for c in range(n)])
        L += [f"                TG[r * {K} + {k}, l] = {e}" for k, e in enumerate(tshares)]
        # One pass: LAST[r] is the last step at which the trajectory was farther than eps
        # from rest point r (-1: never); a rest point that does not exist is never near.
        L += [
            "        for step in range(nsteps + 1):",
            "            if step > 0:",
            f"                for l in range({LANES}):",
            f"                    {self.tup(self.lane('Y'))} = rk4_step("
            f"{self.args(self.lane('Y') + self.lane_kargs())}, h, hh, h6)",
            "            for r in range(R):",
            f"                for l in range({LANES}):",
            f"                    d = dist({self.args(self.lane('Y') + tg)})",
            "                    LAST[r, l] = step if d > eps else LAST[r, l]",
            f"        for l in range({LANES}):",
            f"            idx = b * {LANES} + l",
            "            if idx >= M:",
            "                continue",
            "            j = idx // N",
            "            i = idx - j * N",
        ]
        L += [f"            final[j, i, {c}] = Y_{c}[l]" for c in range(n)]
        L += [
            "            best = numpy.inf",
            "            rb = -1",
            "            for r in range(R):",
            "                ok = True",
            f"                for c in range({n}):",
            "                    ok = ok and math.isfinite(rest[j, r, c])",
            "                if ok:",
            f"                    d = dist({self.args(self.lane('Y') + tg)})",
            "                    if d < best:",
            "                        best = d",
            "                        rb = r",
            "            if rb >= 0 and best <= eps:",
            "                reached[j, i] = rb",
            "                when[j, i] = (LAST[rb, l] + 1) * h",
            "            else:",
            "                reached[j, i] = -1",
            "                when[j, i] = numpy.nan",
        ]
        return self.finish(L)

    def dp_init(self) -> list[str]:
        """First evaluation and Hairer's starting step (Solving ODEs I, II.4), as
        lmc_games._simulate._initial_step."""
        n = self.n
        s = self.vec("s")
        fn = float(n)

        def norm(terms: list[str]) -> str:
            return f"math.sqrt(({' + '.join(f'{t} * {t}' for t in terms)}) / {fn!r})"

        L = self.header("dp_init", s + list(self.parts.kargs) + ["rtol", "atol", "tend"])
        L.append(f"    {self.tup(self.vec('f0'))} = {self.call(s)}")
        L += [f"    sc_{c} = atol + rtol * abs(s_{c})" for c in range(n)]
        L.append(f"    d0 = {norm([f'(s_{c} / sc_{c})' for c in range(n)])}")
        L.append(f"    d1 = {norm([f'(f0_{c} / sc_{c})' for c in range(n)])}")
        L.append("    h0 = 1e-6 if (d0 < 1e-5 or d1 < 1e-5) else 0.01 * d0 / d1")
        f1 = [f"s_{c} + h0 * f0_{c}" for c in range(n)]
        L.append(f"    {self.tup(self.vec('f1'))} = {self.call(f1)}")
        L.append(f"    d2 = {norm([f'((f1_{c} - f0_{c}) / sc_{c})' for c in range(n)])} / h0")
        L += [
            "    big = max(d1, d2)",
            "    h1 = max(1e-6, h0 * 1e-3) if big <= 1e-15 else (0.01 / big) ** 0.2",
            f"    return {self.tup(self.vec('f0') + ['min(min(100.0 * h0, h1), tend)'])}",
        ]
        return L

    def dp_step(self) -> list[str]:
        """One attempted Dormand--Prince step of size min(h, tend - t).

        Returns the projected new state, the last stage (FSAL), the coefficients of the
        continuous extension, the step taken, the next step, and flags (accepted, landed on
        tend, moved by the projection).
        """
        n = self.n
        A, E, D = _DP_A, _DP_E, _DP_D
        ks = ["k1", "k2", "k3", "k4", "k5", "k6", "k7"]

        def comb(coefs, c):
            return " + ".join(f"{k}_{c} * {a!r}" for a, k in zip(coefs, ks) if a != 0.0)

        args = self.vec("s") + self.vec("k1") + list(self.parts.kargs)
        L = self.header("dp_step", args + ["t", "h", "tend", "rtol", "atol"], inline=True)
        L += ["    room = tend - t", "    lands = h >= room", "    hs = room if lands else h"]
        for st in range(1, 6):
            xs = [f"s_{c} + hs * ({comb(A[st], c)})" for c in range(n)]
            L.append(f"    {self.tup(self.vec(ks[st]))} = {self.call(xs)}")
        L += [f"    yn_{c} = s_{c} + hs * ({comb(A[6], c)})" for c in range(n)]
        L.append(f"    {self.tup(self.vec('k7'))} = {self.call(self.vec('yn'))}")
        q = [
            f"(hs * ({comb(E, c)}) / (atol + rtol * max(abs(s_{c}), abs(yn_{c}))))"
            for c in range(n)
        ]
        # err2: the square of the RMS norm of the scaled error estimate.
        L.append(f"    err2 = ({' + '.join(f'{x} * {x}' for x in q)}) / {float(n)!r}")
        # Shampine's controller (as scipy's RK45 and the numpy engine): 0.9 err^(-1/5),
        # within [0.2, 10] after an accepted step and [0.2, 1] after a rejected one.
        L += [
            "    ok = err2 <= 1.0",
            "    fac = min(max(0.9 * rpow10(err2), 0.2), 10.0 if ok else 1.0)",
            f"    {self.tup(self.vec('yp'))} = project({self.args(self.vec('yn'))})",
            "    moved = " + " or ".join(f"yp_{c} != yn_{c}" for c in range(n)),
        ]
        # Hairer's CONTD5 coefficients: y(t + th hs) = r1 + th (r2 + (1 - th) (r3 + th (r4 +
        # (1 - th) r5))), with r1 = s.
        L += [f"    r2_{c} = yn_{c} - s_{c}" for c in range(n)]
        L += [f"    r3_{c} = hs * k1_{c} - r2_{c}" for c in range(n)]
        L += [f"    r4_{c} = r2_{c} - hs * k7_{c} - r3_{c}" for c in range(n)]
        L += [f"    r5_{c} = hs * ({comb(D, c)})" for c in range(n)]
        out = self.vec("yp") + self.vec("k7")
        out += self.vec("r2") + self.vec("r3") + self.vec("r4") + self.vec("r5")
        out += ["hs", "hs * fac", "ok", "lands", "moved"]
        L.append(f"    return {self.tup(out)}")
        return L

    def dp_load(self, ind: str) -> list[str]:
        """Load trajectory ``idx`` into lane ``l``: state, parameters, first evaluation,
        starting step, counters, and its first saved state."""
        n = self.n
        L = [f"{ind}ID[l] = idx", f"{ind}i = idx // P", f"{ind}j = idx - i * P"]
        L += [f"{ind}Y_{c}[l] = inits[i, {c}]" for c in range(n)]
        L += self.init_lanes(ind, "j")
        L += [
            f"{ind}{self.args(self.lane('F'))}, HS[l] = dp_init("
            f"{self.args(self.lane('Y') + self.lane_kargs())}, rtol, atol, tend)",
            f"{ind}TT[l] = 0.0",
            f"{ind}NX[l] = 1",
            f"{ind}NT[l] = times[1]",
            f"{ind}DN[l] = 0",
            f"{ind}NA[l] = 0",
            f"{ind}NR[l] = 0",
            f"{ind}NE[l] = 2",
            f"{ind}BAD[l] = 0",
        ]
        L += [f"{ind}B[0, l, {c}] = Y_{c}[l]" for c in range(n)]
        return L

    def dopri5(self) -> list[str]:
        n = self.n
        args = ["b0", "b1", "ch", "inits", "params", "times", "rtol", "atol", "out", "nacc"]
        args += ["nrej", "nev", "fail"]
        L = self.header("dopri5", args, True)
        L += [
            "    N = inits.shape[0]",
            "    P = params.shape[0]",
            "    M = N * P",
            "    T = times.shape[0]",
            "    tend = times[T - 1]",
            "    for b in range(b0, b1):",
            # Block b integrates trajectories first .. last - 1 in its lanes; a lane whose
            # trajectory is done takes the next one, so lanes rarely idle while others
            # still have many steps to go.
            "        first = b * ch",
            "        last = min(first + ch, M)",
            f"        nxt = min(first + {LANES}, last)",
        ]
        L += self.alloc("        ")
        # A lane's saved states, copied to `out` when its trajectory is done: lanes reach the
        # saved times at different steps, and writing each straight into `out` (T, N, P, n)
        # would touch a new cache line and page every time.
        L.append(f"        B = numpy.empty((T, {LANES}, {n}))")
        L += [
            f"        for l in range({LANES}):",
            # A lane with nothing to do works on a copy of the block's first trajectory.
            "            idx = first + l if first + l < last else first",
        ]
        L += self.dp_load("            ")
        L += [
            "            if first + l >= last:",
            "                DN[l] = 1",
            "                ID[l] = -1",
        ]
        ind = "                "
        # Every lane attempts a step of its own size; lanes already done compute too (SIMD)
        # but change nothing.
        L += [
            "        while True:",
            "            nlive = 0",
            "            nmv = 0",
            "            nsv = 0",
            f"            for l in range({LANES}):",
            f"{ind}live = DN[l] == 0",
            f"{ind}nlive += 1 if live else 0",
            f"{ind}t = TT[l]",
            f"{ind}h = HS[l]",
            f"{ind}z = dp_step({self.args(self.lane('Y') + self.lane('F') + self.lane_kargs())}"
            ", t, h, tend, rtol, atol)",
            f"{ind}hs = z[{6 * n}]",
            f"{ind}hn = z[{6 * n + 1}]",
            f"{ind}ok = z[{6 * n + 2}]",
            f"{ind}fine = hn >= 1e-14 * max(1.0, abs(t))",
            f"{ind}acc = live and ok and fine",
            f"{ind}bad = live and not fine",
        ]
        L += [f"{ind}R1_{c}[l] = Y_{c}[l]" for c in range(n)]
        for q, name in enumerate(("R2", "R3", "R4", "R5")):
            L += [f"{ind}{name}_{c}[l] = z[{(2 + q) * n + c}]" for c in range(n)]
        L += [f"{ind}Y_{c}[l] = z[{c}] if acc else Y_{c}[l]" for c in range(n)]
        L += [f"{ind}F_{c}[l] = z[{n + c}] if acc else F_{c}[l]" for c in range(n)]
        L += [
            f"{ind}TO[l] = t",
            f"{ind}HO[l] = hs",
            f"{ind}tn = (tend if z[{6 * n + 3}] else t + hs) if acc else t",
            f"{ind}TT[l] = tn",
            f"{ind}sv = 1 if ((acc and tn >= NT[l]) or bad) else 0",
            f"{ind}SV[l] = sv",
            f"{ind}nsv += sv",
            f"{ind}HS[l] = hn if live else h",
            f"{ind}NA[l] += 1 if acc else 0",
            f"{ind}NR[l] += 1 if (live and not ok) else 0",
            f"{ind}NE[l] += 6 if live else 0",
            f"{ind}BAD[l] = 1 if bad else BAD[l]",
            f"{ind}mv = 1 if (acc and z[{6 * n + 4}]) else 0",
            f"{ind}MV[l] = mv",
            f"{ind}nmv += mv",
        ]
        # FSAL: the last stage is the field at the new state, unless projection moved it.
        L += [
            "            if nlive == 0:",
            "                break",
            "            if nmv > 0:",
            f"                for l in range({LANES}):",
            f"                    g = kernel({self.args(self.lane('Y') + self.lane_kargs())})",
        ]
        L += [
            f"                    F_{c}[l] = g[{c}] if MV[l] == 1 else F_{c}[l]" for c in range(n)
        ]
        L.append("                    NE[l] += MV[l]")
        # Save the requested times the accepted steps passed: the new state itself at the
        # step's end, elsewhere the continuous extension, projected like a step. A lane whose
        # trajectory is done (or failed) hands it over and loads the next one.
        cont = [
            f"R1_{c}[l] + th * (R2_{c}[l] + th1 * (R3_{c}[l] + th * (R4_{c}[l] + th1 * R5_{c}[l])))"
            for c in range(n)
        ]
        L += [
            "            if nsv == 0:",
            "                continue",
            f"            for l in range({LANES}):",
            "                if SV[l] == 0:",
            "                    continue",
            "                while BAD[l] == 0 and NX[l] < T and times[NX[l]] <= TT[l]:",
            "                    ts = times[NX[l]]",
            "                    if ts == TT[l]:",
            f"                        v = {self.tup(self.lane('Y'))}",
            "                    else:",
            "                        th = (ts - TO[l]) / HO[l]",
            "                        th1 = 1.0 - th",
            f"                        v = project({self.args(cont)})",
        ]
        L += [f"                    B[NX[l], l, {c}] = v[{c}]" for c in range(n)]
        L += [
            "                    NX[l] += 1",
            "                    NT[l] = times[NX[l]] if NX[l] < T else numpy.inf",
            "                if BAD[l] == 0 and NX[l] < T:",
            "                    continue",
            "                idx = ID[l]",
            "                i = idx // P",
            "                j = idx - i * P",
            "                for k in range(T):",
        ]
        L += [f"                    out[k, i, j, {c}] = B[k, l, {c}]" for c in range(n)]
        L += [
            "                nacc[idx] = NA[l]",
            "                nrej[idx] = NR[l]",
            "                nev[idx] = NE[l]",
            "                fail[idx] = BAD[l]",
            "                if nxt < last:",
            "                    idx = nxt",
            "                    nxt += 1",
        ]
        L += self.dp_load("                    ")
        L += [
            "                else:",
            "                    DN[l] = 1",
            "                    ID[l] = -1",
        ]
        return self.finish(L)


def _numba_source(parts: _Parts, groups) -> str:
    """The numba module: kernel, helpers, row loop, RK4, tracking RK4 and dopri5.

    numba compiles each function on its first call, so a user of one integrator never waits
    for the others.
    """
    g = _Gen(parts, groups)
    L = [
        f"# generated by lmc_games._compile (codegen version {_CODEGEN_VERSION}); do not edit",
        "import math",
        "import numpy",
        "from numba import njit",
    ]
    L += g.kernel() + g.project() + ["", ""] + _rpow10_source().splitlines()
    for part in (g.rk4_step, g.dist, g.dp_init, g.dp_step, g.batch, g.rk4, g.track, g.dopri5):
        L += part()
    return "\n".join(L) + "\n"


def _rpow10_source() -> str:
    """``x ** (-1/10)`` without libm's ``pow``, which LLVM cannot vectorise.

    The controller needs ``err ** (-1/5)`` with ``err`` the RMS norm; taking ``x = err**2``
    also saves the square root of the norm. Only x in [(0.9/10)^10, (0.9/0.2)^10] matters
    (outside, the factor is clipped). Reduction to [1, 2) by exact powers of two, a cubic
    fit, one Newton step on ``r^10 x = 1``: relative error below 2e-8, and the same arithmetic
    in every lane. All constants are literals, so the source never depends on the machine.
    """
    L = [
        "@njit(cache=True, error_model='numpy')",
        "def rpow10(x):",
        # Written so that nan (a field that is not finite) counts as a huge error.
        "    x = x if x <= 3.7e6 else 3.7e6",
        "    x = (x if x >= 3.4e-11 else 3.4e-11) * 1099511627776.0",  # 2^40; 2^(40/10) = 16
        "    f = 16.0",
    ]
    for e in (32, 16, 8, 4, 2, 1):
        L += [
            f"    big = x >= {float(2**e)!r}",
            f"    x = x * {2.0**-e!r} if big else x",
            f"    f = f * {2.0 ** (-e / 10)!r} if big else f",
        ]
    L += [
        "    u = x - 1.5",
        "    r = ((-0.012012695737039563 * u + 0.024999779689673467) * u"
        " - 0.06394947224627902) * u + 0.9602155796119248",
        "    r5 = r * r",
        "    r5 = r5 * r5 * r",
        "    return f * (r * (11.0 - x * (r5 * r5)) * 0.1)",
    ]
    return "\n".join(L)


def cache_dir() -> Path:
    """Directory of the generated numba modules (``$LMC_GAMES_CACHE`` or
    ``~/.cache/lmc_games``)."""
    base = os.environ.get("LMC_GAMES_CACHE")
    if base:
        return Path(base)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "lmc_games"


_LOAD_LOCK = threading.Lock()


def _load_numba_module(source: str):
    # One thread at a time: a module enters sys.modules before it has finished executing, so
    # a second thread (a thread pool, an in-process Dask worker) could otherwise take it
    # half-built.
    with _LOAD_LOCK:
        return _load_numba_module_locked(source)


def _load_numba_module_locked(source: str):
    digest = hashlib.sha256(source.encode()).hexdigest()[:24]
    name = f"lmc_games_kernel_{digest}"
    if name in sys.modules:
        return sys.modules[name]
    directory = cache_dir()
    path = directory / f"{name}.py"
    try:
        directory.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text() != source:
            # Write then rename, so a concurrent process never imports a half-written file.
            tmp = directory / f".{name}.{os.getpid()}.tmp"
            tmp.write_text(source)
            os.replace(tmp, path)
    except OSError:
        # No writable cache: compile from a temporary file; numba then simply skips caching.
        import tempfile

        path = Path(tempfile.mkdtemp(prefix="lmc_games_")) / f"{name}.py"
        path.write_text(source)
    # The module file holds only the generated text (see the module docstring).
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module
