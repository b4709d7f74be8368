"""Compiled vector fields: the one place code generation runs.

A :class:`~lmc_games.System` holds its field as sympy expressions. Evaluating them with ``subs``
in a loop is far too slow, so :func:`compile_field` turns them, once per system and engine, into
Python source text (after common-subexpression elimination) and compiles that text:

* ``numpy`` (always available): one function over arrays of states and arrays of parameter
  values that broadcast against each other;
* ``numba`` (the optional extra ``fast``): a scalar ``@njit`` kernel, a batched loop over
  rows, and a fused fixed-step RK4 loop over many trajectories. The generated module is
  written under a cache directory keyed by a hash of its text, so numba's on-disk cache
  (``cache=True``, which needs a real file) survives between processes.

Safety: the source text is printed by sympy's code printers from sympy expression trees. Every
symbol in those trees is a parameter or a share that the safe formula parser accepted from its
whitelist, and every symbol is renamed to a generated identifier (``s_0``, ``p_0``, ``c_0``)
before printing; no text a user wrote is ever placed in the generated source.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import math
import os
import sys
from collections.abc import Callable
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

__all__ = ["CompiledField", "EngineUnavailableError", "compile_field", "numba_available"]

#: Bumped whenever the generated code changes shape, so stale cache files are never reused.
_CODEGEN_VERSION = "2"


def numba_available() -> bool:
    """Whether the numba engine can be used (numba is importable)."""
    return importlib.util.find_spec("numba") is not None


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
            raise ValueError(f"states must have shape (..., {self.n}); got {states.shape}")
        if params.ndim == 0 or params.shape[-1] != self.m:
            raise ValueError(f"params must have shape (..., {self.m}); got {params.shape}")
        shape = np.broadcast_shapes(states.shape[:-1], params.shape[:-1])
        if self.engine == "numpy":
            return self._batch(states, params, shape)
        # The numba loop works on rows: broadcast to a common shape and flatten it.
        s2 = np.ascontiguousarray(np.broadcast_to(states, shape + (self.n,))).reshape(-1, self.n)
        p2 = np.ascontiguousarray(np.broadcast_to(params, shape + (self.m,))).reshape(-1, self.m)
        out = np.empty_like(s2)
        self._batch(s2, p2, out)
        return out.reshape(shape + (self.n,))

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
        are clipped to [0, 1] and, if their sum exceeds 1, divided by it.
        """
        inits = np.ascontiguousarray(inits, dtype=np.float64)
        params = np.ascontiguousarray(params, dtype=np.float64)
        nsave = nsteps // stride + 1
        out = np.empty((nsave, inits.shape[0], params.shape[0], self.n))
        if self._rk4 is not None:
            self._rk4(inits, params, float(dt), int(nsteps), int(stride), out)
            return out
        y = np.broadcast_to(inits[:, None, :], out.shape[1:]).copy()
        p = params[None, :, :]
        out[0] = y
        h = float(dt)
        for step in range(1, nsteps + 1):
            k1 = self(y, p)
            k2 = self(y + (0.5 * h) * k1, p)
            k3 = self(y + (0.5 * h) * k2, p)
            k4 = self(y + h * k3, p)
            y = y + (h / 6.0) * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
            project(y, self.groups)
            if step % stride == 0:
                out[step // stride] = y
        return out


def project(y: np.ndarray, groups: tuple[tuple[int, ...], ...]) -> None:
    """Keep states on the simplex, in place: clip free shares to [0, 1] and, per population
    with k >= 3 strategies, divide its free shares by their sum where that exceeds 1.

    The same arithmetic, in the same order, runs in the numba RK4 loop, so both engines agree.
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
        Cached on the system: compiling twice returns the same object.

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
    groups = _groups(system)
    names_v = tuple(str(v) for v in variables)
    names_p = tuple(p.name for p in system.game.parameters)
    if engine == "numpy":
        source = _numpy_source(replacements, reduced, len(variables), len(params))
        namespace = _exec(source, "<lmc_games compiled field>")
        compiled = CompiledField(names_v, names_p, "numpy", source, groups, namespace["field"])
    else:
        source = _numba_source(replacements, reduced, len(variables), len(params), groups)
        module = _load_numba_module(source)
        compiled = CompiledField(
            names_v, names_p, "numba", source, groups, module.batch, module.rk4
        )
    cache[key] = compiled
    return compiled


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


def _numpy_source(replacements, reduced, n: int, m: int) -> str:
    printer = NumPyPrinter({"fully_qualified_modules": True, "inline": True})
    lines = ["def field(states, params, shape):"]
    lines += [f"    s_{i} = states[..., {i}]" for i in range(n)]
    lines += [f"    p_{j} = params[..., {j}]" for j in range(m)]
    lines += [f"    {sym} = {printer.doprint(e)}" for sym, e in replacements]
    lines.append(f"    out = numpy.empty(shape + ({n},))")
    # Assigning into `out` broadcasts each component (a constant included) to the full shape.
    lines += [f"    out[..., {i}] = {printer.doprint(e)}" for i, e in enumerate(reduced)]
    lines.append("    return out")
    return "\n".join(lines) + "\n"


def _numba_source(replacements, reduced, n: int, m: int, groups) -> str:
    """A module with a scalar kernel, a row loop and a fused RK4 loop.

    Everything inside the RK4 loop is a scalar local (unrolled over the n components), so the
    compiler keeps a trajectory's state in registers; trajectories are independent iterations
    of a ``prange`` loop, so none depends on where it falls in the batch.
    """
    printer = PythonCodePrinter({"fully_qualified_modules": True, "inline": True})
    svars = [f"s_{i}" for i in range(n)]
    pvars = [f"p_{j}" for j in range(m)]

    def tup(names: list[str]) -> str:
        return "(" + ", ".join(names) + ("," if len(names) == 1 else "") + ")"

    def call(args: list[str]) -> str:
        return f"kernel({', '.join(args + pvars)})"

    L = [
        f"# generated by lmc_games._compile (codegen version {_CODEGEN_VERSION}); do not edit",
        "import math",
        "import numpy",
        "from numba import njit, prange",
        "",
        "",
        "@njit(cache=True, inline='always', error_model='numpy')",
        f"def kernel({', '.join(svars + pvars)}):",
    ]
    L += [f"    {sym} = {printer.doprint(e)}" for sym, e in replacements]
    L += [f"    return {tup([f'float({printer.doprint(e)})' for e in reduced])}"]
    L += [
        "",
        "",
        "@njit(cache=True, parallel=True, error_model='numpy')",
        "def batch(states, params, out):",
        "    for r in prange(states.shape[0]):",
    ]
    L += [f"        s_{i} = states[r, {i}]" for i in range(n)]
    L += [f"        p_{j} = params[r, {j}]" for j in range(m)]
    L.append(f"        v = {call(svars)}")
    L += [f"        out[r, {i}] = v[{i}]" for i in range(n)]
    ys = [f"y_{i}" for i in range(n)]
    L += [
        "",
        "",
        "@njit(cache=True, parallel=True, error_model='numpy')",
        "def rk4(inits, params, h, nsteps, stride, out):",
        "    N = inits.shape[0]",
        "    P = params.shape[0]",
        "    hh = 0.5 * h",
        "    h6 = h / 6.0",
        "    for idx in prange(N * P):",
        "        i = idx // P",
        "        j = idx - i * P",
    ]
    L += [f"        p_{j} = params[j, {j}]" for j in range(m)]
    L += [f"        y_{c} = inits[i, {c}]" for c in range(n)]
    L += [f"        out[0, i, j, {c}] = y_{c}" for c in range(n)]
    L.append("        for step in range(1, nsteps + 1):")
    ind = "            "
    # The same arithmetic, in the same order, as CompiledField.rk4's numpy path.
    L.append(f"{ind}{tup([f'a_{c}' for c in range(n)])} = {call(ys)}")
    L.append(
        f"{ind}{tup([f'b_{c}' for c in range(n)])} = "
        + call([f"y_{c} + hh * a_{c}" for c in range(n)])
    )
    L.append(
        f"{ind}{tup([f'c_{c}' for c in range(n)])} = "
        + call([f"y_{c} + hh * b_{c}" for c in range(n)])
    )
    L.append(
        f"{ind}{tup([f'd_{c}' for c in range(n)])} = "
        + call([f"y_{c} + h * c_{c}" for c in range(n)])
    )
    for c in range(n):
        L.append(f"{ind}y_{c} = y_{c} + h6 * (a_{c} + 2.0 * b_{c} + 2.0 * c_{c} + d_{c})")
        L.append(f"{ind}y_{c} = min(max(y_{c}, 0.0), 1.0)")
    for g in groups:
        if len(g) < 2:
            continue
        L.append(f"{ind}tot = " + " + ".join(f"y_{c}" for c in g))
        L.append(f"{ind}if tot > 1.0:")
        L += [f"{ind}    y_{c} = y_{c} / tot" for c in g]
    L.append(f"{ind}if step % stride == 0:")
    L.append(f"{ind}    q = step // stride")
    L += [f"{ind}    out[q, i, j, {c}] = y_{c}" for c in range(n)]
    return "\n".join(L) + "\n"


def cache_dir() -> Path:
    """Directory of the generated numba modules (``$LMC_GAMES_CACHE`` or
    ``~/.cache/lmc_games``)."""
    base = os.environ.get("LMC_GAMES_CACHE")
    if base:
        return Path(base)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "lmc_games"


def _load_numba_module(source: str):
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
    spec.loader.exec_module(module)
    return module
