"""Rest points and their stability as compiled functions of a few parameters.

A sweep asks the same questions — where are the rest points, which of them are stable — at
thousands or millions of parameter points. :func:`compile_rest_points` answers them once,
symbolically, with every other parameter fixed at its value (:meth:`Game.with_free`), and
compiles the answers: coordinates (named intermediates resolved), existence conditions and
stability conditions. Evaluating them is then plain array arithmetic, with no integration and
no per-point analysis.

Conditions are evaluated with a guard band: a comparison whose two sides agree to within
``1e-12`` of the size of their terms counts as *not* satisfied. A strict inequality that is an
exact tie is the boundary of a stability region, where an eigenvalue is zero and the point is
not asymptotically stable; the band keeps floating-point rounding from deciding such a point
either way. It moves region boundaries by about ``1e-12`` relative, far below any grid.

When the symbolic analysis cannot give closed forms (payoffs that are not polynomial in the
shares, faces left unsolved, continua), the table falls back to an exact or numeric analysis
at each parameter point, which is slow but never wrong; :attr:`RestPointTable.method` says
which path is in use.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import sympy

from ._errors import LmcGamesError, ParameterError, TableCacheWarning

if TYPE_CHECKING:
    from ._game import Game
    from ._results import Analysis, RestPoint

__all__ = ["RestPointTable", "TableCacheWarning", "compile_rest_points", "label_order"]

#: Relative guard band of compiled conditions (see the module docstring).
GUARD = 1e-12


@dataclass(frozen=True, eq=False)
class _Compiled:
    """One rest point's compiled formulas."""

    label: str
    base: str
    order_var: int | None
    coords: Any  # callable(*values) -> list of n arrays
    exists: Any  # compiled condition
    stable: Any


@dataclass(frozen=True, eq=False)
class RestPointTable:
    """Rest points of a game as functions of some of its parameters.

    Attributes
    ----------
    game : Game
        The game, with the values of the parameters not varied.
    names : tuple of str
        The parameters the table is a function of, in the order :meth:`evaluate` takes them.
    labels : tuple of str
        Labels of every rest point that can exist somewhere, in the analysis order.
    method : str
        ``"symbolic"`` (compiled closed forms) or ``"pointwise"`` (an analysis per point).
    reason : str
        Why the pointwise path is in use (empty otherwise).
    """

    game: Game
    names: tuple[str, ...]
    labels: tuple[str, ...]
    method: str
    reason: str = ""
    _points: tuple[_Compiled, ...] = field(default=(), repr=False)
    _groups: tuple[tuple[int, ...], ...] = field(default=(), repr=False)

    def evaluate(self, values: Any) -> RestPointValues:
        """Rest points at each row of ``values``.

        Parameters
        ----------
        values : array_like, shape (P, len(names))
            Values of :attr:`names` at P parameter points.

        Returns
        -------
        RestPointValues

        Examples
        --------
        >>> from lmc_games import Game
        >>> hd = Game.symmetric([["(V - C)/2", "V"], [0, "V/2"]], ["hawk", "dove"],
        ...                     parameters={"V": {"value": 2, "min": 0},
        ...                                 "C": {"value": 3, "min": 0}})
        >>> t = compile_rest_points(hd, ["C"])
        >>> r = t.evaluate([[1.0], [4.0]])
        >>> r.labels
        ('hawk', 'dove', 'hawk+dove')
        >>> r.stable.tolist()
        [[True, False, False], [False, False, True]]
        >>> r.coordinates[1, 2].tolist()
        [0.5]
        """
        vals = np.asarray(values, dtype=np.float64)
        if vals.ndim != 2 or vals.shape[1] != len(self.names):
            raise ValueError(f"values must have shape (P, {len(self.names)}); got {vals.shape}")
        if self.method == "pointwise":
            return self._pointwise(vals)
        P, n = vals.shape[0], len(self.game.variables)
        cols = [vals[:, q] for q in range(vals.shape[1])]
        R = len(self._points)
        coords = np.full((P, R, n), np.nan)
        exists = np.zeros((P, R), dtype=bool)
        stable = np.zeros((P, R), dtype=bool)
        with np.errstate(all="ignore"):
            for r, cp in enumerate(self._points):
                xs = np.stack(
                    [
                        np.broadcast_to(np.asarray(c, dtype=np.float64), (P,))
                        for c in cp.coords(*cols)
                    ],
                    axis=-1,
                )
                ok = cp.exists(cols, P) & np.all(np.isfinite(xs), axis=-1)
                exists[:, r] = ok
                coords[ok, r] = xs[ok]
                stable[:, r] = ok & cp.stable(cols, P)
        labels = tuple(cp.label for cp in self._points)
        coords, exists, stable = _renumber(self._points, coords, exists, stable, self._groups)
        return RestPointValues(labels, coords, exists, stable)

    def _pointwise(self, vals: np.ndarray) -> RestPointValues:
        from ._analysis import analyze
        from ._formula import exact_number

        labels = list(self.labels)
        rows = []
        for row in vals:
            g = self.game.with_values({k: exact_number(float(v)) for k, v in zip(self.names, row)})
            an = analyze(g)
            rows.append({r.label: r for r in an.rest_points if r.numeric_shares is not None})
            for lab in rows[-1]:
                if lab not in labels:
                    labels.append(lab)
        order = label_order(self.game, labels)
        P, R, n = len(rows), len(order), len(self.game.variables)
        coords = np.full((P, R, n), np.nan)
        exists = np.zeros((P, R), dtype=bool)
        stable = np.zeros((P, R), dtype=bool)
        for j, found in enumerate(rows):
            for r, lab in enumerate(order):
                rp = found.get(lab)
                if rp is None:
                    continue
                coords[j, r] = [float(rp.coordinates[v]) for v in self.game.variables]
                exists[j, r] = True
                stable[j, r] = bool(rp.asymptotically_stable)
        return RestPointValues(tuple(order), coords, exists, stable)


@dataclass(frozen=True, eq=False)
class RestPointValues:
    """Rest points at P parameter points (see :meth:`RestPointTable.evaluate`).

    Attributes
    ----------
    labels : tuple of str
    coordinates : ndarray, shape (P, R, n)
        Free shares; ``nan`` where the rest point does not exist.
    exists, stable : ndarray of bool, shape (P, R)
        ``stable`` means asymptotically stable (all eigenvalues with negative real part, or
        proven otherwise by the analysis).
    """

    labels: tuple[str, ...]
    coordinates: np.ndarray
    exists: np.ndarray
    stable: np.ndarray


def compile_rest_points(game: Game, names: Sequence[str]) -> RestPointTable:
    """Compile the rest points of ``game`` and their stability as functions of ``names``.

    Every other parameter keeps its value in ``game``. See the module docstring for the
    guard band on conditions and the pointwise fallback.

    Examples
    --------
    >>> from lmc_games import load_model
    >>> t = compile_rest_points(load_model("inspection"), ["f", "g"])
    >>> t.method, t.labels[-1]
    ('symbolic', 'inspect+no_inspect, violate+comply')
    >>> r = t.evaluate([[4.0, 1.0], [0.5, 1.0]])
    >>> [lab for lab, s in zip(r.labels, r.stable[1]) if s]
    ['inspect, violate']
    """
    from ._analysis import analyze

    names = tuple(names)
    known = {p.name for p in game.parameters}
    for n in names:
        if n not in known:
            raise ParameterError(f"unknown parameter {n!r}; this model has {', '.join(known)}")
    if len(set(names)) != len(names):
        raise ParameterError("each parameter may be varied only once")
    reduced = game.with_free(names)
    groups = _groups(game)
    syms = [reduced.symbols[n] for n in names]
    formulas = _cached_formulas(reduced, names)
    try:
        if isinstance(formulas, str):
            raise _NotCompilable(formulas)
        points = tuple(_build(f, syms) for f in formulas)
    except _NotCompilable as exc:
        numeric = analyze(game)
        labels = label_order(game, [r.label for r in numeric.rest_points])
        return RestPointTable(game, names, tuple(labels), "pointwise", str(exc), (), groups)
    return RestPointTable(
        game, names, tuple(p.label for p in points), "symbolic", "", points, groups
    )


#: Version of the files of the symbolic-answer cache (and of what :func:`_formulas` puts in
#: them): a file of another version is recomputed.
_CACHE_FORMAT = 2

#: Largest cache file read back (a larger one is discarded unread).
_CACHE_MAX_BYTES = 64 * 2**20


class _BadCache(Exception):
    pass


def _cached_formulas(reduced: Game, names: tuple[str, ...]) -> list[dict] | str:
    """The symbolic answers (or why there are none), from the disk cache when this game and
    these parameters were analysed before: a symbolic analysis costs far more than loading.

    The cache sits beside the compiled kernels (``lmc_games._compile.cache_dir()/tables``), one
    JSON file per game and set of varied parameters, named by a digest of their content
    (:func:`_cache_key`: populations, strategies, shares, payoffs, definitions, parameters and
    bounds, the library version and the cache format) and holding that digest. Expressions are
    JSON trees read back through a whitelist (:mod:`lmc_games._exprjson`), so reading a file
    never runs code. A file is used only if it names this key and has exactly the expected
    structure (labels of this game's faces, every corner, one coordinate per free share, only
    the varied parameters as symbols, conditions that are conditions); anything else is
    discarded with a :class:`TableCacheWarning`, recomputed and rewritten (atomically, through
    a temporary file unique to the process).
    """
    import warnings

    from ._analysis import analyze
    from ._compile import cache_dir

    key = _cache_key(reduced, names)
    path = cache_dir() / "tables" / f"{key}.json"
    if path.exists():
        try:
            return _load_formulas(path, key, reduced, names)
        except _BadCache as exc:
            warnings.warn(
                f"symbolic-answer cache {path}: {exc}; analysing again",
                TableCacheWarning,
                stacklevel=3,
            )
    an = analyze(reduced, symbolic=True)
    result: list[dict] | str = _unsuitable(an)
    if not result:
        syms = [reduced.symbols[n] for n in names]
        try:
            result = [_formulas(r, syms, reduced.variables) for r in an.rest_points]
        except _NotCompilable as exc:
            result = str(exc)
    _store_formulas(path, key, result)
    return result


def _cache_key(reduced: Game, names: Sequence[str]) -> str:
    """A digest of everything the symbolic answers depend on (length-prefixed pieces, so that
    no two descriptions run together)."""
    import hashlib

    from . import __version__
    from ._exprjson import canonical

    h = hashlib.sha256()

    def feed(*parts: Any) -> None:
        for part in parts:
            b = str(part).encode()
            h.update(len(b).to_bytes(8, "little"))
            h.update(b)

    feed("lmc_games rest-point table", _CACHE_FORMAT, __version__, reduced.is_symmetric)
    feed("names", *names)
    for pop in reduced.populations:
        feed("population", pop.name, len(pop.strategies), *pop.strategies)
        feed(*(canonical(v) for v in pop.share_symbols))
    for profile in sorted(reduced.payoffs):
        feed("payoff", *profile, *(canonical(e) for e in reduced.payoffs[profile]))
    for name in sorted(reduced.definitions):
        feed("definition", name, canonical(reduced.definitions[name]))
    for par in reduced.parameters:
        feed("parameter", par.name, canonical(par.min), canonical(par.max), canonical(par.symbol))
    return h.hexdigest()[:40]


def _store_formulas(path, key: str, result: list[dict] | str) -> None:
    """Write the answers to the cache if every expression in them survives the trip through
    JSON exactly; otherwise (or with no writable cache) leave the cache alone."""
    import json

    from ._chunkstore import atomic_write
    from ._exprjson import Unsupported, from_tree, to_tree

    def tree(e):
        t = to_tree(e)
        if from_tree(t) != e:
            raise Unsupported(f"{e} does not come back exactly")
        return t

    doc: dict[str, Any] = {"format": _CACHE_FORMAT, "key": key}
    try:
        if isinstance(result, str):
            doc.update(kind="reason", reason=result)
        else:
            doc["kind"] = "formulas"
            doc["formulas"] = [
                {
                    "label": f["label"],
                    "base": f["base"],
                    "order_var": None if f["order_var"] is None else list(f["order_var"]),
                    "coords": [tree(c) for c in f["coords"]],
                    "exists": tree(f["exists"]),
                    "stable": tree(f["stable"]),
                }
                for f in result
            ]
        data = json.dumps(doc, separators=(",", ":")).encode()
    except (Unsupported, RecursionError):
        return  # not storable exactly: the next run analyses again
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, data)
    except OSError:
        pass  # no writable cache: the next run analyses again


def _load_formulas(path, key: str, reduced: Game, names: Sequence[str]) -> list[dict] | str:
    """The answers in a cache file, or :class:`_BadCache` saying why they cannot be used."""
    import json

    from ._equilibria import enumerate_faces
    from ._exprjson import Malformed, from_tree

    try:
        with open(path, "rb") as fh:
            data = fh.read(_CACHE_MAX_BYTES + 1)
    except OSError as exc:
        raise _BadCache(f"unreadable ({exc.strerror})") from None
    if len(data) > _CACHE_MAX_BYTES:
        raise _BadCache("larger than any table this library writes")
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise _BadCache("not a JSON file of this cache") from None
    if not isinstance(doc, dict) or doc.get("format") != _CACHE_FORMAT:
        raise _BadCache("not a file of this cache format")
    if doc.get("key") != key:
        raise _BadCache("holds the answers for another game or other parameters")
    kind = doc.get("kind")
    if kind == "reason":
        if set(doc) != {"format", "key", "kind", "reason"}:
            raise _BadCache("malformed")
        reason = doc["reason"]
        if not isinstance(reason, str) or not reason:
            raise _BadCache("malformed reason")
        return reason
    if kind != "formulas" or set(doc) != {"format", "key", "kind", "formulas"}:
        raise _BadCache("malformed")
    entries = doc["formulas"]
    if not isinstance(entries, list) or not entries:
        raise _BadCache("holds no rest points")
    faces = enumerate_faces(reduced)
    face_labels = {f.label for f in faces}
    corners = {f.label for f in faces if all(len(s) == 1 for s in f.support)}
    syms = {reduced.symbols[n] for n in names}
    n_vars = len(reduced.variables)
    fields = {"label", "base", "order_var", "coords", "exists", "stable"}
    out: list[dict] = []
    try:
        for e in entries:
            if not isinstance(e, dict) or set(e) != fields:
                raise _BadCache("malformed rest point")
            label, base = e["label"], e["base"]
            if not isinstance(label, str) or not isinstance(base, str):
                raise _BadCache("malformed label")
            if base != label.partition(" #")[0] or base not in face_labels:
                raise _BadCache(f"names {label!r}, no face of this game")
            ov = e["order_var"]
            if ov is not None:
                if not (
                    isinstance(ov, list)
                    and len(ov) == 2
                    and all(type(v) is int for v in ov)
                    and 0 <= ov[0] < len(reduced.populations)
                    and 0 <= ov[1] < reduced.populations[ov[0]].k
                ):
                    raise _BadCache(f"{label}: malformed order_var")
                ov = (ov[0], ov[1])
            coords = e["coords"]
            if not isinstance(coords, list) or len(coords) != n_vars:
                raise _BadCache(f"{label}: not one coordinate per free share")
            coords = [from_tree(c) for c in coords]
            for c in coords:
                if not isinstance(c, sympy.Expr) or not c.free_symbols <= syms:
                    raise _BadCache(f"{label}: a coordinate is not a formula in {list(names)}")
            conds = {}
            for which in ("exists", "stable"):
                c = from_tree(e[which])
                if not (isinstance(c, bool) or isinstance(c, sympy.logic.boolalg.Boolean)):
                    raise _BadCache(f"{label}: {which} is not a condition")
                if not isinstance(c, bool) and not c.free_symbols <= syms:
                    raise _BadCache(f"{label}: {which} is not a condition on {list(names)}")
                conds[which] = c
            out.append(
                {
                    "label": label,
                    "base": base,
                    "order_var": ov,
                    "coords": coords,
                    "exists": conds["exists"],
                    "stable": conds["stable"],
                }
            )
    except Malformed as exc:
        raise _BadCache(f"malformed expression ({exc})") from None
    labels = [f["label"] for f in out]
    if len(set(labels)) != len(labels):
        raise _BadCache("lists a rest point twice")
    if not corners <= set(labels):
        raise _BadCache("lacks a corner of the state space")
    return out


def label_order(game: Game, labels: Sequence[str]) -> list[str]:
    """``labels`` in the order of the faces of the state space (corners first), numbered
    points on a face in their number's order; unknown labels last, alphabetically."""
    from ._equilibria import enumerate_faces

    rank = {f.label: i for i, f in enumerate(enumerate_faces(game))}

    def key(lab: str):
        base, _, num = lab.partition(" #")
        return (rank.get(base, len(rank)), int(num) if num.isdigit() else 1, lab)

    return sorted(dict.fromkeys(labels), key=key)


# ---------------------------------------------------------------------- compiling


class _NotCompilable(LmcGamesError):
    pass


def _unsuitable(an: Analysis) -> str:
    if not an.complete:
        return "the symbolic analysis is incomplete (" + "; ".join(an.notes) + ")"
    if an.continua:
        return "the game has continua of rest points"
    return ""


def _resolve(expr: Any, inter: Mapping) -> Any:
    for _ in range(len(inter) + 1):
        if not (getattr(expr, "free_symbols", set()) & set(inter)):
            break
        expr = expr.xreplace(inter)
    return expr


def _formulas(r: RestPoint, syms: list, variables) -> dict:
    """One rest point's coordinates and conditions, named quantities resolved."""
    inter = dict(r.intermediates)
    coords = [
        _resolve(sympy.Integer(c) if isinstance(c, int) else c, inter)
        for c in (r.coordinates[v] for v in variables)
    ]
    for c in coords:
        if c.has(sympy.CRootOf) or not (c.free_symbols <= set(syms)):
            raise _NotCompilable(
                f"{r.label}: coordinate {c} has no closed form in the varied parameters"
            )
    if r.stable_if is None:
        raise _NotCompilable(f"{r.label}: no stability condition")
    order_var = None
    for p, sup in enumerate(r.support):
        if len(sup) > 1:
            order_var = (p, sup[0])
            break
    return {
        "label": r.label,
        "base": r.label.partition(" #")[0],
        "order_var": order_var,
        "coords": coords,
        "exists": _resolve(r.exists_if, inter),
        "stable": _resolve(r.stable_if, inter),
    }


def _build(f: dict, syms: list) -> _Compiled:
    try:
        return _Compiled(
            f["label"],
            f["base"],
            f["order_var"],
            _lambdify(syms, f["coords"]),
            _condition(f["exists"], syms),
            _condition(f["stable"], syms),
        )
    except _NotCompilable as exc:
        raise _NotCompilable(f"{f['label']}: {exc}") from None


def _lambdify(syms: list, exprs: list):
    from ._compile import compile_expressions

    return compile_expressions(syms, exprs)


def _condition(cond: Any, syms: list):
    """Compile a sympy Boolean into ``f(cols, P) -> bool array`` with the guard band."""
    if cond is sympy.true or cond is True:
        return lambda cols, P: np.ones(P, dtype=bool)
    if cond is sympy.false or cond is False:
        return lambda cols, P: np.zeros(P, dtype=bool)
    rels: list = []

    def walk(c):
        if isinstance(c, sympy.logic.boolalg.BooleanAtom):
            return ("const", bool(c))
        if isinstance(c, sympy.And):
            return ("and", [walk(a) for a in c.args])
        if isinstance(c, sympy.Or):
            return ("or", [walk(a) for a in c.args])
        if isinstance(c, sympy.Not):
            return ("not", walk(c.args[0]))
        if isinstance(c, sympy.core.relational.Relational):
            diff = c.lhs - c.rhs
            if not (diff.free_symbols <= set(syms)):
                raise _NotCompilable(f"condition {c} refers to unresolved quantities")
            rels.append((diff, _scale(c.lhs, c.rhs)))
            return ("rel", len(rels) - 1, c.rel_op)
        raise _NotCompilable(f"cannot compile the condition {c}")

    tree = walk(cond)
    fn = _lambdify(syms, [x for pair in rels for x in pair]) if rels else None

    def evaluate(cols, P):
        vals = fn(*cols) if fn is not None else []
        vals = [np.broadcast_to(np.asarray(v, dtype=np.float64), (P,)) for v in vals]
        return _eval_tree(tree, vals, P)

    return evaluate


def _scale(lhs, rhs):
    terms = []
    for side in (lhs, rhs):
        e = sympy.expand(side) if _small(side) else side
        terms.extend(sympy.Add.make_args(e))
    return sympy.Add(*[sympy.Abs(t) for t in terms])


def _small(e) -> bool:
    return sympy.count_ops(e) < 200


def _eval_tree(node, vals, P):
    kind = node[0]
    if kind == "const":
        return np.full(P, node[1])
    if kind == "and":
        return functools.reduce(np.logical_and, (_eval_tree(a, vals, P) for a in node[1]))
    if kind == "or":
        return functools.reduce(np.logical_or, (_eval_tree(a, vals, P) for a in node[1]))
    if kind == "not":
        return ~_eval_tree(node[1], vals, P)
    _, i, op = node
    d, s = vals[2 * i], vals[2 * i + 1]
    band = GUARD * s
    if op == ">":
        return d > band
    if op == "<":
        return d < -band
    if op == ">=":
        return d >= -band
    if op == "<=":
        return d <= band
    if op == "==":
        return np.abs(d) <= band
    return np.abs(d) > band  # "!="


# ---------------------------------------------------------------------- labels


def _groups(game: Game) -> tuple[tuple[int, ...], ...]:
    out, i = [], 0
    for pop in game.populations:
        out.append(tuple(range(i, i + pop.k - 1)))
        i += pop.k - 1
    return tuple(out)


def _renumber(points, coords, exists, stable, groups):
    """Several rest points on one face: at each parameter point, the one with the smallest
    first support share keeps the bare label and the others get ``#2``, ``#3`` (docs/cli.md).
    A symbolic analysis cannot order them once for all parameter values, so it is done here,
    per point."""
    by_base: dict[str, list[int]] = {}
    for r, cp in enumerate(points):
        by_base.setdefault(cp.base, []).append(r)
    for idx in by_base.values():
        if len(idx) < 2:
            continue
        p, j = points[idx[0]].order_var
        grp = groups[p]
        if j < len(grp):
            key = coords[:, idx, grp[j]]
        else:
            key = 1.0 - coords[:, idx][:, :, list(grp)].sum(axis=-1)
        key = np.where(exists[:, idx], key, np.inf)
        # Stable sort of existing points by share; slots are filled in label order.
        order = np.argsort(key, axis=1, kind="stable")
        rows = np.arange(coords.shape[0])[:, None]
        src = np.asarray(idx)[order]
        dst = np.asarray(idx)[None, :]
        coords[rows, dst] = coords[rows, src]
        exists[rows, dst] = exists[rows, src]
        stable[rows, dst] = stable[rows, src]
    return coords, exists, stable
