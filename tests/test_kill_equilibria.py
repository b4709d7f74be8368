"""Face solving paths of ``_equilibria`` that the bundled models do not reach, each against a
hand computation (tests written to kill surviving mutants of tools/mutation.py, issue 14).

* A face whose equations are nonlinear in every share goes to the exact lex Groebner basis
  (shape lemma) when the parameters have values.
* Parameter subexpressions that are not polynomial (``sqrt(p)``) become opaque generators of
  the polynomial ring and come back in the symbolic rest point.
"""

import sympy

from lmc_games import Game, analyze


def _two_population(f1, f2):
    pops = [
        {"name": "p1", "strategies": ["a", "b"], "share": "x"},
        {"name": "p2", "strategies": ["c", "d"], "share": "y"},
    ]
    # Payoff of a (resp. c) is f1 (resp. f2) whatever the other population plays; b and d earn
    # 0. So on the interior face the rest points are the common zeros of f1 and f2.
    pay = {"a, c": [f1, f2], "a, d": [f1, 0], "b, c": [0, f2], "b, d": [0, 0]}
    return Game.from_table(pops, pay)


def test_face_nonlinear_in_every_share_is_solved_exactly_by_groebner():
    """f1 = x**2 + y**2 - 1/2, f2 = x**2 y**2 - 1/64: no share appears linearly, so elimination
    cannot start and the exact Groebner path must. By hand, with x, y > 0: xy = 1/8, so
    (x + y)**2 = 1/2 + 1/4 = 3/4 and (x - y)**2 = 1/2 - 1/4 = 1/4, x + y = sqrt(3)/2,
    x - y = +-1/2: (x, y) = ((sqrt(3) + 1)/4, (sqrt(3) - 1)/4) and the swap; both in (0, 1)."""
    a = analyze(_two_population("x**2 + y**2 - 1/2", "x**2*y**2 - 1/64"))
    assert a.complete is True
    interior = [r for r in a.rest_points if r.label.startswith("a+b, c+d")]
    coords = [{str(k): v for k, v in r.coordinates.items()} for r in interior]
    got = sorted(((c["x"], c["y"]) for c in coords), key=lambda p: float(p[0]))
    hi, lo = (sympy.sqrt(3) + 1) / 4, (sympy.sqrt(3) - 1) / 4
    assert len(got) == 2
    for (gx, gy), (ex, ey) in zip(got, [(lo, hi), (hi, lo)]):
        assert sympy.simplify(gx - ex) == 0 and sympy.simplify(gy - ey) == 0
    assert all(r.exact for r in interior)


def test_a_square_root_of_a_parameter_is_kept_through_symbolic_elimination():
    """A = [[0, sqrt(p)], [1, 0]]: f_s = (1 - x) sqrt(p), f_t = x, equal at
    x = sqrt(p)/(1 + sqrt(p)) (by hand); at p = 4 that is 2/3."""
    g = Game.symmetric(
        [[0, "sqrt(p)"], [1, 0]], ["s", "t"], parameters={"p": {"value": 4, "min": 0}}
    )
    p = sympy.Symbol("p", positive=True)
    sym = analyze(g, symbolic=True)["s+t"]
    (value,) = sym.coordinates.values()
    # The library's p may carry other assumptions: compare after renaming it to ours.
    value = value.xreplace({s: p for s in value.free_symbols if s.name == "p"})
    assert sympy.simplify(value - sympy.sqrt(p) / (1 + sympy.sqrt(p))) == 0
    numeric = analyze(g)["s+t"].coordinates
    assert {str(k): v for k, v in numeric.items()} == {"x": sympy.Rational(2, 3)}


def test_a_common_linear_factor_of_nonlinear_equations_is_a_symbolic_root_of_degree_one():
    """f1 = y**2 - y/2 = y (y - 1/2) and f2 = y**2 - 1/4 = (y - 1/2)(y + 1/2): no share
    appears linearly, x appears nowhere, and the only common zero in (0, 1) is y = 1/2, the
    greatest common divisor (by hand). So the interior face holds the segment y = 1/2, x free,
    in the symbolic analysis as in the numeric one."""
    g = _two_population("y**2 - y/2", "y**2 - 1/4")
    for symbolic in (True, False):
        [seg] = [c for c in analyze(g, symbolic=symbolic).continua if c.face == "a+b, c+d"]
        values = {str(k): v for k, v in seg.parametrisation.items()}
        assert values["y"] == sympy.Rational(1, 2), symbolic
        assert seg.dimension == 1


def test_a_symbolic_rest_point_from_the_vanishing_coefficient_branch_of_degree_one():
    """f1 = (y**2 - 1/4) x + y**2 - y/2 and f2 = (y + 1)(x - 1/3). Both are linear in x with
    coefficients that depend on y, so elimination branches. Where y**2 - 1/4 and y**2 - y/2
    both vanish (their gcd y - 1/2, by hand), f1 = 0 for every x and f2 = 0 gives x = 1/3:
    the rest point (1/3, 1/2). Elsewhere x = -(y**2 - y/2)/(y**2 - 1/4) = -y/(y + 1/2) < 0,
    outside the state space. The numeric analysis finds exactly (1/3, 1/2) inside; the symbolic
    one must list it too, through its root of degree one."""
    g = _two_population("(y**2 - 1/4)*x + y**2 - y/2", "(y + 1)*(x - 1/3)")
    want = {"x": sympy.Rational(1, 3), "y": sympy.Rational(1, 2)}

    def interior(a):
        return [
            {str(k): v for k, v in r.coordinates.items()}
            for r in a.rest_points
            if r.label.startswith("a+b, c+d")
        ]

    assert interior(analyze(g)) == [want]
    assert want in interior(analyze(g, symbolic=True))
