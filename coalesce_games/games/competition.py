"""G2, provider competition: price level x security investment (papers/model.md section 6).

Two strategic providers, copies of one Table 1 contractor type (Bhatt et al.
2025, arXiv:2506.01900, Table 1), compete for a population of client tasks in
a market that also holds background Table 1 providers. Each provider chooses a
**price level** (a multiplier on its Eq. 7 price at balanced demand) and a
**security level** ``s`` (its security criterion, the probability of no
security incident), which it buys with a per-task investment.

Market shares come from the market's own selection machinery, computed for
every strategy profile at once (one batch axis per player):

- the skill gate (:class:`~coalesce_games.model.skills.SkillMatcher`, Eq. 11) decides
  which providers may serve each task;
- every eligible provider is scored by TOPSIS on the four criteria (external
  cost Eq. 6-9 with the provider's price, reliability, latency, security) with
  the per-task weights of :func:`~coalesce_games.model.policies.task_weights`; the
  client's **security weight** ``w`` multiplies the base security weight 0.15,
  as :class:`~coalesce_games.model.policies.CoalescePolicy` does;
- each task goes to its highest-closeness provider; exact ties split the task
  equally (so two identical providers playing the same strategy share it).

The client's **security budget** is its verification share ``v`` (papers/model.md
section 5): a verified task whose data was exposed (probability ``1 - s``) is
caught by the audit with probability ``d_detect`` (the canary-audit
probability ``d_leak`` of :class:`~coalesce_games.model.threats.ThreatModel`). A
detection withholds the payment and blacklists the provider, which ends that
task stream: with discount factor ``delta`` the provider loses the
continuation value ``delta / (1 - delta)`` of its margin (G4's grim trigger).
The expected profit of a won task is therefore, with ``q = (1 - s) v d``,
``own = c + I(s)`` and margin ``p - own``::

    pi = (1 - q) p - own - q delta / (1 - delta) max(p - own, 0)

where ``c`` is the provider's cost of the work (a share of its nominal price)
and ``I(s) = kappa log10(1 / (1 - s))`` the security investment (``kappa``
USD per task per "nine" of security: 0.9 costs one unit, 0.99 two). A
provider's payoff is its expected profit per client task of the population,
``mean_j share_j pi_j``.

The local outside option is left out by default (``local_option=None``): in
``consistent`` accounting the internal cost (median about 2 USD) beats every
provider's external cost, so no task would be outsourced and the game would be
void. ``local_option="paper"`` keeps local execution as an alternative with
the paper's internal cost, as the coalesce policy's cost test does.

What the model shows (default market, 300 tasks, 20 background providers):
at zero security weight and no budget security only costs, so both providers
choose the lowest level; any positive weight makes security the tie-breaker
between otherwise equal providers, and it also softens their price war (the
equilibrium price level rises from 0.6 to 0.7). The budget raises security
mainly through blacklisting: with ``discount=0`` (withheld payment only) the
saving of 0.05 v d p per won task barely matches the cost of the next level.

>>> market = CompetitionMarket.build(tasks=60, background=6, seed=1)
>>> par = CompetitionParameters(price_levels=(1.0,), security_levels=(0.9, 0.99))
>>> game = competition_game(market, par, security_weight=0.0, budget=0.0)
>>> game.row_labels
('p1.00/s0.900', 'p1.00/s0.990')
>>> table = equilibrium_security(game, par)
>>> table[["row_security", "col_security"]].to_dict("records")   # security does not pay
[{'row_security': 0.9, 'col_security': 0.9}]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from coalesce_games import data
from coalesce_games.model.costs import ExternalCost, external_cost, internal_cost
from coalesce_games.model.criteria import BENEFIT, provider_payoff
from coalesce_games.model.decisions import criteria_matrix
from coalesce_games.model.providers import Provider, Providers
from coalesce_games.model.skills import SkillMatcher
from coalesce_games.model.tasks import Tasks
from coalesce_games.model.threats import ThreatModel
from coalesce_games.model.topsis import topsis
from coalesce_games.model.weights import task_weights
from coalesce_games.solvers.equilibria import solve
from coalesce_games.solvers.game import Game
from coalesce_games.validation import (
    as_array,
    check_choice,
    check_int,
    check_nonnegative,
    check_probability,
    check_scalar,
    check_weights,
    make_rng,
)

__all__ = ['CompetitionMarket', 'CompetitionParameters', 'TIE_TOL', 'competition_game', 'competition_payoffs', 'equilibrium_security', 'market_shares', 'security_investment', 'strategy_grid', 'trace_security', 'won_task_profit']

#: ties in TOPSIS closeness closer than this split the task equally
TIE_TOL = 1e-12


def _grid(name: str, values: Any, low: float, high: float, high_open: bool = False) -> tuple[float, ...]:
    arr = as_array(name, values, ndim=1)
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty; got {list(arr)}")
    for x in arr:
        check_scalar(name, float(x), low=low, high=high, high_open=high_open)
    if len(np.unique(arr)) != arr.size:
        raise ValueError(f"{name} must not repeat a level; got {arr.tolist()}")
    return tuple(float(x) for x in arr)


@dataclass(frozen=True)
class CompetitionParameters:
    """Parameters of G2 (money in USD per task, probabilities in [0, 1]).

    ``price_levels``: multipliers on the provider's Eq. 7 price at balanced
    demand. ``security_levels``: the security criterion ``s`` in [0, 1).
    ``own_cost_share``: the provider's cost of the work as a share of its
    nominal price. ``security_cost``: ``kappa``, USD per task per nine of
    security. ``discount``: ``delta`` in [0, 1) valuing the task stream lost on
    blacklisting (0: only the withheld payment). ``d_detect``: probability that
    a verification catches exposed data (default: ``ThreatModel().d_leak``).
    ``base_weights``: the client's TOPSIS base weights (cost, reliability,
    latency, security). ``normalization``: TOPSIS normalisation.
    ``local_option``: None (every task is outsourced) or the accounting
    (``"consistent"``/``"paper"``) of the local alternative.
    """

    price_levels: tuple[float, ...] = (0.6, 0.7, 0.8, 1.0)
    security_levels: tuple[float, ...] = (0.90, 0.95, 0.98, 0.99)
    own_cost_share: float = 0.5
    security_cost: float = 1.0
    discount: float = 0.95
    d_detect: float = field(default_factory=lambda: ThreatModel().d_leak)
    base_weights: tuple[float, ...] = (0.40, 0.25, 0.20, 0.15)
    normalization: str = "vector"
    local_option: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "price_levels", _grid("price_levels", self.price_levels, 0.0, np.inf))
        object.__setattr__(self, "security_levels",
                           _grid("security_levels", self.security_levels, 0.0, 1.0, high_open=True))
        check_nonnegative("own_cost_share", self.own_cost_share)
        check_nonnegative("security_cost", self.security_cost)
        check_scalar("discount", self.discount, low=0.0, high=1.0, high_open=True)
        check_probability("d_detect", self.d_detect)
        check_weights("base_weights", self.base_weights, size=4)
        check_choice("normalization", self.normalization, ("vector", "minmax"))
        if self.local_option is not None:
            check_choice("local_option", self.local_option, ("consistent", "paper"))

    @property
    def n_strategies(self) -> int:
        return len(self.price_levels) * len(self.security_levels)


def strategy_grid(params: CompetitionParameters) -> pd.DataFrame:
    """The strategies (price level x security level), in game order: price major.

    >>> strategy_grid(CompetitionParameters(price_levels=(1.0, 1.2), security_levels=(0.9,)))
              label  price_level  security
    0  p1.00/s0.900          1.0       0.9
    1  p1.20/s0.900          1.2       0.9
    """
    k, s = np.meshgrid(params.price_levels, params.security_levels, indexing="ij")
    k, s = k.ravel(), s.ravel()
    labels = [f"p{a:.2f}/s{b:.3f}" for a, b in zip(k, s)]
    return pd.DataFrame({"label": labels, "price_level": k, "security": s})


def security_investment(security: Any, security_cost: float = 1.0) -> np.ndarray:
    """Per-task cost of a security level: ``kappa log10(1 / (1 - s))`` USD.

    Each "nine" costs the same: 0.9 costs ``kappa``, 0.99 twice that.

    >>> security_investment([0.9, 0.99], 2.0).round(6).tolist()
    [2.0, 4.0]
    """
    s = check_probability("security", security)
    if (s >= 1).any():
        raise ValueError(f"security must be < 1 (perfect security has no finite cost); got {s.max()!r}")
    check_nonnegative("security_cost", security_cost)
    return security_cost * -np.log10(1 - s)


def won_task_profit(price: Any, own_cost: Any, security: Any, budget: Any, *, d_detect: float = 0.5,
                    discount: float = 0.95, security_cost: float = 1.0) -> np.ndarray:
    """Expected profit of one won task (module text): withheld pay and blacklisting.

    ``q = (1 - s) v d`` is the probability that the audit catches exposed data;
    ``pi = provider_payoff(p, c + I(s), paid_probability=1 - q)
    - q delta / (1 - delta) max(p - c - I(s), 0)``. Broadcasts over arrays.

    >>> won_task_profit(10.0, 4.0, 0.9, 1.0, d_detect=0.5, discount=0.5, security_cost=1.0).round(6).item()
    4.25
    """
    p = check_nonnegative("price", price)
    c = check_nonnegative("own_cost", own_cost)
    v = check_probability("budget", budget)
    check_probability("d_detect", d_detect)
    check_scalar("discount", discount, low=0.0, high=1.0, high_open=True)
    own = c + security_investment(security, security_cost)
    q = (1 - np.asarray(security, float)) * v * d_detect
    blacklist = discount / (1 - discount) * np.maximum(p - own, 0.0)
    return provider_payoff(p, own, paid_probability=1 - q) - q * blacklist


@dataclass(frozen=True)
class CompetitionMarket:
    """The simulated market of G2: tasks, providers (0 and 1 strategic), skill gate, costs.

    ``external`` holds every provider's external cost at its nominal price
    (Eq. 6-9); ``internal`` the tasks' internal cost in both accountings.
    Built by :meth:`build`; constructed directly, the fields' types and shapes
    are checked (``m`` tasks, ``n >= 2`` providers): ``eligible`` a boolean
    (m, n) array, each cost of ``external`` (m, n), ``internal`` one (m,)
    array per accounting (``"consistent"``, ``"paper"``).
    """

    tasks: Tasks
    providers: Providers
    eligible: np.ndarray
    external: ExternalCost
    internal: dict[str, np.ndarray]

    def __post_init__(self) -> None:
        for name, kind in (("tasks", Tasks), ("providers", Providers), ("external", ExternalCost)):
            if not isinstance(getattr(self, name), kind):
                raise TypeError(f"{name} must be a {kind.__name__}; got {type(getattr(self, name)).__name__}")
        m, n = len(self.tasks), len(self.providers)
        if n < 2:
            raise ValueError(f"providers must hold the two strategic providers first; got {n} provider(s)")
        if not (isinstance(self.eligible, np.ndarray) and self.eligible.dtype == bool
                and self.eligible.shape == (m, n)):
            raise TypeError(f"eligible must be a boolean numpy array of shape ({m}, {n}); got "
                            f"{type(self.eligible).__name__} {getattr(self.eligible, 'dtype', '')} "
                            f"{getattr(self.eligible, 'shape', '')}")
        for name in self.external.__dataclass_fields__:
            got = np.shape(getattr(self.external, name))
            if got != (m, n):
                raise ValueError(f"external.{name} must have shape ({m}, {n}); got {got}")
        if not isinstance(self.internal, dict) or sorted(self.internal) != ["consistent", "paper"]:
            raise TypeError(f"internal must be a dict of the two accountings 'consistent' and 'paper'; got "
                            f"{self.internal!r:.80}")
        for name, values in self.internal.items():
            if np.shape(values) != (m,):
                raise ValueError(f"internal[{name!r}] must have shape ({m},); got {np.shape(values)}")

    @classmethod
    def build(cls, tasks: int = 300, background: int = 20, template: str = "B", seed: Any = 0,
              tau: float = 0.7) -> "CompetitionMarket":
        """Sample ``tasks`` client tasks and ``background`` Table 1 providers; add two
        un-jittered copies of the Table 1 type ``template`` as the strategic providers.

        >>> m = CompetitionMarket.build(tasks=20, background=4, seed=0)
        >>> len(m.providers), m.eligible.shape, m.providers.type_id[:2].tolist()
        (6, (20, 6), ['B', 'B'])
        """
        m = check_int("tasks", tasks, minimum=1)
        n_bg = check_int("background", background, minimum=0)
        table = data.load_contractors()
        check_choice("template", template, table.id.tolist())
        row = table.set_index("id").loc[template]
        skills = frozenset(row.skills.split(";"))
        pair = Providers.from_list([
            Provider(name=f"strategic{i}", price=float(row.base_price), latency=float(row.latency_min),
                     reliability=float(row.reliability), declared_skills=skills, type_id=template)
            for i in range(2)])
        rng = make_rng(seed)
        sample = Tasks.sample(m, rng)
        providers = pair if n_bg == 0 else pair.concat(Providers.sample_table1(n_bg, rng))
        eligible = SkillMatcher(tau=tau).eligible(sample.required, providers)
        internal = {acc: internal_cost(sample, acc).total for acc in ("consistent", "paper")}
        return cls(sample, providers, eligible, external_cost(sample, providers), internal)


def market_shares(market: CompetitionMarket, params: CompetitionParameters,
                  security_weight: float) -> np.ndarray:
    """Each task's share won by the two strategic providers, every profile at once.

    Returns shape ``(S, S, m, 2)``: row strategy, column strategy, task,
    provider (0 row, 1 column), for the ``S`` strategies of
    :func:`strategy_grid`. TOPSIS runs on one batched tensor over all
    profiles; no Python loop over profiles or tasks.
    """
    w = check_scalar("security_weight", security_weight, low=0.0)
    grid = strategy_grid(params)
    k = grid.price_level.to_numpy()
    s = grid.security.to_numpy()
    S = len(grid)
    ext = market.external
    m = ext.total.shape[0]
    served = market.eligible[:, :2].any(axis=1)              # tasks either strategic provider may serve
    idx = np.flatnonzero(served)
    shares = np.zeros((S, S, m, 2))
    if idx.size == 0:
        return shares
    base = criteria_matrix(ext, market.providers.reliability, market.providers.security)[idx]
    cost_wo_price = ext.total[idx, :2] - ext.price[idx, :2]            # (e, 2)
    strategy_price = k[:, None, None] * ext.price[idx, :2][None]       # (S, e, 2): price of each strategy
    matrix = np.broadcast_to(base, (S, S) + base.shape).copy()
    matrix[..., 0, 0] = (cost_wo_price[None, :, 0] + strategy_price[..., 0])[:, None, :]
    matrix[..., 1, 0] = (cost_wo_price[None, :, 1] + strategy_price[..., 1])[None, :, :]
    matrix[..., 0, 3] = s[:, None, None]
    matrix[..., 1, 3] = s[None, :, None]
    mask = np.broadcast_to(market.eligible[idx], matrix.shape[:-1]).copy()
    if params.local_option is not None:
        internal = market.internal[params.local_option][idx]
        mask &= matrix[..., 0] < internal[:, None]
    weights = np.array(params.base_weights, float)
    weights[3] *= w
    if weights.sum() <= 0:
        raise ValueError(f"security_weight leaves no positive criterion weight; got {w!r}")
    per_task = task_weights(weights, market.tasks.subset(idx))           # (e, 4)
    close = topsis(matrix, per_task, BENEFIT, params.normalization, mask)
    close = np.where(mask, close, -np.inf)
    top = close.max(axis=-1, keepdims=True)
    winners = mask & (close >= top - TIE_TOL)
    split = winners / np.maximum(winners.sum(axis=-1, keepdims=True), 1)
    shares[:, :, idx, :] = split[..., :2]
    return shares


def competition_payoffs(market: CompetitionMarket, params: CompetitionParameters, budget: float,
                        shares: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Payoff matrices (A row, B column): expected profit per client task (USD)."""
    v = check_probability("budget", budget).item()
    grid = strategy_grid(params)
    S = len(grid)
    sh = as_array("shares", shares, shape=(S, S, len(market.tasks), 2))
    nominal = market.external.price[:, :2]                                # (m, 2)
    price = grid.price_level.to_numpy()[:, None, None] * nominal[None]   # (S, m, 2)
    own = params.own_cost_share * nominal[None]
    pi = won_task_profit(price, own, grid.security.to_numpy()[:, None, None], v, d_detect=params.d_detect,
                         discount=params.discount, security_cost=params.security_cost)   # (S, m, 2)
    A = (sh[..., 0] * pi[:, None, :, 0]).mean(axis=-1)
    B = (sh[..., 1] * pi[None, :, :, 1]).mean(axis=-1)
    return A, B


def competition_game(market: CompetitionMarket, params: CompetitionParameters | None = None,
                     security_weight: float = 1.0, budget: float = 0.0,
                     shares: np.ndarray | None = None) -> Game:
    """G2 as a :class:`Game`: strategies of :func:`strategy_grid`, payoffs from the market.

    ``shares`` (from :func:`market_shares` with the same security weight) may
    be passed to reuse them across budgets.
    """
    par = CompetitionParameters() if params is None else params
    if shares is None:
        shares = market_shares(market, par, security_weight)
    A, B = competition_payoffs(market, par, budget, shares)
    labels = strategy_grid(par).label.tolist()
    return Game(A, B, labels, labels,
                note=f"G2 provider competition (security weight {security_weight:g}, budget {budget:g})")


def equilibrium_security(game: Game, params: CompetitionParameters | None = None) -> pd.DataFrame:
    """Every Nash equilibrium of G2 with the providers' expected security and price level.

    Columns: ``row_security``, ``col_security``, ``security`` (their mean),
    ``row_price``, ``col_price`` (expected price levels), ``row_payoff``,
    ``col_payoff``, ``max_regret`` and the mixed strategies ``row_strategy``,
    ``col_strategy`` (arrays in :func:`strategy_grid` order), as found by
    :func:`coalesce_games.solvers.equilibria.solve` (every equilibrium verified).
    """
    par = CompetitionParameters() if params is None else params
    grid = strategy_grid(par)
    if game.shape != (len(grid), len(grid)):
        raise ValueError(f"game must have shape {(len(grid), len(grid))} for these params; got {game.shape}")
    eq = solve(game).to_frame()
    s = grid.security.to_numpy()
    k = grid.price_level.to_numpy()
    X = np.stack(eq.row_strategy.to_list())
    Y = np.stack(eq.col_strategy.to_list())
    out = pd.DataFrame({"row_security": X @ s, "col_security": Y @ s, "row_price": X @ k, "col_price": Y @ k,
                        "row_payoff": eq.row_payoff.to_numpy(float), "col_payoff": eq.col_payoff.to_numpy(float),
                        "max_regret": eq.max_regret.to_numpy(float),
                        "row_strategy": list(X), "col_strategy": list(Y)})
    out.insert(2, "security", (out.row_security + out.col_security) / 2)
    return out.round({"row_security": 12, "col_security": 12, "security": 12})


def trace_security(weights: Any, budgets: Any, market: CompetitionMarket | None = None,
                   params: CompetitionParameters | None = None) -> pd.DataFrame:
    """How the equilibrium security level moves with the client's security weight and budget.

    One row per (security weight, budget): ``equilibria`` (count),
    ``security_min``/``security_max`` (lowest and highest mean security over
    the equilibria), ``price_min``/``price_max`` (mean price level),
    ``profit_min``/``profit_max`` (mean provider profit per client task, USD)
    and ``max_regret``. Market shares are computed once per weight.

    >>> mkt = CompetitionMarket.build(tasks=60, background=6, seed=1)
    >>> tr = trace_security([0.0, 1.0], [0.0, 1.0], mkt)
    >>> print(tr[["security_weight", "budget", "equilibria", "security_min"]].to_string(index=False))
     security_weight  budget  equilibria  security_min
                 0.0     0.0           1          0.90
                 0.0     1.0           1          0.98
                 1.0     0.0           1          0.99
                 1.0     1.0           1          0.99
    """
    w_arr = check_nonnegative("weights", weights, ndim=1)
    v_arr = check_probability("budgets", budgets, ndim=1)
    if w_arr.size == 0 or v_arr.size == 0:
        raise ValueError(f"weights and budgets must not be empty; got {w_arr.tolist()} and {v_arr.tolist()}")
    mkt = CompetitionMarket.build() if market is None else market
    par = CompetitionParameters() if params is None else params
    rows = []
    for w in w_arr:
        shares = market_shares(mkt, par, float(w))
        for v in v_arr:
            eq = equilibrium_security(competition_game(mkt, par, float(w), float(v), shares), par)
            price = (eq.row_price + eq.col_price) / 2
            profit = (eq.row_payoff + eq.col_payoff) / 2
            rows.append({"security_weight": float(w), "budget": float(v), "equilibria": len(eq),
                         "security_min": eq.security.min(), "security_max": eq.security.max(),
                         "price_min": price.min(), "price_max": price.max(),
                         "profit_min": profit.min(), "profit_max": profit.max(),
                         "max_regret": eq.max_regret.max()})
    return pd.DataFrame(rows)
