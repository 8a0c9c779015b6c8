"""The market simulator: reproducibility, accounting, threats, config."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from coalesce_games import data
from coalesce_games.market.config import MarketConfig, load_scenario
from coalesce_games.market.simulation import simulate, simulate_many

SMALL = MarketConfig(days=2, clients=4, contractors=12)


def test_same_seed_same_numbers_in_another_process() -> None:
    code = ("from coalesce_games import MarketConfig, simulate; "
            "r = simulate(MarketConfig(days=2, clients=4, contractors=12, rogue_share=0.25), 7).runs; "
            "print(r.to_json())")
    here = simulate(SMALL.replace(rogue_share=0.25), 7).runs.to_json()
    there = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert here == there
    assert simulate(SMALL, 1).runs.cost_policy.item() != simulate(SMALL, 2).runs.cost_policy.item()


def test_every_task_accounted_once() -> None:
    r = simulate(SMALL, 3, events=True)
    assert r.runs.tasks.item() == r.steps.arrived.sum() == len(r.events)
    assert r.steps.outsourced.sum() == (r.events.choice >= 0).sum()
    assert r.runs.outsourcing_rate.item() == pytest.approx((r.events.choice >= 0).mean())


def test_consistent_cost_reduction_is_a_fraction_of_the_all_local_cost() -> None:
    runs = simulate_many(SMALL.replace(rogue_share=0.3), range(4)).runs
    assert (runs.cost_reduction <= 1).all()
    np.testing.assert_allclose(runs.cost_reduction, 1 - runs.cost_policy / runs.cost_all_local)


def test_no_rogues_no_rogue_exposure() -> None:
    runs = simulate_many(SMALL, range(3)).runs
    assert (runs.rogue_task_share == 0).all() and (runs.leaks == 0).all()
    assert (runs.undetected_fabrications == 0).all()


def test_full_verification_with_certain_detection_stops_fabrication() -> None:
    cfg = SMALL.replace(rogue_share=0.5, rogue_mix=(0, 0, 1), verification_share=1.0, d_fab=1.0, epsilon=0.5)
    runs = simulate_many(cfg, range(3)).runs
    assert (runs.undetected_fabrications == 0).all()
    assert runs.detections.sum() > 0
    unverified = simulate_many(cfg.replace(verification_share=0.0), range(3)).runs
    assert unverified.undetected_fabrications.sum() > 0


def test_golden_run_is_pinned() -> None:
    run = simulate(SMALL, 11).runs.iloc[0]
    assert int(run.tasks) == GOLDEN["tasks"]
    assert float(run.cost_policy) == pytest.approx(GOLDEN["cost_policy"], rel=1e-9)
    assert float(run.cost_all_local) == pytest.approx(GOLDEN["cost_all_local"], rel=1e-9)


# pinned from a reviewed run (2 days, 4 clients, 12 contractors, seed 11): any change to the
# model or the random streams shows here and must be explained in its commit
# re-pinned when every run's random numbers came to be drawn up front (arrivals, tasks and per-task
# uniforms in a few calls per run): same distributions, other draws
GOLDEN = {"tasks": 88, "cost_policy": 2651.8027334478033, "cost_all_local": 8946.937080700636}

CHANGES = {
    "days": 5, "clients": 6, "contractors": 20, "arrival_rate": 0.4, "business_multiplier": 1.0,
    "policy": "paper", "paper_history": "closeness", "paper_history_scope": "every_task", "epsilon": 0.5, "tau": 0.95, "beta": 0.0, "exploration_confidence": 0.2,
    "load": "published", "security_weight": 5.0, "accounting": "paper", "skill_mode": "probe", "probe_noise": 0.4,
    "mislabelled_share": 0.9, "capacity_per_hour": 0.2, "alpha_demand": 2.0, "rogue_share": 0.5,
    "rogue_mix": (1.0, 0.0, 0.0), "rogue_entry_day": 1, "rogue_price_factor": 0.1,
    "spoofer_competence": 0.9, "q_leak": 1.0, "leak_loss": 5000.0, "d_leak": 0.0, "d_fab": 0.0,
    "verification_share": 1.0, "latency_penalty_per_min": 0.0, "reentry_hours": 1, "seed": 5,
    "task_levels": "medium", "reliability_draw": "nominal", "jitter_shape": "normal", "late_latency": "quoted",
    "weight_noise": "published",
}
# fields whose effect needs rogue providers in the market to show
NEEDS_ROGUES = {"rogue_mix", "rogue_entry_day", "rogue_price_factor", "spoofer_competence", "q_leak",
                "leak_loss", "d_leak", "d_fab", "reentry_hours"}


# rogue behaviour a field acts on, so that a short market shows its effect
FOCUS = {"d_leak": {"rogue_mix": (0, 1, 0)}, "q_leak": {"rogue_mix": (0, 1, 0)},
         "reentry_hours": {"rogue_mix": (1, 0, 0), "d_fab": 1.0, "verification_share": 1.0},
         "spoofer_competence": {"rogue_mix": (1, 0, 0)}, "paper_history": {"policy": "paper"},
         "paper_history_scope": {"policy": "paper"}, "weight_noise": {"policy": "paper"},
         "late_latency": {"policy": "paper"}}


def test_every_config_field_is_covered() -> None:
    assert set(CHANGES) == {f.name for f in dataclasses.fields(MarketConfig)}


@pytest.mark.parametrize("name", sorted(CHANGES))
def test_each_config_field_changes_the_outcome(name: str) -> None:
    base = SMALL.replace(days=3, epsilon=0.3, verification_share=0.5)
    if name in NEEDS_ROGUES:
        base = base.replace(rogue_share=0.5, rogue_mix=(1 / 3, 1 / 3, 1 / 3) if name != "rogue_mix" else (0, 0, 1))
    if name in FOCUS:
        base = base.replace(days=5, clients=8, epsilon=0.5, **FOCUS[name])
    if name == "probe_noise":
        base = base.replace(skill_mode="probe")
    if name == "accounting":
        base = base.replace(policy="coalesce")
    changed = base.replace(**{name: CHANGES[name]})
    a = simulate(base).runs.drop(columns=[c for c in simulate(base).runs.columns if c.startswith("cfg_")])
    b = simulate(changed).runs[a.columns]
    assert not a.equals(b), f"changing {name} changed nothing"


@pytest.mark.parametrize("changes, message", [
    ({"clients": -1}, "clients must be >= 1"),
    ({"contractors": 0}, "contractors must be >= 1"),
    ({"epsilon": 1.2}, "epsilon must be in"),
    ({"rogue_share": 1.5}, "rogue_share must be in"),
    ({"rogue_share": 1.0}, "at least one honest"),
    ({"policy": "oracle"}, "policy must be one of"),
    ({"load": "bursty"}, "load must be one of"),
    ({"paper_history_scope": "some"}, "paper_history_scope must be one of"),
    ({"rogue_mix": (0, 0, 0)}, "rogue_mix must not be all zero"),
    ({"contractors": 2, "alpha_demand": 2.5}, "alpha_demand 2.5 above contractors 2"),
    ({"flux_capacitor": 1}, "unknown MarketConfig field"),
])
def test_bad_config(changes, message) -> None:
    with pytest.raises(ValueError, match=message):
        MarketConfig().replace(**changes)


def test_scenarios_and_toml(monkeypatch) -> None:
    assert load_scenario("paper_agt_08").clients == 50
    # the 13 published configurations, each on the published mechanics of the [paper] base
    base = load_scenario("paper")
    for exp in data.load_published_table().itertuples():
        cfg = load_scenario(f"paper_{exp.experiment}")
        assert (cfg.days, cfg.clients, cfg.contractors) == (exp.days, exp.clients, exp.contractors)
        assert cfg == base.replace(days=exp.days, clients=exp.clients, contractors=exp.contractors)
    assert (base.policy, base.accounting, base.load, base.skill_mode, base.paper_history_scope) == \
        ("paper", "paper", "published", "published", "scored")
    monkeypatch.setattr(data, "load_scenarios", lambda: {"a": {"base": "b"}, "b": {"base": "a", "days": 2}})
    with pytest.raises(ValueError, match="cycle: a -> b -> a"):
        load_scenario("a")
    monkeypatch.undo()
    with pytest.raises(ValueError, match="unknown scenario"):
        load_scenario("nope")
    cfg = MarketConfig.from_toml("days = 2\nrogue_share = 0.2\nrogue_mix = [1, 0, 0]\n")
    assert cfg.days == 2 and cfg.rogue_mix == (1, 0, 0)
    with pytest.raises(TypeError, match="MarketConfig"):
        simulate({"days": 1})


def test_policies_face_the_same_task_stream() -> None:
    """Common random numbers: one seed, one market, whatever the policy."""
    a = simulate(SMALL, 4).runs.iloc[0]
    b = simulate(SMALL.replace(policy="paper", epsilon=0.0), 4).runs.iloc[0]
    assert a.tasks == b.tasks and a.cost_all_local == b.cost_all_local


@pytest.mark.parametrize("changes", [{}, {"policy": "paper", "accounting": "paper"},
                                     {"policy": "paper", "load": "published", "arrival_rate": 4.2},
                                     {"rogue_share": 0.3, "verification_share": 0.4, "reentry_hours": 2},
                                     {"skill_mode": "probe", "rogue_share": 0.25}])
def test_batched_runs_equal_solo_runs(changes) -> None:
    """A run's numbers do not depend on the other runs of its batch."""
    cfg = SMALL.replace(**changes)
    together = simulate_many(cfg, [4, 9, 2], events=True)
    for seed in (9, 2):
        alone = simulate(cfg, seed, events=True)
        pd.testing.assert_frame_equal(together.runs[together.runs.seed == seed].reset_index(drop=True), alone.runs)
        pd.testing.assert_frame_equal(together.steps[together.steps.seed == seed].reset_index(drop=True), alone.steps)
        pd.testing.assert_frame_equal(together.events[together.events.seed == seed].reset_index(drop=True),
                                      alone.events)
    batched = simulate_many(cfg, [4, 9, 2], batch=2).runs
    pd.testing.assert_frame_equal(batched, together.runs)


def test_a_negative_price_stops_the_run() -> None:
    """The compiled hour refuses an Eq. 7 price below zero rather than trading at it."""
    from coalesce_games.market import simulation as market_simulate

    cfg = SMALL.replace(contractors=2, alpha_demand=2.0)       # an idle provider's price: exactly 0
    assert simulate(cfg, 1).runs.tasks.item() > 0
    tampered = object.__new__(MarketConfig)
    object.__setattr__(tampered, "__dict__", {**cfg.__dict__, "alpha_demand": 2.5})
    with pytest.raises(ValueError, match="dynamic price turned negative"):
        market_simulate._run_batch([tampered], [1], False)


def test_simulate_many_rejects_bad_batches() -> None:
    with pytest.raises(ValueError, match="batch"):
        simulate_many(SMALL, [1, 2], batch=0)
    with pytest.raises(ValueError, match="seeds must not be empty"):
        simulate_many(SMALL, [])
    with pytest.raises(TypeError, match="config"):
        simulate_many({"days": 1}, [1])


@pytest.mark.parametrize("scope", ["scored", "every_task"])
def test_decision_recording_holds_the_outsourcing_rate_across_scales(scope) -> None:
    """The limit cycle: recording decisions keeps the published rule's outsourcing rate flat."""
    rates = {}
    for record in ("closeness", "decision"):
        for contractors in (10, 100):
            cfg = MarketConfig(policy="paper", accounting="paper", paper_history=record, days=3,
                               clients=contractors // 2, contractors=contractors, paper_history_scope=scope)
            rates[record, contractors] = simulate_many(cfg, range(4)).runs.outsourcing_rate.mean()
    assert rates["closeness", 100] - rates["closeness", 10] > 0.25             # no feedback: grows with the market
    assert abs(rates["decision", 100] - rates["decision", 10]) < 0.1           # feedback: held


def test_configurations_of_different_sizes_run_in_one_batch() -> None:
    """Days, clients, contractors and load may differ within a batch; each run equals its solo run."""
    from coalesce_games.market import draws as market_draws

    configs = [SMALL.replace(rogue_share=0.25, verification_share=0.5),
               SMALL.replace(days=3, clients=2, contractors=20, arrival_rate=0.5, rogue_share=0.25,
                             verification_share=0.5),
               SMALL.replace(days=1, contractors=4, rogue_share=0.25, verification_share=0.5)]
    assert len({market_draws._batch_key(c) for c in configs}) == 1
    done = []
    together = simulate_many(configs, [5, 8], events=True, progress=done.append)
    assert done == [6]                                        # one batch of all six runs
    assert together.runs.config.tolist() == [0, 0, 1, 1, 2, 2] and together.runs.seed.tolist() == [5, 8] * 3
    for c, cfg in enumerate(configs):
        for seed in (5, 8):
            alone = simulate(cfg, seed, events=True)
            for name in ("runs", "steps", "events"):
                frame = getattr(together, name)
                mine = frame[(frame.config == c) & (frame.seed == seed)].drop(columns="config")
                pd.testing.assert_frame_equal(mine.reset_index(drop=True), getattr(alone, name))
    assert together.steps.groupby("config").hour.max().tolist() == [47, 71, 23]


def test_a_batch_draws_what_each_run_draws_alone() -> None:
    """One transform for a batch's providers and tasks gives what one sample_table1 and draw_task_arrays
    per run give from the run's own generator, in runs of different sizes."""
    from coalesce_games.market import draws as market_draws
    from coalesce_games.model.providers import Providers
    from coalesce_games.model.tasks import draw_task_arrays
    from coalesce_games.validation import make_rng

    configs = [SMALL.replace(days=d, clients=c, contractors=n) for d, c, n in ((2, 4, 12), (1, 3, 5), (3, 2, 30))]
    seeds = [7, 1, 7]
    draws = market_draws._draw_batch(configs, seeds)
    assert draws.provider_start.tolist() == [0, 12, 17, 47]
    first_task = np.concatenate([[0], np.cumsum([a.sum() for a in draws.arrivals])])
    for r, (cfg, seed) in enumerate(zip(configs, seeds)):
        rng = make_rng([seed, 0xC0A1, 0])
        alone = Providers.sample_table1(cfg.contractors, rng)
        mine = slice(draws.provider_start[r], draws.provider_start[r + 1])
        for f in Providers.__dataclass_fields__:
            np.testing.assert_array_equal(getattr(draws.providers, f)[mine], getattr(alone, f), err_msg=f)
        arrivals = rng.poisson(np.broadcast_to(cfg.arrival_rate * market_draws._arrival_multiplier(
            np.arange(cfg.days * 24), cfg.business_multiplier)[:, None], (cfg.days * 24, cfg.clients)))
        np.testing.assert_array_equal(draws.arrivals[r], arrivals)
        tasks, own = draw_task_arrays(int(arrivals.sum()), rng), slice(first_task[r], first_task[r + 1])
        for f, values in tasks.items():
            np.testing.assert_array_equal(draws.tasks[f][own], values, err_msg=f)
        np.testing.assert_array_equal(draws.uniforms[own],
                                      make_rng([seed, 0xC0A1, 1]).random((len(tasks["value"]), 8)))


def test_each_configuration_may_have_its_own_seeds() -> None:
    configs = [SMALL, SMALL.replace(days=1), SMALL.replace(epsilon=0.3)]
    runs = simulate_many(configs, [[1, 2], [7], range(3, 5)]).runs
    assert runs.config.tolist() == [0, 0, 1, 2, 2] and runs.seed.tolist() == [1, 2, 7, 3, 4]
    for c, cfg in enumerate(configs):
        for seed in runs.seed[runs.config == c]:
            pd.testing.assert_frame_equal(
                runs[(runs.config == c) & (runs.seed == seed)].drop(columns="config").reset_index(drop=True),
                simulate(cfg, int(seed)).runs)
    with pytest.raises(ValueError, match="one sequence of seeds per configuration"):
        simulate_many(configs, [[1], [2]])
    with pytest.raises(ValueError, match="seeds must not be empty"):
        simulate_many(configs, [[1], [], [2]])


def test_configurations_that_differ_otherwise_run_apart_in_order() -> None:
    configs = [SMALL.replace(epsilon=0.3), SMALL, SMALL.replace(epsilon=0.3, days=1)]
    done = []
    runs = simulate_many(configs, [1, 2], progress=done.append).runs
    assert sorted(done) == [2, 4]                             # two batches
    assert runs.config.tolist() == [0, 0, 1, 1, 2, 2] and runs.cfg_epsilon.tolist() == [0.3, 0.3, 0.1, 0.1, 0.3, 0.3]
    pd.testing.assert_frame_equal(runs[runs.config == 1].drop(columns="config").reset_index(drop=True),
                                  simulate_many(SMALL, [1, 2]).runs)
    with pytest.raises(TypeError, match="position 1"):
        simulate_many([SMALL, {"days": 1}], [1])
    with pytest.raises(ValueError, match="empty"):
        simulate_many([], [1])


def test_compiled_skill_gate_equals_eq11_in_numpy() -> None:
    from coalesce_games.market.arrays import SkillArrays
    from coalesce_games.market.kernel import skill_gate

    rng = np.random.default_rng(8)
    skill = SkillArrays(rng.random((3, 5, 6)), np.zeros((3, 1), np.int64), 0.2, 0.8, 0.7)
    history, available = rng.random(6), np.array([0, 2, 3, 5])
    for row in range(3):
        usable, n_usable = np.full((5, 6), -1), np.zeros(5, np.int64)
        skill_gate(skill, row, history, np.r_[available, 1], len(available), usable, n_usable)   # the first 4
        passes = skill.static[row] + 0.2 * history >= 0.7                 # (types, providers)
        for t in range(5):
            assert usable[t, :n_usable[t]].tolist() == [j for j in available if passes[t, j]]
    assert n_usable.sum() > 0 and (n_usable < len(available)).any()
    one = skill._replace(static=np.full((1, 1, 1), 0.54))                    # 0.54 + 0.2 x 0.8 = 0.7 passes
    usable, n_usable = np.zeros((1, 1), np.int64), np.zeros(1, np.int64)
    skill_gate(one, 0, np.array([0.8]), np.array([0]), 1, usable, n_usable)
    assert n_usable.tolist() == [1]


def test_published_load_is_one_market_rate_dealt_to_the_clients_in_turn() -> None:
    """Poisson(4.2 x demand) tasks an hour for the whole market, whatever its clients, dealt round-robin."""
    from coalesce_games.market.draws import _published_arrivals

    week = MarketConfig(days=7, load="published", arrival_rate=4.2)
    few, many = (_published_arrivals(week.replace(clients=c), np.random.default_rng(3)) for c in (5, 50))
    np.testing.assert_array_equal(few.sum(axis=1), many.sum(axis=1))      # the same market count each hour
    assert (few.max(axis=1) - few.min(axis=1) <= 1).all() and (np.diff(few, axis=1) <= 0).all()   # in turn
    # the expected week by hand: 9 busy hours (9:00-17:59) on 5 weekdays at demand 0.5 x 3.2 = 1.6 (the clip
    # and the N(0, 0.1) noise cancel there: 1.6 +- 0.4 stays inside [0.1, 2]), 0.5 in the other 123 hours
    expected = 4.2 * (45 * 1.6 + 123 * 0.5)
    totals = np.array([_published_arrivals(week, np.random.default_rng(s)).sum() for s in range(400)])
    sd = np.sqrt(expected)       # Poisson, with the demand noise's small extra spread ignored
    assert abs(totals.mean() - expected) < 4 * sd / np.sqrt(len(totals)) + 0.5


def test_paper_accounting_prices_the_tasks_queued_behind() -> None:
    """The published opportunity cost: each task's best value / 2 h among its client's later tasks that hour."""
    from coalesce_games.market import draws as market_draws
    from coalesce_games.model.costs import internal_cost, queued_value_rate
    from coalesce_games.model.tasks import Tasks

    cfg = MarketConfig(days=2, clients=2, contractors=12, policy="paper", accounting="paper", load="published",
                       arrival_rate=4.2)
    draws = market_draws._draw_batch([cfg], [5])
    arrivals = draws.arrivals[0]
    queue = np.repeat(np.arange(arrivals.size), arrivals.ravel())              # (hour, client) of each task
    tasks = Tasks.from_draws(draws.tasks)
    rate = queued_value_rate(tasks.value, queue)
    assert (rate > 0).sum() > 20                                               # clients often hold two tasks
    expected = internal_cost(tasks, "paper", opportunity_rate=rate).total.sum()
    assert simulate(cfg, 5).runs.paper_cost_all_local.item() == pytest.approx(expected, rel=1e-12)
    assert expected > internal_cost(tasks, "paper").total.sum()


def test_published_skill_gate_opens_rag_to_b_d_f_and_risk_to_c_g_only() -> None:
    """With the published Eq. 11 lookup, only explored tasks of sentiment and portfolio go out."""
    from coalesce_games.market import draws as market_draws

    cfg = load_scenario("paper_agt_08").replace(days=4)
    types = market_draws._draw_batch([cfg], [3]).providers.type_id
    ev = simulate(cfg, 3, events=True).events
    chosen = ev[(ev.choice >= 0) & ~ev.explored]
    assert len(chosen) > 50 and ev.explored.any()
    allowed = {0: {"B", "D", "F"}, 1: {"C", "G"}, 2: set(), 3: set()}
    for task_type, group in chosen.groupby("task_type"):
        assert set(types[group.choice]) <= allowed[task_type], task_type


@pytest.mark.parametrize("args, message", [
    ((None, pd.DataFrame()), "runs must be a pandas DataFrame; got NoneType"),
    ((pd.DataFrame(), [[1.0]]), "steps must be a pandas DataFrame; got list"),
    ((pd.DataFrame(), pd.DataFrame(), {}), "events must be a pandas DataFrame or None; got dict"),
    ((1, 1), "runs must be a pandas DataFrame; got int"),
])
def test_result_fields_must_be_tables(args, message) -> None:
    """Issue 15: Result took any object in any field."""
    from coalesce_games.market.simulation import Result
    with pytest.raises(TypeError, match=message):
        Result(*args)


def test_a_result_rebuilt_from_its_tables_is_equal() -> None:
    from coalesce_games.market.simulation import Result
    r = simulate(MarketConfig(days=1, clients=2, contractors=4), seed=1, events=True)
    again = Result(r.runs, r.steps, r.events)
    assert again.runs is r.runs and again.steps is r.steps and again.events is r.events
    assert Result(r.runs, r.steps).events is None
