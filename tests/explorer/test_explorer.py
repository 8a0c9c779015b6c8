"""The explorer's model of controls -> outputs, without a browser (issue 18).

Every number the page shows is checked against a hand computation or against
the toolkit function it must equal; every combination without an answer must
give a message, never an exception.
"""

from __future__ import annotations

import asyncio
import importlib.util
import math

import numpy as np
import pytest
import sympy

from coalesce_games.explorer.analytic import G4_FORMULAS, closed_forms, g4_values, stage_parameters, stage_view
from coalesce_games.explorer.controls import MAX_SEEDS, ExplorerControls
from coalesce_games.explorer.render import closed_forms_markdown, market_markdown, stage_markdown
from coalesce_games.explorer.simulated import V_GRID, interval, market_view, rogue_curve
from coalesce_games.market.simulation import simulate_many
from coalesce_games.solvers.equilibria import is_equilibrium

POINT = ExplorerControls(verification=0.2, delta=0.9, margin=10.0, gain=8.0, detection=0.9)


# ---------------------------------------------------------------- controls
@pytest.mark.parametrize("field, value, match", [
    ("delta", 1.5, "delta must be in \\[0, 1\\]; got 1.5"),
    ("verification", -0.1, "verification must be in \\[0, 1\\]"),
    ("margin", -1.0, "margin must be >= 0"),
    ("gain", float("nan"), "gain must be finite"),
    ("seeds", 7, "seeds must be >= 8"),
    ("seeds", MAX_SEEDS + 1, f"seeds must be <= {MAX_SEEDS}"),
    ("seed", -1, "seed"),
])
def test_a_control_out_of_range_is_refused_by_name(field: str, value: object, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        ExplorerControls(**{field: value})


@pytest.mark.parametrize("field, value", [("delta", "0.5"), ("seeds", 8.0), ("tau", True)])
def test_a_control_of_the_wrong_type_is_a_type_error(field: str, value: object) -> None:
    with pytest.raises(TypeError, match=field):
        ExplorerControls(**{field: value})


def test_replace_refuses_an_unknown_control() -> None:
    with pytest.raises(ValueError, match="unknown explorer control"):
        POINT.replace(price=3)


def test_the_market_configuration_carries_the_market_controls() -> None:
    c = POINT.replace(rogue_share=0.3, epsilon=0.2, beta=0.5, tau=0.6, seed=4)
    cfg = c.market_config()
    assert (cfg.verification_share, cfg.d_fab, cfg.rogue_share, cfg.epsilon, cfg.beta, cfg.tau, cfg.seed) == \
        (0.2, 0.9, 0.3, 0.2, 0.5, 0.6, 4)
    assert c.replace(seeds=9).seed_list() == list(range(4, 13))


# ---------------------------------------------------------------- closed forms
def test_closed_forms_by_hand() -> None:
    cf = closed_forms(POINT)
    assert cf["v_star"].value == pytest.approx(8 * 0.1 / (0.9 * 0.9 * 10))          # 0.09877
    assert cf["delta_star"].value == pytest.approx(8 / (8 + 0.2 * 0.9 * 10))        # 0.81633
    assert cf["v_star_g1"].value == pytest.approx(8 / (0.9 * 18))                   # c / (d p) = 0.49383
    assert cf["phi_star_g1"].value == pytest.approx(2.5 / (0.9 * (200 - 60 + 18 + 200)))   # 0.0077592
    assert all(q.message == "" for q in cf.values())


@pytest.mark.parametrize("seed", range(5))
def test_the_shown_g4_formulas_give_the_shown_values(seed: int) -> None:
    rng = np.random.default_rng(seed)
    c = ExplorerControls(verification=float(rng.uniform(0.05, 1)), delta=float(rng.uniform(0.05, 0.95)),
                         margin=float(rng.uniform(1, 40)), gain=float(rng.uniform(0.5, 40)),
                         detection=float(rng.uniform(0.05, 1)))
    cf = closed_forms(c)
    names = dict(g=c.gain, delta=c.delta, d=c.detection, pi=c.margin, v=c.verification)
    assert cf["v_star"].value == pytest.approx(g4_values("v_star", **names))
    assert cf["delta_star"].value == pytest.approx(g4_values("delta_star", **names))
    # the two thresholds agree: v >= v* exactly when delta >= delta*
    assert (c.verification >= cf["v_star"].value) == (c.delta >= cf["delta_star"].value)


def test_the_g4_formula_text_is_the_toolkits_derivation() -> None:
    from coalesce_games.games.repeated import derive

    steps = derive()
    syms = {k: sympy.Symbol(k, positive=True) for k in ("pi", "delta", "d", "g", "v")}
    for key, step in (("v_star", "v_star"), ("delta_star", "delta_star")):
        shown = sympy.sympify(G4_FORMULAS[key], locals=syms)
        assert sympy.simplify(shown - steps[step]) == 0


@pytest.mark.parametrize("changes, key, words", [
    ({"delta": 1.0}, "v_star", "no answer at delta = 1"),
    ({"delta": 0.0}, "v_star", "no answer at delta = 0"),
    ({"detection": 0.0}, "v_star", "no answer at d = 0"),
    ({"margin": 0.0}, "v_star", "no answer at pi = 0"),
    ({"margin": 0.0}, "delta_star", "no answer at pi = 0"),
    ({"verification": 0.0}, "delta_star", "no answer at v d = 0"),
    ({"detection": 0.0}, "delta_star", "no answer at v d = 0"),
    ({"detection": 0.0}, "v_star_g1", "no answer at d = 0"),
    ({"detection": 0.0}, "phi_star_g1", "no answer at d = 0"),
    ({"margin": 0.0, "gain": 0.0}, "v_star_g1", "no answer at p = pi + g = 0"),
])
def test_no_answer_is_a_message_not_an_exception(changes: dict, key: str, words: str) -> None:
    q = closed_forms(POINT.replace(**changes))[key]
    assert q.value is None
    assert q.message.startswith(words)
    assert words in closed_forms_markdown(POINT.replace(**changes), closed_forms(POINT.replace(**changes)))


def test_no_gain_from_cheating_needs_no_checks() -> None:
    cf = closed_forms(POINT.replace(gain=0.0, detection=0.0))
    assert cf["v_star"].value == 0.0 and cf["delta_star"].value == 0.0


def test_a_threshold_above_one_says_no_share_suffices() -> None:
    cf = closed_forms(POINT.replace(delta=0.4))          # v* = 8 x 0.6 / (0.4 x 0.9 x 10) = 1.333
    assert cf["v_star"].value == pytest.approx(4.8 / 3.6)
    assert "no verification share suffices" in cf["v_star"].message
    text = closed_forms_markdown(POINT.replace(delta=0.4), cf)
    assert "cheating pays" in text


# ---------------------------------------------------------------- G1
def test_g1_is_built_with_price_margin_plus_gain_and_cost_gain() -> None:
    par = stage_parameters(POINT)
    assert (par.price, par.cost, par.d_fab) == (18.0, 8.0, 0.9)
    view = stage_view(POINT)
    # provider: Honest p - c = 10; Fabricate on Outsource p = 18, on Verify p (1 - d) = 1.8
    assert view.game.B[1].tolist()[:2] == [10.0, 18.0] and view.game.B[2, 1] == pytest.approx(1.8)


def test_at_the_g1_closed_form_the_provider_is_indifferent() -> None:
    v_g1 = closed_forms(POINT)["v_star_g1"].value
    payoff = stage_view(POINT.replace(verification=v_g1)).best_reply.set_index("provider")["payoff"]
    assert payoff["Honest"] == pytest.approx(payoff["Fabricate"])
    below = stage_view(POINT.replace(verification=v_g1 - 0.05)).best_reply.set_index("provider")["payoff"]
    assert below["Fabricate"] > below["Honest"]


def test_every_listed_g1_equilibrium_is_one() -> None:
    view = stage_view(POINT)
    assert len(view.equilibria) >= 1
    assert view.equilibria["certified"].all()
    game = view.game
    for row in view.equilibria.to_dict("records"):
        x = _strategy(game.row_labels, row["client"])
        y = _strategy(game.col_labels, row["provider"])
        assert is_equilibrium(game, x, y, tol=1e-6)
        assert row["client payoff"] == pytest.approx(x @ game.A @ y)
    text = stage_markdown(view)
    assert "| Outsource | 166.0, 10.0 | -218.0, 18.0 |" in text


def _strategy(labels: tuple[str, ...], text: str) -> np.ndarray:
    parts = dict(item.rsplit(" ", 1) for item in text.split(", "))
    x = np.array([float(parts.get(label, 0.0)) for label in labels])
    return x / x.sum()


# ---------------------------------------------------------------- market
def test_interval_by_hand_and_refuses_one_value() -> None:
    iv = interval([2.0, 4.0])               # mean 3, s = sqrt(2), t(0.975, 1) = 12.706
    assert iv.mean == 3.0
    assert iv.high - iv.mean == pytest.approx(12.7062047 * math.sqrt(2) / math.sqrt(2))
    with pytest.raises(ValueError, match="at least 2"):
        interval([1.0])


def test_the_market_view_is_the_simulators_runs() -> None:
    c = POINT.replace(rogue_share=0.3, seed=3)
    runs = simulate_many(c.market_config(), c.seed_list()).runs
    view = market_view(c)
    assert view.seeds == tuple(range(3, 11))
    for key in ("rogue_task_share", "cost_reduction", "realised_loss"):
        assert view.summary[key].mean == pytest.approx(runs[key].mean(), rel=1e-12)
        assert view.summary[key].low <= view.summary[key].mean <= view.summary[key].high
    # delta, pi and g do not enter the market
    assert market_view(c.replace(delta=0.5, margin=3.0, gain=1.0)) == view


def test_no_rogues_means_no_rogue_share() -> None:
    view = market_view(POINT.replace(rogue_share=0.0))
    assert view.summary["rogue_task_share"] == type(view.summary["rogue_task_share"])(0.0, 0.0, 0.0)


def test_a_market_the_configuration_refuses_is_a_message() -> None:
    c = POINT.replace(rogue_share=0.01)      # 0.3 of one provider in 30
    view = market_view(c)
    assert view.summary == {} and "is no provider" in view.message
    assert view.message in market_markdown(c, view)
    frame, message = rogue_curve(c)
    assert frame.empty and "is no provider" in message


def test_the_curve_at_a_grid_share_is_the_market_at_that_share() -> None:
    c = POINT.replace(rogue_share=0.2)
    frame, message = rogue_curve(c)
    assert message == "" and frame["verification"].tolist() == V_GRID.tolist()
    at = market_view(c.replace(verification=0.3)).summary["rogue_task_share"]
    row = frame.set_index("verification").loc[0.3]
    assert (row["mean"], row["low"], row["high"]) == pytest.approx((at.mean, at.low, at.high), rel=1e-12)
    # verifying more does not make rogues more common: v = 1 below v = 0
    assert frame["mean"].iloc[-1] < frame["mean"].iloc[0]


# ---------------------------------------------------------------- the Panel face
needs_panel = pytest.mark.skipif(importlib.util.find_spec("panel") is None,
                                 reason="the explorer's interface needs Panel (pip install 'coalesce-games[explorer]')")


@needs_panel
def test_the_interface_updates_and_never_raises() -> None:
    from coalesce_games.explorer.app import Explorer

    ex = Explorer(POINT)
    assert "v* = **0.0988**" in ex.closed.object
    assert ex.rogue_plot.values() == pytest.approx({"v*": 0.0988, "v*_G1": 0.4938, "chosen v": 0.2},
                                                          abs=1e-4)
    ex.widgets["delta"].value = 0.5            # v* = 8 x 0.5 / (0.5 x 0.9 x 10) = 0.8889
    assert "v* = **0.8889**" in ex.closed.object
    assert ex.rogue_plot.values()["v*"] == pytest.approx(0.8889, abs=1e-4)
    ex.widgets["delta"].value = 1.0
    assert "no answer at delta = 1" in ex.closed.object and ex.status.object == ""
    assert "v*" not in ex.rogue_plot.values()
    ex.widgets["detection"].value = 0.0
    assert "no answer at d = 0" in ex.closed.object
    assert ex.timings["analytic"] < 5.0        # a guard against a hang; the speed is benchmarks/explorer.py's


@needs_panel
def test_the_market_side_updates_off_the_event_loop() -> None:
    from coalesce_games.explorer.app import Explorer

    ex = Explorer(POINT)
    ex.widgets["rogue_share"].value = 0.01
    asyncio.run(ex._market_changed())
    assert "is no provider" in ex.market.object and not ex.market.loading
    ex.widgets["rogue_share"].value = 0.3
    asyncio.run(ex._market_changed())
    want = market_view(POINT.replace(rogue_share=0.3)).summary["rogue_task_share"]
    assert f"| {want.mean:.4g} |" in ex.market.object


@needs_panel
def test_serve_refuses_a_bad_port_and_the_cli_knows_explore() -> None:
    from coalesce_games.cli import build_parser
    from coalesce_games.explorer.app import serve_explorer

    for bad in (-1, 70000, True, "80"):
        with pytest.raises(ValueError, match="port must be an integer in \\[0, 65535\\]"):
            serve_explorer(bad)
    args = build_parser().parse_args(["explore", "--port", "0"])
    assert args.port == 0 and args.func.__name__ == "_explore"


@needs_panel
def test_the_figure_shows_the_curve_and_the_market_at_the_point() -> None:
    from coalesce_games.explorer.app import Explorer

    c = POINT.replace(rogue_share=0.2)
    ex = Explorer(c)
    frame, _ = rogue_curve(c)
    assert ex.rogue_plot.curve.data["mean"] == frame["mean"].tolist()
    at = market_view(c).summary["rogue_task_share"]
    assert ex.rogue_plot.point.data == {"v": [0.2], "mean": [at.mean], "low": [at.low], "high": [at.high]}
    assert ex.rogue_plot.figure.title.text == "v* = 0.099 (red) | v*_G1 = 0.494 (green) | chosen v = 0.20 (black)"


@needs_panel
def test_an_emptied_box_is_a_message_in_the_page() -> None:
    from coalesce_games.explorer.app import Explorer

    ex = Explorer(POINT)
    shown = ex.closed.object
    ex.widgets["seed"].value = None            # what a browser sends when the user erases the first seed's box
    asyncio.run(ex._market_changed())
    assert ex.status.object.startswith("**market: seed must be an integer") and not ex.market.loading
    assert ex.closed.object == shown
    ex.widgets["seed"].value = 0
    assert ex.status.object == ""


@needs_panel
def test_a_superseded_move_is_not_simulated() -> None:
    from coalesce_games.explorer.app import Explorer

    ex = Explorer(POINT)
    ex._generation += 1                          # a later move arrived while this one waited
    assert ex._simulate_latest(POINT, ex._generation - 1) is None
    assert ex._simulate_latest(POINT, ex._generation)[1] == market_view(POINT)


@needs_panel
def test_after_a_move_of_v_the_markets_square_waits_for_its_run() -> None:
    from coalesce_games.explorer.app import Explorer

    ex = Explorer(POINT)
    assert ex.rogue_plot.point.data["v"] == [0.2]
    ex.widgets["verification"].value = 0.5      # no event loop here: Panel runs the market's watcher to its end
    assert ex.rogue_plot.point.data["v"] == [0.5]
    ex._market_v = 0.2                          # as on a page where the run at v = 0.5 has not ended yet
    ex.update_analytic()
    assert ex.rogue_plot.point.data["v"] == [] and ex.rogue_plot.values()["chosen v"] == 0.5
