"""G1-G5: closed forms against numeric solutions and brute force."""

from __future__ import annotations

import numpy as np
import pytest
import sympy

from coalesce_games.games import inspection, repeated
from coalesce_games.games.stage import StageParameters, stage_game, stage_payoffs, symbolic_parameters
from coalesce_games.model import skill_gate
from coalesce_games.solvers.commitment import stackelberg
from coalesce_games.solvers.equilibria import solve
from coalesce_games.solvers.game import Game
from coalesce_games.solvers.learning import fictitious_play, replicator


def _random_parameters(rng: np.random.Generator) -> StageParameters:
    price = rng.uniform(10, 40)
    return StageParameters(value=rng.uniform(100, 500), price=price, cost=rng.uniform(1, price * 0.8),
                           reliability=rng.uniform(0.8, 0.99), security=rng.uniform(0.9, 0.99),
                           internal=rng.uniform(10, 80), leak_loss=rng.uniform(10, 200),
                           harm=rng.uniform(50, 600), verification_cost=rng.uniform(1, 5),
                           d_fab=rng.uniform(0.5, 1.0))


def test_inspection_closed_form_equals_numeric_solution_at_20_points() -> None:
    rng = np.random.default_rng(0)
    checked = 0
    for _ in range(20):
        par = _random_parameters(rng)
        closed = inspection.inspection_equilibrium_numeric(par)
        if not (0 < closed["verification"] < 1 and 0 < closed["fabrication"] < 1):
            continue
        core = stage_game(par).subgame([1, 2], [0, 1])
        eq = solve(core).to_frame()
        assert len(eq) == 1
        x, y = eq.row_strategy.iloc[0], eq.col_strategy.iloc[0]
        assert x[1] == pytest.approx(closed["verification"], abs=1e-9)
        assert y[1] == pytest.approx(closed["fabrication"], abs=1e-9)
        checked += 1
    assert checked >= 15


def test_symbolic_and_numeric_payoffs_agree() -> None:
    par = StageParameters()
    sym = symbolic_parameters()
    A_sym, B_sym = stage_payoffs(sym)
    subs = {getattr(sym, f): getattr(par, f) for f in StageParameters.__dataclass_fields__}
    game = stage_game(par)
    for i in range(3):
        for j in range(3):
            assert float(sympy.sympify(A_sym[i][j]).subs(subs)) == pytest.approx(game.A[i, j])
            assert float(sympy.sympify(B_sym[i][j]).subs(subs)) == pytest.approx(game.B[i, j])


def test_g1_hand_computed_cells() -> None:
    g = stage_game(StageParameters(value=200, price=20, cost=8, reliability=0.95, security=0.97, internal=60,
                                   leak_loss=100, harm=200, verification_cost=2.5, d_fab=0.9))
    assert g.A[0, 0] == 140                                    # local: 200 - 60
    assert g.A[1, 0] == pytest.approx(0.95 * 200 - 20 - 0.03 * 100 - 0.05 * 60)
    assert g.A[1, 1] == pytest.approx(-20 - 200)               # paid for a fabrication that did harm
    assert g.B[2, 1] == pytest.approx(0.1 * 20)                # a fabricator is paid when not caught
    assert stage_game(StageParameters(), spoof=True).shape == (3, 4)


def test_g4_closed_forms_match_brute_force() -> None:
    steps = repeated.derive()
    assert sympy.simplify(steps["v_star"] - sympy.sympify("g*(1 - delta)/(d*delta*pi)",
                                                          locals=dict(zip("g delta d pi".split(), sympy.symbols("g delta d pi", positive=True))))) == 0
    for margin, gain, delta, det in [(10, 8, 0.9, 0.9), (3, 5, 0.95, 0.7), (20, 2, 0.6, 1.0)]:
        v_star = float(repeated.minimal_verification(margin, gain, delta, det))
        grid = np.linspace(0, 1, 100_001)
        ok = [v for v in grid[::50] if repeated.honesty_sustainable(margin, gain, delta, v, det)]
        brute = min(ok) if ok else np.inf
        assert brute == pytest.approx(min(v_star, np.inf), abs=1e-3) if v_star <= 1 else not ok
        d_star = float(repeated.minimal_delta(margin, gain, min(v_star, 1.0), det))
        assert repeated.honesty_sustainable(margin, gain, min(d_star + 1e-6, 0.999999), min(v_star, 1.0), det)


def test_g4_margin_pressure_raises_the_budget_and_finite_horizons_unravel() -> None:
    sweep = repeated.margin_sweep([16, 8, 4, 2], gain=8, delta=0.9, detection=0.9)
    assert np.all(np.diff(sweep.v_star) > 0)
    table = repeated.finite_horizon(20, margin=10, gain=8, delta=0.9, verification=0.5, detection=0.9)
    assert not table.honest.iloc[-1]                  # cheating in the last period
    assert table.honest.iloc[0]                       # honest while enough future remains
    first_cheat = int(table.honest.to_numpy().argmin())
    assert not table.honest.iloc[first_cheat:].any()  # and never honest again: unravelling from the end


@pytest.mark.parametrize("shape", [(2, 3), (2, 5), (3, 3), (3, 4)])
def test_stackelberg_lp_matches_a_grid(shape) -> None:
    rng = np.random.default_rng(sum(shape))
    for _ in range(5):
        A, B = rng.random(shape), rng.random(shape)
        x, j, value = stackelberg(Game(A, B))
        step = 200 if shape[0] == 2 else 60
        best = -np.inf
        for a in np.linspace(0, 1, step + 1):
            mixes = [np.array([a, 1 - a])] if shape[0] == 2 else \
                [np.array([a, b, 1 - a - b]) for b in np.linspace(0, 1 - a, max(int((1 - a) * step), 1) + 1)]
            for mix in mixes:
                payoff_f = mix @ B
                responses = np.flatnonzero(payoff_f >= payoff_f.max() - 1e-12)
                best = max(best, max(mix @ A[:, r] for r in responses))
        assert value >= best - 1e-9                       # the LP is at least as good as any grid point
        assert value <= best + 2.0 / step                  # and the grid gets close to it
        # committing never hurts compared with the leader's best Nash payoff
        assert value >= solve(Game(A, B)).to_frame().row_payoff.max() - 1e-9


def test_dynamics_return_distributions() -> None:
    game = stage_game(StageParameters())
    traj = replicator(game, steps=30)
    client = traj.filter(like="client:").to_numpy()
    np.testing.assert_allclose(client.sum(axis=1), 1, atol=1e-6)
    fp = fictitious_play(game, iterations=50)
    assert len(fp) == 51 and np.allclose(fp.filter(like="provider:").sum(axis=1).iloc[1:], 1)


def test_skill_gate_analysis() -> None:
    expr = skill_gate.spoofer_score()
    assert float(expr.subs({s: sympy.Rational(4, 5) for s in expr.free_symbols})) == pytest.approx(0.96)
    curves = skill_gate.admission_curves([0.7], n_tasks=50, n_providers=40)
    declared = curves[curves["mode"] == "declared"].iloc[0]
    assert declared.spoofer_admitted == 1.0


def test_spoofer_score_normalises_its_weights_and_refuses_junk() -> None:
    h = sympy.Symbol("h", nonnegative=True)
    assert skill_gate.spoofer_score((3, 5, 2)) - (sympy.Rational(4, 5) + h / 5) == 0     # as the gate normalises
    assert skill_gate.spoofer_score(np.array([1.0, 1.0, 2.0])) - (sympy.Rational(1, 2) + h / 2) == 0
    for junk, error in (("abc", TypeError), ([True, False, True], TypeError), ([1j, 2.0, 1.0], TypeError),
                        ((0.3, 0.5), ValueError), (np.ones((2, 3)), ValueError), ((0, 0, 0), ValueError)):
        with pytest.raises(error, match="weights"):
            skill_gate.spoofer_score(junk)


def test_admission_curves_with_fewer_providers_than_spoofers() -> None:
    # issue 15: n_providers below 20 made an IndexError (the spoofers were copied from 20 honest providers)
    curves = skill_gate.admission_curves([0.7], n_tasks=20, n_providers=10)
    assert curves["mode"].tolist() == ["declared", "probe"]
    assert curves.spoofer_admitted.tolist()[0] == 1.0      # declared tags: J = C = 1, 0.8 + 0.2 x 0.8 >= 0.7
    # the spoofers no longer depend on the honest providers: the shares of 20 and of 40 providers' draws agree
    assert skill_gate.admission_curves([0.7], n_tasks=20, n_providers=40).spoofer_admitted.tolist() == \
        curves.spoofer_admitted.tolist()


@pytest.mark.parametrize("kwargs, error, message", [
    ({"taus": [True, False]}, TypeError, "taus must hold real numbers, not a boolean"),
    ({"taus": [1.5]}, ValueError, "taus must be in"),
    ({"taus": []}, ValueError, "taus must be a non-empty list"),
    ({"taus": [0.7], "n_tasks": 10**6, "n_providers": 10**6}, ValueError, "at most 4,000,000 pairs"),
    ({"taus": [0.7], "n_providers": 0}, ValueError, "n_providers must be >= 1"),
])
def test_admission_curves_bad_input(kwargs, error, message) -> None:
    with pytest.raises(error, match=message):
        skill_gate.admission_curves(**kwargs)


@pytest.mark.parametrize("call, message", [
    (lambda: StageParameters(reliability=1.5), "reliability must be in"),
    (lambda: StageParameters(price=-1.0), "price must be >= 0"),
    (lambda: repeated.minimal_verification(10, 8, 1.0, 0.9), "delta must be in"),
    (lambda: repeated.minimal_verification(0, 8, 0.9, 0.9), "margin must be > 0"),
    (lambda: repeated.minimal_verification(10, 8, 0.9, 1.5), "detection must be in"),
    (lambda: repeated.margin_sweep([], 8, 0.9, 0.9), "must not be empty"),
    (lambda: repeated.finite_horizon(0, 10, 8, 0.9, 0.5, 0.9), "periods must be >= 1"),
])
def test_bad_input(call, message) -> None:
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize("fn", [repeated.minimal_verification_withheld, repeated.minimal_verification])
@pytest.mark.parametrize("delta, error, message", [
    ("0.5", TypeError, "delta must hold real numbers, not a string"),
    (True, TypeError, "delta must hold real numbers, not a boolean"),
    (0.5 + 0j, TypeError, "delta must hold real numbers, not a complex number"),
    (float("nan"), ValueError, "delta must be finite"),
    ([0.5, 1.0], ValueError, r"delta must be in \(0, 1\)"),
])
def test_g4_delta_must_be_a_real_discount_factor(fn, delta, error, message) -> None:
    """Issue 15: a string is no number ('0.5' was converted and used); the checked value is the value used."""
    with pytest.raises(error, match=message):
        fn(10.0, 8.0, delta, 0.9)


def test_g4_withheld_threshold_by_hand_on_an_array_of_deltas() -> None:
    # g (1 - delta) / (d (pi + g (1 - delta))): delta 0.9 -> 0.8 / (0.9 x 10.8); delta 0.5 -> 4 / (0.9 x 14)
    got = repeated.minimal_verification_withheld(10.0, 8.0, np.array([0.9, 0.5]), 0.9)
    np.testing.assert_allclose(got, [0.8 / (0.9 * 10.8), 4.0 / (0.9 * 14.0)], rtol=1e-12)
