"""The numpy engine: generated array source, the component-wise RK4 step, the tracking pass,
and Dormand--Prince vectorised over all trajectories (each with its own step)."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
from sympy.printing.numpy import NumPyPrinter

from ._common import _DP_A, _DP_E, _all_shares, _Parts, big_literal, project

if TYPE_CHECKING:
    from . import CompiledField


class _Printer(NumPyPrinter):
    """numpy's printer, with integers beyond 2**53 printed as floats, as the numba engine
    prints them (see ``_common.big_literal``)."""

    def _print_Integer(self, expr):  # noqa: N802 (sympy's method name)
        return big_literal(expr) or super()._print_Integer(expr)

    def _print_Rational(self, expr):  # noqa: N802
        return big_literal(expr) or super()._print_Rational(expr)


def source(replacements, reduced, parts: _Parts) -> str:
    printer = _Printer({"fully_qualified_modules": True, "inline": True})
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


def load(source: str, filename: str) -> dict[str, Any]:
    # The text was generated above from sympy trees over whitelisted, renamed symbols (see the
    # module docstring); it is the only text ever compiled here.
    namespace: dict[str, Any] = {"numpy": np, "math": math, "functools": functools}
    exec(compile(source, filename, "exec"), namespace)
    return namespace


def stepper(cf: CompiledField, params: np.ndarray, h: Any) -> Callable[[list, list], tuple]:
    """One RK4 step on a list of component arrays (numpy engine), projection included.

    ``params`` broadcasts against the components with the parameters last, ``h`` (a number or
    an array of steps) against the components. ``step(y, kprev)`` returns the new state, its
    last stage ``k4`` and the error estimate of the *previous* step, ``h/6 * sum |kprev -
    f(y)|`` (see :func:`error_estimate`). The arithmetic, operation by operation, is that of
    the numba kernels.
    """
    assert cf._hoist is not None and cf._rhs is not None
    ps = [np.ascontiguousarray(params[..., j]) for j in range(cf.m)]
    args = tuple(ps) + tuple(cf._hoist(*ps))
    rhs = cf._rhs
    n = cf.n
    hh = 0.5 * h
    h6 = h / 6.0
    groups = [g for g in cf.groups if len(g) > 1]

    def step(y: list, kprev: list) -> tuple[list, list, Any]:
        a = rhs(*y, *args)
        err = error_estimate(h6, kprev, a, raw=True)
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
        return new, list(d), err

    return step


def error_estimate(h6: Any, k4: list, k5: list, *, raw: bool = False) -> Any:
    """``h/6 * sum_c |k4_c - k5_c|``, summed left to right; ``inf`` where not finite
    (``raw=True``: nan stays nan -- the integrators keep a running ``np.maximum``, which
    propagates it, and map it once at the end).

    Classic RK4 with the extra stage ``k5 = f(y_{n+1})`` (the next step's first stage, so
    free) has the embedded third-order weights (1/6, 1/3, 1/3, 0, 1/6); its difference from
    the fourth-order solution is ``h/6 (k4 - k5)``. ``k5`` is taken at the projected state, so
    a step that the projection had to repair shows up in the estimate.
    """
    acc = np.abs(k4[0] - k5[0])
    for c in range(1, len(k4)):
        acc = acc + np.abs(k4[c] - k5[c])
    e = h6 * acc
    if raw:
        return e
    # A nan (a field that is not finite) must count as the largest error, not be skipped.
    return np.where(e < np.inf, e, np.inf)


def _finish_error(err: np.ndarray) -> np.ndarray:
    return np.where(err < np.inf, err, np.inf)


def steps_of(nsteps: Any, shape: tuple[int, ...]) -> np.ndarray:
    return np.broadcast_to(np.asarray(nsteps, dtype=np.int64), shape)


def rk4(cf: CompiledField, inits, params, h, nsteps, stride, nsave):
    """Fixed-step RK4 with a step, a number of steps and a stride per parameter point."""
    N, P, n = inits.shape[0], params.shape[0], cf.n
    hs = h[None, :]
    step = stepper(cf, params[None, :, :], hs)
    y = [np.repeat(inits[:, c : c + 1], P, axis=1) for c in range(n)]  # each (N, P)
    out = np.empty((nsave, N, P, n))
    for c in range(n):
        out[0, :, :, c] = y[c]
    kd = list(cf._rhs(*y, *_args(cf, params[None, :, :])))
    kd = [np.broadcast_to(k, (N, P)).astype(np.float64) for k in kd]
    err = np.zeros((N, P))
    ns = nsteps[None, :]
    nmin = int(nsteps.min(initial=0))
    uniform = P > 0 and nmin == int(nsteps.max()) and int(stride.min()) == int(stride.max())
    s0 = int(stride[0]) if P else 1
    for k in range(1, int(nsteps.max(initial=0)) + 1):
        new, d, e = step(y, kd)
        np.maximum(err, e, out=err)
        if k <= nmin:
            # Every point still steps: no mask needed (the values are the same).
            y, kd = new, d
        else:
            act = k <= ns
            y = [np.where(act, new[c], y[c]) for c in range(n)]
            kd = [np.where(act, d[c], kd[c]) for c in range(n)]
        if uniform:
            # One step and stride everywhere (the usual case): save by plain integers.
            if k % s0 == 0:
                for c in range(n):
                    out[k // s0, :, :, c] = y[c]
            continue
        saves = (k <= ns) & (k % stride[None, :] == 0)
        if saves.any():
            q = k // stride
            for j in np.flatnonzero(saves[0]):
                for c in range(n):
                    out[q[j], :, j, c] = y[c][:, j]
    last = cf._rhs(*y, *_args(cf, params[None, :, :]))
    np.maximum(err, error_estimate(hs / 6.0, kd, list(last), raw=True), out=err)
    err = _finish_error(err)
    return out, err


def _args(cf: CompiledField, params: np.ndarray) -> tuple:
    assert cf._hoist is not None
    ps = [np.ascontiguousarray(params[..., j]) for j in range(cf.m)]
    return tuple(ps) + tuple(cf._hoist(*ps))


def track(cf: CompiledField, inits, params, rest, h, nsteps, eps):
    """Tracking RK4 (see :meth:`CompiledField.rk4_track`), arrays over (P, N)."""
    N, P, n = inits.shape[0], params.shape[0], cf.n
    R = rest.shape[1]
    hs = h[:, None]
    step = stepper(cf, params[:, None, :], hs)
    y = [np.repeat(inits[None, :, c], P, axis=0) for c in range(n)]  # each (P, N)
    exists = np.all(np.isfinite(rest), axis=2)  # (P, R)
    # Targets over all shares, the implied last ones included, each (P, 1).
    targets = [_all_shares([rest[:, r, c, None] for c in range(n)], cf.groups) for r in range(R)]
    last = [np.full((P, N), -1, dtype=np.int64) for _ in range(R)]
    kd = [
        np.broadcast_to(k, (P, N)).astype(np.float64)
        for k in cf._rhs(*y, *_args(cf, params[:, None, :]))
    ]
    err = np.zeros((P, N))
    ns = nsteps[:, None]
    nmin = int(nsteps.min(initial=0))

    def distances(y: list) -> list:
        full = _all_shares(y, cf.groups)
        out = []
        for r in range(R):
            d = np.abs(full[0] - targets[r][0])
            for k in range(1, len(full)):
                d = np.maximum(d, np.abs(full[k] - targets[r][k]))
            out.append(d)
        return out

    for k in range(int(nsteps.max(initial=0)) + 1):
        act = k <= ns
        if k:
            new, d, e = step(y, kd)
            np.maximum(err, e, out=err)
            if k <= nmin:
                y, kd = new, d
            else:
                y = [np.where(act, new[c], y[c]) for c in range(n)]
                kd = [np.where(act, d[c], kd[c]) for c in range(n)]
        for r, d in enumerate(distances(y)):
            np.putmask(last[r], (d > eps) & act, k)
    lastf = cf._rhs(*y, *_args(cf, params[:, None, :]))
    np.maximum(err, error_estimate(hs / 6.0, kd, list(lastf), raw=True), out=err)
    err = _finish_error(err)
    if R:
        dist = np.stack(distances(y))  # (R, P, N)
        dist = np.where(exists.T[:, :, None] & ~np.isnan(dist), dist, np.inf)
        best_r = np.argmin(dist, axis=0)
        best = np.take_along_axis(dist, best_r[None], axis=0)[0]
        conv = best <= eps
        lastsel = np.take_along_axis(np.stack(last), best_r[None], axis=0)[0]
        reached = np.where(conv, best_r, -1).astype(np.int64)
        when = np.where(conv, (lastsel + 1) * hs, np.nan)
    else:
        reached = np.full((P, N), -1, dtype=np.int64)
        when = np.full((P, N), np.nan)
    final = np.stack(y, axis=-1)
    return final, reached, when, err


# The numpy engine's Dormand--Prince: vectorised over all trajectories, each with its own step.
def _norm(v: np.ndarray) -> np.ndarray:
    # RMS over components, summed in a fixed order so no trajectory's value can depend on
    # the batch (a library reduction may change its order with the array's layout).
    acc = v[:, 0] * v[:, 0]
    for c in range(1, v.shape[1]):
        acc = acc + v[:, c] * v[:, c]
    return np.sqrt(acc / v.shape[1])


def dopri5(cf: CompiledField, x0, pvals, times, rtol, atol, max_steps):
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
    failed = np.zeros(M, dtype=bool)
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
        fine = (hnew >= 1e-14 * np.maximum(1.0, np.abs(ta))) & (
            steps[active] + rejected[active] < max_steps
        )
        h[active] = hnew
        rejected[active[~ok]] += 1
        ok = ok & fine
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
        # A trajectory whose step underflowed or that ran out of steps stops here; its
        # unreached times are nan.
        bad = active[~fine]
        failed[bad] = True
        for r in bad:
            out[nxt[r] :, r] = np.nan
        nxt[bad] = times.size
        active = np.flatnonzero(nxt < times.size)
    shape = (N, P)
    return (
        out.reshape(times.size, N, P, n),
        steps.reshape(shape),
        rejected.reshape(shape),
        evals.reshape(shape),
        failed.reshape(shape),
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
