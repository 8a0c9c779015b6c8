"""Evolutionary dynamics of populations: replicator dynamics, fixation in finite populations, alpha-Rank.

Three models of a population that learns which strategy pays
(``papers/model.md``, sections 6.6 and 6.7):

* **Replicator dynamics** of a symmetric or role-symmetric N-player game given
  by its *heuristic payoff table*: for every count profile (how many of the N
  agents of each role play each strategy) the payoff of each strategy present.
  A share ``x_s`` grows at the rate by which its *deviation payoff* ``f_s(x)``
  (the expected payoff of one agent playing ``s`` when the other agents are
  drawn from the mixes) beats its role's average: ``dx_s/dt = x_s (f_s - x.f)``.
* **Fixation in the small-mutation limit** (:func:`fixation_distribution`):
  a population of ``Z`` agents playing a symmetric two-player game imitates by
  the pairwise-comparison (Fermi) rule; mutants are so rare that the population
  is monomorphic between invasions, and the long-run share of time it spends in
  each monomorphic state is the stationary distribution of the chain of
  fixations (Traulsen, Nowak and Pacheco 2006; as egttools' ``StochDynamics``).
* **alpha-Rank** (:func:`alpha_rank`; Omidshafiei et al. 2019): the same
  small-mutation limit with one population per player (per role), whose
  monomorphic states are the pure strategy profiles.

The fixation probability of a mutant ``r`` among residents ``s`` (``k`` mutants
of ``m``, Fermi selection ``alpha``) is

    rho = 1 / (1 + sum_{l=1}^{m-1} prod_{k=1}^{l} exp(-alpha (f_r(k) - f_s(k))))

computed in log space, so strong selection underflows to 0 only where the
probability truly is below the smallest double. The stationary distribution
comes from a linear solve; a chain with more than one closed class (no unique
stationary distribution: payoffs so far apart that fixations underflow) is an
error that names the classes.

>>> A = np.array([[3.0, 0.0], [5.0, 1.0]])        # prisoner's dilemma: defection takes over
>>> fixation_distribution(A, population_size=10, selection=1.0).round(4).tolist()
[0.0, 1.0]
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import chain, combinations, product
from typing import Any, Sequence

import numpy as np
from scipy.sparse.csgraph import connected_components
from scipy.special import gammaln, logsumexp

from coalesce_games.solvers._checks import as_array, check_int, check_scalar
from coalesce_games.solvers.bounds import (MAX_FIXATION_TERMS, MAX_OWN_COUNTS, MAX_PROFILE_ENTRIES, MAX_RK_STEPS,
                                           MAX_STATES, binomial_estimate, check_size)
from coalesce_games.solvers.game import Game

__all__ = ['RoleGame', 'alpha_rank', 'count_profiles', 'deviation_payoffs', 'fixation_distribution',
           'fixation_probability', 'profile_regret', 'role_replicator', 'stationary_distribution']


def count_profiles(agents: int, strategies: int) -> np.ndarray:
    """Every way ``agents`` agents split over ``strategies`` strategies, shape (C(a+s-1, s-1), s),
    in reverse lexicographic order (all on the first strategy first); at most
    :data:`~coalesce_games.solvers.bounds.MAX_PROFILE_ENTRIES` entries (rows x strategies).

    Stars and bars: ``s - 1`` bars among ``a + s - 1`` places, in lexicographic order, reversed.

    >>> count_profiles(2, 2).tolist()
    [[2, 0], [1, 1], [0, 2]]
    """
    a, s = check_int("agents", agents, minimum=1), check_int("strategies", strategies, minimum=1)
    rows = binomial_estimate(a + s - 1, s - 1)
    check_size(f"count_profiles({a}, {s}): the entries (profiles x strategies)", rows * s, MAX_PROFILE_ENTRIES)
    bars = np.fromiter(chain.from_iterable(combinations(range(a + s - 1), s - 1)), dtype=np.int64,
                       count=int(rows) * (s - 1)).reshape(int(rows), s - 1)
    edges = np.hstack([np.full((len(bars), 1), -1), bars, np.full((len(bars), 1), a + s - 1)])
    return np.ascontiguousarray(np.diff(edges, axis=1)[::-1] - 1)


@dataclass(frozen=True)
class RoleGame:
    """A role-symmetric game as a heuristic payoff table.

    ``agents[r]`` agents in role ``r`` choose among ``strategies[r]``
    strategies; ``payoffs`` has one axis per role, indexed by the role's row of
    :func:`count_profiles`, and a last axis over all strategies (role 0's
    first): ``payoffs[i, j, s]`` is the payoff of one agent playing ``s`` at the
    profile (role 0 at row ``i``, role 1 at row ``j``). Entries of strategies
    nobody plays are ``nan`` and never read. One role is a symmetric game.

    >>> g = RoleGame((2,), (2,), np.array([[1.0, np.nan], [1.0, 0.0], [np.nan, 2.0]]))
    >>> g.profiles[0].tolist()
    [[2, 0], [1, 1], [0, 2]]
    """

    agents: tuple[int, ...]
    strategies: tuple[int, ...]
    payoffs: np.ndarray

    def __post_init__(self) -> None:
        agents, strategies = tuple(self.agents), tuple(self.strategies)
        if len(agents) != len(strategies) or not agents:
            raise ValueError(f"agents and strategies must give one entry per role; got {agents!r} and {strategies!r}")
        for r, (a, s) in enumerate(zip(agents, strategies)):
            check_int(f"agents[{r}]", a, minimum=1)
            check_int(f"strategies[{r}]", s, minimum=1)
        object.__setattr__(self, "agents", agents)
        object.__setattr__(self, "strategies", strategies)
        profiles = tuple(count_profiles(a, s) for a, s in zip(agents, strategies))
        object.__setattr__(self, "profiles", profiles)
        shape = tuple(len(p) for p in profiles) + (sum(strategies),)
        pay = as_array("payoffs", self.payoffs, shape=shape, finite=False).copy()
        present = self.present()
        bad = present & ~np.isfinite(pay)
        if bad.any():
            idx = tuple(int(i) for i in np.argwhere(bad)[0])
            raise ValueError(f"payoffs must be finite where the strategy is played; got {pay[idx]!r} at {idx}")
        pay[~present] = np.nan
        pay.flags.writeable = False
        object.__setattr__(self, "payoffs", pay)
        object.__setattr__(self, "_filled", np.nan_to_num(pay, nan=0.0))
        check_size("the own-role counts (profiles x strategies^2, all roles)",
                   sum(len(p) * p.shape[1] ** 2 for p in profiles), MAX_OWN_COUNTS, "fewer strategies")
        own = []
        for prof in profiles:      # the other N_r - 1 agents of an s-player's role, per (profile, s)
            counts = prof[:, None, :] - np.eye(prof.shape[1], dtype=np.int64)[None, :, :]       # (n_r, S_r, S_r)
            ok = (counts >= 0).all(axis=2)
            own.append((np.where(ok[..., None], counts, 0).reshape(-1, prof.shape[1]), ok.reshape(-1)))
        object.__setattr__(self, "_own", tuple(own))
        object.__setattr__(self, "_rows", tuple({tuple(c): i for i, c in enumerate(p.tolist())} for p in profiles))

    def offsets(self) -> np.ndarray:
        """Where each role's strategies start on the last axis."""
        return np.concatenate([[0], np.cumsum(self.strategies)]).astype(np.int64)

    def present(self) -> np.ndarray:
        """Boolean array of ``payoffs``' shape: is the strategy played at the profile."""
        shape = tuple(len(p) for p in self.profiles)
        blocks = []
        for r, prof in enumerate(self.profiles):
            view = [1] * len(shape) + [prof.shape[1]]
            view[r] = len(prof)
            blocks.append(np.broadcast_to((prof > 0).reshape(view), shape + (prof.shape[1],)))
        return np.concatenate(blocks, axis=-1)


def _log_multinomial(counts: np.ndarray, x: np.ndarray) -> np.ndarray:
    """log P(counts) under the multinomial with probabilities ``x``, for every row of counts (n, s) and
    every mix of x (k, s) -> (k, n); a count on a strategy of probability 0 gives (effectively) -inf."""
    total = counts.sum(axis=1)
    coef = gammaln(total + 1) - gammaln(counts + 1).sum(axis=1)
    with np.errstate(divide="ignore"):
        logx = np.maximum(np.log(x), -1e250)       # finite, so a zero count times it is 0, not nan
    return coef[None, :] + logx @ counts.T


def _check_mixes(game: RoleGame, mixes: Sequence[Any]) -> list[np.ndarray]:
    if len(mixes) != len(game.agents):
        raise ValueError(f"mixes must give one mix per role ({len(game.agents)}); got {len(mixes)}")
    out = []
    for r, x in enumerate(mixes):
        arr = as_array(f"mixes[{r}]", x)
        arr = arr[None, :] if arr.ndim == 1 else arr
        if arr.ndim != 2 or arr.shape[1] != game.strategies[r]:
            raise ValueError(f"mixes[{r}] must have {game.strategies[r]} entries per mix; got shape {arr.shape}")
        if (arr < 0).any() or not np.allclose(arr.sum(axis=1), 1.0, atol=1e-9):
            raise ValueError(f"mixes[{r}] must be probability vectors (>= 0, summing to 1); got {arr.tolist()!r}")
        out.append(arr)
    if len({len(x) for x in out}) != 1:
        raise ValueError(f"mixes must hold as many mixes for every role; got {[len(x) for x in out]}")
    return out


def deviation_payoffs(game: RoleGame, mixes: Sequence[Any]) -> np.ndarray:
    """Each strategy's expected payoff to one agent when every other agent plays its role's mix.

    ``mixes[r]`` is role ``r``'s mix (or a (k, S_r) batch of k mixes); returns
    shape (k, sum of strategies). By hand: two agents, payoffs 1 for ``A``
    (whatever the other does), 0 for ``B`` against ``A`` and 2 against ``B``;
    against the mix (1/2, 1/2), ``B`` expects 1.

    >>> g = RoleGame((2,), (2,), np.array([[1.0, np.nan], [1.0, 0.0], [np.nan, 2.0]]))
    >>> deviation_payoffs(g, [[0.5, 0.5]]).tolist()
    [[1.0, 1.0]]
    """
    return _deviation(game, _check_mixes(game, mixes))


def _deviation(game: RoleGame, xs: list[np.ndarray]) -> np.ndarray:
    """:func:`deviation_payoffs` for checked mixes, one (k, S_r) array per role."""
    pay = game._filled
    offsets = game.offsets()
    full = [np.exp(_log_multinomial(prof, x)) for prof, x in zip(game.profiles, xs)]    # (k, n_r)
    out = np.empty((len(xs[0]), offsets[-1]))
    for r, prof in enumerate(game.profiles):
        table = np.moveaxis(pay[..., offsets[r]:offsets[r + 1]], r, 0)       # (n_r, other roles..., S_r)
        others = [q for q in range(len(game.profiles)) if q != r]
        if not others:
            table = table[None]
        for step, q in enumerate(others):      # the other roles: all their N_q agents drawn from their mixes
            table = (np.tensordot(full[q], table, axes=([1], [1])) if step == 0
                     else np.einsum("kq,knq...->kn...", full[q], table))
        # role r's own axis: the other N_r - 1 agents of the role drawn from its mix
        counts, ok = game._own[r]
        w = np.where(ok[None, :], np.exp(_log_multinomial(counts, xs[r])), 0.0).reshape(len(xs[r]), len(prof), -1)
        out[:, offsets[r]:offsets[r + 1]] = np.einsum("kns,kns->ks", w, np.broadcast_to(table, w.shape))
    return out


def _as_batches(game: RoleGame, mixes: Sequence[Any]) -> np.ndarray:
    """The mixes of all roles side by side, shape (k, sum of strategies)."""
    return np.concatenate(_check_mixes(game, mixes), axis=1)


def _split(game: RoleGame, flat: np.ndarray) -> list[np.ndarray]:
    off = game.offsets()
    return [flat[:, off[r]:off[r + 1]] for r in range(len(game.agents))]


def _by_role(game: RoleGame, values: np.ndarray, reduce: Any) -> np.ndarray:
    """``reduce`` applied to each role's block of columns, broadcast back over the block."""
    off = game.offsets()
    return np.concatenate([np.repeat(reduce(values[:, off[r]:off[r + 1]]), off[r + 1] - off[r], axis=1)
                           for r in range(len(game.agents))], axis=1)


def profile_regret(game: RoleGame, mixes: Sequence[Any]) -> np.ndarray:
    """The largest gain any agent gets by deviating from its role's mix to a pure strategy, per mix
    (0 at a role-symmetric Nash equilibrium), shape (k,).

    >>> g = RoleGame((2,), (2,), np.array([[1.0, np.nan], [1.0, 0.0], [np.nan, 2.0]]))
    >>> profile_regret(g, [[[1.0, 0.0], [0.5, 0.5], [0.25, 0.75]]]).tolist()  # B: 0.75 * 2 = 1.5 > 1.375
    [0.0, 0.0, 0.125]
    """
    f = deviation_payoffs(game, mixes)
    flat = _as_batches(game, mixes)
    best = _by_role(game, f, lambda b: b.max(axis=1, keepdims=True))
    mean = _by_role(game, flat * f, lambda b: b.sum(axis=1, keepdims=True))
    return np.maximum((best - mean).max(axis=1), 0.0)


def role_replicator(game: RoleGame, mixes: Sequence[Any], horizon: float = 50.0, steps: int = 500,
                    trajectory: bool = False) -> Any:
    """Replicator dynamics of a symmetric or role-symmetric game from one or a batch of starts.

    ``dx_s/dt = x_s (f_s(x) - sum_t x_t f_t(x))`` within each role, ``f`` the
    :func:`deviation_payoffs`, every role's payoffs divided by their range (a
    time unit per role). Integrated by fourth-order Runge-Kutta on the
    log-shares, so every mix stays on its simplex exactly and strategies absent
    at the start stay absent. Returns the end mixes, one (k, S_r) array per
    role, or with ``trajectory`` the path, shape (steps + 1, k, sum of strategies).

    By hand: two-player coordination, payoff 1 for matching; from (0.6, 0.4)
    the population coordinates on the first strategy.

    >>> g = RoleGame((2,), (2,), np.array([[1.0, np.nan], [0.0, 0.0], [np.nan, 1.0]]))
    >>> role_replicator(g, [[0.6, 0.4]])[0].round(3).tolist()
    [[1.0, 0.0]]
    """
    check_scalar("horizon", horizon, low=0, low_open=True)
    check_size("steps", check_int("steps", steps, minimum=1), MAX_RK_STEPS, "a coarser grid over the horizon")
    flat = _as_batches(game, mixes)
    off = game.offsets()
    scale = np.ones(off[-1])
    for r in range(len(game.agents)):
        block = game.payoffs[..., off[r]:off[r + 1]]
        spread = float(np.nanmax(block) - np.nanmin(block))
        scale[off[r]:off[r + 1]] = spread if spread > 0 else 1.0

    def velocity(logx: np.ndarray) -> np.ndarray:
        x = _softmax_roles(game, logx)
        f = _deviation(game, _split(game, x)) / scale
        return np.where(np.isfinite(logx), f - _by_role(game, x * f, lambda b: b.sum(axis=1, keepdims=True)), 0.0)

    with np.errstate(divide="ignore"):
        y = np.log(flat)
    h, path = horizon / steps, [flat]
    for _ in range(steps):
        k1 = velocity(y)
        k2 = velocity(y + h / 2 * k1)
        k3 = velocity(y + h / 2 * k2)
        k4 = velocity(y + h * k3)
        y = y + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        y = y - _by_role(game, y, lambda b: b.max(axis=1, keepdims=True))     # keep the logs bounded
        if trajectory:
            path.append(_softmax_roles(game, y))
    return np.stack(path) if trajectory else _split(game, _softmax_roles(game, y))


def _softmax_roles(game: RoleGame, logx: np.ndarray) -> np.ndarray:
    w = np.exp(logx - _by_role(game, logx, lambda b: b.max(axis=1, keepdims=True)))
    return w / _by_role(game, w, lambda b: b.sum(axis=1, keepdims=True))


def fixation_probability(differences: Any, selection: float) -> np.ndarray:
    """Probability that one mutant takes over a population of ``m`` under the Fermi rule.

    ``differences[..., k - 1] = f_mutant(k) - f_resident(k)`` for k = 1 .. m - 1
    mutants; ``selection`` is the Fermi intensity (egttools' ``beta``,
    alpha-Rank's ``alpha``). Neutral selection gives ``1 / m``; a constant
    advantage ``u`` gives ``(1 - e^-u) / (1 - e^-mu)``.

    >>> float(fixation_probability(np.zeros(9), 1.0))
    0.1
    >>> u, m = 0.5, 4
    >>> bool(np.isclose(fixation_probability(np.full(m - 1, u), 1.0), (1 - np.exp(-u)) / (1 - np.exp(-m * u))))
    True
    """
    d = as_array("differences", differences)
    if d.ndim == 0 or d.shape[-1] < 1:
        raise ValueError(f"differences must have a last axis of m - 1 >= 1 entries; got shape {d.shape}")
    beta = check_scalar("selection", selection, low=0)
    log_terms = -beta * np.cumsum(d, axis=-1)
    return np.exp(-np.logaddexp(0.0, logsumexp(log_terms, axis=-1)))


def stationary_distribution(transitions: Any) -> np.ndarray:
    """The stationary distribution ``pi = pi T`` of a row-stochastic matrix, by a linear solve.

    Unique exactly when the chain has one closed communicating class; otherwise
    a ``ValueError`` names the classes (each would carry its own distribution).

    >>> stationary_distribution([[0.5, 0.5], [0.25, 0.75]]).round(6).tolist()
    [0.333333, 0.666667]
    >>> stationary_distribution(np.eye(2))
    Traceback (most recent call last):
    ...
    ValueError: the Markov chain has 2 closed classes, so no unique stationary distribution: [[0], [1]]
    """
    t = as_array("transitions", transitions, ndim=2)
    n = t.shape[0]
    if t.shape != (n, n) or (t < -1e-12).any() or not np.allclose(t.sum(axis=1), 1.0, atol=1e-9):
        raise ValueError(f"transitions must be a square row-stochastic matrix; got shape {t.shape}, "
                         f"row sums {np.round(t.sum(axis=1), 12).tolist()}")
    linked = (t > 0) & ~np.eye(n, dtype=bool)
    count, label = connected_components(linked, directed=True, connection="strong")
    src, dst = np.nonzero(linked)
    leaving = np.zeros(count, dtype=bool)
    leaving[label[src][label[src] != label[dst]]] = True
    closed = sorted(np.flatnonzero(label == c).tolist() for c in range(count) if not leaving[c])
    if len(closed) != 1:
        raise ValueError(f"the Markov chain has {len(closed)} closed classes, so no unique stationary distribution: "
                         f"{closed}")
    system = (t - np.eye(n)).T
    system[-1] = 1.0
    rhs = np.zeros(n)
    rhs[-1] = 1.0
    pi = np.linalg.solve(system, rhs)
    if pi.min() < -1e-9:
        raise ValueError(f"the stationary solve is numerically unstable (a share of {pi.min():.3g}); "
                         f"the transition matrix is too ill-conditioned")
    pi = np.maximum(pi, 0.0)                 # rounding noise (above -1e-9) on states that carry no mass
    return pi / pi.sum()


def fixation_distribution(payoffs: Any, population_size: int, selection: float) -> np.ndarray:
    """Stationary distribution over the monomorphic states of a symmetric two-player game in a finite
    population: small-mutation limit, Fermi pairwise comparison.

    ``payoffs[i, j]`` is what strategy ``i`` earns against ``j``; an agent
    meets each of the ``Z - 1`` others once (no self-interaction), so with
    ``k`` mutants ``r`` among residents ``s`` the fitnesses are
    ``f_r = ((k - 1) a_rr + (Z - k) a_rs) / (Z - 1)`` and
    ``f_s = ((Z - k - 1) a_ss + k a_sr) / (Z - 1)``. A mutant of a uniformly
    drawn other strategy fixates with :func:`fixation_probability`; the
    result equals egttools'
    ``StochDynamics(n, payoffs, Z).calculate_stationary_distribution(selection)``.

    By hand: neutral selection leaves every state equally likely.

    >>> fixation_distribution(np.ones((3, 3)), 5, 2.0).round(6).tolist()
    [0.333333, 0.333333, 0.333333]
    """
    a = as_array("payoffs", payoffs, ndim=2)
    n = a.shape[0]
    if a.shape != (n, n) or n < 2:
        raise ValueError(f"payoffs must be a square matrix of at least 2 strategies; got shape {a.shape}")
    z = check_int("population_size", population_size, minimum=2)
    beta = check_scalar("selection", selection, low=0)
    check_size(f"with population_size={z}, the fitness differences (n^2 (Z - 1))", n * n * (z - 1), MAX_FIXATION_TERMS)
    k = np.arange(1, z)[None, None, :]
    diag = np.diag(a)
    # resident s on axis 0, mutant r on axis 1, k mutants on axis 2
    f_r = ((k - 1) * diag[None, :, None] + (z - k) * a.T[:, :, None]) / (z - 1)
    f_s = ((z - k - 1) * diag[:, None, None] + k * a[:, :, None]) / (z - 1)
    t = fixation_probability(f_r - f_s, beta) / (n - 1)
    np.fill_diagonal(t, 0.0)
    t[np.diag_indices(n)] = 1.0 - t.sum(axis=1)
    return stationary_distribution(t)


def _pure_profiles(strategies: tuple[int, ...]) -> np.ndarray:
    """Every pure profile, one strategy per role, row-major (role 0 slowest)."""
    return np.array(list(product(*(range(s) for s in strategies))), dtype=np.int64).reshape(-1, len(strategies))


def _role_differences(game: RoleGame, profile: np.ndarray, role: int, mutant: int) -> np.ndarray:
    """f_mutant(k) - f_resident(k), k = 1 .. N_role - 1, along the invasion of ``mutant`` into
    ``role`` (monomorphic on ``profile[role]``); the other roles stay monomorphic."""
    n = game.agents[role]
    off = game.offsets()
    rows = []
    for q, lookup in enumerate(game._rows):
        if q != role:
            mono = tuple(game.agents[q] if s == profile[q] else 0 for s in range(game.strategies[q]))
            rows.append(np.full(n - 1, lookup[mono]))
            continue
        idx = []
        for k in range(1, n):
            counts = [0] * game.strategies[q]
            counts[mutant], counts[profile[q]] = k, n - k
            idx.append(lookup[tuple(counts)])
        rows.append(np.array(idx))
    values = game.payoffs[tuple(rows)]                   # (n - 1, sum of strategies)
    return values[:, off[role] + mutant] - values[:, off[role] + profile[role]]


def _bimatrix_tables(game_or_payoffs: Any) -> list[np.ndarray]:
    if isinstance(game_or_payoffs, Game):
        return [np.asarray(game_or_payoffs.A), np.asarray(game_or_payoffs.B)]
    if isinstance(game_or_payoffs, (list, tuple)) and len(game_or_payoffs) == 2:
        a = as_array("payoffs[0]", game_or_payoffs[0], ndim=2)
        b = as_array("payoffs[1]", game_or_payoffs[1], shape=a.shape)
        return [a, b]
    raise TypeError("game_or_payoffs must be a Game, a pair [A, B] of equal-shape matrices or a RoleGame; "
                    f"got {type(game_or_payoffs).__name__}")


def alpha_rank(game_or_payoffs: Any, alpha: float, m: int | None = None) -> np.ndarray:
    """alpha-Rank: the stationary distribution over pure profiles, row-major (role 0 slowest).

    One population per player (per role); in the small-mutation limit each is
    monomorphic, so the states are the pure profiles. From a profile, a
    uniformly drawn role (weight ``1 / sum(S_r - 1)`` per alternative strategy)
    tries a mutant strategy, which fixates with :func:`fixation_probability`
    at selection ``alpha``.

    * A bimatrix :class:`Game` (or ``[A, B]``): populations of ``m`` agents,
      each meeting the other population's monomorphic strategy, so the
      mutant's advantage ``u`` is constant and ``rho = (1 - e^-u) / (1 - e^-mu)``.
      This equals OpenSpiel's ``alpharank.compute([A, B], alpha=alpha, m=m)``
      stationary distribution, in the same (row-major) order.
    * A :class:`RoleGame`: each role's population is its ``N_r`` agents, and the
      fitnesses along an invasion come from the payoff table at ``k`` mutants and
      ``N_r - k`` residents (the others monomorphic); ``m`` must be ``None``.

    >>> pd_game = Game([[3, 0], [5, 1]], [[3, 5], [0, 1]])
    >>> alpha_rank(pd_game, alpha=1.0, m=10).round(4).tolist()        # (D, D) absorbs nearly all mass
    [0.0, 0.0, 0.0, 1.0]
    """
    check_scalar("alpha", alpha, low=0)
    if isinstance(game_or_payoffs, RoleGame):
        if m is not None:
            raise ValueError(f"m must be None for a RoleGame (each role's population is its {game_or_payoffs.agents} "
                             f"agents); got {m!r}")
        game = game_or_payoffs
        strategies, paths = game.strategies, tuple(a - 1 for a in game.agents)
        if min(game.agents) < 2:
            raise ValueError(f"agents per role must be >= 2 for an invasion path; got {game.agents}")

        def differences(profile: np.ndarray, role: int, mutant: int) -> np.ndarray:
            return _role_differences(game, profile, role, mutant)
    else:
        tables = _bimatrix_tables(game_or_payoffs)
        size = check_int("m", m, minimum=2) if m is not None else None
        if size is None:
            raise ValueError("m (the population size) is required for a bimatrix game")
        strategies, paths = tables[0].shape, (size - 1, size - 1)

        def differences(profile: np.ndarray, role: int, mutant: int) -> np.ndarray:
            other = profile.copy()
            other[role] = mutant
            return np.full(size - 1, tables[role][tuple(other)] - tables[role][tuple(profile)])
    states = check_size("alpha-Rank's states (pure profiles)", math.prod(strategies), MAX_STATES, "fewer strategies")
    who = f"m={m!r}" if m is not None else f"agents={game_or_payoffs.agents}"
    check_size(f"with {who}, alpha-Rank's fixation terms (mutations x invasion length)",
               states * sum((s - 1) * p for s, p in zip(strategies, paths)), MAX_FIXATION_TERMS, "a smaller population")
    return _alpha_rank_chain(tuple(int(s) for s in strategies), differences, float(alpha))


def _alpha_rank_chain(strategies: tuple[int, ...], differences: Any, alpha: float) -> np.ndarray:
    """The alpha-Rank chain over pure profiles: every single-role mutation, its fitness differences
    along the invasion (``differences(profile, role, mutant)``), all fixations computed at once."""
    profiles = _pure_profiles(strategies)
    if len(profiles) == 1:
        return np.ones(1)
    eta = 1.0 / sum(s - 1 for s in strategies)
    index = {tuple(p): i for i, p in enumerate(profiles.tolist())}
    moves: dict[int, list[tuple[int, int, np.ndarray]]] = {}          # by invasion length
    for i, profile in enumerate(profiles):
        for role, count in enumerate(strategies):
            for mutant in range(count):
                if mutant != profile[role]:
                    target = profile.copy()
                    target[role] = mutant
                    d = differences(profile, role, mutant)
                    moves.setdefault(len(d), []).append((i, index[tuple(target)], d))
    t = np.zeros((len(profiles), len(profiles)))
    for group in moves.values():
        src, dst = np.array([g[0] for g in group]), np.array([g[1] for g in group])
        t[src, dst] = eta * fixation_probability(np.stack([g[2] for g in group]), alpha)
    t[np.diag_indices(len(profiles))] = 1.0 - t.sum(axis=1)
    return stationary_distribution(t)
