"""The published code's cheap mechanics as MarketConfig options (papers/model.md section 7.5).

Each option's default is ours and leaves every run as it was before the option existed (numbers pinned
from the code before the options, bit for bit); the [paper] scenarios set each to the published value;
each option's effect is checked on a hand-computed case.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from coalesce_games.market.config import MarketConfig, load_scenario
from coalesce_games.market.draws import _draw_batch
from coalesce_games.market.simulation import simulate_many
from coalesce_games.model.cost_terms import communication_one, eq69_constants, external_one
from coalesce_games.model.providers import Providers
from coalesce_games.model.weights import task_weights_one, weight_factor_constants, weight_noise_step
from coalesce_games.validation import make_rng

OURS = {"task_levels": "drawn", "reliability_draw": "range", "jitter_shape": "uniform", "late_latency": "scaled",
        "weight_noise": "none"}
PUBLISHED = {"task_levels": "medium", "reliability_draw": "nominal", "jitter_shape": "normal",
             "late_latency": "quoted", "weight_noise": "published"}

# run rows of MarketConfig(days=2, clients=5, contractors=12) (ours) and of the published rule, accounting, load
# and skill gate on it, seeds 0-2, computed before the five options existed (float.hex: bit for bit)
BEFORE = {
    "ours": ({}, [91, 78, 77],
             {"cost_reduction": ["0x1.8d68291e6ad25p-1", "0x1.852d5bcf1771dp-1", "0x1.62f2379bdd7b9p-1"],
              "paper_cost_reduction": ["0x1.310767151539cp+0", "0x1.04aaf5229af13p+1", "0x1.a6b524e9e782ap-1"],
              "mean_topsis": ["0x1.4b646a88f422fp-1", "0x1.8c37a0cdb87b3p-1", "0x1.548b27b088a15p-1"],
              "hhi": ["0x1.184e95b5f19d6p+12", "0x1.1cbc3fe107426p+12", "0x1.5b38e38e38e36p+12"]}),
    "paper rule": ({"policy": "paper", "skill_mode": "published", "load": "published", "accounting": "paper",
                    "arrival_rate": 4.2}, [188, 198, 187],
                   {"cost_reduction": ["0x1.5591193d0f897p-1", "0x1.5533c63482445p-1", "0x1.597b7358c938ap-1"],
                    "paper_cost_reduction": ["0x1.526e8baa5d79cp+1", "0x1.ae2add09a048ap-2",
                                             "0x1.aa4d8ca570248p-2"],
                    "mean_topsis": ["0x1.8470ce17d140ep-1", "0x1.8284165edc149p-1", "0x1.82098e3d5edcep-1"],
                    "hhi": ["0x1.8ccda4de690bdp+11", "0x1.6b20718510307p+11", "0x1.54f85d040f22bp+11"]}),
}


@pytest.mark.parametrize("name", sorted(BEFORE))
def test_defaults_give_the_runs_of_before(name) -> None:
    changes, tasks, columns = BEFORE[name]
    cfg = MarketConfig(days=2, clients=5, contractors=12).replace(**changes)
    assert {key: getattr(cfg, key) for key in OURS} == OURS
    runs = simulate_many(cfg, [0, 1, 2]).runs
    assert runs.tasks.tolist() == tasks
    for column, values in columns.items():
        assert [float(x).hex() for x in runs[column]] == values, column


def test_the_paper_scenarios_copy_the_published_mechanics() -> None:
    for name in ("paper", "paper_agt_01", "paper_dur_05"):
        cfg = load_scenario(name)
        assert {key: getattr(cfg, key) for key in PUBLISHED} == PUBLISHED


def test_weight_noise_belongs_to_the_published_rule() -> None:
    with pytest.raises(ValueError, match="weight_noise 'published' is the published rule's"):
        MarketConfig(weight_noise="published")
    with pytest.raises(ValueError, match="jitter_shape must be one of"):
        MarketConfig(jitter_shape="gaussian")
    with pytest.raises(ValueError, match="reliability must be 'range' or 'nominal'"):
        Providers.from_table1_uniforms(np.full((4, 1), 0.5), reliability="typical")


def test_medium_tasks_are_the_drawn_tasks_at_sensitivity_half_and_not_critical() -> None:
    cfg = MarketConfig(days=1, clients=4, contractors=6)
    drawn, medium = _draw_batch([cfg], [3]), _draw_batch([cfg.replace(task_levels="medium")], [3])
    assert (drawn.tasks["sensitivity"] > 0.7).any() and drawn.tasks["high_criticality"].any()
    assert (medium.tasks["sensitivity"] == 0.5).all() and not medium.tasks["high_criticality"].any()
    for key in ("task_type", "value", "complexity", "data_gb", "budget"):
        np.testing.assert_array_equal(drawn.tasks[key], medium.tasks[key])
    # a sensitive task's security weight x1.4 (0.15 x 1.4 = 0.21 of 1.06); at 0.5 the base weights stay
    base, out = np.array([0.4, 0.25, 0.2, 0.15]), np.empty(4)
    task_weights_one(base, 400.0, 200.0, 60.0, 0.9, weight_factor_constants(), np.empty(4), out)
    np.testing.assert_allclose(out, [0.4 / 1.06, 0.25 / 1.06, 0.2 / 1.06, 0.21 / 1.06], rtol=1e-12)
    task_weights_one(base, 400.0, 200.0, 60.0, 0.5, weight_factor_constants(), np.empty(4), out)
    np.testing.assert_allclose(out, base, rtol=1e-12)


def test_nominal_reliability_is_table_1s_column() -> None:
    # u = 0.5 falls in type D: its range's middle 0.75, its nominal reliability 0.743 (security 1 - 0.02 - 0.0257)
    ranged = Providers.from_table1_uniforms(np.full((4, 2), 0.5))
    nominal = Providers.from_table1_uniforms(np.full((4, 2), 0.5), reliability="nominal")
    assert ranged.reliability.round(12).tolist() == [0.75, 0.75]
    assert nominal.reliability.tolist() == [0.743, 0.743]
    np.testing.assert_allclose(nominal.security, [0.9543, 0.9543], rtol=1e-12)
    np.testing.assert_array_equal(nominal.base_price, ranged.base_price)      # price and latency as before


def test_normal_jitter_is_the_normal_quantile_of_the_same_uniforms() -> None:
    # type D (price 6.20, latency 38.7): u = Phi(1) for the price, Phi(-2) for the latency
    u = np.array([[0.5], [0.8413447460685429], [0.022750131948179195], [0.5]])
    p = Providers.from_table1_uniforms(u, shape="normal")
    np.testing.assert_allclose(p.base_price, [6.2 * 1.1], rtol=1e-9)
    np.testing.assert_allclose(p.latency, [38.7 * (1 - 0.3)], rtol=1e-9)
    np.testing.assert_allclose(Providers.from_table1_uniforms(np.full((4, 1), 0.5), shape="normal").base_price,
                               [6.2])
    with pytest.raises(ValueError, match="no normal quantile"):
        Providers.from_table1_uniforms(np.array([[0.5], [0.0], [0.5], [0.5]]), shape="normal")
    # over many providers the factors have the published spread: sd 0.10 of the price
    many = Providers.sample_table1(20000, 1, shape="normal")
    d = many.type_id == "D"
    assert abs(np.std(many.base_price[d] / 6.2) - 0.10) < 0.005


def test_quoted_lateness_does_not_scale_with_complexity() -> None:
    # type C (52.3 min) on a task of complexity 2 and maximum latency 90 min: scaled, 0.25 x (104.6 - 90) = 3.65 USD
    k, comm = eq69_constants(), communication_one(8.2, 0.2, 0.12, 0.5)
    _, _, late_scaled, total_scaled, _ = external_one(10.0, 0.912, 52.3, 2.0, 100.0, False, comm, 90.0, k)
    _, _, late_quoted, total_quoted, _ = external_one(10.0, 0.912, 52.3, 1.0, 100.0, False, comm, 90.0, k)
    assert late_scaled == pytest.approx(3.65, rel=1e-12) and late_quoted == 0.0
    assert total_scaled - total_quoted == pytest.approx(3.65, rel=1e-9)
    # the market multiplies the provider's latency by 1 in the lateness under "quoted", by cf under "scaled"
    cfg = MarketConfig(days=1, clients=4, contractors=6)
    np.testing.assert_array_equal(_draw_batch([cfg], [0]).late_complexity, _draw_batch([cfg], [0]).tasks["complexity"])
    assert (_draw_batch([cfg.replace(late_latency="quoted")], [0]).late_complexity == 1.0).all()


def test_weight_noise_steps() -> None:
    w = np.array([0.4, 0.25, 0.2, 0.15])
    weight_noise_step(w, np.array([0.1, -0.3, 0.0, 0.0]))       # |0.5, -0.05, 0.2, 0.15| / 0.9
    np.testing.assert_allclose(w, np.array([0.5, 0.05, 0.2, 0.15]) / 0.9, rtol=1e-12)
    # the draws: 0.01 N(0, 0.1) per weight and task, from the run's fourth stream; none without the option
    cfg = load_scenario("paper").replace(days=1, clients=3, contractors=6)
    draws = _draw_batch([cfg], [4])
    m = len(draws.uniforms)
    np.testing.assert_array_equal(draws.weight_noise, 0.01 * make_rng([4, 0xC0A1, 3]).normal(0.0, 0.1, (m, 4)))
    assert _draw_batch([cfg.replace(weight_noise="none")], [4]).weight_noise.shape == (0, 4)


@pytest.mark.parametrize("option", sorted(OURS))
def test_each_option_moves_the_published_table_and_only_its_own_draws(option) -> None:
    """Each option put back to ours changes the paper runs; the market's draws it does not read stay put."""
    cfg = load_scenario("paper_agt_03").replace(days=2)
    back = cfg.replace(**{option: OURS[option]})
    a, b = simulate_many(cfg, [0, 1]).runs, simulate_many(back, [0, 1]).runs
    moved = ["paper_cost_reduction", "mean_topsis"]         # the weights' small steps move the closeness first
    assert not a[moved].equals(b[moved])
    assert a.tasks.tolist() == b.tasks.tolist()                  # the same arrivals
    da, db = _draw_batch([cfg], [0]), _draw_batch([back], [0])
    np.testing.assert_array_equal(da.uniforms, db.uniforms)
    assert da.providers.type_id.tolist() == db.providers.type_id.tolist()
    pd.testing.assert_series_equal(pd.Series(da.tasks["value"]), pd.Series(db.tasks["value"]))
