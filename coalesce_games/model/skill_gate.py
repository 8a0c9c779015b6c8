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
from coalesce_games.validation import check_probability

__all__ = ['admission_curves', 'spoofer_score']


def spoofer_score(weights: tuple[float, float, float] = (0.3, 0.5, 0.2)) -> sympy.Expr:
    """Eq. 11 score of a declared-tag spoofer as a function of its history h."""
    h = sympy.Symbol("h", nonnegative=True)
    wj, wc, wh = (sympy.nsimplify(w) for w in weights)
    return wj * 1 + wc * 1 + wh * h


def admission_curves(taus: Any, n_tasks: int = 400, n_providers: int = 200, seed: int = 0,
                     probe_noise: float = 0.1) -> pd.DataFrame:
    """Admission rates of honest providers and spoofers as functions of tau.

    For each tau: the share of (task, honest provider) pairs whose provider
    truly has the skills and passes the gate, and the share of (task, spoofer)
    pairs that pass, with declared tags and with a capability probe. The
    spoofers declare each task's required tags and have none of them.
    """
    taus = np.asarray(taus, float)
    check_probability("taus", taus)
    tasks = Tasks.sample(n_tasks, [seed, 1])
    honest = Providers.sample_table1(n_providers, [seed, 2])
    able = (tasks.required[:, None, :] <= honest.true_skills[None, :, :]).all(-1)
    rows = []
    for mode in ("declared", "probe"):
        matcher = SkillMatcher(mode=mode, probe_noise=probe_noise)
        s_honest = matcher.score(tasks.required, honest, rng=[seed, 3])
        # one spoofer per task type, declaring that type's tags and lacking them
        spoof_scores = []
        for kind in np.unique(tasks.task_type):
            req = tasks.required[tasks.task_type == kind][:1]
            spoof = honest.subset(np.arange(20))
            spoof = type(spoof)(**{**spoof.__dict__, "declared": np.repeat(req, 20, 0),
                                   "true_skills": np.zeros_like(spoof.true_skills),
                                   "behaviour": np.ones(20, np.int8)})
            spoof_scores.append(matcher.score(tasks.required[tasks.task_type == kind], spoof, rng=[seed, 4, int(kind)]).ravel())
        s_spoof = np.concatenate(spoof_scores)
        for tau in taus:
            rows.append({"mode": mode, "tau": float(tau),
                         "honest_capable_admitted": float((s_honest[able] >= tau).mean()),
                         "honest_incapable_admitted": float((s_honest[~able] >= tau).mean()),
                         "spoofer_admitted": float((s_spoof >= tau).mean())})
    return pd.DataFrame(rows)
