"""Parameter sweeps: the analytic stability sweep, samples, chunking, resume and exports."""

from __future__ import annotations

import csv
import itertools
from concurrent.futures import ThreadPoolExecutor
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lmc_games._sweep as sweep_mod
from lmc_games import (
    Game,
    ParameterError,
    SweepError,
    analyze,
    compile_rest_points,
    latin_hypercube,
    load_model,
    random_points,
    sweep,
)


def _hawk_dove():
    return Game.symmetric(
        [["(V - C)/2", "V"], [0, "V/2"]],
        ["hawk", "dove"],
        parameters={"V": {"value": 2, "min": 0}, "C": {"value": 3, "min": 0}},
    )


def _stable_by_analysis(game, values):
    g = game.with_values({k: Fraction(v) for k, v in values.items()})
    return tuple(r.label for r in analyze(g).rest_points if r.asymptotically_stable)


# ---------------------------------------------------------------- exact values from theory


def test_hawk_dove_thresholds_maynard_smith():
    # Maynard Smith (1982), Evolution and the Theory of Games, ch. 2: hawk is the ESS when
    # V > C; otherwise the mixed ESS plays hawk with probability V/C.
    r = sweep(_hawk_dove(), {"C": [0.5, 1, 1.5, 2, 2.5, 4]}, measure="stable")
    got = [r.stable_labels(i) for i in range(6)]
    assert got == [("hawk",)] * 3 + [()] + [("hawk+dove",)] * 2
    # C = V = 2 exactly: a zero eigenvalue, not asymptotically stable either way.


def test_inspection_interior_is_never_stable_tsebelis():
    # Tsebelis (1989): the mixed equilibrium of the inspection game is surrounded by closed
    # orbits (a centre), so no rest point is asymptotically stable while f > g.
    game = load_model("inspection")
    r = sweep(game, {"f": np.linspace(1.5, 10, 18), "c": [0.5, 1, 3]}, measure="stable")
    assert r.shape == (18, 3)
    # (inspect, violate) needs f < g = 1 and (no_inspect, violate) needs r + l = 4 < c.
    assert r.labels == ()
    assert all(r.stable_labels(i, j) == () for i in range(18) for j in range(3))


def test_water_use_thresholds_in_p():
    # issue 4, W3: (reasonable, reasonable) is stable iff p > max(p_L*, p_T*), with
    # p_i* = (C_i + dB_i + S_i - V_i - D_i) / (theta k F); at the defaults
    # p_L* = (3 + 4 + 1 - 2 - 1.5) / (0.8 * 1.5 * 8) = 4.5 / 9.6 and p_T* = 3.5 / 9.6.
    game = load_model("water_use")
    ps = np.linspace(0, 1, 201)
    r = sweep(game, {"p": ps}, measure="stable")
    rr = r.stable["reasonable, reasonable"]
    p_star = 4.5 / 9.6
    assert np.array_equal(rr, ps > p_star)


# ---------------------------------------------------------------- independent computation


def test_stable_sweep_equals_pointwise_analysis_on_a_grid_with_ties():
    game = load_model("inspection")
    fs = [Fraction(1, 2), Fraction(1), Fraction(3, 2), Fraction(4)]
    gs = [Fraction(1, 2), Fraction(1), Fraction(2)]
    r = sweep(game, {"f": [float(f) for f in fs], "g": [float(g) for g in gs]}, measure="stable")
    for (i, f), (j, g) in itertools.product(enumerate(fs), enumerate(gs)):
        assert r.stable_labels(i, j) == _stable_by_analysis(game, {"f": f, "g": g}), (f, g)


@settings(max_examples=25, deadline=None)
@given(
    V=st.fractions(min_value=0, max_value=10).filter(lambda v: v > 0),
    C=st.fractions(min_value=0, max_value=10),
)
def test_stable_sweep_agrees_with_exact_analysis(V, C):
    game = _hawk_dove()
    # Dyadic values are exact in binary, so the float sweep and the exact analysis see the
    # same game.
    V = Fraction(round(V * 64), 64) or Fraction(1, 64)
    C = Fraction(round(C * 64), 64)
    r = sweep(game, {"V": [float(V)], "C": [float(C)]}, measure="stable")
    assert r.stable_labels(0, 0) == _stable_by_analysis(game, {"V": V, "C": C})


def test_two_rest_points_on_a_face_are_numbered_by_share():
    # Advantage of A: (x - 1/4)(x - c). The interior rest points are x = 1/4 and x = c; the
    # one with the smaller share is the bare label, the other '#2' (DESIGN §4), whichever
    # of the two formulas gives it.
    game = Game.from_table(
        [{"name": "pop", "strategies": ["A", "B"], "share": "x"}],
        {"A": ["(x - 1/4)*(x - c)"], "B": [0]},
        parameters={"c": {"value": 0.5, "min": 0, "max": 1}},
        symmetric=False,
    )
    table = compile_rest_points(game, ["c"])
    vals = table.evaluate([[0.75], [0.1]])
    i1, i2 = vals.labels.index("A+B"), vals.labels.index("A+B #2")
    # The points come from the quadratic formula: equal to within rounding.
    assert vals.coordinates[0, [i1, i2], 0] == pytest.approx([0.25, 0.75], abs=1e-14)
    assert vals.coordinates[1, [i1, i2], 0] == pytest.approx([0.1, 0.25], abs=1e-14)
    for c, row in ((Fraction(3, 4), 0), (Fraction(1, 10), 1)):
        an = analyze(game.with_values(c=c))
        for rp in an.rest_points:
            k = vals.labels.index(rp.label)
            exact = float(rp.coordinates[game.variables[0]])
            assert vals.coordinates[row, k, 0] == pytest.approx(exact, abs=1e-14)
            assert vals.stable[row, k] == rp.asymptotically_stable


# ---------------------------------------------------------------- samples


def test_latin_hypercube_is_stratified_and_reproducible():
    s = latin_hypercube({"p": (0, 1), "F": (0, 20)}, 50, seed=3)
    for d, width in ((0, 1 / 50), (1, 20 / 50)):
        strata = np.floor(s.points[:, d] / width).astype(int)
        assert sorted(strata.tolist()) == list(range(50))
    again = latin_hypercube({"p": (0, 1), "F": (0, 20)}, 50, seed=3)
    assert np.array_equal(s.points, again.points)
    other = latin_hypercube({"p": (0, 1), "F": (0, 20)}, 50, seed=4)
    assert not np.array_equal(s.points, other.points)


def test_random_points_and_a_sweep_over_a_sample():
    s = random_points({"C": (0.1, 6)}, 40, seed=1)
    r = sweep(_hawk_dove(), s, measure="stable")
    assert r.dims == ("point",) and r.shape == (40,)
    hawk = r.stable.get("hawk", np.zeros(40, bool))
    assert np.array_equal(hawk, s.points[:, 0] < 2)


def test_bad_sweeps_say_what_to_change():
    game = load_model("water_use")
    with pytest.raises(ParameterError, match="outside its bounds"):
        sweep(game, {"p": [0.5, 1.5]})
    with pytest.raises(ParameterError, match="unknown parameter"):
        sweep(game, {"nope": [1]})
    with pytest.raises(SweepError, match="measure"):
        sweep(game, {"p": [0.5]}, measure="everything")
    with pytest.raises(ParameterError, match="range"):
        latin_hypercube({"p": (1, 0)}, 3)


# ---------------------------------------------------------------- chunks, executors, resume


def _csv(tmp_path, name, **kw):
    game = load_model("water_use")
    r = sweep(game, {"p": np.linspace(0, 1, 23), "F": np.linspace(0, 20, 7)}, **kw)
    path = tmp_path / name
    r.to_csv(path)
    return path.read_bytes()


def test_results_do_not_depend_on_chunks_or_executor(tmp_path):
    base = _csv(tmp_path, "a.csv", measure="stable")
    assert _csv(tmp_path, "b.csv", measure="stable", chunk_size=1) == base
    assert _csv(tmp_path, "c.csv", measure="stable", chunk_size=17) == base
    with ThreadPoolExecutor(2) as ex:
        assert _csv(tmp_path, "d.csv", measure="stable", chunk_size=10, executor=ex) == base


def test_an_interrupted_sweep_resumes_without_losing_work(tmp_path, monkeypatch):
    base = _csv(tmp_path, "full.csv", measure="stable")
    calls = {"n": 0}
    real = sweep_mod._run_chunk

    def dying(*args, **kw):
        calls["n"] += 1
        if calls["n"] == 6:
            raise KeyboardInterrupt
        return real(*args, **kw)

    monkeypatch.setattr(sweep_mod, "_run_chunk", dying)
    store = tmp_path / "chunks"
    with pytest.raises(KeyboardInterrupt):
        _csv(tmp_path, "x.csv", measure="stable", chunk_size=10, resume=store)
    assert len(list(store.glob("chunk-*.npz"))) == 5
    calls["n"] = -1000
    again = {"n": 0}

    def counting(*args, **kw):
        again["n"] += 1
        return real(*args, **kw)

    monkeypatch.setattr(sweep_mod, "_run_chunk", counting)
    # The chunk size of the directory wins over the one asked for now.
    assert _csv(tmp_path, "y.csv", measure="stable", chunk_size=3, resume=store) == base
    assert again["n"] == 17 - 5  # 161 points in chunks of 10: 17 chunks, 5 already done
    assert len(list(store.glob("chunk-*.npz"))) == 17


def test_a_resume_directory_of_another_sweep_is_refused(tmp_path):
    store = tmp_path / "chunks"
    _csv(tmp_path, "a.csv", measure="stable", resume=store)
    game = load_model("water_use")
    with pytest.raises(SweepError, match="different sweep"):
        sweep(game, {"p": [0.1, 0.2]}, resume=store)
    with pytest.raises(SweepError, match="different sweep"):
        sweep(
            game.with_values(F=9),
            {"p": np.linspace(0, 1, 23), "F": np.linspace(0, 20, 7)},
            resume=store,
        )


def test_a_torn_chunk_file_is_recomputed(tmp_path):
    store = tmp_path / "chunks"
    base = _csv(tmp_path, "a.csv", measure="stable", chunk_size=40, resume=store)
    (store / "chunk-000001.npz").write_bytes(b"not a zip")
    assert _csv(tmp_path, "b.csv", measure="stable", resume=store) == base


# ---------------------------------------------------------------- exports


def test_csv_layout_follows_design_section_4(tmp_path):
    r = sweep(load_model("water_use"), {"p": [0.0, 0.4, 1.0]}, measure="stable")
    path = tmp_path / "s.csv"
    r.to_csv(path)
    lines = path.read_text().splitlines()
    assert lines[0] == "p,stable"
    assert lines[1] == '0.0,"excessive, excessive"'
    assert lines[2] == '0.4,"excessive, reasonable"'
    assert lines[3] == '1.0,"reasonable, reasonable"'


def test_npz_round_trip(tmp_path):
    r = sweep(load_model("water_use"), {"p": [0.0, 0.4, 1.0], "F": [4, 8]}, measure="stable")
    path = tmp_path / "s.npz"
    r.to_npz(path)
    with np.load(path) as z:
        assert z["labels"].tolist() == list(r.labels)
        rr = "reasonable, reasonable"
        assert np.array_equal(z[f"stable:{rr}"], r.stable[rr])
        assert z["coord:F"].tolist() == [4.0, 8.0]


def test_to_dataframe_with_pandas():
    pd = pytest.importorskip("pandas")
    r = sweep(load_model("water_use"), {"p": [0.0, 0.4, 1.0], "F": [4, 8]}, measure="stable")
    df = r.to_dataframe()
    assert isinstance(df, pd.DataFrame) and len(df) == 6
    assert df.columns[:2].tolist() == ["p", "F"]
    row = df[(df.p == 1.0) & (df.F == 8)].iloc[0]
    assert bool(row["stable:reasonable, reasonable"])


def test_to_xarray_has_parameter_dimensions():
    xr = pytest.importorskip("xarray")
    r = sweep(load_model("water_use"), {"p": [0.0, 0.4, 1.0], "F": [4, 8]}, measure="stable")
    ds = r.to_xarray()
    assert isinstance(ds, xr.Dataset)
    da = ds["stable:reasonable, reasonable"]
    assert da.dims == ("p", "F")
    assert bool(da.sel(p=1.0, F=8)) and not bool(da.sel(p=0.0, F=4))


# ---------------------------------------------------------------- outcome: simulation


def _engines():
    from lmc_games._compile import numba_available

    return ["numpy"] + (["numba"] if numba_available() else [])


@pytest.mark.parametrize("engine", _engines())
def test_convergence_time_of_the_logistic_replicator_is_exact_to_the_step(engine):
    # One population, A earns a, B earns 0: x' = a x (1 - x), so
    # x(t) = 1 / (1 + (1 - x0)/x0 * exp(-a t)), and the distance to the corner A (max norm
    # over both shares) is 1 - x(t): it falls below eps at t* = ln((1 - x0)(1 - eps)/(x0 eps))/a.
    game = Game.from_table(
        [{"name": "pop", "strategies": ["A", "B"], "share": "x"}],
        {"A": ["a"], "B": [0]},
        parameters={"a": {"value": 1, "min": 0}},
    )
    a = np.array([0.5, 1.0, 2.0, 3.0])
    x0, eps, dt = 0.2, 1e-3, 0.01
    r = sweep(
        game, {"a": a}, measure="outcome", starts=[[x0]], t_end=30, eps=eps, dt=dt, engine=engine
    )
    assert r.labels == ("A",)
    t_star = np.log((1 - x0) * (1 - eps) / (x0 * eps)) / a
    t = r.convergence_time[:, 0]
    # The first saved step at or after t*, up to RK4's error at this step (far below dt).
    assert np.all(t >= t_star - 1e-6) and np.all(t < t_star + dt + 1e-6)


@pytest.mark.parametrize("engine", _engines())
def test_outcome_equals_simulate_and_converge(engine):
    from lmc_games import converge, simulate, starts_grid

    game = load_model("water_use")
    ks = [1.0, 2.0, 4.0]
    r = sweep(
        game, {"k": ks}, measure="outcome", starts=3, t_end=60, dt=0.05, engine=engine, eps=1e-3
    )
    starts = starts_grid(game, 3)
    for j, k in enumerate(ks):
        g = game.with_values(k=Fraction(k))
        sim = simulate(g, starts, t_end=60, dt=0.05, engine=engine)
        conv = converge(sim, analyze(g), eps=1e-3)
        for i in range(len(starts)):
            got = r.reached[j, i]
            label = r.labels[got] if got >= 0 else None
            assert label == conv.reached[i, 0]
            if label is not None:
                assert r.convergence_time[j, i] == pytest.approx(conv.time[i, 0], abs=1e-9)
    # Shares against a direct count of the per-start outcomes of each parameter point (their
    # sum is 1 by construction and would check nothing).
    for j in range(len(ks)):
        row = [int(v) for v in r.reached[j]]
        for idx, lab in enumerate(r.labels):
            assert r.shares[lab][j] == row.count(idx) / len(row)
        assert r.not_converged[j] == sum(v < 0 for v in row) / len(row)


def test_a_centre_is_never_reported_as_converged():
    # Inspection game (Tsebelis 1989): closed orbits around the interior centre
    # (g/f, c/(r + l)) = (1/f, 1/4), which no start of the --starts 4 grid hits.
    r = sweep(
        load_model("inspection"), {"f": [2.0, 4.0, 8.0]}, measure="outcome", starts=4, t_end=100
    )
    assert r.labels == ()
    assert np.all(r.not_converged == 1.0)
    assert np.all(np.isnan(r.convergence_time_median))


@pytest.mark.parametrize("engine", _engines())
def test_outcome_bytes_do_not_depend_on_chunks(tmp_path, engine):
    game = load_model("water_use")
    grid = {"p": np.linspace(0, 1, 9), "k": [1.0, 2.5, 4.0]}
    outs = []
    for size in (None, 1, 5):
        r = sweep(game, grid, measure="outcome", starts=3, t_end=40, engine=engine, chunk_size=size)
        path = tmp_path / f"o{size}.csv"
        r.to_csv(path)
        outs.append(path.read_bytes())
    assert outs[0] == outs[1] == outs[2]
    header = next(csv.reader(outs[0].decode().splitlines()))
    assert header[:2] == ["p", "k"] and header[-2:] == ["not_converged", "convergence_time_median"]
    assert all(h.startswith("share:") for h in header[2:-2])


def test_threads_compiling_the_same_new_kernel_at_once(tmp_path, monkeypatch):
    # A fresh kernel (a coefficient no other test uses) loaded by several threads at the same
    # time: none may see the module half-built.
    pytest.importorskip("numba")
    monkeypatch.setenv("LMC_GAMES_CACHE", str(tmp_path / "cache"))
    game = Game.from_table(
        [{"name": "pop", "strategies": ["A", "B"], "share": "x"}],
        {"A": ["a + 7919/10007"], "B": [0]},
        parameters={"a": {"value": 1, "min": -5}},
    )
    with ThreadPoolExecutor(4) as ex:
        r = sweep(
            game,
            {"a": np.linspace(-2, 2, 8)},
            measure="outcome",
            starts=[[0.5]],
            t_end=20,
            engine="numba",
            executor=ex,
            chunk_size=1,
        )
    alone = sweep(
        game,
        {"a": np.linspace(-2, 2, 8)},
        measure="outcome",
        starts=[[0.5]],
        t_end=20,
        engine="numba",
    )
    assert np.array_equal(r.reached, alone.reached)
    assert np.array_equal(r.convergence_time, alone.convergence_time, equal_nan=True)


def test_symbolic_answers_are_cached_on_disk(tmp_path, monkeypatch):
    monkeypatch.setenv("LMC_GAMES_CACHE", str(tmp_path))
    game = load_model("water_use")
    first = compile_rest_points(game, ["p", "F"]).evaluate([[0.3, 8.0], [0.9, 8.0]])
    files = list((tmp_path / "tables").glob("*.json"))
    assert len(files) == 1
    again = compile_rest_points(game, ["p", "F"]).evaluate([[0.3, 8.0], [0.9, 8.0]])
    assert np.array_equal(first.stable, again.stable)
    # Another fixed value is another game: another entry, another answer.
    other = compile_rest_points(game.with_values(k=4), ["p", "F"])
    assert len(list((tmp_path / "tables").glob("*.json"))) == 2
    assert other.evaluate([[0.2, 8.0]]).stable.sum() == 2  # issue 4, W5: bistable
    # A damaged entry is ignored and rewritten.
    files[0].write_bytes(b"garbage")
    fixed = compile_rest_points(game, ["p", "F"]).evaluate([[0.3, 8.0], [0.9, 8.0]])
    assert np.array_equal(first.stable, fixed.stable)
