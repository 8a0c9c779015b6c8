"""Evolutionary dynamics: against egttools and OpenSpiel on random games, and against hand-computed cases."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from coalesce_games.solvers.evolution import (RoleGame, alpha_rank, count_profiles, deviation_payoffs,
                                              fixation_distribution, fixation_probability, profile_regret,
                                              role_replicator, stationary_distribution)
from coalesce_games.solvers.game import Game

egttools = pytest.importorskip("egttools")
alpharank = pytest.importorskip("open_spiel.python.egt.alpharank")


# ------------------------------------------------------------------ fixation: egttools
@pytest.mark.parametrize("seed,n,z,beta", [(0, 2, 5, 2.0), (1, 3, 10, 1.0), (2, 4, 20, 0.3), (3, 5, 8, 1.5),
                                          (4, 3, 30, 0.0)])
def test_fixation_distribution_equals_egttools(seed: int, n: int, z: int, beta: float) -> None:
    # payoffs in [0, 1] and beta (z - 1) below log(1e7): egttools' cut-offs (phi > 1e7 -> 0) never apply
    payoffs = np.random.default_rng(seed).uniform(0, 1, (n, n))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        peer = egttools.analytical.StochDynamics(n, payoffs, z).calculate_stationary_distribution(beta)
    ours = fixation_distribution(payoffs, z, beta)
    assert np.abs(ours - peer).max() < 1e-10


def test_fixation_two_agents_by_hand() -> None:
    # Z = 2: one step, f_mutant = a_rs, f_resident = a_sr; rho = 1 / (1 + exp(-beta (a_rs - a_sr)))
    a = np.array([[1.0, 0.0], [3.0, 2.0]])
    beta = 0.7
    rho_to_1 = 1 / (1 + np.exp(-beta * (a[1, 0] - a[0, 1])))      # 1 invades 0
    rho_to_0 = 1 / (1 + np.exp(-beta * (a[0, 1] - a[1, 0])))
    want = np.array([rho_to_0, rho_to_1]) / (rho_to_0 + rho_to_1)
    assert np.allclose(fixation_distribution(a, 2, beta), want, atol=1e-14)


def test_fixation_probability_neutral_and_constant() -> None:
    assert np.isclose(fixation_probability(np.zeros(19), 3.0), 1 / 20)
    u, m = -0.8, 7
    assert np.isclose(fixation_probability(np.full(m - 1, u), 1.0), (1 - np.exp(-u)) / (1 - np.exp(-m * u)))
    # strong selection against the mutant: tiny but positive, no overflow
    assert 0 < fixation_probability(np.full(99, -5.0), 1.0) < 1e-200


# ------------------------------------------------------------------ alpha-Rank: OpenSpiel
@pytest.mark.parametrize("seed,shape,alpha,m", [(0, (2, 2), 1.0, 10), (1, (2, 3), 1.0, 10), (2, (3, 3), 5.0, 20),
                                                (3, (4, 2), 0.5, 50), (4, (3, 4), 10.0, 5)])
def test_alpha_rank_equals_openspiel(seed: int, shape: tuple[int, int], alpha: float, m: int) -> None:
    rng = np.random.default_rng(seed)
    a, b = rng.uniform(-1, 1, shape), rng.uniform(-1, 1, shape)
    _, _, peer, _, _ = alpharank.compute([a, b], alpha=alpha, m=m)
    assert np.abs(alpha_rank(Game(a, b), alpha, m) - peer).max() < 1e-9
    assert np.abs(alpha_rank([a, b], alpha, m) - peer).max() < 1e-9


def _bimatrix_as_role_game(a: np.ndarray, b: np.ndarray, agents: int) -> RoleGame:
    """Each agent plays the bimatrix against the other role's average: no interaction within a role."""
    rows, cols = count_profiles(agents, a.shape[0]), count_profiles(agents, a.shape[1])
    pay = np.empty((len(rows), len(cols), a.shape[0] + a.shape[1]))
    pay[:, :, :a.shape[0]] = (cols / agents @ a.T)[None, :, :]
    pay[:, :, a.shape[0]:] = (rows / agents @ b)[:, None, :]
    return RoleGame((agents, agents), (a.shape[0], a.shape[1]), pay)


def test_role_game_alpha_rank_reduces_to_openspiel() -> None:
    # along an invasion the other role is monomorphic, so the advantage is the bimatrix's, constant in k
    rng = np.random.default_rng(7)
    a, b = rng.uniform(0, 1, (3, 2)), rng.uniform(0, 1, (3, 2))
    _, _, peer, _, _ = alpharank.compute([a, b], alpha=3.0, m=6)
    assert np.abs(alpha_rank(_bimatrix_as_role_game(a, b, 6), 3.0) - peer).max() < 1e-9


def test_alpha_rank_errors() -> None:
    g = Game([[1, 0], [0, 1]])
    with pytest.raises(ValueError, match="m .*required"):
        alpha_rank(g, 1.0)
    with pytest.raises(ValueError, match="alpha must be in"):
        alpha_rank(g, -1.0, 10)
    with pytest.raises(ValueError, match="m must be None"):
        alpha_rank(_bimatrix_as_role_game(np.eye(2), np.eye(2), 3), 1.0, 3)
    with pytest.raises(TypeError, match="game_or_payoffs"):
        alpha_rank("game", 1.0, 3)
    # fixations that underflow: two absorbing profiles, no unique stationary distribution
    with pytest.raises(ValueError, match="closed classes"):
        alpha_rank(Game([[1e4, 0], [0, 1e4]], [[1e4, 0], [0, 1e4]]), 1.0, 10)


def test_stationary_distribution_checks() -> None:
    with pytest.raises(ValueError, match="row-stochastic"):
        stationary_distribution([[0.5, 0.6], [0.5, 0.5]])
    # a transient state gets no mass
    assert np.allclose(stationary_distribution([[0.5, 0.5], [0.0, 1.0]]), [0.0, 1.0])


# ------------------------------------------------------------------ replicator: egttools and analytic cases
def _symmetric_game(payoff: callable, agents: int, strategies: int) -> RoleGame:
    prof = count_profiles(agents, strategies)
    pay = np.array([[payoff(s, c) if c[s] > 0 else np.nan for s in range(strategies)] for c in prof])
    return RoleGame((agents,), (strategies,), pay)


def test_deviation_payoffs_equal_egttools_gradient() -> None:
    rng = np.random.default_rng(3)
    agents, strategies = 4, 3
    game = _symmetric_game(lambda s, c: 0.0, agents, strategies)
    table = rng.uniform(0, 1, game.payoffs.shape)
    game = RoleGame((agents,), (strategies,), table)
    # egttools numbers group configurations with sample_simplex; ours is count_profiles' order
    n_cfg = egttools.calculate_nb_states(agents, strategies)
    peer_table = np.zeros((strategies, n_cfg))
    rows = {tuple(c): i for i, c in enumerate(count_profiles(agents, strategies).tolist())}
    for i in range(n_cfg):
        peer_table[:, i] = np.nan_to_num(game.payoffs[rows[tuple(egttools.sample_simplex(i, agents, strategies))]])
    for x in rng.dirichlet(np.ones(strategies), 5):
        f = deviation_payoffs(game, [x])[0]
        ours = x * (f - x @ f)
        peer = egttools.analytical.replicator_equation_n_player(x, peer_table, agents)
        assert np.abs(ours - peer).max() < 1e-12


def test_volunteers_dilemma_interior_equilibrium() -> None:
    # volunteering costs c and everyone gets b if someone volunteers: an interior equilibrium where
    # c = b P(no other volunteer) = b (1 - x)^(N - 1)
    b, c, agents = 1.0, 0.3, 5
    game = _symmetric_game(lambda s, cnt: b - c if s == 0 else (b if cnt[0] > 0 else 0.0), agents, 2)
    x_star = 1 - (c / b) ** (1 / (agents - 1))
    end = role_replicator(game, [[[0.9, 0.1], [0.1, 0.9], [0.5, 0.5]]], horizon=200.0, steps=2000)[0]
    assert np.allclose(end[:, 0], x_star, atol=1e-6)
    assert profile_regret(game, [[[x_star, 1 - x_star]]])[0] < 1e-12
    assert profile_regret(game, [[[0.9, 0.1]]])[0] > 0.01


def test_role_matching_pennies_has_the_uniform_equilibrium() -> None:
    a = np.array([[1.0, -1.0], [-1.0, 1.0]])
    game = _bimatrix_as_role_game(a, -a, 4)
    half = np.array([0.5, 0.5])
    assert profile_regret(game, [half, half])[0] < 1e-12
    assert np.isclose(profile_regret(game, [[0.5, 0.5], [0.75, 0.25]])[0], 0.5)   # role 0 plays H: 0.75 - 0.25
    path = role_replicator(game, [[0.6, 0.4], [0.5, 0.5]], horizon=5.0, steps=50, trajectory=True)
    assert path.shape == (51, 1, 4)
    assert np.allclose(path.sum(axis=2), 2.0)


def test_role_game_input_errors() -> None:
    with pytest.raises(ValueError, match="payoffs must be finite where the strategy is played"):
        RoleGame((2,), (2,), np.array([[np.nan, np.nan], [1.0, 0.0], [np.nan, 2.0]]))
    with pytest.raises(ValueError, match="payoffs must have shape"):
        RoleGame((2,), (2,), np.zeros((2, 2)))
    game = _symmetric_game(lambda s, c: float(s), 2, 2)
    with pytest.raises(ValueError, match="probability vectors"):
        deviation_payoffs(game, [[0.7, 0.7]])
    with pytest.raises(ValueError, match="one mix per role"):
        deviation_payoffs(game, [[0.5, 0.5], [0.5, 0.5]])


# ------------------------------------------------------------------ size guards (issue 15)
def _compositions_by_brute_force(agents: int, strategies: int) -> list[list[int]]:
    """Every tuple of counts summing to ``agents``, in reverse lexicographic order: the definition itself."""
    from itertools import product

    rows = [list(c) for c in product(range(agents + 1), repeat=strategies) if sum(c) == agents]
    return sorted(rows, reverse=True)


@pytest.mark.parametrize("agents,strategies", [(1, 1), (3, 1), (1, 4), (2, 2), (4, 3), (5, 4), (3, 6)])
def test_count_profiles_equals_the_definition(agents: int, strategies: int) -> None:
    got = count_profiles(agents, strategies)
    assert got.dtype == np.int64 and got.flags.c_contiguous
    assert got.tolist() == _compositions_by_brute_force(agents, strategies)


def test_count_profiles_size_guard_names_the_estimate_and_the_bound() -> None:
    # 4000 strategies once recursed 4000 deep (RecursionError); now 4000 rows of 4000 entries is over the bound
    with pytest.raises(ValueError, match=r"count_profiles\(1, 4000\): the entries .* at most 10,000,000; got 16,000,000"):
        count_profiles(1, 4000)
    assert count_profiles(1, 3000).shape == (3000, 3000)                  # under the bound: computed
    with pytest.raises(ValueError, match="got 2,000,000,000,002"):       # C(10^12 + 1, 1) x 2, counted exactly
        count_profiles(10**12, 2)
    with pytest.raises(ValueError, match="got over 10\\^300"):            # C(2 x 10^12, 10^12): estimated, not counted
        count_profiles(10**12, 10**12)


def test_fixation_distribution_population_bound() -> None:
    a = np.array([[3.0, 0.0], [5.0, 1.0]])
    with pytest.raises(ValueError, match=r"population_size=1000000000000, the fitness differences .* at most "
                                         r"10,000,000; got 3,999,999,999,996"):
        fixation_distribution(a, 10**12, 1.0)
    # at the bound's edge (4 x 2,499,999 terms) it runs and gives a distribution
    pi = fixation_distribution(np.ones((2, 2)), 2_500_000, 1.0)
    assert pi.tolist() == pytest.approx([0.5, 0.5])


def test_alpha_rank_population_and_state_bounds() -> None:
    g = Game([[3, 0], [5, 1]], [[3, 5], [0, 1]])
    # 4 profiles x 2 mutations each x (m - 1) terms
    with pytest.raises(ValueError, match=r"m=1000000000000, alpha-Rank's fixation terms .* got 7,999,999,999,992"):
        alpha_rank(g, 1.0, 10**12)
    with pytest.raises(ValueError, match=r"states \(pure profiles\) must be at most 4,096; got 4,225"):
        alpha_rank(Game(np.zeros((65, 65))), 1.0, 2)


def test_role_replicator_steps_bound() -> None:
    game = RoleGame((2,), (2,), np.array([[1.0, np.nan], [1.0, 0.0], [np.nan, 2.0]]))
    with pytest.raises(ValueError, match="steps must be at most 100,000; got 1,000,000,000,000"):
        role_replicator(game, [[0.6, 0.4]], steps=10**12)


def test_role_game_own_count_table_bounded() -> None:
    # one agent over 1,000 strategies: 1,000 profiles (under count_profiles' bound), but the table of the
    # role's other agents per (profile, strategy) is 1,000 x 1,000^2 = 10^9 entries: refused before allocating
    pay = np.where(np.eye(1000) > 0, 1.0, np.nan)
    with pytest.raises(ValueError, match=r"own-role counts .* at most 100,000,000; got 1,000,000,000"):
        RoleGame((1,), (1000,), pay)
    assert RoleGame((1,), (100,), np.where(np.eye(100) > 0, 1.0, np.nan)).profiles[0].shape == (100, 100)
