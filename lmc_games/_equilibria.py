"""Rest points, found face by face.

The state space of a game is a product of simplices. Each of its faces is given by a support:
the strategies in use, per population. On the relative interior of a face, a rest point of the
replicator dynamics is a point where every strategy in use earns the same payoff, so the
equations of a face involve only the face's own shares. Solving face by face is what makes
symbolic rest points possible at all: sympy's ``solve`` on the whole system of a 2x2x2 game with
two dozen parameters gives no answer in minutes, while face-wise elimination takes a fraction of
a second.

On each face the payoff-equality equations are cleared of denominators and solved by
elimination: a share that appears linearly in some equation is expressed through the others
(branching on its coefficient vanishing when that coefficient depends on other shares), until
one univariate polynomial is left, whose roots are taken exactly (rationals, square roots,
``CRootOf``) when the parameters have exact values, or kept as the root of a named polynomial in
a symbolic analysis. A face whose equations leave some shares free carries a continuum of rest
points. Polynomials use sympy's sparse ``ring`` arithmetic so nothing is ever expanded into a
large expression.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

import sympy
from sympy.polys.rings import PolyElement, ring

from ._cancel import cancel
from ._errors import UnsolvedFace  # re-exported: it used to be defined here
from ._game import Game

__all__ = ["Face", "FaceSolution", "enumerate_faces", "solve_face"]

_MAX_BRANCH_DEPTH = 12


@dataclass(frozen=True)
class Face:
    """A face of the state space, given by the support of each population.

    ``unknowns`` are the face's own free shares; ``subs`` maps every free share of the
    reduced system to its expression on the face; ``shares`` gives every share per population.
    """

    support: tuple[tuple[int, ...], ...]
    unknowns: tuple[sympy.Symbol, ...]
    subs: dict[sympy.Symbol, sympy.Expr]
    shares: tuple[tuple[sympy.Expr, ...], ...]
    label: str

    @property
    def dimension(self) -> int:
        """Dimension of the face."""
        return len(self.unknowns)


@dataclass(frozen=True)
class FaceSolution:
    """One solution of a face's equations.

    ``values`` maps the face's unknowns to exact values, or to expressions in the parameters,
    in ``intermediates`` (named quantities of a symbolic analysis) and, for a continuum, in
    the continuum's free unknowns ``free``. ``nonzero`` lists expressions (denominators of the
    elimination) that must not vanish for the solution to be valid.
    """

    face: Face
    values: dict[sympy.Symbol, sympy.Expr]
    free: tuple[sympy.Symbol, ...] = ()
    nonzero: tuple[sympy.Expr, ...] = ()
    intermediates: dict[sympy.Symbol, sympy.Expr] = field(default_factory=dict)
    extra_conditions: tuple = ()
    exact: bool = True
    notes: tuple[str, ...] = ()


def face_label(game: Game, support: Sequence[Sequence[int]]) -> str:
    """Label of a face (docs/cli.md): pure strategy name or support joined by ``+``."""
    parts = []
    for pop, sup in zip(game.populations, support):
        parts.append("+".join(pop.strategies[i] for i in sup))
    return ", ".join(parts)


def enumerate_faces(game: Game) -> list[Face]:
    """Every face of the state space, corners first, then by dimension and support order."""
    per_pop = []
    for pop in game.populations:
        subsets = [c for m in range(1, pop.k + 1) for c in itertools.combinations(range(pop.k), m)]
        per_pop.append(subsets)
    supports = list(itertools.product(*per_pop))
    supports.sort(key=lambda s: (sum(len(x) - 1 for x in s), s))
    return [_make_face(game, s) for s in supports]


def _make_face(game: Game, support: tuple[tuple[int, ...], ...]) -> Face:
    unknowns: list[sympy.Symbol] = []
    subs: dict[sympy.Symbol, sympy.Expr] = {}
    shares_all = []
    for pop, sup in zip(game.populations, support):
        syms = pop.share_symbols
        own = [syms[j] for j in sup[:-1]]
        unknowns.extend(own)
        shares = [sympy.Integer(0)] * pop.k
        for j, s in zip(sup[:-1], own):
            shares[j] = s
        shares[sup[-1]] = sympy.Integer(1) - sympy.Add(*own)
        for i, v in enumerate(pop.variables):
            subs[v] = shares[i]
        shares_all.append(tuple(shares))
    return Face(tuple(support), tuple(unknowns), subs, tuple(shares_all), face_label(game, support))


def face_equations(face: Face, payoffs: tuple[tuple[sympy.Expr, ...], ...]) -> list[sympy.Expr]:
    """Payoff equalities on the face: each strategy in use earns what the last one in use earns."""
    eqs = []
    for sup, f in zip(face.support, payoffs):
        last = f[sup[-1]].xreplace(face.subs)
        for j in sup[:-1]:
            eqs.append(f[j].xreplace(face.subs) - last)
    return eqs


# --------------------------------------------------------------------------- elimination
@dataclass
class _Branch:
    assigns: list[tuple[sympy.Symbol, PolyElement, PolyElement]]  # v = num/den, in order
    nonzero: list[PolyElement]
    root: tuple[sympy.Symbol, PolyElement] | None = None


def _content_free(f: PolyElement, unknown_idx: list[int]) -> PolyElement:
    """Divide out the factor of ``f`` that involves no unknown (parameters or a number): it
    does not vanish generically, and keeping it makes expressions grow at every step."""
    if f == 0:
        return f
    coeffs: dict[tuple[int, ...], PolyElement] = {}
    R = f.ring
    for monom, c in f.terms():
        key = tuple(monom[i] for i in unknown_idx)
        mono_rest = tuple(0 if i in unknown_idx else e for i, e in enumerate(monom))
        coeffs.setdefault(key, R.zero)
        coeffs[key] += R({mono_rest: c})
    g = None
    for c in coeffs.values():
        g = c if g is None else g.gcd(c)
        if g.is_ground:
            break
    if g is not None and not g.is_ground:
        f = f.exquo(g)
    # Normalise the number in front so that equal equations compare equal.
    return f.monic() if f.ring.domain.is_Field else f


def _involves(f: PolyElement, idx: int) -> bool:
    return f.degree(idx) > 0


def _substitute(f: PolyElement, v_idx: int, num: PolyElement, den: PolyElement) -> PolyElement:
    """``den**d * f(v = num/den)`` with ``d`` the degree of ``f`` in ``v`` (stays polynomial)."""
    d = f.degree(v_idx)
    if d <= 0:
        return f
    gen = f.ring.gens[v_idx]
    R = f.ring
    # Powers built by repeated multiplication: sympy refuses 0**0 for ring elements.
    num_pows, den_pows = [R.one], [R.one]
    for _ in range(d):
        num_pows.append(num_pows[-1] * num)
        den_pows.append(den_pows[-1] * den)
    out = R.zero
    for k in range(d + 1):
        c = f.coeff_wrt(gen, k)
        if c:
            out += c * num_pows[k] * den_pows[d - k]
    return out


def _eliminate(
    eqs: list[PolyElement],
    unknowns: list[int],
    symbolic: bool,
    depth: int = 0,
) -> list[_Branch]:
    R = eqs[0].ring if eqs else None
    work = []
    for e in eqs:
        if e == 0:
            continue
        e = _content_free(e, unknowns)
        if not any(_involves(e, i) for i in unknowns):
            # An equation free of the unknowns: a nonzero number (exact), or a parameter
            # expression that vanishes only on a lower-dimensional parameter set (symbolic).
            return []
        if e not in work:
            work.append(e)
    if not work:
        return [_Branch([], [])]
    if depth > _MAX_BRANCH_DEPTH:
        raise UnsolvedFace("elimination branched too deeply")
    # A share appearing linearly, preferring a coefficient free of other shares (no branch).
    best = None
    for ei, e in enumerate(work):
        for i in unknowns:
            if e.degree(i) == 1:
                gen = R.gens[i]
                a = e.coeff_wrt(gen, 1)
                branching = any(_involves(a, j) for j in unknowns)
                score = (branching, len(e.terms()))
                if best is None or score < best[0]:
                    best = (score, ei, i, a, e.coeff_wrt(gen, 0))
    if best is not None:
        (branching, _), ei, i, a, b = best
        num, den = -b, a
        rest = []
        for j, f in enumerate(work):
            if j == ei:
                continue
            g = _substitute(f, i, num, den)
            if branching and g != 0:
                # Roots of the coefficient are spurious here: they belong to the other branch.
                while True:
                    q, r = g.div(a)
                    if r != 0 or q == 0:
                        break
                    g = q
            rest.append(g)
        sym = R.symbols[i]
        out = []
        for br in _eliminate(rest, [j for j in unknowns if j != i], symbolic, depth + 1):
            br.assigns.insert(0, (sym, num, den))
            if branching:
                br.nonzero.append(a)
            out.append(br)
        if branching:
            # The coefficient vanishes: then so must the rest of the equation.
            others = [f for j, f in enumerate(work) if j != ei] + [a, b]
            out.extend(_eliminate(others, unknowns, symbolic, depth + 1))
        return out
    present = [i for i in unknowns if any(_involves(e, i) for e in work)]
    if len(present) == 1:
        g = work[0]
        for e in work[1:]:
            g = g.gcd(e)
        if not any(_involves(g, i) for i in unknowns):
            return []
        return [_Branch([], [], root=(R.symbols[present[0]], _content_free(g, unknowns)))]
    raise UnsolvedFace(f"{len(work)} equations nonlinear in every one of {len(present)} shares")


# --------------------------------------------------------------------------- solving a face
def _polynomial_system(
    eqs: list[sympy.Expr], unknowns: tuple[sympy.Symbol, ...]
) -> tuple[list[PolyElement], list[sympy.Expr], dict[sympy.Symbol, sympy.Expr], list[int]]:
    """Clear denominators and move to a sparse polynomial ring.

    Subexpressions that are not polynomial but do not involve the unknowns (``sqrt(p)``,
    ``1/C``, ``min(a, b)``) become opaque generators, so the ring's domain stays QQ.
    Returns the ring polynomials, the denominators (must be nonzero), the opaque generators and
    the indices of the unknowns among the ring's generators.
    """
    unknown_set = set(unknowns)
    opaque: dict[sympy.Expr, sympy.Symbol] = {}
    numerators = []
    denominators = []
    for e in eqs:
        num, den = sympy.fraction(sympy.together(e))
        for part in (num, den):
            _check_polynomial(part, unknown_set)
        numerators.append(num)
        if den.free_symbols & unknown_set:
            denominators.append(den)

    def opaque_atoms(expr: sympy.Expr) -> sympy.Expr:
        if isinstance(expr, sympy.NumberSymbol):
            # E, pi ...: constants the polynomial ring over QQ cannot hold; a generator each,
            # like exp(C) of a parameter value (issue 10 §2).
            if expr not in opaque:
                opaque[expr] = sympy.Symbol(f"_opaque{len(opaque)}")
            return opaque[expr]
        if expr.is_Atom:
            return expr
        if not (expr.free_symbols & unknown_set):
            if expr.is_Add or expr.is_Mul:
                return expr.func(*[opaque_atoms(a) for a in expr.args])
            if expr.is_Pow and expr.exp.is_Integer and expr.exp > 0:
                return opaque_atoms(expr.base) ** expr.exp
            if expr not in opaque:
                opaque[expr] = sympy.Symbol(f"_opaque{len(opaque)}")
            return opaque[expr]
        return expr.func(*[opaque_atoms(a) for a in expr.args])

    numerators = [opaque_atoms(sympy.expand(n)) for n in numerators]
    params = sorted(
        set().union(*(n.free_symbols for n in numerators)) - unknown_set if numerators else set(),
        key=lambda s: s.name,
    )
    gens = list(unknowns) + params
    R, *_ = ring(gens, sympy.QQ) if gens else ring([sympy.Symbol("_dummy")], sympy.QQ)
    try:
        polys = [R.from_expr(n) if n != 0 else R.zero for n in numerators]
    except (ValueError, TypeError, sympy.PolynomialError) as exc:
        raise UnsolvedFace(f"the equations are not polynomial in the shares ({exc})") from None
    return polys, denominators, {v: k for k, v in opaque.items()}, list(range(len(unknowns)))


def _check_polynomial(expr: sympy.Expr, unknowns: set[sympy.Symbol]) -> None:
    for node in sympy.preorder_traversal(expr):
        if not (getattr(node, "free_symbols", set()) & unknowns):
            continue
        if isinstance(node, sympy.Pow):
            if node.exp.free_symbols & unknowns:
                raise UnsolvedFace("a share appears in an exponent (not polynomial)")
            if not (node.exp.is_Integer and node.exp >= 0) and node.base.free_symbols & unknowns:
                raise UnsolvedFace("payoffs are not polynomial in the shares")
        elif not isinstance(node, (sympy.Add, sympy.Mul, sympy.Symbol, sympy.Number)):
            raise UnsolvedFace(
                f"payoffs involve {node.func.__name__} of the shares (not polynomial)"
            )


def solve_face(
    game: Game,
    face: Face,
    payoffs: tuple[tuple[sympy.Expr, ...], ...],
    *,
    symbolic: bool,
    reserved_names: set[str],
) -> list[FaceSolution]:
    """All rest points in the relative interior of ``face`` (before existence checks).

    ``payoffs`` are the expected payoffs, already holding exact parameter values unless
    ``symbolic``. Raises :class:`UnsolvedFace` when exact elimination does not apply (payoffs
    not polynomial in the shares, or equations nonlinear in every share with symbolic
    parameters); the caller then searches numerically.
    """
    if not face.unknowns:
        return [FaceSolution(face, {})]
    eqs = face_equations(face, payoffs)
    polys, dens, opaque, idx = _polynomial_system(eqs, face.unknowns)
    if not polys:
        return [FaceSolution(face, {}, free=face.unknowns)]
    try:
        branches = _eliminate(polys, idx, symbolic)
    except UnsolvedFace:
        if symbolic:
            raise
        return _solve_groebner(face, polys, dens, opaque)
    out = []
    for br in branches:
        out.extend(
            _realise(game, face, br, dens, opaque, symbolic=symbolic, reserved=reserved_names)
        )
    return out


def _realise(game, face, br: _Branch, dens, opaque, *, symbolic, reserved) -> list[FaceSolution]:
    """Turn an elimination branch into explicit solutions (one per root)."""
    eliminated = {s for s, _, _ in br.assigns}
    root_sym = br.root[0] if br.root else None
    free = tuple(u for u in face.unknowns if u not in eliminated and u != root_sym)

    def back(values: dict[sympy.Symbol, sympy.Expr], intermediates: dict) -> FaceSolution:
        vals = dict(values)
        for sym, num, den in reversed(br.assigns):
            n = num.as_expr().xreplace(opaque).xreplace(vals)
            d = den.as_expr().xreplace(opaque).xreplace(vals)
            vals[sym] = _simplify_value(n / d, symbolic)
        nonzero = [a.as_expr().xreplace(opaque).xreplace(vals) for a in br.nonzero]
        nonzero += [d.xreplace(face.subs).xreplace(vals) for d in dens]
        vals = {u: vals[u] for u in face.unknowns if u in vals}
        return FaceSolution(
            face,
            vals,
            free=free,
            nonzero=tuple(nonzero),
            intermediates=intermediates,
        )

    if br.root is None:
        return [back({}, {})]
    sym, g = br.root
    gen_index = g.ring.symbols.index(sym)
    degree = g.degree(gen_index)
    coeffs = [
        g.coeff_wrt(g.ring.gens[gen_index], k).as_expr().xreplace(opaque)
        for k in range(degree, -1, -1)
    ]
    if not symbolic:
        poly = sympy.Poly(coeffs, sympy.Dummy("t"))
        sols = []
        for r in _real_roots(poly):
            sols.append(back({sym: r}, {}))
        return sols
    if degree == 1:
        return [back({sym: _simplify_value(-coeffs[1] / coeffs[0], True)}, {})]
    names = _fresh_names(reserved, [f"e{k}" for k in range(degree, -1, -1)] + ["disc"])
    csyms = [sympy.Symbol(n, real=True) for n in names[:-1]]
    inter: dict[sympy.Symbol, sympy.Expr] = dict(zip(csyms, coeffs))
    if degree == 2:
        e2, e1, e0 = csyms
        disc = sympy.Symbol(names[-1], real=True)
        elimination = sympy.Add(*[c * sym ** (2 - k) for k, c in enumerate(csyms)])
        inter[disc] = e1**2 - 4 * e2 * e0
        sols = []
        for sign in (-1, 1):
            root = (-e1 + sign * sympy.sqrt(disc)) / (2 * e2)
            sol = back({sym: root}, inter)
            sols.append(
                FaceSolution(
                    sol.face,
                    sol.values,
                    sol.free,
                    sol.nonzero,
                    sol.intermediates,
                    extra_conditions=(sympy.StrictGreaterThan(disc, 0),),
                    notes=(f"{sym} is a root of {elimination} = 0 (elimination polynomial)",),
                )
            )
        return sols
    rsym = sympy.Symbol(_fresh_names(reserved, [f"{sym.name}_root"])[0], real=True)
    poly_text = sympy.Add(*[c * rsym ** (degree - k) for k, c in enumerate(csyms)])
    sol = back({sym: rsym}, inter)
    return [
        FaceSolution(
            sol.face,
            sol.values,
            sol.free,
            sol.nonzero,
            sol.intermediates,
            notes=(f"{rsym} is any real root in (0, 1) of {poly_text} = 0",),
        )
    ]


def _fresh_names(reserved: set[str], wanted: list[str]) -> list[str]:
    out = []
    for w in wanted:
        name, n = w, 1
        while name in reserved:
            n += 1
            name = f"{w}_{n}"
        reserved.add(name)
        out.append(name)
    return out


def _real_roots_transcendental(coeffs: list[sympy.Expr]) -> list[sympy.Expr]:
    """Real roots of a polynomial of degree 1 or 2 whose coefficients hold constants such as
    log(2) or exp(1/2) (factoring over QQ does not apply); higher degrees are left to the
    numeric search. Signs come from exact_sign (certified intervals)."""
    from ._errors import UndecidedError
    from ._exact import exact_sign

    try:
        while coeffs and exact_sign(coeffs[0]) == 0:
            coeffs = coeffs[1:]
        if len(coeffs) == 2:
            return [-coeffs[1] / coeffs[0]]
        if len(coeffs) == 3:
            a, b, c = coeffs
            disc = b**2 - 4 * a * c
            sign = exact_sign(disc)
            if sign < 0:
                return []
            if sign == 0:
                return [-b / (2 * a)]
            roots = [(-b - sympy.sqrt(disc)) / (2 * a), (-b + sympy.sqrt(disc)) / (2 * a)]
            return sorted(roots, key=lambda r: float(r.evalf(30)))
    except (UndecidedError, ValueError) as exc:
        raise UnsolvedFace(f"face equation with constants not decided exactly ({exc})") from None
    if len(coeffs) <= 1:
        return []
    raise UnsolvedFace("face equation of degree above 2 with transcendental coefficients")


def _real_roots(poly: sympy.Poly) -> list[sympy.Expr]:
    """Exact real roots: rationals, square roots for quadratic factors, CRootOf otherwise."""
    out: list[sympy.Expr] = []
    if poly.degree() <= 0:
        return out
    coeffs = poly.all_coeffs()
    if not all(c.is_Rational for c in coeffs):
        return _real_roots_transcendental(coeffs)
    _, factors = sympy.Poly(poly.as_expr(), poly.gen, domain="QQ").factor_list()
    for f, _mult in factors:
        if f.degree() <= 2:
            out.extend(r for r in sympy.roots(f, multiple=True) if r.is_real)
        else:
            out.extend(f.real_roots())
    return sorted(set(out), key=lambda r: float(r.evalf(30)))


def _simplify_value(v: sympy.Expr, symbolic: bool) -> sympy.Expr:
    """A tidy exact form: cancelled and factored formulas (when small), rationalised
    denominators for square roots, numbers as they are otherwise."""
    from ._conditions import expr_size

    if v.is_Rational:
        return v
    if symbolic:
        return sympy.factor(cancel(v)) if expr_size(v, 400) < 400 else v
    if v.is_number and v.has(sympy.Pow) and not v.has(sympy.CRootOf):
        v = sympy.radsimp(v)
        if expr_size(v, 60) >= 60:
            return v
        # nsimplify may return a nearby rational instead of an equal form (EPS/(1 + EPS)
        # with EPS ~ 1.7e-21 became 0): its answer is kept only when proved equal.
        candidate = sympy.nsimplify(v)
        return candidate if _proved_equal(candidate, v) else v
    return v


def _proved_equal(a: sympy.Expr, b: sympy.Expr) -> bool:
    """True when a - b is exactly zero (exact_sign: minimal polynomial for algebraic
    numbers); False when it is not or cannot be decided."""
    from ._errors import UndecidedError
    from ._exact import exact_sign

    if a == b:
        return True
    try:
        return exact_sign(a - b) == 0
    except (UndecidedError, ValueError, TypeError):
        return False


def _check_bezout(exprs: list[sympy.Expr], syms: list[sympy.Symbol]) -> None:
    """Budget of exact elimination: a lex Groebner basis of equations whose Bezout bound
    (the product of their total degrees) exceeds the ``degree`` limit of
    :mod:`lmc_games._limits` can take minutes (payoffs (1 + x)**16 took 105 s); such a face
    is searched numerically instead. Deterministic: the same game always goes the same way."""
    from ._limits import limit

    cap = limit("degree")
    bound = 1
    for e in exprs:
        bound *= max(1, sympy.Poly(e, *syms).total_degree())
        if bound > cap:
            raise UnsolvedFace(
                f"nonlinear face equations with a Bezout bound above {cap}, the budget of "
                "exact elimination (LMC_GAMES_MAX_DEGREE)"
            )


def _solve_groebner(face, polys, dens, opaque) -> list[FaceSolution]:
    """Exact solutions of a nonlinear system with rational coefficients, by a lex Groebner
    basis (shape lemma case); raises UnsolvedFace when the ideal is not in shape position."""
    exprs = [p.as_expr().xreplace(opaque) for p in polys if p != 0]
    syms = list(face.unknowns)
    if any(e.free_symbols - set(syms) for e in exprs):
        raise UnsolvedFace("parameters remain in a nonlinear face system")
    _check_bezout(exprs, syms)
    try:
        G = sympy.groebner(exprs, *syms, order="lex", domain="QQ")
    except sympy.polys.polyerrors.CoercionFailed:
        # Coefficients hold constants such as e or exp(1/2): not over QQ.
        raise UnsolvedFace("a nonlinear face system with transcendental constants") from None
    if list(G.exprs) == [1]:
        return []
    try:
        solutions = sympy.solve_poly_system(list(G.exprs), *syms)
    except (NotImplementedError, sympy.PolynomialError) as exc:  # positive-dimensional
        raise UnsolvedFace(f"nonlinear face without isolated solutions: {exc}") from None
    out = []
    for sol in solutions or []:
        vals = dict(zip(syms, sol))
        if all(v.is_real is not False for v in vals.values()):
            nonzero = tuple(d.xreplace(face.subs).xreplace(vals) for d in dens)
            out.append(FaceSolution(face, vals, nonzero=nonzero))
    return out
