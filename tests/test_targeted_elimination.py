"""Degenerate three-population games whose face elimination must branch.

In a 2x2x2 game each population's payoff advantage is bilinear in the other two populations'
shares, so on the interior face every share that appears linearly does so with a coefficient
that depends on another share. Eliminating it divides by that coefficient, and the rest points
where the coefficient vanishes — a plane inside the cube, a subvariety — must be found on a
separate branch. No bundled model exercises that branch.

The games are built so the expected answer can be read off by hand: population i's advantage
of its strategy a over b is a product of two linear factors, ``(s_j - c)(s_k - d)``, so the
interior rest points are the common zeros of three such products. Each expected answer is
derived in the test's docstring and checked again by an independent solver: sympy's
``solve_poly_system`` on the equations written out here, and Newton's method (scipy ``fsolve``)
from 216 starts.
"""

import itertools

import numpy as np
import sympy
from scipy.optimize import fsolve
from sympy import Rational as R

from lmc_games import Game, analyze

x, y, z = sympy.symbols("x y z")


def _game(c1, c2, c3):
    """Payoff of a for population 1 at a pure profile: (1[s2 = a] - c1[0])(1[s3 = a] - c1[1]),
    of b: 0; expected over the others' shares this is (y - c1[0])(z - c1[1]) (multilinear).
    Populations 2 and 3 likewise with (x, z) and (x, y)."""

    def ind(s):
        return 1 if s == "a" else 0

    pays = {}
    for s1, s2, s3 in itertools.product("ab", repeat=3):
        u1 = (ind(s2) - c1[0]) * (ind(s3) - c1[1]) if s1 == "a" else 0
        u2 = (ind(s1) - c2[0]) * (ind(s3) - c2[1]) if s2 == "a" else 0
        u3 = (ind(s1) - c3[0]) * (ind(s2) - c3[1]) if s3 == "a" else 0
        pays[f"{s1}, {s2}, {s3}"] = [u1, u2, u3]
    pops = [
        {"name": f"p{i}", "strategies": ["a", "b"], "share": s}
        for i, s in enumerate("xyz", start=1)
    ]
    return Game.from_table(pops, pays)


def _equations(c1, c2, c3):
    return [(y - c1[0]) * (z - c1[1]), (x - c2[0]) * (z - c2[1]), (x - c3[0]) * (y - c3[1])]


def _interior(analysis):
    out = []
    for r in analysis.rest_points:
        if r.label.startswith("a+b, a+b, a+b"):
            c = {s.name: v for s, v in r.coordinates.items()}
            out.append((c["x"], c["y"], c["z"]))
    return out


def _newton_roots(eqs):
    f = sympy.lambdify([(x, y, z)], eqs, "numpy")
    roots = []
    grid = np.linspace(0.08, 0.92, 6)
    for start in itertools.product(grid, repeat=3):
        sol, info, ok, _ = fsolve(lambda v: f(v), start, full_output=True, xtol=1e-13)
        if ok != 1 or np.max(np.abs(f(sol))) > 1e-12:
            continue
        if not np.all((sol > 1e-9) & (sol < 1 - 1e-9)):
            continue
        if all(np.max(np.abs(sol - r)) > 1e-6 for r in roots):
            roots.append(sol)
    return roots


C_TWO = ((R(1, 2), R(1, 3)), (R(1, 3), R(2, 3)), (R(1, 2), R(2, 3)))


def test_two_interior_rest_points_on_one_face_are_both_found_and_complete():
    """Equations (y - 1/2)(z - 1/3) = 0, (x - 1/3)(z - 2/3) = 0, (x - 1/2)(y - 2/3) = 0.
    By cases: y = 1/2 forces x = 1/2 in the third (y != 2/3), then z = 2/3 in the second
    (x != 1/3): (1/2, 1/2, 2/3). z = 1/3 forces x = 1/3 in the second, then y = 2/3 in the
    third: (1/3, 2/3, 1/3). The second lies where the coefficient (z - 1/3) of y in the first
    equation vanishes, so only the branch for that case finds it."""
    expected = {(R(1, 2), R(1, 2), R(2, 3)), (R(1, 3), R(2, 3), R(1, 3))}
    eqs = _equations(*C_TWO)
    independent = {tuple(s) for s in sympy.solve_poly_system(eqs, x, y, z)}
    assert independent == expected
    newton = _newton_roots(eqs)
    assert len(newton) == 2
    assert all(min(max(abs(float(a) - b) for a, b in zip(p, r)) for p in expected) < 1e-9
               for r in newton)  # fmt: skip

    a = analyze(_game(*C_TWO))
    assert set(_interior(a)) == expected
    assert a.complete is True
    assert not a.continua
    # The numbering of DESIGN §4: ' #2' for the larger first share (x = 1/2 > 1/3).
    assert a["a+b, a+b, a+b"].coordinates[next(iter(a["a+b, a+b, a+b"].coordinates))] == R(1, 3)
    assert "a+b, a+b, a+b #2" in [r.label for r in a.rest_points]


def test_branch_found_points_are_rest_points_of_the_field():
    """Every interior point the library reports zeroes the replicator field written by hand:
    x' = x(1-x)(y-1/2)(z-1/3), y' = y(1-y)(x-1/3)(z-2/3), z' = z(1-z)(x-1/2)(y-2/3)."""
    eqs = _equations(*C_TWO)
    for p in _interior(analyze(_game(*C_TWO))):
        vals = dict(zip((x, y, z), p))
        assert all(e.subs(vals) == 0 for e in eqs)


def test_coefficient_vanishing_on_a_plane_gives_two_lines_of_rest_points():
    """Equations (y - 1/2)(z - 1/3), (x - 1/3)(z - 1/3), (x - 1/2)(y - 2/3). Off the plane
    z = 1/3 the first two force y = 1/2 and x = 1/3, and then the third is
    (1/3 - 1/2)(1/2 - 2/3) = 1/36 != 0: no isolated interior point. On the plane z = 1/3 the
    first two vanish and the third leaves two lines: {x = 1/2, z = 1/3} (y free) and
    {y = 2/3, z = 1/3} (x free). All of them sit where the elimination's coefficient
    vanishes."""
    c = ((R(1, 2), R(1, 3)), (R(1, 3), R(1, 3)), (R(1, 2), R(2, 3)))
    eqs = _equations(*c)
    # Independent: every isolated solution sympy's solve finds lies on z = 1/3 (it returns
    # the lines parametrised), and the point off the plane fails the third equation.
    for sol in sympy.solve(eqs, [x, y, z], dict=True):
        assert sol[z] == R(1, 3)
    assert eqs[2].subs({x: R(1, 3), y: R(1, 2)}) == R(1, 36)

    a = analyze(_game(*c))
    assert _interior(a) == []
    lines = [k for k in a.continua if k.face == "a+b, a+b, a+b"]
    assert len(lines) == 2 and all(k.dimension == 1 for k in lines)
    found = set()
    for k in lines:
        p = {s.name: e for s, e in k.parametrisation.items()}
        # Every point of the line is a rest point: the equations vanish identically in t.
        assert all(sympy.simplify(e.subs({x: p["x"], y: p["y"], z: p["z"]})) == 0 for e in eqs)
        assert sympy.simplify(p["z"] - R(1, 3)) == 0
        if sympy.simplify(p["x"] - R(1, 2)) == 0:
            found.add("x = 1/2")
        if sympy.simplify(p["y"] - R(2, 3)) == 0:
            found.add("y = 2/3")
    assert found == {"x = 1/2", "y = 2/3"}


def test_a_face_whose_equations_vanish_identically_is_one_continuum():
    """A = [[1, 1], [1, 1]]: every strategy always earns 1, so x' = 0 everywhere: the whole
    edge is a segment of rest points (the face equation is 0 = 0), and each corner has the
    eigenvalue 0 (A[t][s] - A[s][s] = 0): non-hyperbolic, never stable."""
    a = analyze(Game.symmetric([[1, 1], [1, 1]], ["s", "t"]))
    [c] = a.continua
    assert c.face == "s+t" and c.dimension == 1
    assert [(r.label, r.stability.value) for r in a.rest_points] == [
        ("s", "non-hyperbolic"),
        ("t", "non-hyperbolic"),
    ]
