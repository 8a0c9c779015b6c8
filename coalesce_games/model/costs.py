"""The COALESCE cost model (paper Eq. 1-10), vectorised over tasks x providers.

Internal cost (Eq. 1-5), the client running task T itself::

    C_int = C_compute + C_memory + C_energy + C_opportunity + C_depreciation

External cost (Eq. 6-9), contractor j running it::

    C_ext = P_j + C_comm + C_verif + C_integ + C_risk + C_latency

Two accountings (MODEL.md section 2):

``"paper"``
    The published code's execution time ``t = FLOPs / (peak FLOP/s x u)``, a
    number of *seconds*, used as *hours*. A financial-RAG task at complexity 1
    then "runs" 125.4 hours on the client, inflating every time-proportional
    cost 3600x against the true seconds and ~60x against the paper's own local
    latency table (125.4 *minutes*). Exists to regenerate the published table.
``"consistent"`` (default)
    Execution time from the paper's local latency table (minutes x complexity),
    converted to hours, so internal cost and local latency describe the same
    run. Note the table's 125.4 equals the FLOP count divided by the sustained
    FLOP rate in seconds; we follow the table, the more generous of the two
    readings to local execution's cost (and the only one consistent with the
    latencies the paper reports).

External cost does not depend on the accounting. Provider latency scales with
task complexity like local latency does (ours: the paper quotes a latency per
task type at complexity 1).

>>> import numpy as np
>>> risk_premium(100.0, 0.9, False).round(6).item()  # 100 x (0.1 + 0.03 + 0.015)
14.5
>>> dynamic_price(10.0, demand=2.0, supply=1.0, total_supply=4.0, complexity=1.0).item()
11.25
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import numba
import numpy as np

from coalesce_games import data
from coalesce_games.model.providers import Providers
from coalesce_games.model.tasks import Tasks
from coalesce_games.validation import as_array, check_choice, check_nonnegative, check_probability, check_scalar

__all__ = ['ACCOUNTINGS', 'Eq69Constants', 'ExternalCost', 'InternalConstants', 'InternalCost', 'communication_cost', 'communication_one', 'dynamic_price', 'eq69_constants', 'ewma', 'execution_hours', 'external_cost', 'external_cost_pairs', 'external_one', 'internal_constants', 'internal_cost', 'internal_one', 'lateness_cost', 'queued_value_rate', 'risk_premium', 'verification_cost']

ACCOUNTINGS = ("consistent", "paper")


def _params(params: dict | None) -> dict:
    return data.parameters_view() if params is None else params


@dataclass(frozen=True)
class InternalCost:
    """Per-task internal cost components (USD) and local latency (min), shape (m,)."""

    exec_hours: np.ndarray
    compute: np.ndarray
    memory: np.ndarray
    energy: np.ndarray
    opportunity: np.ndarray
    depreciation: np.ndarray
    total: np.ndarray
    latency_min: np.ndarray


@dataclass(frozen=True)
class ExternalCost:
    """Per task x provider external cost components (USD), shape (m, n)."""

    price: np.ndarray
    communication: np.ndarray
    verification: np.ndarray
    integration: np.ndarray
    risk: np.ndarray
    latency_penalty: np.ndarray
    total: np.ndarray
    latency_min: np.ndarray


def execution_hours(tasks: Tasks, accounting: str = "consistent", params: dict | None = None) -> np.ndarray:
    """Hours the client needs for each task (Eq. 1's ``t``).

    ``paper``: ``FLOPs x (data_gb / 8.2) x complexity / (peak x u)``, the seconds
    count taken as hours. ``consistent``: local latency table x complexity / 60.

    >>> from coalesce_games.model.tasks import Task, Tasks
    >>> t = Tasks.from_list([Task("financial_rag", 100.0, complexity=1.0, data_gb=8.2)])
    >>> execution_hours(t, "paper").round(2).tolist(), execution_hours(t).round(2).tolist()
    ([125.4], [2.09])
    """
    check_choice("accounting", accounting, ACCOUNTINGS)
    p = _params(params)
    types = data.task_arrays()
    kind = tasks.task_type
    if accounting == "paper":
        hw = p["hardware"]
        flops = types["flops"][kind] * (tasks.data_gb / types["reference_data_gb"][kind])
        return flops * tasks.complexity / (hw["peak_flops"] * hw["utilisation"])
    return types["local_latency_min"][kind] * tasks.complexity / 60.0


def internal_cost(tasks: Tasks, accounting: str = "consistent", params: dict | None = None,
                  opportunity_rate: Any = 0.0) -> InternalCost:
    """Internal cost of every task (Eq. 1-5).

    ``opportunity_rate`` (USD per hour, scalar or (m,)) is the value per hour of
    the best task waiting in the client's queue (Eq. 4, :func:`queued_value_rate`);
    the market supplies it in the paper accounting, and it is 0 for a client
    with an empty queue.
    """
    p = _params(params)
    hours = execution_hours(tasks, accounting, p)
    rate = check_nonnegative("opportunity_rate", opportunity_rate)
    k, kind = internal_constants(p), tasks.task_type
    memory_used = (k.model_factor * k.model_size_gb[kind] + k.documents_factor * k.documents[kind] / k.documents_unit
                   + k.complexity_factor * tasks.complexity)
    compute = hours * k.compute_per_hour
    memory = memory_used / k.memory_gb * hours * k.memory_per_hour
    energy = k.energy_kw * hours * k.energy_per_kwh
    depreciation = k.depreciation_per_hour * hours
    opportunity = np.broadcast_to(rate * hours, hours.shape).copy()
    latency = k.local_latency_min[kind] * tasks.complexity
    total = compute + memory + energy + opportunity + depreciation
    return InternalCost(hours, compute, memory, energy, opportunity, depreciation, total, latency)


class InternalConstants(NamedTuple):
    """The constants of Eq. 1-5 a compiled pass needs (:func:`internal_constants`): per task type, then
    scalars combined as :func:`internal_cost` combines them."""

    flops: np.ndarray              # (T,) FLOPs of a task of the type at its reference data size
    reference_data_gb: np.ndarray
    local_latency_min: np.ndarray  # minutes on the client at complexity 1
    model_size_gb: np.ndarray
    documents: np.ndarray
    flops_per_hour_read: float     # peak x utilisation (the published code's seconds read as hours)
    compute_per_hour: float
    memory_per_hour: float
    memory_gb: float
    energy_kw: float               # TDP x utilisation / 1000
    energy_per_kwh: float
    depreciation_per_hour: float
    model_factor: float
    documents_factor: float
    documents_unit: float
    complexity_factor: float


def internal_constants(params: dict | None = None) -> InternalConstants:
    """Eq. 1-5's constants from ``data/parameters.toml`` and the task types (what :func:`internal_cost`
    and :func:`internal_one` compute with)."""
    p = _params(params)
    hw, rates, mem, types = p["hardware"], p["rates"], p["memory"], data.task_arrays()
    per_type = [np.ascontiguousarray(types[key], dtype=float)
                for key in ("flops", "reference_data_gb", "local_latency_min", "model_size_gb", "documents")]
    return InternalConstants(*per_type, hw["peak_flops"] * hw["utilisation"], float(rates["compute_per_hour"]),
                         float(rates["memory_per_hour"]), float(hw["memory_gb"]),
                         hw["tdp_w"] * hw["utilisation"] / 1000.0, float(rates["energy_per_kwh"]),
                         hw["purchase_usd"] / (hw["writeoff_years"] * 365 * 24), float(mem["model_factor"]),
                         float(mem["documents_factor"]), float(mem["documents_unit"]), float(mem["complexity_factor"]))


@numba.njit(cache=True, nogil=True)
def internal_one(kind: int, complexity: float, data_gb: float, opportunity_rate: float, paper: bool,
                 k: InternalConstants) -> tuple[float, float]:  # pragma: no cover (compiled)
    """Eq. 1-5 for one task in compiled code: ``(total, latency_min)``.

    The scalar form of :func:`internal_cost` (``paper``: its paper
    accounting), operation for operation, equal to it bit for bit (tested),
    for a compiled market that costs each task as it meets it.

    >>> total, minutes = internal_one(0, 1.0, 8.2, 0.0, False, internal_constants())
    >>> round(total, 4), minutes            # 2.09 h of compute, memory, energy and depreciation
    (2.0032, 125.4)
    """
    if paper:
        hours = k.flops[kind] * (data_gb / k.reference_data_gb[kind]) * complexity / k.flops_per_hour_read
    else:
        hours = k.local_latency_min[kind] * complexity / 60.0
    memory_used = (k.model_factor * k.model_size_gb[kind] + k.documents_factor * k.documents[kind] / k.documents_unit
                   + k.complexity_factor * complexity)
    total = hours * k.compute_per_hour + memory_used / k.memory_gb * hours * k.memory_per_hour
    total += k.energy_kw * hours * k.energy_per_kwh
    total += opportunity_rate * hours
    total += k.depreciation_per_hour * hours
    return total, k.local_latency_min[kind] * complexity


def dynamic_price(base_price: Any, demand: Any, supply: Any, total_supply: Any, complexity: Any,
                  alpha: float = 0.5, complexity_factor: float = 0.3, *, check: bool = True) -> np.ndarray:
    """Eq. 7: ``P = P_base (1 + alpha (D - S) / S_total) (1 + 0.3 (cf - 1))``.

    Arguments broadcast. Demand and supply are counts of tasks (or rates);
    the price is refused if it would turn negative. ``check=False`` skips
    validating the inputs (a market's own state, every hour).
    """
    base, d, s, total, cf = base_price, demand, supply, total_supply, complexity
    if check:
        base = check_nonnegative("base_price", base_price)
        d = check_nonnegative("demand", demand)
        s = check_nonnegative("supply", supply)
        total = check_nonnegative("total_supply", total_supply)
        cf = check_nonnegative("complexity", complexity)
        check_scalar("alpha", alpha, low=0)
    safe_total = np.where(total > 0, total, 1.0)
    price = base * (1 + alpha * (d - s) / safe_total) * (1 + complexity_factor * (cf - 1))
    if np.any(price < 0):
        raise ValueError(f"dynamic price turned negative (min {price.min()!r}); demand/supply out of range")
    return price


def risk_premium(value: Any, reliability: Any, high_criticality: Any, params: dict | None = None) -> np.ndarray:
    """Eq. 9: ``V (P_fail + P_sec + P_qual) gamma`` with ``P_fail = 1 - rel``,
    ``P_sec = 0.02 + 0.1 (1 - rel)``, ``P_qual = 0.01 + 0.05 (1 - rel)`` and
    ``gamma = 1.5`` for high-criticality tasks, else 1.

    >>> risk_premium(100.0, 0.9, True).round(6).item()
    21.75
    """
    e = _params(params)["external"]
    v = check_nonnegative("value", value)
    rel = check_probability("reliability", reliability)
    return _risk(v, rel, np.asarray(high_criticality, dtype=bool), e)


def _risk(value: np.ndarray, rel: np.ndarray, critical: np.ndarray, e: dict) -> np.ndarray:
    gamma = np.where(critical, e["gamma_high_criticality"], 1.0)
    # P_fail + P_sec + P_qual is affine in (1 - rel): one pass over the (task, provider) pairs
    slope = 1 + e["p_sec_slope"] + e["p_qual_slope"]
    p_total = (1 - rel) * slope
    p_total += e["p_sec_base"] + e["p_qual_base"]
    return p_total * (value * gamma)


def verification_cost(reliability: Any, params: dict | None = None) -> np.ndarray:
    """2.50 USD (automated) when reliability > 0.95, else 3.80 USD (manual)."""
    return _verification(check_probability("reliability", reliability), _params(params)["external"])


def _verification(rel: np.ndarray, e: dict) -> np.ndarray:
    return np.where(rel > e["automated_reliability"], e["verification_automated"], e["verification_manual"])


def communication_cost(data_gb: Any, params: dict | None = None) -> np.ndarray:
    """``(in_GB + out_GB) x 0.12 + 0.50`` USD, output 0.2 GB.

    >>> communication_cost(10.0).round(6).item()
    1.724
    """
    return _communication(check_nonnegative("data_gb", data_gb), _params(params)["external"])


def _communication(gb: np.ndarray, e: dict) -> np.ndarray:
    return (gb + e["output_gb"]) * e["transfer_per_gb"] + e["communication_fixed"]


def lateness_cost(latency_min: Any, max_latency_min: Any, penalty_per_min: float = 0.25, *,
                  check: bool = True) -> np.ndarray:
    """0.25 USD per minute beyond the task's maximum latency.

    >>> lateness_cost([80.0, 100.0], 90.0).tolist()
    [0.0, 2.5]
    """
    if not check:   # a market's own arrays, every hour
        return _late(latency_min, max_latency_min, penalty_per_min)
    lat = check_nonnegative("latency_min", latency_min)
    cap = check_nonnegative("max_latency_min", max_latency_min)
    return _late(lat, cap, check_scalar("penalty_per_min", penalty_per_min, low=0))


def _late(lat: np.ndarray, cap: np.ndarray, penalty_per_min: float) -> np.ndarray:
    late = np.asarray(np.subtract(lat, cap))       # 0-d inputs give a scalar: keep an array for out=
    np.maximum(late, 0.0, out=late)
    late *= penalty_per_min
    return late


def queued_value_rate(value: Any, queue: Any, params: dict | None = None) -> np.ndarray:
    """Eq. 4's opportunity rate of tasks served one after another: the best ``value / expected hours``
    among the tasks still waiting behind each one in its queue (0 for a queue's last task).

    ``queue`` (m,) labels each task's queue, each queue's tasks contiguous and in
    service order. The published simulation serves each client's queue of the
    hour in turn and takes ``max(task.value / task.estimated_duration_hours)``
    over the tasks left in it, with every task expected to take 2 hours
    (mbhatt1/COALESCE ``cost_calculator._calculate_opportunity_cost``).

    >>> queued_value_rate([100.0, 300.0, 200.0, 50.0], [0, 0, 0, 1]).tolist()
    [150.0, 100.0, 0.0, 0.0]
    """
    value = check_nonnegative("value", value, ndim=1)
    queue = np.asarray(queue)
    if queue.shape != value.shape or not np.issubdtype(queue.dtype, np.integer):
        raise ValueError(f"queue must be integer labels of shape {value.shape}; got {queue.dtype} {queue.shape}")
    steps = np.diff(queue)
    # non-decreasing labels are contiguous; others must not come back to a queue they left
    if (steps < 0).any() and len(np.unique(queue)) != 1 + np.count_nonzero(steps):
        raise ValueError("queue labels must be contiguous: each queue's tasks one after another")
    return _later_max(value, queue) / _params(params)["rates"]["opportunity_task_hours"]


@numba.njit(cache=True, nogil=True)
def _later_max(value: np.ndarray, queue: np.ndarray) -> np.ndarray:  # pragma: no cover (compiled)
    """Per task, the largest value among the later tasks of its queue (0 for the last)."""
    out = np.zeros(len(value))
    for i in range(len(value) - 2, -1, -1):
        if queue[i + 1] == queue[i]:
            out[i] = max(out[i + 1], value[i + 1])
    return out


def external_cost(tasks: Tasks, providers: Providers, accounting: str = "consistent",
                  prices: Any = None, params: dict | None = None,
                  reliability: Any = None) -> ExternalCost:
    """External cost of every task at every provider, shape (m, n) (Eq. 6-9).

    ``prices`` (n,) or (m, n) overrides the default Eq. 7 price at balanced
    demand (``P_base (1 + 0.3 (cf - 1))``); ``reliability`` (n,) or (m, n)
    overrides the providers' published reliability (a client's estimate).
    ``accounting`` is accepted for symmetry: external cost is the same in both.
    """
    check_choice("accounting", accounting, ACCOUNTINGS)
    e = _params(params)["external"]
    m, n = len(tasks), len(providers)
    if prices is None:
        price = providers.base_price[None, :] * (1 + e["complexity_price_factor"] * (tasks.complexity[:, None] - 1))
    else:
        price = np.broadcast_to(check_nonnegative("prices", prices), (m, n)).astype(float)
    rel = providers.reliability if reliability is None else check_probability("reliability", reliability)
    return external_cost_pairs(tasks, price, rel, providers.latency, params)


def external_cost_pairs(tasks: Tasks, price: Any, reliability: Any, latency: Any,
                        params: dict | None = None, *, check: bool = True,
                        task_of: np.ndarray | None = None) -> ExternalCost:
    """Eq. 6-9 for m tasks against n providers given as arrays that broadcast to (m, n).

    The kernel of :func:`external_cost` for markets whose providers differ by
    task (a batch of runs, each with its own providers): ``price``,
    ``reliability`` and ``latency`` (minutes at complexity 1) are (n,) or
    (m, n). With ``task_of`` (E,) they are given per pair instead, (E,):
    pair p is task ``task_of[p]`` with one provider, and every result is (E,)
    (a market costs only the pairs that pass the skill gate). ``check=False``
    skips validating them (arrays a market derived from validated providers);
    every pass over the pairs counts there.

    >>> t = Tasks.sample(2, seed=0)
    >>> dense = external_cost_pairs(t, np.array([10.0, 20.0]), np.array([0.9, 0.99]), np.array([30.0, 60.0]))
    >>> pairs = external_cost_pairs(t, np.array([20.0, 10.0]), np.array([0.99, 0.9]), np.array([60.0, 30.0]),
    ...                             task_of=np.array([0, 1]))
    >>> bool(pairs.total[0] == dense.total[0, 1] and pairs.total[1] == dense.total[1, 0])
    True
    """
    p = _params(params)
    e = p["external"]
    if check:
        price, reliability = check_nonnegative("prices", price), check_probability("reliability", reliability)
        latency = check_nonnegative("latency", latency)
    if task_of is None:     # per task (m, 1) against the providers' (n,) or (m, n)
        of = lambda x: x[:, None]   # noqa: E731
        shape = np.broadcast_shapes(np.shape(price), np.shape(reliability), np.shape(latency), (len(tasks), 1))
    else:                   # per pair (E,)
        of = lambda x: x[task_of]   # noqa: E731
        shape = np.shape(task_of)
        if not (np.shape(price) == np.shape(reliability) == np.shape(latency) == shape):
            raise ValueError(f"with task_of {shape}, prices, reliability and latency must be per pair; got "
                             f"{np.shape(price)}, {np.shape(reliability)}, {np.shape(latency)}")
    if task_of is None:
        price, rel = np.broadcast_to(price, shape), np.broadcast_to(reliability, shape)
    else:
        rel = reliability
    per_task = of(_communication(tasks.data_gb, e))   # tasks are valid by construction
    comm = np.broadcast_to(per_task, shape)
    integ = np.broadcast_to(np.float64(e["integration"]), shape)
    verif = _verification(rel, e)
    risk = _risk(of(tasks.value), rel, of(tasks.high_criticality), e)
    latency_min = latency * of(tasks.complexity)
    late = _late(latency_min, of(tasks.max_latency), e["latency_penalty_per_min"])
    total = price + (per_task + e["integration"])    # Eq. 6, the per-task terms first
    total += verif
    total += risk
    total += late
    return ExternalCost(price, comm, verif, integ, risk, late, total, latency_min)


class Eq69Constants(NamedTuple):
    """The constants of Eq. 6-9 a compiled pass needs, as scalars (:func:`eq69_constants`)."""

    integration: float
    verification_automated: float
    verification_manual: float
    automated_reliability: float
    risk_slope: float          # 1 + 0.1 + 0.05: P_fail + P_sec + P_qual per unit of (1 - rel)
    risk_base: float           # 0.02 + 0.01
    gamma_high_criticality: float
    latency_penalty_per_min: float
    output_gb: float           # Eq. 6: (in + out GB) x transfer + fixed
    transfer_per_gb: float
    communication_fixed: float
    complexity_price_factor: float   # Eq. 7: 1 + 0.3 (cf - 1)


def eq69_constants(params: dict | None = None) -> Eq69Constants:
    """Eq. 6-9's constants from ``data/parameters.toml``, combined as :func:`external_cost_pairs` combines them."""
    e = _params(params)["external"]
    return Eq69Constants(float(e["integration"]), float(e["verification_automated"]),
                         float(e["verification_manual"]), float(e["automated_reliability"]),
                         1 + e["p_sec_slope"] + e["p_qual_slope"], e["p_sec_base"] + e["p_qual_base"],
                         float(e["gamma_high_criticality"]), float(e["latency_penalty_per_min"]),
                         float(e["output_gb"]), float(e["transfer_per_gb"]), float(e["communication_fixed"]),
                         float(e["complexity_price_factor"]))


@numba.njit(cache=True, nogil=True)
def communication_one(data_gb: float, k: Eq69Constants) -> float:  # pragma: no cover (compiled)
    """Eq. 6's transfer cost of one task (:func:`communication_cost`, bit for bit: tested).

    >>> round(communication_one(10.0, eq69_constants()), 6)   # (10 + 0.2) x 0.12 + 0.50
    1.724
    """
    return (data_gb + k.output_gb) * k.transfer_per_gb + k.communication_fixed


@numba.njit(cache=True, nogil=True)
def external_one(price: float, reliability: float, latency: float, complexity: float, value: float,
                 high_criticality: bool, communication: float, max_latency: float,
                 k: Eq69Constants) -> tuple[float, float]:  # pragma: no cover (compiled)
    """Eq. 6-9 for one (task, provider) pair in compiled code: ``(total, latency_min)``.

    The scalar form of :func:`external_cost_pairs`, operation for operation
    (equal to it bit for bit: tested), for a compiled market that costs each
    pair as it meets it. ``price`` is Eq. 7's (complexity factor included),
    ``latency`` the provider's minutes at complexity 1, ``communication``
    the task's transfer cost.

    >>> total, minutes = external_one(18.5, 0.987, 8.2, 1.0, 200.0, True, communication_cost(10.0).item(), 90.0,
    ...                               eq69_constants())
    >>> round(total, 3), minutes   # 18.5 + 1.724 + 1.2 + 2.5 + (0.013 x 1.15 + 0.03) x 200 x 1.5
    (37.409, 8.2)
    """
    verification = k.verification_automated if reliability > k.automated_reliability else k.verification_manual
    gamma = k.gamma_high_criticality if high_criticality else 1.0
    p_total = (1 - reliability) * k.risk_slope
    p_total += k.risk_base
    risk = p_total * (value * gamma)
    latency_min = latency * complexity
    late = max(latency_min - max_latency, 0.0) * k.latency_penalty_per_min
    total = price + (communication + k.integration)
    total += verification
    total += risk
    total += late
    return total, latency_min


def ewma(previous: Any, observed: Any, lam: float = 0.2) -> np.ndarray:
    """Eq. 10 cost calibration: ``(1 - lambda) previous + lambda observed``.

    >>> ewma(10.0, 20.0).item()
    12.0
    """
    check_scalar("lam", lam, low=0, high=1)
    return (1 - lam) * as_array("previous", previous) + lam * as_array("observed", observed)
