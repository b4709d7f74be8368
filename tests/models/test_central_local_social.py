"""Claims of ``central_local_social``: the central–local game with social organisations as a
third population (issue 4, part 4; docs/models/central_local_social.md).

The study's recommendation (Lu 2021, section 5.2.2: government purchase of services, social
organisations doing the field work) in this model:

S1  without a service fee (s = 0, the defaults) no rest point is stable; from a grid of starts
    most trajectories lose the organisations (z -> 0) and keep cycling in the central–local game,
    the rest end up cycling with a lax centre (y -> 0) and organisations watching.
S2  (faithful, lax, participate) is stable iff s > C_p, B_p + (q0 + r) P > C_f + dR and
    G_s < C_s + A; under ``purchase_of_services`` (s = 2) it is the only stable rest point and
    every start reaches it.
S3  purchase is not enough when the organisations detect too little (``weak_organisations``,
    r = 0.2); with G_s = 6 (``accountability``) (faithful, strict, stay_out) is the only stable
    rest point.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy

from lmc_games import (
    Stability,
    analyze,
    basins,
    converge,
    load_model,
    simulate,
    starts_grid,
    sweep,
    system,
)

R = sympy.Rational
FLP = "faithful, lax, participate"
FSO = "faithful, strict, stay_out"


@pytest.fixture(scope="module")
def game():
    return load_model("central_local_social")


def _sym(game, *names):
    return [game.symbols[n] for n in names]


def _same_conditions(cond, expected):
    """Whether ``cond`` is the conjunction of ``e > 0`` for ``e`` in ``expected`` (each up to a
    positive factor, written either way round)."""
    parts = cond.args if isinstance(cond, sympy.And) else (cond,)
    if len(parts) != len(expected):
        return False
    got = [rel.gts - rel.lts for rel in parts]
    return all(any(_positive_multiple(g, e) for g in got) for e in expected)


def _positive_multiple(a, b):
    ratio = sympy.simplify(a / b)
    return bool(ratio.is_number and ratio > 0)


def test_payoff_table_as_documented(game):
    # The table of the model description and docs page, typed in again independently.
    R_l, C_f, dR, q, q0, P, A, C_s, G_s, V, L_c, mu, K, r, C_p, R_p, s, B_p = _sym(
        game, "R_l", "C_f", "dR", "q", "q0", "P", "A", "C_s", "G_s", "V", "L_c", "mu", "K",
        "r", "C_p", "R_p", "s", "B_p",
    )  # fmt: skip
    table = {
        (0, 0, 0): (R_l - C_f + A + B_p, V - C_s - A + G_s + B_p - s, s - C_p + B_p),
        (0, 0, 1): (R_l - C_f + A + B_p, V - C_s - A + G_s + B_p, B_p),
        (0, 1, 0): (R_l - C_f + B_p, V + B_p - s, s - C_p + B_p),
        (0, 1, 1): (R_l - C_f + B_p, V + B_p, B_p),
        (1, 0, 0): (R_l + dR - q * P, V - (1 - q) * L_c - C_s + q * P + G_s - s, s - C_p),
        (1, 0, 1): (R_l + dR - q * P, V - (1 - q) * L_c - C_s + q * P + G_s, 0),
        (1, 1, 0): (
            R_l + dR - (q0 + r) * P,
            V - (1 - q0 - r) * L_c - mu * K - s,
            s - C_p + r * R_p,
        ),
        (1, 1, 1): (R_l + dR - q0 * P, V - (1 - q0) * L_c - mu * K, 0),
    }
    assert set(game.payoffs) == set(table)
    for profile, row in table.items():
        for got, want in zip(game.payoffs[profile], row, strict=True):
            assert sympy.simplify(got - want) == 0, (profile, got, want)


def test_stay_out_face_is_central_local(game):
    # With B_p = 0, the face z = 0 carries exactly central_local's dynamics, and is invariant.
    base = load_model("central_local")
    x, y, z = game.variables
    f = [e.xreplace({z: 0, game.symbols["B_p"]: 0}) for e in system(game).field]
    # The two models' parameters are different Symbol objects only if their assumptions differ;
    # map by name to be safe.
    names = {p.symbol: base.symbols[p.name] for p in game.parameters if p.name in base.symbols}
    g0 = system(base).field
    assert sympy.simplify(f[0].xreplace(names) - g0[0]) == 0
    assert sympy.simplify(f[1].xreplace(names) - g0[1]) == 0
    assert f[2] == 0


def test_inert_parameters(game):
    a = analyze(game)
    assert a.inert_parameters == ("R_l", "V")
    # The fee s is paid whatever the centre does: it cancels from the centre's advantage and
    # acts on the organisations' choice only; B_p acts on the local's choice only.
    adv = system(game).advantages
    s, B_p = game.symbols["s"], game.symbols["B_p"]
    assert [s in sympy.expand(a[0]).free_symbols for a in adv] == [False, False, True]
    assert [B_p in sympy.expand(a[0]).free_symbols for a in adv] == [True, False, False]


# ----------------------------------------------------------------------------------- S1


def test_s1_no_stable_rest_point_at_defaults(game):
    a = analyze(game)
    assert a.complete
    assert a.stable() == ()
    assert all(r.stability is Stability.SADDLE for r in a.rest_points if r.is_pure)
    # Face centres: within the face a 2x2 bimatrix centre, across it attracting; linearisation
    # cannot decide, and the library says so rather than guessing.
    x, y, z = game.variables
    out = a["faithful+distorted, strict+lax, stay_out"]
    assert out.coordinates == {x: R(11, 16), y: R(21, 38), z: 0}
    assert out.stability is Stability.NON_HYPERBOLIC
    assert R(-353, 608) in out.eigenvalues
    watch = a["faithful+distorted, lax, participate+stay_out"]
    assert watch.coordinates == {x: R(2, 3), y: 0, z: R(7, 8)}
    assert watch.stability is Stability.NON_HYPERBOLIC
    assert R(-16, 15) in watch.eigenvalues
    interior = a["faithful+distorted, strict+lax, participate+stay_out"]
    assert interior.stability is Stability.SADDLE


def test_s1_simulation_two_cycling_regimes(game):
    st = starts_grid(game, 6)  # 216 starts
    sim = simulate(game, st, t_end=300, dt=0.02, save_every=1.0)
    assert basins(converge(sim, analyze(game)))["not_converged"].tolist() == [1.0]
    last = sim.states[-50:, :, 0, :]
    gone = last[..., 2].max(axis=0) < 1e-3  # organisations out: the central-local cycle
    lax = last[..., 1].max(axis=0) < 1e-3  # centre lax, organisations watching
    assert not np.any(gone & lax)
    assert np.all(gone | lax)
    assert gone.mean() == pytest.approx(194 / 216)
    # Both regimes keep cycling (neutrally: orbits started near a face centre stay small): x
    # still varies over the last 50 time units.
    assert np.all(np.ptp(last[..., 0], axis=0) > 5e-3)
    # In the watching regime the local's share circles x = 2/3 and z = 7/8 (time averages of
    # a bimatrix cycle equal the face's rest point; Hofbauer & Sigmund 1998).
    assert np.all(last[:, lax, 2].min(axis=0) > 0.5)


# ----------------------------------------------------------------------------------- S2


def test_s2_regimes_symbolic(game):
    g = game.with_free(["s", "r", "C_p", "G_s", "B_p"])
    s, r, C_p, G_s, B_p = _sym(g, "s", "r", "C_p", "G_s", "B_p")
    a = analyze(g, symbolic=True)
    # Own advantages at the pure profiles, by hand: the organisations' is s - C_p wherever
    # the locals are faithful; the local's under lax supervision with participation is
    # B_p - C_f - dR + (q0 + r) P = B_p + 8 r - 6.2; the centre's against faithful locals is
    # G_s - C_s - A = G_s - 5.
    assert _same_conditions(a[FLP].stable_if, [s - C_p, 5 - G_s, B_p + 8 * r - R(31, 5)])
    assert _same_conditions(a[FSO].stable_if, [C_p - s, G_s - 5])
    assert _same_conditions(a["faithful, strict, participate"].stable_if, [s - C_p, G_s - 5])
    assert _same_conditions(
        a["faithful, lax, stay_out"].stable_if, [C_p - s, 5 - G_s, B_p - R(31, 5)]
    )


def test_s2_purchase_only_faithful_lax_participate(game):
    g = game.scenario("purchase_of_services")
    a = analyze(g)
    assert [r.label for r in a.stable()] == [FLP]
    # Eigenvalues at (1, 0, 1): -(s - C_p) = -1, D_y(1) = -5, -D_x(0, 1) = -0.6.
    assert sorted(a[FLP].eigenvalues) == [-5, -1, R(-3, 5)]
    sim = simulate(g, starts_grid(g, 6), t_end=80, dt=0.05)
    b = basins(converge(sim, a, eps=1e-3))
    assert b[FLP].tolist() == [1.0]


def test_s2_region_agrees_with_sweep(game):
    svals = [0, 0.5, 0.9, 1.1, 2, 3]
    rvals = [0.2, 0.5, 0.55, 0.6, 0.9]
    res = sweep(game, {"s": svals, "r": rvals}, measure="stable")
    S, Rr = np.meshgrid(svals, rvals, indexing="ij")
    np.testing.assert_array_equal(res.stable[FLP], (S > 1) & (Rr > 0.525))
    # Nothing else is stable anywhere on this grid at G_s = 0, B_p = 2.
    assert res.labels == (FLP,)


# ----------------------------------------------------------------------------------- S3


def test_s3_weak_organisations_and_accountability(game):
    weak = game.scenario("weak_organisations")
    a = analyze(weak)
    assert a.stable() == ()
    sim = simulate(weak, starts_grid(weak, 4), t_end=200, dt=0.05, save_every=1.0)
    last = sim.states[-50:, :, 0, :]
    assert np.all(last[..., 2].min(axis=0) > 0.999)  # organisations all take part ...
    assert np.all(np.ptp(last[..., 0], axis=0) > 0.05)  # ... and the locals still cycle
    acc = game.scenario("accountability")
    a = analyze(acc)
    assert [r.label for r in a.stable()] == [FSO]
    sim = simulate(acc, starts_grid(acc, 4), t_end=80, dt=0.05)
    assert basins(converge(sim, a))[FSO].tolist() == [1.0]
