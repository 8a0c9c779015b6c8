"""The skill gate against spoofers (F3), in closed form and measured.

A spoofer that declares exactly the required tags scores J = 1 and C = 1, so its
Eq. 11 score is ``0.3 + 0.5 + 0.2 h = 0.8 + 0.2 h`` (0.96 at the prior h = 0.8):
above every honest Table-1 provider for any threshold up to 0.96. Raising tau
therefore excludes honest providers long before it excludes declared-tag
spoofers; only a capability probe (embedding what a provider can actually do)
separates them. :func:`admission_curves` measures admission against tau for
each kind of provider.

>>> spoofer_score()
h/5 + 4/5
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import sympy

from coalesce_games.model.providers import Providers
from coalesce_games.model.skills import SkillMatcher
from coalesce_games.model.tasks import Tasks
from coalesce_games.validation import check_int, check_probability, check_seed, check_weights

#: spoofers per task type in :func:`admission_curves` (each declares the type's tags and has none of them)
SPOOFERS_PER_TYPE = 20
#: the most (task, honest provider) pairs :func:`admission_curves` scores: its (tasks, providers, skills) test is
#: held in memory at once
MAX_PAIRS = 4_000_000

__all__ = ['admission_curves', 'spoofer_score']


def spoofer_score(weights: tuple[float, float, float] = (0.3, 0.5, 0.2)) -> sympy.Expr:
    """Eq. 11 score of a declared-tag spoofer as a function of its history h.

    ``weights`` are Eq. 11's ``(w_J, w_C, w_H)``, normalised to sum to one as
    the gate normalises them (:class:`~coalesce_games.model.skills.SkillMatcher`),
    exactly: each made a rational by ``sympy.nsimplify`` (0.3 is 3/10).

    >>> spoofer_score((3, 5, 2))
    h/5 + 4/5
    >>> spoofer_score((0.3, 0.5))
    Traceback (most recent call last):
    ...
    ValueError: weights must have 3 entries on its last axis; got shape (2,)
    """
    if check_weights("weights", weights, size=3).ndim != 1:
        raise ValueError(f"weights must be one vector of 3 weights; got {np.shape(weights)}")
    if isinstance(weights, np.ndarray):
        weights = weights.tolist()
    h = sympy.Symbol("h", nonnegative=True)
    wj, wc, wh = (sympy.nsimplify(w) for w in weights)
    total = wj + wc + wh
    return wj / total * 1 + wc / total * 1 + wh / total * h


def _spoofers(required: np.ndarray) -> Providers:
    """:data:`SPOOFERS_PER_TYPE` spoofers declaring the tags ``required`` (one row) and truly having none.

    The gate reads only their skills (declared, or probed from the true ones)
    and the history prior; their prices and latencies are zero placeholders
    nothing here reads.
    """
    n, zeros = SPOOFERS_PER_TYPE, np.zeros(SPOOFERS_PER_TYPE)
    return Providers(name=np.array([f"spoofer{i}" for i in range(n)]), type_id=np.full(n, "spoofer"),
                     base_price=zeros, latency=zeros, reliability=zeros, security=zeros,
                     declared=np.repeat(required, n, 0), true_skills=np.zeros((n, required.shape[1]), bool),
                     behaviour=np.ones(n, np.int8), competence=zeros)


def _admitted(scores: np.ndarray, tau: float) -> float:
    """The share of ``scores`` at or above ``tau``; NaN when there are none (no such pair was drawn)."""
    return float((scores >= tau).mean()) if scores.size else float("nan")


def admission_curves(taus: Any, n_tasks: int = 400, n_providers: int = 200, seed: int = 0,
                     probe_noise: float = 0.1) -> pd.DataFrame:
    """Admission rates of honest providers and spoofers as functions of tau.

    For each tau: the share of (task, honest provider) pairs whose provider
    truly has the skills and passes the gate, and the share of (task, spoofer)
    pairs that pass, with declared tags and with a capability probe. The
    spoofers (:data:`SPOOFERS_PER_TYPE` per task type) declare each task's
    required tags and have none of them. A share over no pairs (no honest
    provider drawn is incapable, say) is NaN. At most :data:`MAX_PAIRS` task x
    provider pairs.

    >>> curves = admission_curves([0.7], n_tasks=20, n_providers=10)
    >>> curves["mode"].tolist(), curves["spoofer_admitted"].tolist()
    (['declared', 'probe'], [1.0, 0.0325])
    """
    taus = check_probability("taus", taus)
    if taus.ndim != 1 or taus.size == 0:
        raise ValueError(f"taus must be a non-empty list of thresholds in [0, 1]; got shape {taus.shape}")
    n_tasks, n_providers = check_int("n_tasks", n_tasks, minimum=1), check_int("n_providers", n_providers, minimum=1)
    if n_tasks * n_providers > MAX_PAIRS:
        raise ValueError(f"n_tasks x n_providers must be at most {MAX_PAIRS:,} pairs; got {n_tasks:,} x "
                         f"{n_providers:,} (use fewer tasks or providers)")
    check_seed("seed", seed)
    check_probability("probe_noise", probe_noise)
    tasks = Tasks.sample(n_tasks, [seed, 1])
    honest = Providers.sample_table1(n_providers, [seed, 2])
    able = (tasks.required[:, None, :] <= honest.true_skills[None, :, :]).all(-1)
    rows = []
    for mode in ("declared", "probe"):
        matcher = SkillMatcher(mode=mode, probe_noise=probe_noise)
        s_honest = matcher.score(tasks.required, honest, rng=[seed, 3])
        s_spoof = np.concatenate([
            matcher.score(tasks.required[tasks.task_type == kind], _spoofers(tasks.required[tasks.task_type == kind][:1]),
                          rng=[seed, 4, int(kind)]).ravel()
            for kind in np.unique(tasks.task_type)])
        for tau in taus:
            rows.append({"mode": mode, "tau": float(tau),
                         "honest_capable_admitted": _admitted(s_honest[able], tau),
                         "honest_incapable_admitted": _admitted(s_honest[~able], tau),
                         "spoofer_admitted": _admitted(s_spoof, tau)})
    return pd.DataFrame(rows)
