"""Paths of ``sweep`` the other sweep tests do not check, each against an independent
expectation (tests written to kill surviving mutants of tools/mutation.py, issue 14).

* The dopri5 hand-over of an outcome sweep: a trajectory too stiff for tracking RK4 is re-run
  with dopri5 and still reaches its rest point (by hand below).
* What a sweep records: settings (``dt`` is ``"auto"`` unless forced), attributes written with
  sorted keys, the progress bar's name, and the message for an empty sample range.
"""

import json
import warnings

import numpy as np
import pytest

from lmc_games import Game, ParameterError, SweepError, latin_hypercube, random_points, sweep

# A = [[0, s], [s, 0]]: f_a = s (1 - x), f_b = s x, so x' = s x (1 - x) (1 - 2x); the interior
# x* = 1/2 attracts every interior start, with eigenvalue x*(1 - x*)(-2 s) = -s/2.
ANTI = Game.symmetric([[0, "s"], ["s", 0]], ["a", "b"], parameters={"s": {"value": 1}})


def test_a_stiff_outcome_is_handed_to_dopri5_and_still_reached():
    """s = 3e4: at the default step 0.05, h * s/2 = 750 needs ~1500 RK4 substeps per step,
    above the tracker's limit, so the trajectory is re-run with dopri5. From x0 = 0.2 or 0.7
    (distance <= 0.3 from x*) the linearised approach e^(-s t/2) reaches eps = 1e-3 by
    t = ln(300) / 1.5e4 ~ 4e-4, long before the first saved time 0.05 after the start, where
    the trajectory is therefore already inside for good: reached, at time 0.05, no warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = sweep(
            ANTI, {"s": [3e4]}, measure="outcome", starts=[[0.2], [0.7]], t_end=1,
            engine="numpy",
        )  # fmt: skip
    assert r.labels == ("a+b",)
    assert r.reached.tolist() == [[0, 0]]
    assert r.convergence_time.tolist() == [[0.05, 0.05]]
    assert r.settings["dt"] == "auto"


def test_a_forced_step_is_recorded_as_a_number():
    r = sweep(
        ANTI, {"s": [1.0]}, measure="outcome", starts=[[0.2]], t_end=5, dt=0.05, engine="numpy"
    )
    assert r.settings["dt"] == 0.05


def test_xarray_settings_attribute_has_sorted_keys():
    """Sorted keys make the attribute's text independent of the order settings were built
    in (files of equal sweeps compare equal byte for byte)."""
    pytest.importorskip("xarray")
    r = sweep(ANTI, {"s": [1.0, 2.0]}, measure="outcome", starts=[[0.2]], t_end=5, engine="numpy")
    text = r.to_xarray().attrs["settings"]
    keys = [k for k, _ in json.loads(text, object_pairs_hook=list)]
    assert keys == sorted(keys) and len(keys) > 3
    assert json.loads(text)["dt"] == "auto"


def test_the_progress_bar_is_named_sweep(capsys):
    sweep(ANTI, {"s": [1.0, 2.0]}, measure="stable", progress=True)
    assert "sweep" in capsys.readouterr().err


@pytest.mark.parametrize("sample", [latin_hypercube, random_points])
def test_an_empty_range_mapping_asks_for_a_parameter_range(sample):
    with pytest.raises(ParameterError, match="^name at least one parameter range$"):
        sample({}, 3)


def test_a_stiff_start_handed_to_dopri5_reaches_the_corner_it_heads_for():
    """s = -3e4 (coordination): x' = s x (1 - x)(1 - 2x) pushes away from 1/2 towards the
    corners, which attract (eigenvalue s < 0 at x = 0 and at x = 1), so start 0.2 goes to
    corner b (x = 0); stiff as above, so through the dopri5 hand-over as well."""
    r = sweep(ANTI, {"s": [-3e4]}, measure="outcome", starts=[[0.2]], t_end=1, engine="numpy")
    assert [r.labels[i] for i in r.reached[0]] == ["b"]
    assert np.isfinite(r.convergence_time[0, 0])


def test_the_error_for_a_value_out_of_bounds_names_that_value():
    """Hawk-dove's C has min 0: the second value, -1, is the one to name (not the first)."""
    from lmc_games import load_model

    with pytest.raises(ParameterError, match=r"^C = -1 is outside its bounds \[0, inf\]"):
        sweep(load_model("hawk_dove"), {"C": [3.0, -1.0]}, measure="stable")


def test_a_map_in_discrete_time_accepts_its_one_step_per_unit_of_time():
    """dt = 1 is the map's own step: allowed, and the same sweep as leaving dt out."""
    from lmc_games import load_model

    kw = {"measure": "outcome", "starts": [[0.1], [0.9]], "t_end": 200, "engine": "numpy"}
    kw["dynamics"] = "discrete:base=2"
    g = load_model("hawk_dove")
    a = sweep(g, {"C": [3.0, 4.0]}, **kw)
    b = sweep(g, {"C": [3.0, 4.0]}, dt=1, **kw)
    assert a.labels == b.labels == ("hawk+dove",)
    assert a.reached.tolist() == b.reached.tolist() == [[0, 0], [0, 0]]
    assert np.array_equal(a.convergence_time, b.convergence_time)
    with pytest.raises(SweepError, match="dt must be 1"):
        sweep(g, {"C": [3.0]}, dt=0.5, **kw)


def test_a_three_strategy_outcome_sweep_under_logit_reaches_the_logit_point():
    """Payoffs (k, 0, 0) whatever the opponent plays: the logit choice with eta = 1/2 is the
    constant x = (e**(2k), 1, 1) / (e**(2k) + 2), and the logit dynamics x' = L(f) - x moves
    straight to it (by hand). At k = 1: (0.787, 0.106, 0.106), unequal shares, so both free
    shares of the point found at each parameter point must be right for a start to reach it.
    """
    import math

    from lmc_games import analyze

    g = Game.symmetric(
        [["k", "k", "k"], [0, 0, 0], [0, 0, 0]], ["a", "b", "c"], parameters={"k": {"value": 1}}
    )
    [rp] = [r for r in analyze(g, dynamics="logit:eta=0.5").rest_points if r.numeric_shares]
    e2 = math.exp(2)
    assert rp.numeric_shares[0] == pytest.approx((e2 / (e2 + 2), 1 / (e2 + 2), 1 / (e2 + 2)))
    r = sweep(
        g, {"k": [1.0]}, measure="outcome", starts=[[0.2, 0.3]], t_end=40,
        dynamics="logit:eta=0.5", engine="numpy",
    )  # fmt: skip
    assert r.labels == (rp.label,)
    assert r.reached.tolist() == [[0]]


def test_a_map_is_iterated_exactly_t_end_times():
    """Discrete-time replicator with background fitness 2 on hawk-dove (V = 2, C = 3):
    fitnesses f_h = 4 - 5x/2 and f_d = 3 - x, map x' = x f_h / (x f_h + (1 - x) f_d) (Hofbauer
    & Sigmund 1998, §16.1), iterated here by hand from x0 = 0.1. The first iterate from which
    x stays within eps of the fixed point V/C = 2/3 is k*; a sweep with t_end = k* must reach
    it at time k*, which needs exactly k* iterations (one fewer ends outside the ball)."""
    from lmc_games import load_model

    def step(x):
        fh, fd = 4 - 2.5 * x, 3 - x
        return x * fh / (x * fh + (1 - x) * fd)

    xs = [0.1]
    for _ in range(300):
        xs.append(step(xs[-1]))
    eps = 1e-3
    inside = [abs(v - 2 / 3) <= eps for v in xs]
    k_star = next(k for k in range(len(xs)) if all(inside[k:]))
    assert k_star > 2 and not inside[k_star - 1]
    assert min(abs(abs(v - 2 / 3) - eps) for v in xs[: k_star + 1]) > 1e-6  # clear decisions
    r = sweep(
        load_model("hawk_dove"), {"C": [3.0]}, measure="outcome", starts=[[0.1]], t_end=k_star,
        eps=eps, dynamics="discrete:base=2", engine="numpy",
    )  # fmt: skip
    assert r.reached.tolist() == [[0]] and r.labels == ("hawk+dove",)
    assert r.convergence_time.tolist() == [[float(k_star)]]
