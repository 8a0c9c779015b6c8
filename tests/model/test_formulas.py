"""Data, criteria, costs and skills: hand-computed cases and bad input."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import sympy

from coalesce_games import data
from coalesce_games.model.costs import (
    communication_cost,
    dynamic_price,
    ewma,
    execution_hours,
    external_cost,
    internal_cost,
    lateness_cost,
    risk_premium,
    verification_cost,
)
from coalesce_games.model.criteria import client_payoff, encode_skills, local_payoff, provider_payoff
from coalesce_games.model.providers import Provider, Providers
from coalesce_games.model.skills import SkillMatcher, SkillSpace, embedding_cosine, hybrid_score, jaccard
from coalesce_games.model.tasks import Task, Tasks

RAG = ["FinBERT", "Financial Analysis", "RAG"]


# ------------------------------------------------------------------ data
def test_data_files_load_and_match_the_paper() -> None:
    table = data.load_contractors()
    assert list(table.id) == list("BCDEFG")
    assert table.set_index("id").base_price.to_dict() == {"B": 18.5, "C": 9.6, "D": 6.2, "E": 4.8, "F": 22.4, "G": 45.0}
    assert len(data.load_skills()) >= 40
    pub = data.load_published_table()
    assert int(pub.runs.sum()) == 239
    weighted = float(np.average(pub.cost_reduction_mean, weights=pub.runs))
    assert round(weighted, 1) == 41.8  # the abstract's 41.8 %


def test_loaders_return_copies() -> None:
    frame = data.load_contractors()
    frame.loc[0, "base_price"] = -1
    assert data.load_contractors().loc[0, "base_price"] == 18.5


# ------------------------------------------------------------------ criteria
def test_payoffs_on_numbers_arrays_and_symbols() -> None:
    # 0.9 x 100 - 10 - 0.05 x 200 = 70
    assert client_payoff(100.0, 10.0, 0.9, 0.95, security_loss=200.0) == pytest.approx(70.0)
    arr = client_payoff(np.array([100.0, 200.0]), 10.0, 0.5, 1.0)
    np.testing.assert_allclose(arr, [40.0, 90.0])
    V, p = sympy.symbols("V p")
    assert sympy.simplify(client_payoff(V, p, 1, 1) - (V - p)) == 0
    assert provider_payoff(10.0, 4.0) == 6.0
    assert local_payoff(100.0, 30.0) == 70.0


@pytest.mark.parametrize("junk, error", [(True, TypeError), (1j, TypeError), (float("nan"), ValueError),
                                         (float("inf"), ValueError), ("0.5", TypeError), (None, TypeError),
                                         (np.array([1.0, np.nan]), ValueError), (np.array([True]), TypeError),
                                         (np.array([1j]), TypeError), (sympy.I, ValueError), (sympy.nan, ValueError),
                                         (sympy.oo, ValueError), (sympy.true, TypeError)])
def test_payoffs_refuse_what_has_no_real_reading(junk, error) -> None:
    # issue 15: bool, complex and NaN terms were computed with (True as 1, 1j kept, NaN spread)
    for call in (lambda: client_payoff(200.0, junk, 0.9, 0.9), lambda: client_payoff(200.0, 20.0, 0.9, 0.9,
                                                                                      failure_cost=junk),
                 lambda: local_payoff(200.0, 60.0, reliability_local=junk), lambda: provider_payoff(20.0, junk),
                 lambda: provider_payoff(20.0, 8.0, paid_probability=junk)):
        with pytest.raises(error):
            call()
    with pytest.raises(error, match="price"):
        provider_payoff(junk, 8.0)


def test_payoffs_take_symbols_with_assumptions_and_lists() -> None:
    V, c = sympy.symbols("V c", positive=True)
    x = sympy.Symbol("x")                       # no assumption: sympy does not know it is real, so it passes
    assert sympy.simplify(local_payoff(V, c, sympy.Rational(9, 10), x) - (9 * V / 10 - c - x)) == 0
    assert float(provider_payoff(sympy.Float(10.0), 4)) == 6.0
    np.testing.assert_allclose(provider_payoff([10.0, 20.0], np.array([4, 5])), [6.0, 15.0])
    assert provider_payoff(np.int64(10), 4) == 6


def test_table1_sample_respects_ranges_and_shares() -> None:
    p = Providers.sample_table1(4000, seed=3)
    table = data.load_contractors().set_index("id")
    shares = {t: float((p.type_id == t).mean()) for t in table.index}
    for t, share in shares.items():
        assert share == pytest.approx(table.market_share[t], abs=0.02)
        rel = p.reliability[p.type_id == t]
        assert rel.min() >= table.reliability_low[t] and rel.max() <= table.reliability_high[t]
    assert np.all(p.base_price[p.type_id == "B"] <= 18.5 * 1.1 + 1e-9)
    # drawn providers skip validation (valid by construction): the validating constructor accepts them
    for n, seed in ((1, 0), (7, 1), (4000, 3)):
        drawn = Providers.sample_table1(n, seed=seed)
        assert len(Providers(**{f: getattr(drawn, f) for f in drawn.__dataclass_fields__})) == n


@pytest.mark.parametrize("kwargs, message", [
    ({"price": -1.0}, "price must be >= 0"),
    ({"latency": float("nan")}, "latency must be finite"),
    ({"reliability": 1.2}, "reliability must be in"),
    ({"declared_skills": frozenset({"Alchemy"})}, "unknown skill"),
    ({"behaviour": "saboteur"}, "behaviour must be one of"),
])
def test_bad_provider(kwargs, message) -> None:
    args = dict(name="x", price=1.0, latency=1.0, reliability=0.9, declared_skills=frozenset({"RAG"}))
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        Provider(**args)


@pytest.mark.parametrize("kwargs, error, message", [
    # issue 15: name and type_id accepted any object
    ({"name": 1}, TypeError, "name must be a string; got 1"),
    ({"name": None}, TypeError, "name must be a string; got None"),
    ({"type_id": True}, TypeError, "type_id must be a string; got True"),
    ({"type_id": b"B"}, TypeError, "type_id must be a string"),
    ({"price": [1.0]}, ValueError, r"x.price must have 0 dimension"),
    ({"declared_skills": {}}, TypeError, "declared_skills must be a set of skill names"),
    ({"declared_skills": None}, TypeError, "declared_skills must be a set of skill names"),
    ({"true_skills": "RAG"}, TypeError, "true_skills must be a set of skill names"),
])
def test_provider_field_types(kwargs, error, message) -> None:
    args = dict(name="x", price=1.0, latency=1.0, reliability=0.9, declared_skills=frozenset({"RAG"}))
    args.update(kwargs)
    with pytest.raises(error, match=message):
        Provider(**args)


@pytest.mark.parametrize("field", ["max_latency", "budget"])
@pytest.mark.parametrize("junk, error, message", [
    # issue 15: max_latency and budget were not checked at all
    ("0.5", TypeError, "must hold real numbers, not a string"), (1j, TypeError, "must hold real numbers, not a complex number"),
    (True, TypeError, "must hold real numbers, not a boolean"), (float("nan"), ValueError, "must be finite; got nan"),
    (-1.0, ValueError, "must be >= 0; got -1.0"), ([5.0], ValueError, "must have 0 dimension"),
])
def test_task_optional_amounts(field, junk, error, message) -> None:
    with pytest.raises(error, match=f"{field} {message}"):
        Task("financial_rag", 100.0, **{field: junk})
    assert getattr(Task("financial_rag", 100.0, **{field: 30.0}), field) == 30.0


def test_task_flags_and_types() -> None:
    with pytest.raises(TypeError, match="high_criticality must be a bool; got 'yes'"):
        Task("financial_rag", 100.0, high_criticality="yes")
    with pytest.raises(TypeError, match="task_type must be a string"):
        Task(["financial_rag"], 100.0)
    with pytest.raises(TypeError, match="required_skills must be a set of skill names"):
        Task("financial_rag", 100.0, required_skills="RAG")


def test_bad_tasks_and_empty_providers() -> None:
    with pytest.raises(ValueError, match="task_type"):
        Task("poetry", 10.0)
    with pytest.raises(ValueError, match="sensitivity"):
        Task("financial_rag", 10.0, sensitivity=2.0)
    with pytest.raises(ValueError, match="empty"):
        Providers.from_list([])
    with pytest.raises(ValueError, match="unknown skill"):
        encode_skills(["Telepathy"])


# ------------------------------------------------------------------ costs
def _one_task(**kw) -> Tasks:
    return Tasks.from_list([Task("financial_rag", kw.pop("value", 100.0), complexity=kw.pop("complexity", 1.0),
                                 data_gb=kw.pop("data_gb", 8.2), **kw)])


def test_execution_time_both_accountings() -> None:
    t = _one_task()
    # paper: 2.8e15 / (29.77e12 x 0.75) = 125.40 "hours"; consistent: 125.4 min = 2.09 h
    assert execution_hours(t, "paper").item() == pytest.approx(2.8e15 / (29.77e12 * 0.75))
    assert execution_hours(t).item() == pytest.approx(125.4 / 60)
    ratio = execution_hours(t, "paper").item() / execution_hours(t).item()
    assert ratio == pytest.approx(60.0, rel=0.01)  # the unit bug: seconds read as hours, ~60x the table


def test_internal_cost_hand_computed() -> None:
    t = _one_task(complexity=2.0)
    hours = 125.4 * 2 / 60
    mem_gb = 1.3 * 7.0 + 4.2 * 50000 / 50000 + 2.8 * 2
    expected = (hours * 0.45 + mem_gb / 74 * hours * 0.15 + 320 * 0.75 / 1000 * hours * 0.08
                + 12000 / (3 * 365 * 24) * hours)
    ic = internal_cost(t)
    assert ic.total.item() == pytest.approx(expected)
    assert ic.latency_min.item() == pytest.approx(250.8)
    assert internal_cost(t, "paper").total.item() / ic.total.item() == pytest.approx(
        execution_hours(t, "paper").item() / hours)
    with_queue = internal_cost(t, opportunity_rate=10.0)
    assert with_queue.opportunity.item() == pytest.approx(10.0 * hours)


def test_queued_value_rate_hand_computed() -> None:
    from coalesce_games.model.costs import queued_value_rate

    # two queues: values 100, 300, 200 then 50, 400; each task sees the best value behind it, per 2 hours
    rate = queued_value_rate([100.0, 300.0, 200.0, 50.0, 400.0], np.array([7, 7, 7, 2, 2]))
    assert rate.tolist() == [150.0, 100.0, 0.0, 200.0, 0.0]
    with pytest.raises(ValueError, match="contiguous"):
        queued_value_rate([1.0, 2.0, 3.0], np.array([0, 1, 0]))
    with pytest.raises(ValueError, match="queue must be integer labels"):
        queued_value_rate([1.0, 2.0], np.array([0.0, 0.0]))
    with pytest.raises(ValueError, match="value must be finite"):
        queued_value_rate([np.nan], np.array([0]))


def test_external_cost_components_hand_computed() -> None:
    t = _one_task(value=200.0, data_gb=10.0, complexity=1.0, high_criticality=True)
    p = Providers.from_list([Provider("B", 18.5, 8.2, 0.987, declared_skills=frozenset(RAG)),
                             Provider("D", 6.2, 120.0, 0.743, declared_skills=frozenset(RAG))])
    ec = external_cost(t, p)
    assert ec.price.tolist() == [[18.5, 6.2]]
    assert ec.communication[0, 0] == pytest.approx((10.0 + 0.2) * 0.12 + 0.5)
    assert ec.verification.tolist() == [[2.5, 3.8]]
    unrel = 1 - 0.743
    assert ec.risk[0, 1] == pytest.approx(200 * (unrel + 0.02 + 0.1 * unrel + 0.01 + 0.05 * unrel) * 1.5)
    assert ec.latency_penalty[0, 1] == pytest.approx(0.25 * (120 - 90))
    np.testing.assert_allclose(ec.total, ec.price + ec.communication + ec.verification + ec.integration
                               + ec.risk + ec.latency_penalty)


def test_small_formulas() -> None:
    assert dynamic_price(10.0, 2.0, 1.0, 4.0, 2.0).item() == pytest.approx(10 * 1.125 * 1.3)
    assert risk_premium(100.0, 0.9, False).item() == pytest.approx(14.5)
    assert verification_cost([0.96, 0.95]).tolist() == [2.5, 3.8]
    assert communication_cost(0.0).item() == pytest.approx(0.524)
    assert lateness_cost(100.0, 90.0).item() == pytest.approx(2.5)
    assert ewma(10.0, 20.0, 0.3).item() == pytest.approx(13.0)
    # check=False (a market's own state) computes the same numbers
    assert dynamic_price(10.0, 2.0, 1.0, 4.0, 2.0, check=False).item() == pytest.approx(10 * 1.125 * 1.3)
    assert lateness_cost(np.array([100.0, 80.0]), 90.0, check=False).tolist() == [2.5, 0.0]


def test_external_cost_of_one_pair_hand_computed() -> None:
    """Eq. 6-9 for one pair (cost_terms.external_one, which external_cost runs for every pair): provider B at
    complexity 1 for a high-criticality financial RAG task of value 200 and 10 GB."""
    from coalesce_games.model.cost_terms import eq69_constants, external_one

    comm = (10.0 + 0.2) * 0.12 + 0.50                             # 1.724
    risk = ((1 - 0.987) * (1 + 0.1 + 0.05) + 0.02 + 0.01) * 200.0 * 1.5
    verification, r, late, total, minutes = external_one(18.5, 0.987, 8.2, 1.0, 200.0, True, comm, 90.0,
                                                         eq69_constants())
    assert (verification, minutes, late) == (2.5, 8.2, 0.0)
    assert r == pytest.approx(risk) and total == pytest.approx(18.5 + comm + 1.2 + 2.5 + risk)
    # twice the complexity: 16.4 min; past a 10-minute limit, 6.4 min late at 0.25 USD; manual verification
    verification, _, late, _, minutes = external_one(18.5, 0.95, 8.2, 2.0, 200.0, False, comm, 10.0,
                                                     eq69_constants())
    assert (verification, minutes) == (3.8, 16.4) and late == pytest.approx(6.4 * 0.25)
    # the arrays external_cost returns hold the same pair
    t = _one_task(value=200.0, data_gb=10.0, max_latency=90.0, high_criticality=True)
    b = Providers.from_list([Provider("B", 18.5, 8.2, 0.987, declared_skills=frozenset(RAG))])
    cost = external_cost(t, b)
    assert cost.total.item() == pytest.approx(18.5 + comm + 1.2 + 2.5 + risk)
    assert (cost.communication.item(), cost.integration.item()) == (pytest.approx(comm), 1.2)


def test_weight_factors_hand_computed() -> None:
    """Cost x1.2 when budget < 0.3 value, latency x1.3 below 30 min, security x1.4 above sensitivity 0.7,
    on both sides of each threshold; the task's weights are the base times them, normalised."""
    from coalesce_games.model.weights import task_weight_factors, task_weights

    tasks = Tasks.from_list([Task("financial_rag", 100.0, budget=29.0, max_latency=29.0, sensitivity=0.8),
                             Task("financial_rag", 100.0, budget=30.0, max_latency=30.0, sensitivity=0.7)])
    assert task_weight_factors(tasks).tolist() == [[1.2, 1.0, 1.3, 1.4], [1.0, 1.0, 1.0, 1.0]]
    raw = np.array([0.4 * 1.2, 0.25, 0.2 * 1.3, 0.15 * 1.4])
    np.testing.assert_allclose(task_weights(np.array([0.4, 0.25, 0.2, 0.15]), tasks),
                               [raw / raw.sum(), [0.4, 0.25, 0.2, 0.15]], rtol=1e-15)
    with pytest.raises(ValueError, match="base weights must have shape"):
        task_weights(np.ones(3), tasks)


def test_internal_cost_of_one_task_in_the_paper_accounting() -> None:
    """cost_terms.internal_one with a queue: 125.4 "hours" (seconds read as hours), and Eq. 4's opportunity
    cost at 10 USD an hour on top of the same compute, memory, energy and depreciation."""
    from coalesce_games.model.cost_terms import internal_constants, internal_one

    k = internal_constants()
    hours, compute, memory, energy, opportunity, depreciation, total, minutes = internal_one(
        0, 1.0, 8.2, 10.0, True, k)
    assert hours == pytest.approx(2.8e15 / (29.77e12 * 0.75)) and minutes == 125.4
    assert (compute, opportunity) == (pytest.approx(hours * 0.45), pytest.approx(hours * 10.0))
    assert energy == pytest.approx(320 * 0.75 / 1000 * hours * 0.08)
    assert depreciation == pytest.approx(12000 / (3 * 365 * 24) * hours)
    assert memory == pytest.approx((1.3 * 7.0 + 4.2 + 2.8) / 74 * hours * 0.15)
    assert total == pytest.approx(compute + memory + energy + opportunity + depreciation)


def test_outcome_rules_hand_computed() -> None:
    """Each behaviour's outcome under chosen uniforms (threats.outcome_one, as sample_outcomes applies it)."""
    from coalesce_games.model.threats import FABRICATOR, HONEST, LEECHER, SPOOFER, ThreatModel, sample_outcomes

    t = ThreatModel(q_leak=0.5, d_fab=0.9, d_leak=0.5, leak_loss=200.0)
    behaviour = np.array([HONEST, HONEST, SPOOFER, SPOOFER, LEECHER, LEECHER, FABRICATOR, FABRICATOR])
    verified = np.array([False, False, True, False, True, False, True, True])
    draws = np.array([[0.1, 0.1, 0.5, 0.5, 0.1, 0.1, 0.1, 0.1],     # work: succeeds below p_success (0.9 / 0.2)
                      [0.9, 0.9, 0.9, 0.9, 0.4, 0.4, 0.9, 0.9],     # leak below q_leak
                      [0.5, 0.99, 0.5, 0.5, 0.5, 0.5, 0.99, 0.99],  # incident at or above security (0.95)
                      [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.95],    # verification catches below d_fab
                      [0.9, 0.9, 0.9, 0.9, 0.4, 0.4, 0.9, 0.9]])    # an audit catches a leak below d_leak
    p_success = np.array([0.9, 0.9, 0.2, 0.2, 0.9, 0.9, 0.9, 0.9])
    out = sample_outcomes(behaviour, p_success, np.full(8, 0.95), verified, np.full(8, 0.5), t, draws=draws)
    assert out["success"].tolist() == [True, True, False, False, True, True, False, False]
    assert out["incident"].tolist() == [False, True, False, False, False, False, False, False]
    assert out["leaked"].tolist() == [False, False, False, False, True, True, False, False]
    assert out["fabricated"].tolist() == [False] * 6 + [True, True]
    # a verified spoofer's botched work and a verified fabrication are caught (0.5 < 0.9); 0.95 is not; an audit
    # catches the verified leak only
    assert out["detected"].tolist() == [False, False, True, False, True, False, True, False]
    assert out["security_loss"].tolist() == [0.0, 100.0, 0.0, 0.0, 100.0, 100.0, 0.0, 0.0]


@pytest.mark.parametrize("call, message", [
    (lambda: dynamic_price(-1.0, 1, 1, 1, 1), "base_price must be >= 0"),
    (lambda: risk_premium(100.0, 1.5, False), "reliability must be in"),
    (lambda: lateness_cost(float("inf"), 1.0), "finite"),
    (lambda: ewma(1.0, 2.0, lam=2.0), "lam must be in"),
    (lambda: internal_cost(_one_task(), "cash"), "accounting must be one of"),
    (lambda: external_cost(_one_task(), Providers.sample_table1(3, 0), prices=[-1.0, 1.0, 1.0]), "prices must be >= 0"),
])
def test_cost_bad_input(call, message) -> None:
    with pytest.raises(ValueError, match=message):
        call()


# ------------------------------------------------------------------ skills
def test_jaccard_and_hybrid_hand_computed() -> None:
    space = SkillSpace.default()
    req = space.encode([RAG])
    off = space.encode([["FinBERT", "RAG", "Financial Analysis", "GPU Computing"], ["RAG", "NLP"]])
    np.testing.assert_allclose(jaccard(req, off), [[3 / 4, 1 / 4]])
    assert hybrid_score(0.75, 0.9, 0.8).item() == pytest.approx(0.3 * 0.75 + 0.5 * 0.9 + 0.2 * 0.8)


def test_cosine_is_one_for_equal_sets_and_deterministic_across_processes() -> None:
    space = SkillSpace.default()
    req = space.encode([RAG])
    assert embedding_cosine(req, req, space).item() == pytest.approx(1.0)
    code = ("from coalesce_games.model.skills import SkillSpace; s = SkillSpace.default(); "
            "print(repr(float(s.embeddings.sum())))")
    out = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
           for _ in range(2)]
    assert out[0] == out[1] == repr(float(space.embeddings.sum())) + "\n"


def test_spoofer_passes_declared_gate_but_not_the_probe() -> None:
    spoofer = Providers.from_list([Provider("s", 1.0, 10.0, 0.9, declared_skills=frozenset(RAG),
                                            true_skills=frozenset({"Edge Computing"}), behaviour="spoofer",
                                            competence=0.2)])
    req = SkillSpace.default().encode([RAG])
    declared = SkillMatcher().score(req, spoofer)
    assert declared.item() == pytest.approx(0.3 + 0.5 + 0.2 * 0.8)
    probe = SkillMatcher(mode="probe", probe_noise=0.0).score(req, spoofer, rng=0)
    assert probe.item() < 0.7


def test_skill_bad_input() -> None:
    with pytest.raises(ValueError, match="tau must be in"):
        SkillMatcher(tau=1.5)
    with pytest.raises(ValueError, match="unknown skill"):
        SkillSpace.default().encode([["Divination"]])
    with pytest.raises(ValueError, match="mode must be one of"):
        SkillMatcher(mode="vibes")
    with pytest.raises(ValueError, match="weights must not be all zero"):
        hybrid_score(1.0, 1.0, 1.0, weights=(0, 0, 0))
    # issue 15: space accepted any object (and failed at the first score)
    for junk in ("x", 1, [[1.0]], {}):
        with pytest.raises(TypeError, match="space must be a SkillSpace"):
            SkillMatcher(space=junk)
    with pytest.raises(ValueError, match="tau must have 0 dimension"):
        SkillMatcher(tau=[0.7])
    space = SkillSpace.default()
    assert SkillMatcher(space=space).space is space


def test_task_draws_equal_the_per_field_generator_calls() -> None:
    """draw_task_arrays consumes one uniform block exactly as choice(p=...) and uniform() would."""
    from coalesce_games import data
    from coalesce_games.model.tasks import draw_task_arrays

    types, p = data.task_arrays(), data.parameters_view()["tasks"]
    for seed in range(60):
        m = seed % 11
        a_rng, b_rng = np.random.default_rng(seed), np.random.default_rng(seed)
        got = draw_task_arrays(m, a_rng)
        kind = b_rng.choice(len(types["mix_share"]), size=m, p=types["mix_share"])
        value = b_rng.uniform(p["value_low"], p["value_high"], m)
        want = {"task_type": kind, "value": value,
                "complexity": b_rng.uniform(p["complexity_low"], p["complexity_high"], m),
                "data_gb": b_rng.uniform(p["data_gb_low"], p["data_gb_high"], m),
                "sensitivity": b_rng.uniform(0.0, 1.0, m),
                "budget": value * b_rng.uniform(p["budget_share_low"], p["budget_share_high"], m),
                "high_criticality": b_rng.random(m) < 0.3}
        for key, values in want.items():
            np.testing.assert_array_equal(got[key], values, err_msg=key)
        assert a_rng.random() == b_rng.random()     # the same number of draws


def test_table1_types_drawn_as_choice_draws_them() -> None:
    """sample_table1 searches uniforms in the share CDF: the types Generator.choice(p=share) draws."""
    from coalesce_games import data

    share = data.contractor_arrays()["market_share"]
    for seed in range(40):
        n = 1 + seed * 7
        got = Providers.sample_table1(n, np.random.default_rng(seed)).type_id
        kind = np.random.default_rng(seed).choice(len(share), size=n, p=share)
        np.testing.assert_array_equal(got, data.contractor_arrays()["id"][kind])


def test_outcome_draws_must_fit() -> None:
    from coalesce_games.model.threats import ThreatModel, sample_outcomes

    args = (np.array([0, 3]), np.array([0.9, 0.9]), np.array([0.9, 0.9]), np.array([True, False]),
            np.array([0.5, 0.5]), ThreatModel())
    with pytest.raises(ValueError, match="draws must have shape"):
        sample_outcomes(*args, draws=np.zeros((5, 3)))
    with pytest.raises(ValueError, match="rng or draws"):
        sample_outcomes(*args)
    # the given uniforms decide: all zeros -> every draw "succeeds"
    out = sample_outcomes(*args, draws=np.zeros((5, 2)))
    assert out["success"].tolist() == [True, False] and out["detected"].tolist() == [False, False]


@pytest.mark.parametrize("entropy", [[5, 0xC0A1, 0], [0], [0, 0, 0], [2**32 - 1, 7], [2**40, 1], [3, 2**32]])
def test_make_rng_is_numpys_seed_sequence_of_the_same_entropy(entropy) -> None:
    """make_rng hands small entries to SeedSequence as uint32 words (faster): the same stream as the list."""
    from coalesce_games.validation import make_rng

    expected = np.random.Generator(np.random.PCG64(np.random.SeedSequence(list(entropy)))).random(6)
    np.testing.assert_array_equal(make_rng(entropy).random(6), expected)
    np.testing.assert_array_equal(make_rng(tuple(entropy)).random(6), expected)


@pytest.mark.parametrize("seed, error, message", [
    ([1, -2], ValueError, r"seed\[1\] must be in \[0, 2\*\*63 - 1\]; got -2"),
    (-3, ValueError, r"seed must be in \[0, 2\*\*63 - 1\]; got -3"),
    (None, ValueError, "seed must be given"), (1.5, TypeError, "seed must be an int"), (True, TypeError, "seed")])
def test_make_rng_refuses_bad_seeds(seed, error, message) -> None:
    from coalesce_games.validation import make_rng

    with pytest.raises(error, match=message):
        make_rng(seed)


def test_provider_names_are_type_and_number_looked_up_or_formatted() -> None:
    from coalesce_games import data
    from coalesce_games.model.providers import _names

    kind = np.random.default_rng(0).integers(0, len(data.contractor_arrays()["id"]), 3000)
    for number in (np.arange(3000) % 1024, np.arange(3000)):          # the looked-up table, and past it
        expected = np.char.add(data.contractor_arrays()["id"][kind], number.astype(str))
        np.testing.assert_array_equal(_names(kind, number), expected)
