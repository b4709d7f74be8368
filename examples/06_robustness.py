"""Does the conclusion survive? Each LMC model under other dynamics, small populations and noise.

A referee's first question about a replicator result is whether it depends on the replicator.
For every LMC model, at its default values, this script writes the section "Does the
conclusion survive?" of its docs page (``docs/models/MODEL.md``):

1. the asymptotically stable rest points of the replicator dynamics (the paper's conclusion);
2. the logit dynamics at two noise levels: its rest points (logit equilibria, by a certified
   numeric search) and their verdicts;
3. the Brown-von Neumann-Nash and Smith dynamics: their rest points are the Nash equilibria,
   where linearisation says nothing, so the share of a grid of starts reaching each is
   simulated;
4. finite populations of governments (6 per population, as the LMC has six member states, and
   30): where the pairwise-comparison process spends its time when mutations are rare;
5. payoff noise (the stochastic replicator): the probability of ending within 0.01 of each
   rest point by t = 100, from a grid of starts.

Noise and selection are scaled to the model's payoffs: ``s`` is the largest payoff advantage
(in absolute value) at the pure profiles, logit's eta is 0.05 s and 0.25 s, the Fermi
selection intensity is 1/s and 10/s, and the payoff noise sigma is 0.25 s and 1 s (per unit
time, so over t = 1 the log-ratio of two strategies moves by about sigma).

Usage::

    python examples/06_robustness.py OUTDIR [--quick] [--models water_use,...] [--docs]

``--docs`` also writes each section into its docs page, between the markers
``<!-- robustness: begin -->`` and ``<!-- robustness: end -->``. The numbers are seeded and
do not depend on ``--quick`` except for the payoff-noise runs (fewer with ``--quick``, which
the section then says).
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

import lmc_games as lg

MODELS = (
    "water_use",
    "water_use_lmc",
    "central_local",
    "central_local_dynamic",
    "central_local_social",
    "mechanism_overlap",
    "basin_compensation",
)
DOCS = Path(__file__).resolve().parents[1] / "docs" / "models"
BEGIN, END = "<!-- robustness: begin -->", "<!-- robustness: end -->"
SEED = 20261207


def payoff_scale(game: lg.Game) -> float:
    """The largest payoff advantage, in absolute value, at the pure profiles."""
    system = lg.system(game)
    subs = game.value_substitution()
    corners = [
        dict(zip(system.variables, point, strict=True))
        for point in itertools.product((0, 1), repeat=len(system.variables))
    ]
    biggest = 0.0
    for pop_adv in system.advantages:
        for adv in pop_adv:
            expr = adv.xreplace(subs)
            for corner in corners:
                biggest = max(biggest, abs(float(expr.xreplace(corner))))
    return biggest or 1.0


def _fmt(x: float) -> str:
    return f"{x:.3g}"


def _point(rp) -> str:
    coords = ", ".join(f"{v} = {float(c):.3f}" for v, c in rp.coordinates.items())
    return f"({coords})" if coords else ""


def _stable(analysis) -> list[str]:
    return [r.label for r in analysis.rest_points if str(r.stability) == "stable"]


def _logit_summary(logit, replicator, eta: float) -> str:
    """Where the stable logit equilibria lie, relative to the replicator's rest points."""
    parts = []
    for rp in logit.rest_points:
        if str(rp.stability) != "stable":
            continue
        x = np.array([float(c) for c in rp.coordinates.values()])
        best, gap = None, np.inf
        for r in replicator.rest_points:
            y = np.array([float(r.coordinates[v]) for v in rp.coordinates])
            d = float(np.max(np.abs(x - y)))
            if d < gap:
                best, gap = r, d
        parts.append(f"({best.label}) [{best.stability}] at distance {gap:.2f}")
    where = "; ".join(parts) if parts else "none is stable"
    return f"logit noise eta = {_fmt(eta)}: the stable logit equilibria are nearest to {where}"


def section(model: str, *, quick: bool) -> str:
    """The Markdown section for one model."""
    game = lg.load_model(model)
    s = payoff_scale(game)
    out = ["## Does the conclusion survive?", ""]
    out.append(
        "Numbers from `python examples/06_robustness.py OUT --models "
        f"{model}` at the default values; s = {_fmt(s)} is the largest payoff advantage "
        "at a pure profile, and noise and selection are given in units of it."
    )
    out.append("")

    replicator = lg.analyze(game)
    stable = _stable(replicator)
    summary: list[str] = []
    out.append(
        "**Replicator dynamics.** Asymptotically stable: "
        + ("; ".join(f"({label})" for label in stable) if stable else "none")
        + "."
    )
    out.append("")
    summary_at = len(out)

    out += [
        "**Logit dynamics** (rest points are logit equilibria, found by a certified search):",
        "",
    ]
    out += ["| eta | rest point (shares) | verdict |", "|---|---|---|"]
    for factor in (0.05, 0.25):
        eta = round(factor * s, 6) or factor
        a = lg.analyze(game, dynamics=f"logit:eta={eta}")
        for rp in a.rest_points:
            out.append(f"| {_fmt(eta)} ({factor} s) | {_point(rp)} | {rp.stability} |")
        if factor == 0.05:
            summary.append(_logit_summary(a, replicator, eta))
        if not a.complete:
            out.append(f"| {_fmt(eta)} | search not proven complete | |")
    out.append("")

    starts = lg.starts_grid(game, 3 if quick else 5)
    out += [
        "**BNN and Smith dynamics.** Their rest points are the Nash equilibria, where the field "
        "is not differentiable, so linearisation decides nothing; instead, the share of "
        f"{len(starts)} starts (the `--starts {3 if quick else 5}` grid) within 0.01 of each "
        "by t = 1000 (BNN approaches a strict equilibrium only like 1/t):",
        "",
        "| dynamics | Nash equilibrium | share of starts |",
        "|---|---|---|",
    ]
    for name in ("bnn", "smith"):
        a = lg.analyze(game, dynamics=name)
        sim = lg.simulate(game, starts, t_end=1000.0, dynamics=name)
        conv = lg.converge(sim, a, eps=1e-2)
        shares = lg.basins(conv)
        title = "BNN" if name == "bnn" else "Smith"
        if stable:
            share = sum(float(shares[lab][0]) for lab in stable if lab in shares)
            summary.append(f"{title}: {share:.0%} of the starts end at the replicator's stable set")
        else:
            share = 1 - float(shares["not_converged"][0])
            summary.append(f"{title}: {share:.0%} of the starts end at a Nash equilibrium")
        for label, share in shares.items():
            if label == "not_converged" and float(share[0]) == 0:
                continue
            shown = (
                "none (still moving, or near no equilibrium)"
                if label == "not_converged"
                else f"({label})"
            )
            out.append(f"| {title} | {shown} | {float(share[0]):.3f} |")
    out.append("")

    out += [
        "**Finite populations** (pairwise comparison, rare mutations; Fudenberg & Imhof 2006, "
        "Veller & Hayward 2016): stationary probability of each pure profile.",
        "",
        "| N per population | selection | most visited profiles |",
        "|---|---|---|",
    ]
    for n, factor in ((6, 1.0), (6, 10.0), (30, 1.0), (30, 10.0)):
        fa = lg.finite(game, n, selection=factor / s)
        top = sorted(fa.stationary.items(), key=lambda kv: -kv[1])[:3]
        if (n, factor) == (6, 10.0):
            pure = stable and all("+" not in label for label in stable)
            mass = sum(p for label, p in fa.stationary.items() if label in stable)
            summary.append(
                f"six governments per population (selection 10/s): {mass:.0%} of the time at "
                "the replicator's stable set"
                if pure
                else "six governments per population (selection 10/s; the rare-mutation limit "
                f"visits pure profiles only): most often at ({top[0][0]}), {top[0][1]:.0%} of "
                "the time"
            )
        shown = "; ".join(f"({label}) {p:.3f}" for label, p in top if p >= 0.0005)
        out.append(f"| {n} | {factor:g}/s | {shown} |")
    out.append("")

    runs = 20 if quick else 100
    noise_starts = 3
    out += [
        "**Payoff noise** (stochastic replicator, one sigma per population, seed "
        f"{SEED}; {runs} runs from each of the `--starts {noise_starts}` grid's starts): "
        "probability of being within 0.01 of each rest point at t = 100.",
        "",
    ]
    labels = [r.label for r in replicator.rest_points]
    rows = []
    for factor in (0.25, 1.0):
        sigma = factor * s
        res = lg.stochastic_outcomes(
            game, sigma, starts=noise_starts, runs=runs, t_end=100.0, seed=SEED, eps=1e-2
        )
        rows.append((factor, sigma, res.probabilities))
    if stable:
        strong = rows[-1][2]
        summary.append(
            f"payoff noise sigma = s: probability {sum(strong.get(lab, 0.0) for lab in stable):.2f}"
            " of ending at the replicator's stable set"
        )
    # Rest points that no run ends near are left out, so that three-population tables fit.
    shown = [lab for lab in labels if any(p.get(lab, 0.0) > 0 for _, _, p in rows)]
    left_out = len(labels) - len(shown)
    out.append("| sigma | " + " | ".join(f"({lab})" for lab in shown) + " | elsewhere |")
    out.append("|---" * (len(shown) + 2) + "|")
    for factor, sigma, probs in rows:
        cells = [f"{probs.get(lab, 0.0):.3f}" for lab in shown]
        cells.append(f"{probs.get(lg.ELSEWHERE, 0.0):.3f}")
        out.append(f"| {_fmt(sigma)} ({factor:g} s) | " + " | ".join(cells) + " |")
    if left_out:
        out += ["", f"No run ended near the other {left_out} rest points."]
    out.append("")
    out[summary_at:summary_at] = [
        "**In short:** " + "; ".join(summary) + ".",
        "",
    ]
    return "\n".join(out)


def splice(page: Path, text: str) -> None:
    """Write ``text`` into ``page`` between the robustness markers, before the page's
    references (or at its end)."""
    body = page.read_text(encoding="utf-8")
    block = f"{BEGIN}\n{text.rstrip()}\n{END}\n"
    if BEGIN in body and END in body:
        head, rest = body.split(BEGIN, 1)
        body = head.rstrip() + "\n" + rest.split(END, 1)[1]
    marker = "\n## References"
    if marker in body:
        head, tail = body.split(marker, 1)
        body = head.rstrip() + "\n\n" + block + marker + tail
    else:
        body = body.rstrip() + "\n\n" + block
    page.write_text(body, encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    ap.add_argument("outdir", type=Path)
    ap.add_argument("--quick", action="store_true", help="fewer starts and noise runs")
    ap.add_argument("--models", default=",".join(MODELS), help="comma-separated model names")
    ap.add_argument("--docs", action="store_true", help="write the sections into docs/models")
    ap.add_argument("--format", default="png", help="unused (no figures); kept for the runner")
    args = ap.parse_args(argv)
    args.outdir.mkdir(parents=True, exist_ok=True)
    np.seterr(all="ignore")
    for model in args.models.split(","):
        t0 = time.perf_counter()
        text = section(model, quick=args.quick)
        (args.outdir / f"robustness_{model}.md").write_text(text, encoding="utf-8")
        if args.docs:
            splice(DOCS / f"{model}.md", text)
        print(f"{model}: robustness_{model}.md ({time.perf_counter() - t0:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
