"""The compiled market against an independent per-task, per-candidate implementation of the published rule.

``coalesce_games.market.reference`` writes the published table's market the published way (scalar Python,
run by run, hour by hour, task by task); it is the market benchmark's baseline. Here it holds the
compiled market (coalesce_games.market.kernel) to the same run rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from coalesce_games.market.config import load_scenario
from coalesce_games.market.reference import simulate_loop
from coalesce_games.market.simulation import simulate_many


@pytest.mark.parametrize("scenario, changes", [
    ("paper_agt_01", {}),                                         # 5 clients: queues, the opportunity cost
    ("paper_dur_01", {}),
    ("paper_agt_04", {"skill_mode": "declared"}),                 # our Eq. 11
    ("paper_agt_02", {"load": "per_client", "arrival_rate": 0.3, "accounting": "consistent"}),
    ("paper_dur_02", {"epsilon": 0.3, "tau": 0.6, "latency_penalty_per_min": 1.0, "capacity_per_hour": 0.5}),
    ("paper_agt_03", {"paper_history_scope": "every_task"}),        # explored and candidate-less tasks recorded
    ("paper_agt_03", {"paper_history": "closeness"}),               # the history records closeness alone
    ("paper_agt_05", {"paper_history": "closeness", "paper_history_scope": "every_task", "epsilon": 0.2}),
])
def test_compiled_runs_equal_the_task_by_task_loop(scenario, changes) -> None:
    cfg = load_scenario(scenario).replace(**changes)
    seeds = [0, 1, 2]
    compiled = simulate_many(cfg, seeds).runs
    loop = pd.DataFrame([simulate_loop(cfg, s) for s in seeds])[compiled.columns.drop(
        [c for c in compiled.columns if c.startswith("cfg_")])]
    assert (compiled.outsourcing_rate > 0).all() and (compiled.tasks > 20).all()
    # every number equal; mean TOPSIS to the last bits (the closeness is computed in another order)
    pd.testing.assert_frame_equal(compiled[loop.columns].drop(columns="mean_topsis"), loop.drop(columns="mean_topsis"),
                                  check_exact=True)
    np.testing.assert_allclose(compiled.mean_topsis, loop.mean_topsis, rtol=1e-12)


def test_the_loop_refuses_what_it_does_not_model() -> None:
    for changes in ({"rogue_share": 0.2}, {"verification_share": 0.5}, {"policy": "coalesce", "weight_noise": "none"},
                    {"skill_mode": "probe"}):
        with pytest.raises(ValueError, match="loop market covers"):
            simulate_loop(load_scenario("paper_agt_01").replace(**changes), 0)
