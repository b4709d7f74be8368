"""The numba engine: the generator of the module's source text and the runner of its block
kernels over threads.

The integrators cut the trajectories into blocks of :data:`LANES` lanes, hold each block's
state in a small lanes-last array so that LLVM turns the loop over lanes into SIMD
instructions, and run the blocks on numba's number of threads (the kernels release the GIL;
see :func:`blocks` for why not ``prange``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sympy.printing.pycode import PythonCodePrinter

from ._common import _DP_A, _DP_D, _DP_E, _Parts, big_literal


class _Printer(PythonCodePrinter):
    """Python's printer, but an integer or fraction that int64 cannot hold (a payoff of
    1e20 written as an integer) is printed as a float: numba types an integer literal as
    int64 and refuses the module otherwise."""

    def _print_Integer(self, expr):  # noqa: N802 (sympy's method name)
        return big_literal(expr) or super()._print_Integer(expr)

    def _print_Rational(self, expr):  # noqa: N802
        return big_literal(expr) or super()._print_Rational(expr)


#: Bumped whenever the generated code changes shape, so stale cache files are never reused.
_CODEGEN_VERSION = "5"

#: Most arguments of a function numba may inline (see :meth:`_Gen.header`).
_MAX_INLINE_ARGS = 30

#: Trajectories per SIMD block of the numba integrators. Four AVX-512 vectors (eight AVX2
#: ones): fewer lanes leave the core waiting on the long dependency chain of one step, more
#: only waste work in a padded last block.
LANES = 32

_POOL: Any = None


def blocks(kernel: Callable[..., Any], count: int, *args: Any, per_block: int = LANES) -> None:
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


_INT_LANES = frozenset({"NX", "DN", "NA", "NR", "NE", "SV", "MV", "BAD", "ID", "NS", "ST", "NV"})
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
        self.printer = _Printer({"fully_qualified_modules": True, "inline": True})
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
        # CPython (3.11+) compiles a call with more than 30 arguments into a call with *args,
        # which numba cannot inline ("Calling a closure with *args"): such a step function
        # (a game with many parameters) stays a call; slower, never wrong.
        inline = inline and len(args) < _MAX_INLINE_ARGS
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
        """One RK4 step, as the numpy engine's ``stepper``: the new state, its last stage and
        the error estimate of the previous step (whose last stage is ``kp``)."""
        n = self.n
        args = self.vec("s") + self.vec("kp") + list(self.parts.kargs) + ["h", "hh", "h6"]
        L = self.header("rk4_step", args, inline=True)
        L.append(f"    {self.tup(self.vec('ka'))} = {self.call(self.vec('s'))}")
        L.append(f"    e = est({self.args(self.vec('kp') + self.vec('ka'))}, h6)")
        for k, prev, step in (("kb", "ka", "hh"), ("kc", "kb", "hh"), ("kd", "kc", "h")):
            args = [f"s_{c} + {step} * {prev}_{c}" for c in range(n)]
            L.append(f"    {self.tup(self.vec(k))} = {self.call(args)}")
        ys = [f"s_{c} + h6 * (ka_{c} + 2.0 * kb_{c} + 2.0 * kc_{c} + kd_{c})" for c in range(n)]
        L.append(f"    {self.tup(self.vec('y'))} = project({self.args(ys)})")
        L.append(f"    return {self.tup(self.vec('y') + self.vec('kd') + ['e'])}")
        return L

    def est(self) -> list[str]:
        """The embedded error estimate ``h/6 * sum |k4 - k5|``, as the numpy engine's
        ``error_estimate`` (a nan counts as ``inf``)."""
        n = self.n
        L = self.header("est", self.vec("k") + self.vec("g") + ["h6"])
        L.append("    e = h6 * (" + " + ".join(f"abs(k_{c} - g_{c})" for c in range(n)) + ")")
        L.append("    return e if e < math.inf else math.inf")
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

    def rk4_lanes(self, ind: str, row: str) -> list[str]:
        """Per lane: step, number of steps, stride, the first stage at the start (so the
        first step's estimate is 0) and the running largest estimate."""
        L = [
            f"{ind}DT[l] = h[{row}]",
            f"{ind}DTH[l] = 0.5 * DT[l]",
            f"{ind}DT6[l] = DT[l] / 6.0",
            f"{ind}NS[l] = ns[{row}]",
            f"{ind}ES[l] = 0.0",
            f"{ind}{self.tup(self.lane('KD'))} = {self.call_lane('Y')}",
        ]
        return L

    def call_lane(self, prefix: str) -> str:
        return f"kernel({self.args(self.lane(prefix) + self.lane_kargs())})"

    def rk4_lane_step(self, ind: str, masked: bool = True) -> list[str]:
        """One step of every lane; a lane past its own number of steps keeps its state (its
        estimate then repeats that of its last step, which leaves the maximum unchanged).
        ``masked=False``: the loop for steps every lane of the block still takes (no
        selects; the values are the same)."""
        n = self.n
        L = [
            f"{ind}z = rk4_step({self.args(self.lane('Y') + self.lane('KD') + self.lane_kargs())}"
            ", DT[l], DTH[l], DT6[l])",
        ]
        if masked:
            L.append(f"{ind}act = step <= NS[l]")
            L += [f"{ind}Y_{c}[l] = z[{c}] if act else Y_{c}[l]" for c in range(n)]
            L += [f"{ind}KD_{c}[l] = z[{n + c}] if act else KD_{c}[l]" for c in range(n)]
        else:
            L += [f"{ind}Y_{c}[l] = z[{c}]" for c in range(n)]
            L += [f"{ind}KD_{c}[l] = z[{n + c}]" for c in range(n)]
        L += [f"{ind}e = z[{2 * n}]", f"{ind}ES[l] = e if e > ES[l] else ES[l]"]
        return L

    def rk4_block_step(self, ind: str) -> list[str]:
        """One step of a block: unmasked while every lane still steps (the usual case: all
        lanes at one parameter point), masked after."""
        return (
            [f"{ind}if step <= nmin:", f"{ind}    for l in range({LANES}):"]
            + self.rk4_lane_step(ind + "        ", masked=False)
            + [f"{ind}else:", f"{ind}    for l in range({LANES}):"]
            + self.rk4_lane_step(ind + "        ")
        )

    def rk4_last(self, ind: str) -> list[str]:
        """The estimate of each lane's last step: the field at its final state is that
        step's k5."""
        return [
            f"{ind}{self.tup(self.vec('g'))} = {self.call_lane('Y')}",
            f"{ind}e = est({self.args(self.lane('KD') + self.vec('g'))}, DT6[l])",
            f"{ind}ES[l] = e if e > ES[l] else ES[l]",
        ]

    def rk4(self) -> list[str]:
        n = self.n
        args = ["b0", "b1", "inits", "params", "h", "ns", "st", "out", "err"]
        L = self.header("rk4", args, True)
        L += [
            "    N = inits.shape[0]",
            "    P = params.shape[0]",
            "    M = N * P",
            "    for b in range(b0, b1):",
        ]
        L += self.alloc("        ")
        L += [
            "        nmax = 0",
            "        nmin = ns.max()",
            f"        for l in range({LANES}):",
            f"            idx = min(b * {LANES} + l, M - 1)",
            "            i = idx // P",
            "            j = idx - i * P",
        ]
        L += [f"            Y_{c}[l] = inits[i, {c}]" for c in range(n)]
        L += self.init_lanes("            ", "j")
        L += self.rk4_lanes("            ", "j")
        L += [
            "            ST[l] = st[j]",
            "            NV[l] = 0",
            "            nmax = max(nmax, NS[l])",
            "            nmin = min(nmin, NS[l])",
            # nxt: the next step at which some lane saves its state.
            "        nxt = 0",
            "        for step in range(nmax + 1):",
            "            if step > 0:",
        ]
        L += self.rk4_block_step("                ")
        L += [
            "            if step == nxt:",
            "                nxt = nmax + 1",
            f"                for l in range({LANES}):",
            "                    if NV[l] == step:",
            f"                        idx = b * {LANES} + l",
            "                        if idx < M:",
            "                            i = idx // P",
            "                            j = idx - i * P",
        ]
        L += [
            f"                            out[step // ST[l], i, j, {c}] = Y_{c}[l]"
            for c in range(n)
        ]
        L += [
            "                        NV[l] = step + ST[l] if step + ST[l] <= NS[l] else nmax + 1",
            "                    nxt = min(nxt, NV[l])",
            f"        for l in range({LANES}):",
        ]
        L += self.rk4_last("            ")
        L += [
            f"            idx = b * {LANES} + l",
            "            if idx < M:",
            "                i = idx // P",
            "                j = idx - i * P",
            "                err[i, j] = ES[l]",
        ]
        return self.finish(L)

    def track(self) -> list[str]:
        n, K = self.n, self.K
        args = ["b0", "b1", "inits", "params", "rest", "h", "ns", "eps", "final", "reached"]
        args += ["when", "err"]
        tg = [f"TG[r * {K} + {k}, l]" for k in range(K)]
        L = self.header("track", args, True)
        L += [
            "    N = inits.shape[0]",
            "    P = params.shape[0]",
            "    R = rest.shape[1]",
            "    M = P * N",
            "    for b in range(b0, b1):",
        ]
        L += self.alloc("        ")
        L += [
            f"        TG = numpy.empty((R * {K}, {LANES}))",
            f"        LAST = numpy.full((R, {LANES}), -1, numpy.int64)",
            "        nmax = 0",
            "        nmin = ns.max()",
            f"        for l in range({LANES}):",
            f"            idx = min(b * {LANES} + l, M - 1)",
            "            j = idx // N",
            "            i = idx - j * N",
        ]
        L += [f"            Y_{c}[l] = inits[i, {c}]" for c in range(n)]
        L += self.init_lanes("            ", "j")
        L += self.rk4_lanes("            ", "j")
        L.append("            nmax = max(nmax, NS[l])")
        L.append("            nmin = min(nmin, NS[l])")
        L.append("            for r in range(R):")
        tshares = self.shares([f"rest[j, r, {c}]" for c in range(n)])
        L += [f"                TG[r * {K} + {k}, l] = {e}" for k, e in enumerate(tshares)]
        # One pass: LAST[r] is the last step at which the trajectory was farther than eps
        # from rest point r (-1: never); a rest point that does not exist is never near.
        L += [
            "        for step in range(nmax + 1):",
            "            if step > 0:",
        ]
        L += self.rk4_block_step("                ")
        L += [
            "            if step <= nmin:",
            "                for r in range(R):",
            f"                    for l in range({LANES}):",
            f"                        d = dist({self.args(self.lane('Y') + tg)})",
            "                        LAST[r, l] = step if d > eps else LAST[r, l]",
            "            else:",
            "                for r in range(R):",
            f"                    for l in range({LANES}):",
            f"                        d = dist({self.args(self.lane('Y') + tg)})",
            "                        far = (d > eps) & (step <= NS[l])",
            "                        LAST[r, l] = step if far else LAST[r, l]",
            f"        for l in range({LANES}):",
        ]
        L += self.rk4_last("            ")
        L += [
            f"            idx = b * {LANES} + l",
            "            if idx >= M:",
            "                continue",
            "            j = idx // N",
            "            i = idx - j * N",
            "            err[j, i] = ES[l]",
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
            "                when[j, i] = (LAST[rb, l] + 1) * DT[l]",
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
        args = ["b0", "b1", "ch", "inits", "params", "times", "rtol", "atol", "maxsteps"]
        args += ["out", "nacc", "nrej", "nev", "fail"]
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
            f"{ind}fine = (hn >= 1e-14 * max(1.0, abs(t))) & (NA[l] + NR[l] < maxsteps)",
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
        # A failed trajectory's unreached times are nan, not the buffer's stale values.
        L += [
            f"                    out[k, i, j, {c}] = B[k, l, {c}] if k < NX[l] else numpy.nan"
            for c in range(n)
        ]
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


def source(parts: _Parts, groups) -> str:
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
    for part in (
        g.est,
        g.rk4_step,
        g.dist,
        g.dp_init,
        g.dp_step,
        g.batch,
        g.rk4,
        g.track,
        g.dopri5,
    ):
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
