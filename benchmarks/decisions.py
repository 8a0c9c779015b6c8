"""Decide a batch of tasks against a Table-1 market; provider evaluations per second.

Baselines measured in the same run:
(a) the published style: a Python loop per decision and per candidate (on a sample);
(b) a textbook numpy TOPSIS called once per decision (on a sample);
(c) pymcdm's TOPSIS called once per decision (on a sample);
(d) a memory-bandwidth probe: numpy summing an array as large as the criteria tensor.
Every time is the best of three calls.

Usage: python benchmarks/decisions.py [--tasks 100000] [--providers 200]
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

from coalesce_games.model.costs import external_cost, internal_cost
from coalesce_games.model.criteria import BENEFIT
from coalesce_games.model.decisions import DecisionContext
from coalesce_games.model.policies import CoalescePolicy
from coalesce_games.model.providers import Providers
from coalesce_games.model.skills import SkillMatcher
from coalesce_games.model.tasks import Tasks


def timed(fn, repeat: int = 3) -> float:
    best = math.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def loop_rule(matrix: np.ndarray, weights: np.ndarray, eligible: np.ndarray, internal: np.ndarray) -> list[int]:
    """The same rule written the published way: per decision, per candidate, in Python."""
    choices = []
    for k in range(len(matrix)):
        cands = [j for j in range(len(matrix[k])) if eligible[k][j] and matrix[k][j][0] < internal[k]]
        if not cands:
            choices.append(-1)
            continue
        norms = [math.sqrt(sum(matrix[k][j][c] ** 2 for j in cands)) or 1.0 for c in range(4)]
        v = {j: [matrix[k][j][c] / norms[c] * weights[k][c] for c in range(4)] for j in cands}
        ideal = [max(v[j][c] for j in cands) if BENEFIT[c] else min(v[j][c] for j in cands) for c in range(4)]
        anti = [min(v[j][c] for j in cands) if BENEFIT[c] else max(v[j][c] for j in cands) for c in range(4)]
        best, best_j = -1.0, -1
        for j in cands:
            dp = math.sqrt(sum((v[j][c] - ideal[c]) ** 2 for c in range(4)))
            dm = math.sqrt(sum((v[j][c] - anti[c]) ** 2 for c in range(4)))
            cl = dm / (dp + dm) if dp + dm > 0 else 0.5
            if cl > best:
                best, best_j = cl, j
        choices.append(best_j)
    return choices


def textbook_topsis(m: np.ndarray, w: np.ndarray) -> np.ndarray:
    n = m / np.sqrt((m ** 2).sum(0))
    v = n * w
    ideal = np.where(BENEFIT, v.max(0), v.min(0))
    anti = np.where(BENEFIT, v.min(0), v.max(0))
    dp = np.sqrt(((v - ideal) ** 2).sum(1))
    dm = np.sqrt(((v - anti) ** 2).sum(1))
    return dm / (dp + dm)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tasks", type=int, default=100_000)
    ap.add_argument("--providers", type=int, default=200)
    args = ap.parse_args()
    m, n = args.tasks, args.providers
    providers = Providers.sample_table1(n, 1)
    tasks = Tasks.sample(m, 2)
    matcher = SkillMatcher()
    t_prep = time.perf_counter()
    score = matcher.score(tasks.required, providers)
    internal = internal_cost(tasks)
    external = external_cost(tasks, providers)
    # a client whose queue makes local execution dear, so that the cost test keeps candidates
    import dataclasses
    internal = dataclasses.replace(internal, total=internal.total + 200.0)
    ctx = DecisionContext(tasks, internal, external, providers.reliability, providers.security, score,
                          score >= 0.7, np.ones(n, bool))
    t_prep = time.perf_counter() - t_prep
    policy = CoalescePolicy(epsilon=0.0)
    rng = np.random.default_rng(0)
    ours = timed(lambda: policy.decide(ctx, rng))
    evals = m * n
    print(f"batch: {m} tasks x {n} providers; criteria/skills/costs prepared in {t_prep:.2f} s")
    print(f"ours (CoalescePolicy.decide): {ours:.3f} s, {evals / ours / 1e6:.1f} M provider-evaluations/s")

    from coalesce_games.model.decisions import criteria_matrix
    from coalesce_games.model.weights import task_weights
    matrix = criteria_matrix(ctx.external, ctx.reliability, ctx.security)
    weights = task_weights(np.array(policy.weights), tasks)
    mask = ctx.eligible & (external.total < internal.total[:, None])

    sample = 300
    ml, wl, el, il = matrix[:sample].tolist(), weights[:sample].tolist(), mask[:sample].tolist(), internal.total[:sample].tolist()
    t_loop = timed(lambda: loop_rule(ml, wl, el, il)) / sample * m
    got = loop_rule(ml, wl, el, il)
    check = policy.decide(dataclasses.replace(ctx, tasks=tasks.subset(slice(0, sample)),
                                              internal=dataclasses.replace(internal, total=internal.total[:sample]),
                                              external=type(external)(**{f: getattr(external, f)[:sample] for f in external.__dataclass_fields__}),
                                              skill_score=score[:sample], eligible=ctx.eligible[:sample]), rng).choice
    assert list(check) == got, "the loop and the vectorised rule disagree"
    print(f"(a) Python loop per decision per candidate: {t_loop:.1f} s extrapolated -> ratio {t_loop / ours:.0f}x")

    sample_b = 3000
    def per_decision_numpy():
        for k in range(sample_b):
            idx = np.flatnonzero(mask[k])
            if idx.size:
                textbook_topsis(matrix[k, idx], weights[k])
    t_np = timed(per_decision_numpy) / sample_b * m
    print(f"(b) textbook numpy TOPSIS per decision: {t_np:.1f} s extrapolated -> ratio {t_np / ours:.0f}x")

    try:
        from pymcdm.methods import TOPSIS
        from pymcdm.normalizations import vector_normalization
        method = TOPSIS(vector_normalization)
        types = np.where(BENEFIT, 1, -1)
        sample_c = 300
        def per_decision_pymcdm():
            for k in range(sample_c):
                idx = np.flatnonzero(mask[k])
                if idx.size > 1:
                    method(matrix[k, idx], weights[k], types, validation=False)
        t_pm = timed(per_decision_pymcdm) / sample_c * m
        print(f"(c) pymcdm TOPSIS per decision: {t_pm:.1f} s extrapolated -> ratio {t_pm / ours:.0f}x")
    except ImportError:
        print("(c) pymcdm not installed: skipped")

    big = np.ones_like(matrix)
    t_mem = timed(lambda: big.sum())
    print(f"(d) memory probe (sum of a {big.nbytes / 1e9:.2f} GB array): {t_mem:.3f} s -> ours is {ours / t_mem:.1f}x the probe")


if __name__ == "__main__":
    main()
