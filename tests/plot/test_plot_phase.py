"""Phase diagrams: every bundled model draws, and the drawing shows what the analysis found.

Content is read back from the artists: marker positions and styles, trajectory coordinates,
nullcline positions. Expected values come from the literature (cited), from the analysis
the portrait was built on, and from an independent integration with scipy's solve_ivp.
"""

from __future__ import annotations

import math
import subprocess
import sys
import warnings

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from scipy.integrate import solve_ivp

from lmc_games import Game, LmcGamesError, analyze, bundled_models, load_model, plot

SQRT3_2 = math.sqrt(3) / 2


def _rest_artists(art):
    """verdict -> (K, 2 or 3) array of marker positions, read from the artists."""
    out = {}
    for a in art.rest_points:
        gid = a.get_gid()
        assert gid.startswith("rest-points:")
        key = gid.split(":", 1)[1]
        if hasattr(a, "get_data_3d"):
            data = np.column_stack(a.get_data_3d())
        else:
            data = np.asarray(a.get_xydata())
        out.setdefault(key, []).append(data)
    return {k: np.vstack(v) for k, v in out.items()}


def _by_verdict(analysis, mapping=lambda s: s):
    out = {}
    for r in analysis.rest_points:
        free = [v for pop in r.numeric_shares for v in pop[:-1]]
        out.setdefault(r.stability.value, []).append(mapping(np.array(free)))
    return {k: np.array(v) for k, v in out.items()}


def _same_points(a, b, tol=1e-9):
    a, b = np.asarray(a, float), np.asarray(b, float)
    assert a.shape == b.shape, (a, b)
    for p in a:
        assert np.min(np.max(np.abs(b - p), axis=1)) < tol, (p, b)


def _barycentric(xy):
    """Barycentric coordinates of Cartesian points of the triangle with the first strategy
    on top (0.5, sqrt(3)/2), the second at (0, 0), the third at (1, 0) — inverted here by
    hand, independently of the package's forward map."""
    x, y = np.asarray(xy, float).T
    x1 = y / SQRT3_2
    x3 = x - x1 / 2
    return np.column_stack([x1, 1 - x1 - x3, x3])


def _axes(projection=None):
    fig = Figure(figsize=(3.5, 2.6), layout="constrained")
    return fig.add_subplot(projection=projection)


def _three_player_game():
    """A three-population coordination game: every population gains 1 when all three play
    the same strategy. Pure corners (c,c,c) and (d,d,d) are strict Nash, hence stable
    (Selten 1980); at the other corners one population gains by switching."""
    table = {}
    for prof in ["ccc", "ccd", "cdc", "cdd", "dcc", "dcd", "ddc", "ddd"]:
        win = 1 if prof in ("ccc", "ddd") else 0
        table[tuple(prof)] = [win, win, win]
    pops = [("a", ["c", "d"]), ("b", ["c", "d"]), ("e", ["c", "d"])]
    return Game.from_table(pops, table, name="three_coordination")


# --------------------------------------------------------------------------- every model
@pytest.fixture(scope="module")
def tmp_out(tmp_path_factory):
    return tmp_path_factory.mktemp("phase")


@pytest.mark.parametrize("model", bundled_models())
def test_every_bundled_model_draws_its_phase_diagram_without_warnings(model, tmp_out):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        game = load_model(model)
        # Short runs keep the test fast; the default run lengths are tested model by model.
        fig = plot.phase_figure(game, t_end=4, shading_grid=40)
        for ext in ("pdf", "svg", "png"):
            path = plot.save(fig, tmp_out / f"{model}.{ext}")
            assert path.stat().st_size > 2000
    head = (tmp_out / f"{model}.png").read_bytes()[:8]
    assert head == b"\x89PNG\r\n\x1a\n"
    assert (tmp_out / f"{model}.pdf").read_bytes().startswith(b"%PDF")
    # Every analysed rest point is marked, once per panel.
    lines = _marker_lines(fig)
    panels = len({ln.axes for ln in lines})
    marked = sum(len(ln.get_xydata()) for ln in lines)
    expected = sum(1 for r in analyze(game).rest_points if r.numeric_shares is not None)
    assert panels >= 1 and marked == expected * panels


def _marker_lines(fig):
    out = []
    for ax in fig.axes:
        for ln in ax.lines:
            gid = ln.get_gid() or ""
            if gid.startswith("rest-points:") and gid != "rest-points:centre-dot":
                out.append(ln)
    return out


# --------------------------------------------------------------------------- markers
def test_square_markers_sit_at_the_rest_points_with_their_verdicts():
    # Hawk–dove between owners and intruders (V = 2, C = 3): the two conventions (hawk, dove)
    # and (dove, hawk) are stable, the interior point (V/C, V/C) = (2/3, 2/3) is a saddle
    # (Maynard Smith & Parker 1976; Selten 1980), (hawk, hawk) and (dove, dove) repel.
    game = load_model("hawk_dove_roles")
    pp = plot.portrait(game, t_end=5)
    art = plot.phase_square(pp, _axes())
    got = _rest_artists(art)
    _same_points(got["stable"], [[1, 0], [0, 1]])
    _same_points(got["unstable"], [[1, 1], [0, 0]])
    _same_points(got["saddle"], [[2 / 3, 2 / 3]])
    _same_points(got["saddle"], _by_verdict(pp.analysis)["saddle"])
    styles = {a.get_gid(): a for a in art.rest_points}
    black, white = to_rgba("#1a1a1a"), to_rgba("white")
    st_ = styles["rest-points:stable"]
    assert st_.get_fillstyle() == "full" and to_rgba(st_.get_markerfacecolor()) == black
    un = styles["rest-points:unstable"]
    assert un.get_fillstyle() == "full" and to_rgba(un.get_markerfacecolor()) == white
    sa = styles["rest-points:saddle"]
    assert sa.get_fillstyle() == "left"
    assert to_rgba(sa.get_markerfacecolor()) == black
    assert to_rgba(sa.get_markerfacecoloralt()) == white
    # The legend names each verdict shown.
    assert [t.get_text() for t in art.legend.get_texts()][:3] == ["stable", "unstable", "saddle"]


def test_centre_is_a_ring_with_a_dot_and_nullclines_cross_there():
    # Tsebelis's inspection game (g=1, f=4, c=1, r+l=4): the centre is at p* = g/f = 1/4,
    # q* = c/(r + l) = 1/4 (Tsebelis 1989); p' = 0 on q = q*, q' = 0 on p = p*.
    game = load_model("inspection")
    pp = plot.portrait(game, t_end=5)
    art = plot.phase_square(pp, _axes())
    got = _rest_artists(art)
    _same_points(got["centre"], [[0.25, 0.25]])
    _same_points(got["centre-dot"], [[0.25, 0.25]])
    styles = {a.get_gid(): a for a in art.rest_points}
    ring, dot = styles["rest-points:centre"], styles["rest-points:centre-dot"]
    assert to_rgba(ring.get_markerfacecolor()) == to_rgba("white")
    assert dot.get_markersize() < 0.5 * ring.get_markersize()
    assert to_rgba(dot.get_markerfacecolor()) == to_rgba("#1a1a1a")
    p_null = np.vstack([ln.get_xydata() for ln in art.nullclines if ln.get_gid() == "nullcline:0"])
    q_null = np.vstack([ln.get_xydata() for ln in art.nullclines if ln.get_gid() == "nullcline:1"])
    assert np.allclose(p_null[:, 1], 0.25, atol=1e-3)
    assert np.allclose(q_null[:, 0], 0.25, atol=1e-3)
    assert "centre" in [t.get_text() for t in art.legend.get_texts()]


def test_non_hyperbolic_corner_and_continuum_are_marked():
    # Row advantage y, column advantage 30x - 25: the edge y = 0 is a segment of rest points
    # and the corner (r2, c2) has eigenvalues (-25, 0): non-hyperbolic (DESIGN §2).
    game = Game.bimatrix([[1, 0], [0, 0]], [[5, 0], [-25, 0]], name="segment")
    pp = plot.portrait(game, t_end=3)
    art = plot.phase_square(pp, _axes())
    got = _rest_artists(art)
    _same_points(got["non-hyperbolic"], [[0, 0]])
    nh = {a.get_gid(): a for a in art.rest_points}["rest-points:non-hyperbolic"]
    assert nh.get_marker() == "D"
    assert len(art.continua) == 1
    seg = art.continua[0].get_xydata()
    assert np.allclose(seg[:, 1], 0) and seg[:, 0].min() < 0.01 and seg[:, 0].max() > 0.99
    assert "rest points (continuum)" in [t.get_text() for t in art.legend.get_texts()]


def test_line_markers_and_flow_directions():
    # Hawk–dove (V = 2, C = 3): interior ESS at x* = V/C = 2/3 (Maynard Smith 1982); the
    # flow runs towards it from both sides.
    pp = plot.portrait(load_model("hawk_dove"))
    art = plot.phase_line(pp, _axes())
    got = _rest_artists(art)
    _same_points(got["stable"], [[2 / 3, 0]])
    _same_points(got["unstable"], [[0, 0], [1, 0]])
    arrows = sorted((f.position[0], f.direction[0]) for f in pp.edge_flow)
    assert len(arrows) == 2 and arrows[0][1] > 0 and arrows[1][1] < 0
    assert len(art.flow) == 2
    rate = art.field[0].get_xydata()
    # The graph of x' = x(1-x)(V - Cx)/2, written out by hand.
    x = rate[:, 0]
    assert np.allclose(rate[:, 1], x * (1 - x) * (2 - 3 * x) / 2, atol=1e-12)


def test_triangle_markers_in_barycentric_coordinates():
    # Zero-sum rock–paper–scissors: interior centre at the barycentre, saddle vertices
    # (Hofbauer & Sigmund 1998, ch. 7).
    pp = plot.portrait(load_model("rock_paper_scissors"), t_end=5)
    art = plot.phase_triangle(pp, _axes())
    got = {k: _barycentric(v) for k, v in _rest_artists(art).items()}
    _same_points(got["centre"], [[1 / 3, 1 / 3, 1 / 3]])
    _same_points(got["saddle"], np.eye(3))
    labels = [t.get_text() for t in art.extra["vertex_labels"]]
    assert labels == ["rock", "paper", "scissors"]
    # Each label sits at its vertex.
    for t, corner in zip(art.extra["vertex_labels"], np.eye(3)):
        _same_points(_barycentric([t.xy]), [corner])


def test_cube_markers_and_projections():
    game = _three_player_game()
    pp = plot.portrait(game, t_end=8)
    art = plot.phase_cube(pp, _axes("3d"))
    got = _rest_artists(art)
    _same_points(got["stable"], [[1, 1, 1], [0, 0, 0]])
    for verdict, points in _by_verdict(pp.analysis).items():
        _same_points(got[verdict], points)
    assert got["unstable"].shape[0] == 6
    for ln in art.trajectories:
        xyz = np.column_stack(ln.get_data_3d())
        assert np.all(xyz >= -1e-12) and np.all(xyz <= 1 + 1e-12)
    fig = Figure(figsize=(7, 2.5), layout="constrained")
    axes = fig.subplots(1, 3)
    art2 = plot.phase_cube(pp, list(axes), projections=True)
    assert len(art2.axes) == 3
    # Projections onto (x, z): the stable corners project to (1, 1) and (0, 0).
    got2 = {}
    for a in art2.rest_points:
        if a.axes is axes[1]:
            got2.setdefault(a.get_gid(), []).append(a.get_xydata())
    _same_points(np.vstack(got2["rest-points:stable"]), [[1, 1], [0, 0]])
    with pytest.raises(LmcGamesError, match="3-D axes"):
        plot.phase_cube(pp, _axes())


# --------------------------------------------------------------------------- trajectories
@pytest.mark.parametrize("model", ["rock_paper_scissors", "mechanism_overlap"])
def test_triangle_trajectories_stay_in_the_simplex(model):
    if model not in bundled_models():
        pytest.skip(f"{model} is not bundled")
    pp = plot.portrait(load_model(model), t_end=20)
    art = plot.phase_triangle(pp, _axes())
    assert art.trajectories
    for ln in art.trajectories:
        bary = _barycentric(ln.get_xydata())
        assert np.all(bary >= -1e-9) and np.all(bary <= 1 + 1e-9)
        assert np.allclose(bary.sum(axis=1), 1)


def test_square_trajectories_stay_in_the_square_and_follow_the_field():
    # Independent check: integrate the hawk–dove role game with scipy's solve_ivp, from the
    # replicator equations written out by hand, and require each drawn point to lie on the
    # reference curve.
    V, C = 2.0, 3.0

    def rhs(_t, s):
        x, y = s
        return [x * (1 - x) * (V - C * y) / 2, y * (1 - y) * (V - C * x) / 2]

    start = [0.3, 0.6]
    pp = plot.portrait(load_model("hawk_dove_roles"), starts=[start])
    art = plot.phase_square(pp, _axes())
    drawn = art.trajectories[0].get_xydata()
    assert np.all(drawn >= 0) and np.all(drawn <= 1)
    ref = solve_ivp(rhs, (0, 80), start, rtol=1e-10, atol=1e-12, dense_output=True)
    curve = ref.sol(np.linspace(0, 80, 20001)).T
    gap = max(np.min(np.max(np.abs(curve - p), axis=1)) for p in drawn)
    assert gap < 2e-3
    assert np.allclose(drawn[-1], [0, 1], atol=2e-3)  # it settles at (dove, hawk)


def test_centre_orbits_are_closed():
    # Matching pennies: every interior orbit is closed around (1/2, 1/2) (constant of motion
    # x(1-x)y(1-y); Hofbauer & Sigmund 1998, sec. 10.2).
    pp = plot.portrait(load_model("matching_pennies"))
    for path in pp.trajectories:
        h = path[:, 0] * (1 - path[:, 0]) * path[:, 1] * (1 - path[:, 1])
        assert np.ptp(h) < 1e-4 * h.max()
        assert np.allclose(path[0], path[-1])


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(-3, 3), min_size=9, max_size=9))
def test_random_three_strategy_games_draw_inside_the_triangle(entries):
    A = [entries[0:3], entries[3:6], entries[6:9]]
    game = Game.symmetric(A, ["a", "b", "c"])
    pp = plot.portrait(game, t_end=4, shading_grid=12, grid=6)
    art = plot.phase_triangle(pp, _axes())
    for ln in art.trajectories:
        bary = _barycentric(ln.get_xydata())
        assert np.all(bary >= -1e-9) and np.all(bary <= 1 + 1e-9)
    n_marks = sum(len(a.get_xydata()) for a in art.rest_points if "dot" not in a.get_gid())
    assert n_marks == len(pp.rest_points)


# --------------------------------------------------------------------------- contracts
def test_drawing_checks_its_input():
    pp = plot.portrait(load_model("hawk_dove"))
    with pytest.raises(LmcGamesError, match="phase_diagram"):
        plot.phase_square(pp, _axes())
    with pytest.raises(LmcGamesError, match="PhasePortrait"):
        plot.phase_diagram(load_model("hawk_dove"), _axes())
    with pytest.raises(LmcGamesError, match="numeric analysis"):
        plot.portrait(
            load_model("hawk_dove"), analysis=analyze(load_model("hawk_dove"), symbolic=True)
        )
    other = analyze(load_model("hawk_dove").with_values(C=4))
    with pytest.raises(LmcGamesError, match="analyse the game you draw"):
        plot.portrait(load_model("hawk_dove"), analysis=other)
    with pytest.raises(LmcGamesError, match="field must be"):
        plot.phase_square(
            plot.portrait(load_model("matching_pennies"), t_end=2), _axes(), field="x"
        )


def test_portrait_records_what_is_drawn():
    pp = plot.portrait(load_model("matching_pennies"), t_end=3, grid=7)
    assert pp.geometry == "square" and pp.arrows.points.shape == (7, 7, 2)
    assert pp.arrows.spacing == pytest.approx(1 / 7)
    # Field at the sample points: x' = 2x(1-x)(2y-1), y' = 2y(1-y)(1-2x) (by hand).
    x, y = pp.arrows.points[..., 0], pp.arrows.points[..., 1]
    assert np.allclose(pp.arrows.velocity[..., 0], 2 * x * (1 - x) * (2 * y - 1))
    assert np.allclose(pp.arrows.velocity[..., 1], 2 * y * (1 - y) * (1 - 2 * x))
    assert "matching_pennies" in repr(pp)


def test_importing_the_package_does_not_import_pyplot():
    code = "import sys, lmc_games, lmc_games.plot; print('matplotlib.pyplot' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_phase_diagram_dispatches_on_geometry():
    assert plot.geometry_of((2,)) == "line"
    assert plot.geometry_of((2, 2, 2)) == "cube"
    assert plot.geometry_of((4,)) == "projections"
    with pytest.raises(LmcGamesError):
        plot.geometry_of((1,))
    g4 = Game.symmetric(
        [[0, 1, -1, 0], [-1, 0, 1, 0], [1, -1, 0, 0], [0, 0, 0, -1]], ["r", "p", "s", "q"]
    )
    fig = Figure(figsize=(7, 2.5), layout="constrained")
    axes = fig.subplots(1, 3)
    pp = plot.portrait(g4, t_end=4)
    assert pp.geometry == "projections"
    art = plot.phase_diagram(pp, list(axes))
    # Three free shares: three pairs, each panel showing every rest point.
    assert len(art.axes) == 3
    marked = sum(len(a.get_xydata()) for a in art.rest_points if "dot" not in a.get_gid())
    assert marked == 3 * len(pp.rest_points)
