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

Dynamics: the field compiled is the system's, whatever its dynamics (:class:`~lmc_games.System`
derives it from :meth:`Dynamics.growth`); ``Max``, ``Min``, ``exp`` and ``Piecewise`` print to
both engines. The disk cache is keyed by the generated text, which is the field itself, so a
kernel is shared only between fields that print identically: another dynamics, or the same
one with another option value, is another text and another kernel; in memory the compiled
field is cached on the :class:`~lmc_games.System`, which belongs to one dynamics.

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

import importlib.util
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import sympy

from .._errors import EngineUnavailableError, IntegrationError, LmcGamesError
from . import _numpy
from ._cache import cache_dir, load_numba_module
from ._common import _check_steps, _Parts, project
from ._numba import LANES, blocks
from ._numba import source as numba_source

if TYPE_CHECKING:
    from .._system import System

__all__ = [
    "LANES",
    "TRUST_TOLERANCE",
    "CompiledField",
    "Dopri5Result",
    "EngineUnavailableError",
    "IntegrationError",
    "RK4Result",
    "TrackResult",
    "cache_dir",
    "compile_field",
    "numba_available",
    "project",
]

#: Largest error estimate of one RK4 step (see :class:`RK4Result`) at which a trajectory is
#: trusted. Calibrated on the bundled models (see docs/explanation/numerics.md).
TRUST_TOLERANCE = 2e-3


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
    error : ndarray of float64, shape (P, N)
        The largest error estimate of any step (see :class:`RK4Result`).
    trusted : ndarray of bool, shape (P, N)
        ``error <= tol`` and a finite final state. An untrusted trajectory's ``reached`` and
        ``time`` are what the fixed steps gave, not to be believed: re-run it with dopri5.
    dt : ndarray of float64, shape (P,)
        The step used at each parameter point.
    """

    final: np.ndarray
    reached: np.ndarray
    time: np.ndarray
    error: np.ndarray
    trusted: np.ndarray
    dt: np.ndarray


@dataclass(frozen=True, eq=False)
class RK4Result:
    """States of :meth:`CompiledField.rk4` and an error estimate per trajectory.

    Attributes
    ----------
    states : ndarray, shape (T, N, P, n)
        Free shares at the saved steps.
    error : ndarray of float64, shape (N, P)
        The largest local error estimate over all steps: classic RK4 with the extra stage
        ``k5 = f(y_{n+1})`` (which is the next step's first stage, so it costs nothing) has
        an embedded third-order solution with weights (1/6, 1/3, 1/3, 0, 1/6), and
        ``h/6 * sum_c |k4_c - k5_c|`` estimates its error, an upper estimate of RK4's.
        ``k5`` is taken at the projected state, so a step the projection onto the simplex
        had to repair (an unstable step) shows up as a large estimate. ``inf`` when a
        stage was not finite.
    """

    states: np.ndarray
    error: np.ndarray


@dataclass(frozen=True, eq=False)
class Dopri5Result:
    """Output of the adaptive Dormand--Prince integrator of the numba engine.

    Attributes
    ----------
    states : ndarray, shape (T, N, P, n)
        Free shares at the requested times.
    steps, rejected, evaluations : ndarray of int64, shape (N, P)
        Accepted steps, rejected steps and field evaluations of each trajectory.
    failed : ndarray of bool, shape (N, P)
        Trajectories whose step size underflowed or that exhausted ``max_steps`` (only with
        ``on_failure="flag"``; their unreached saved times are nan).
    """

    states: np.ndarray
    steps: np.ndarray
    rejected: np.ndarray
    evaluations: np.ndarray
    failed: np.ndarray


def _dopri5_result(states, steps, rejected, evals, failed, on_failure: str) -> Dopri5Result:
    failed = np.asarray(failed, dtype=bool)
    if on_failure == "raise" and np.any(failed):
        raise IntegrationError(
            "dopri5: step size underflow or step budget exhausted; the field may be too stiff"
            " or not finite"
        )
    return Dopri5Result(states, steps, rejected, evals, failed)


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
        # Rows counted explicitly: reshape(-1, 0) fails for a game without parameters.
        rows = math.prod(shape)
        s2 = np.ascontiguousarray(np.broadcast_to(states, shape + (self.n,))).reshape(rows, self.n)
        p2 = np.ascontiguousarray(np.broadcast_to(params, shape + (self.m,))).reshape(rows, self.m)
        out = np.empty_like(s2)
        self._batch(s2, p2, out)
        return out.reshape(shape + (self.n,))

    # -- fixed-step RK4 ------------------------------------------------------------------

    def rk4(
        self,
        inits: np.ndarray,
        params: np.ndarray,
        dt: Any,
        nsteps: Any,
        stride: Any,
    ) -> RK4Result:
        """Fixed-step RK4 from every ``inits`` row (N, n) for every ``params`` row (P, m).

        ``dt``, ``nsteps`` and ``stride`` are numbers or arrays with one entry per parameter
        point; every point must save the same number of states, ``nsteps // stride + 1``
        (step 0 included), so its saved times are ``k * stride * dt``. After every step each
        population's free shares are clipped to [0, 1] and, if their sum exceeds 1, divided
        by it (see :func:`project`). Both engines do the same arithmetic in the same order,
        and no trajectory's arithmetic depends on the others in its batch.

        Returns
        -------
        RK4Result
            States of shape ``(nsteps // stride + 1, N, P, n)`` and the error estimates.
        """
        inits, params = self._check_points(inits, params)
        N, P = inits.shape[0], params.shape[0]
        h, ns = _check_steps(dt, nsteps, P)
        st_raw = np.broadcast_to(np.asarray(stride), (P,))
        st = st_raw.astype(np.int64) if st_raw.dtype.kind in "iuf" else None
        if st is None or np.any(st != st_raw) or np.any(st < 1):
            raise IntegrationError(f"stride must be positive integers; got {stride!r}")
        st = np.ascontiguousarray(st)
        saves = ns // st
        if P and np.any(saves != saves[0]):
            raise IntegrationError("every parameter point must save as many states")
        nsave = int(saves[0]) + 1 if P else 1
        if self._rk4 is None:
            states, err = _numpy.rk4(self, inits, params, h, ns, st, nsave)
            return RK4Result(states, err)
        out = np.empty((nsave, N, P, self.n))
        err = np.empty((N, P))
        blocks(self._rk4, N * P, inits, params, h, ns, st, out, err)
        return RK4Result(out, err)

    def rk4_track(
        self,
        inits: np.ndarray,
        params: np.ndarray,
        rest: np.ndarray,
        dt: Any,
        nsteps: Any,
        eps: float,
        *,
        tol: float = TRUST_TOLERANCE,
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
        dt : float or array_like, shape (P,)
            Step (per parameter point).
        nsteps : int or array_like, shape (P,)
            Number of steps (per parameter point).
        eps : float
            Convergence radius.
        tol : float
            A trajectory whose largest error estimate exceeds ``tol`` is not trusted (see
            :data:`TRUST_TOLERANCE`).

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
        N, P = inits.shape[0], params.shape[0]
        h, ns = _check_steps(dt, nsteps, P)
        rest = np.ascontiguousarray(rest, dtype=np.float64)
        if rest.ndim != 3 or rest.shape[0] != P or rest.shape[2] != self.n:
            raise IntegrationError(
                f"rest must have shape (P, R, n) = ({P}, R, {self.n}); got {rest.shape}"
            )
        eps = float(eps)
        if not eps >= 0.0:
            raise IntegrationError(f"eps must be a non-negative number; got {eps!r}")
        tol = float(tol)
        if not tol >= 0.0:
            raise IntegrationError(f"tol must be a non-negative number; got {tol!r}")
        if self._track is not None:
            final = np.empty((P, N, self.n))
            reached = np.empty((P, N), dtype=np.int64)
            when = np.empty((P, N))
            err = np.empty((P, N))
            args = (inits, params, rest, h, ns, eps, final, reached, when, err)
            blocks(self._track, N * P, *args)
        else:
            final, reached, when, err = _numpy.track(self, inits, params, rest, h, ns, eps)
        trusted = (err <= tol) & np.all(np.isfinite(final), axis=-1)
        return TrackResult(final, reached, when, err, trusted, h)

    def dopri5(
        self,
        inits: np.ndarray,
        params: np.ndarray,
        times: np.ndarray,
        rtol: float,
        atol: float,
        *,
        max_steps: int | None = None,
        on_failure: str = "raise",
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
        max_steps : int, optional
            Budget of attempted steps (accepted and rejected) per trajectory; a trajectory
            that exhausts it fails. Default: no budget.
        on_failure : {"raise", "flag"}
            ``"raise"``: raise :class:`IntegrationError` when any trajectory fails;
            ``"flag"``: mark it in :attr:`Dopri5Result.failed` (its unreached saved times
            are nan) and return the others.

        Returns
        -------
        Dopri5Result

        Raises
        ------
        IntegrationError
            When a step size underflows (the field is too stiff or not finite) or a
            trajectory exhausts ``max_steps``, with ``on_failure="raise"``.
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
        if on_failure not in ("raise", "flag"):
            raise IntegrationError(f"on_failure must be 'raise' or 'flag'; got {on_failure!r}")
        budget = 2**62 if max_steps is None else int(max_steps)
        if budget < 1:
            raise IntegrationError(f"max_steps must be a positive integer; got {max_steps!r}")
        N, P = inits.shape[0], params.shape[0]
        if self._dopri5 is None:
            res = _numpy.dopri5(self, inits, params, times, rtol, atol, budget)
            return _dopri5_result(*res, on_failure)
        out = np.empty((times.size, N, P, self.n))
        stats = [np.zeros(N * P, dtype=np.int64) for _ in range(4)]
        if times.size == 1:
            out[0] = inits[:, None, :]
            return _dopri5_result(out, *(a.reshape(N, P) for a in stats), on_failure)
        import numba

        # Trajectories per block (several per lane: see the kernel), so that there are
        # about four blocks per thread; the choice never changes a result.
        per_lane = -(-N * P // (LANES * 4 * numba.get_num_threads()))
        ch = LANES * max(1, min(16, per_lane))
        args = (ch, inits, params, times, rtol, atol, budget, out, *stats)
        blocks(self._dopri5, N * P, *args, per_block=ch)
        return _dopri5_result(out, *(a.reshape(N, P) for a in stats), on_failure)

    # -- helpers -------------------------------------------------------------------------

    def _check_points(self, inits: Any, params: Any) -> tuple[np.ndarray, np.ndarray]:
        inits = np.ascontiguousarray(inits, dtype=np.float64)
        params = np.ascontiguousarray(params, dtype=np.float64)
        if inits.ndim != 2 or inits.shape[1] != self.n:
            raise IntegrationError(f"inits must have shape (N, {self.n}); got {inits.shape}")
        if params.ndim != 2 or params.shape[1] != self.m:
            raise IntegrationError(f"params must have shape (P, {self.m}); got {params.shape}")
        return inits, params


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
        source = _numpy.source(replacements, reduced, parts)
        ns = _numpy.load(source, "<lmc_games compiled field>")
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
        source = numba_source(parts, groups)
        module = load_numba_module(source)
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
