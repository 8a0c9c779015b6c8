"""Every cost formula of Eq. 1-10 once, for one task or one (task, provider) pair, in compiled code.

These scalar functions are the single source of the cost model
(``papers/model.md``, section 3): the market's compiled hours call them task
by task, and the array functions of :mod:`coalesce_games.model.costs` are
compiled loops over them, so the two cannot drift apart. Constants come in
as :class:`InternalConstants` and :class:`Eq69Constants`, read from
``data/parameters.toml`` by :func:`internal_constants` and
:func:`eq69_constants`.

>>> round(communication_one(10.0, 0.2, 0.12, 0.50), 6)     # (10 + 0.2) x 0.12 + 0.50
1.724
>>> k = eq69_constants()
>>> risk_one(100.0, 0.9, True, k.risk_slope, k.risk_base, k.gamma_high_criticality)   # 100 (0.115 + 0.03) 1.5
21.75
>>> price_one(10.0, 2.0, 1.0, 4.0, 1.0, 0.5, 0.3)            # 10 (1 + 0.5 (2 - 1) / 4)
11.25
"""

from __future__ import annotations

from typing import NamedTuple

import numba
import numpy as np

from coalesce_games import data

__all__ = ['Eq69Constants', 'InternalConstants', 'communication_one', 'complexity_price_one', 'eq69_constants',
           'ewma_one',
           'execution_hours_one', 'external_one', 'internal_constants', 'internal_one', 'lateness_one', 'price_one',
           'risk_one', 'verification_one']


def _params(params: dict | None) -> dict:
    return data.parameters_view() if params is None else params


class InternalConstants(NamedTuple):
    """The constants of Eq. 1-5 (:func:`internal_constants`): per task type, then scalars."""

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
    """Eq. 1-5's constants from ``data/parameters.toml`` and the task types."""
    p = _params(params)
    hw, rates, mem, types = p["hardware"], p["rates"], p["memory"], data.task_arrays()
    per_type = [np.ascontiguousarray(types[key], dtype=float)
                for key in ("flops", "reference_data_gb", "local_latency_min", "model_size_gb", "documents")]
    return InternalConstants(*per_type, hw["peak_flops"] * hw["utilisation"], float(rates["compute_per_hour"]),
                             float(rates["memory_per_hour"]), float(hw["memory_gb"]),
                             hw["tdp_w"] * hw["utilisation"] / 1000.0, float(rates["energy_per_kwh"]),
                             hw["purchase_usd"] / (hw["writeoff_years"] * 365 * 24), float(mem["model_factor"]),
                             float(mem["documents_factor"]), float(mem["documents_unit"]),
                             float(mem["complexity_factor"]))


class Eq69Constants(NamedTuple):
    """The constants of Eq. 6-9, as scalars (:func:`eq69_constants`)."""

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
    """Eq. 6-9's constants from ``data/parameters.toml``."""
    e = _params(params)["external"]
    return Eq69Constants(float(e["integration"]), float(e["verification_automated"]),
                         float(e["verification_manual"]), float(e["automated_reliability"]),
                         1 + e["p_sec_slope"] + e["p_qual_slope"], e["p_sec_base"] + e["p_qual_base"],
                         float(e["gamma_high_criticality"]), float(e["latency_penalty_per_min"]),
                         float(e["output_gb"]), float(e["transfer_per_gb"]), float(e["communication_fixed"]),
                         float(e["complexity_price_factor"]))


@numba.njit(cache=True, nogil=True)
def execution_hours_one(kind: int, complexity: float, data_gb: float, paper: bool,
                        k: InternalConstants) -> float:  # pragma: no cover (compiled)
    """Eq. 1's ``t`` in hours: ``paper``, ``FLOPs (data_gb / reference) cf / (peak u)`` (the published seconds
    read as hours); else the local latency table's minutes x complexity / 60.

    >>> round(execution_hours_one(0, 1.0, 8.2, True, internal_constants()), 2)   # 2.8e15 / (29.77e12 x 0.75)
    125.4
    """
    if paper:
        return k.flops[kind] * (data_gb / k.reference_data_gb[kind]) * complexity / k.flops_per_hour_read
    return k.local_latency_min[kind] * complexity / 60.0


@numba.njit(cache=True, nogil=True)
def internal_one(kind: int, complexity: float, data_gb: float, opportunity_rate: float, paper: bool,
                 k: InternalConstants) -> tuple[float, ...]:  # pragma: no cover (compiled)
    """Eq. 1-5 for one task: ``(hours, compute, memory, energy, opportunity, depreciation, total, latency_min)``.

    ``C_int = C_compute + C_memory + C_energy + C_opportunity + C_depreciation``, each
    proportional to the execution hours; memory in proportion to the GB the task holds
    (``1.3 model GB + 4.2 documents / 50,000 + 2.8 cf``) of the machine's 74 GB.

    >>> parts = internal_one(0, 1.0, 8.2, 0.0, False, internal_constants())
    >>> round(parts[6], 4), parts[7]      # 2.09 h of compute, memory, energy and depreciation; 125.4 min
    (2.0032, 125.4)
    """
    hours = execution_hours_one(kind, complexity, data_gb, paper, k)
    memory_used = (k.model_factor * k.model_size_gb[kind] + k.documents_factor * k.documents[kind] / k.documents_unit
                   + k.complexity_factor * complexity)
    compute = hours * k.compute_per_hour
    memory = memory_used / k.memory_gb * hours * k.memory_per_hour
    energy = k.energy_kw * hours * k.energy_per_kwh
    opportunity = opportunity_rate * hours
    depreciation = k.depreciation_per_hour * hours
    total = compute + memory
    total += energy
    total += opportunity
    total += depreciation
    return hours, compute, memory, energy, opportunity, depreciation, total, k.local_latency_min[kind] * complexity


@numba.njit(cache=True, nogil=True)
def price_one(base_price: float, demand: float, supply: float, total_supply: float, complexity: float,
              alpha: float, complexity_factor: float) -> float:  # pragma: no cover (compiled)
    """Eq. 7: ``P_base (1 + alpha (D - S) / S_total) (1 + 0.3 (cf - 1))`` (``S_total`` 0 counts as 1)."""
    total = total_supply if total_supply > 0 else 1.0
    return base_price * (1 + alpha * (demand - supply) / total) * complexity_price_one(complexity, complexity_factor)


@numba.njit(cache=True, nogil=True)
def complexity_price_one(complexity: float, complexity_factor: float) -> float:  # pragma: no cover (compiled)
    """Eq. 7's complexity factor ``1 + 0.3 (cf - 1)``."""
    return 1 + complexity_factor * (complexity - 1)


@numba.njit(cache=True, nogil=True)
def communication_one(data_gb: float, output_gb: float, transfer_per_gb: float,
                      fixed: float) -> float:  # pragma: no cover (compiled)
    """Eq. 6's transfer: ``(in GB + out GB) x 0.12 + 0.50`` USD."""
    return (data_gb + output_gb) * transfer_per_gb + fixed


@numba.njit(cache=True, nogil=True)
def verification_one(reliability: float, automated_reliability: float, automated: float,
                     manual: float) -> float:  # pragma: no cover (compiled)
    """Eq. 8: automated verification (2.50 USD) above reliability 0.95, else manual (3.80 USD)."""
    return automated if reliability > automated_reliability else manual


@numba.njit(cache=True, nogil=True)
def risk_one(value: float, reliability: float, high_criticality: bool, slope: float, base: float,
             gamma_high: float) -> float:  # pragma: no cover (compiled)
    """Eq. 9: ``V (P_fail + P_sec + P_qual) gamma``; the three probabilities are affine in ``1 - rel``
    (``slope (1 - rel) + base``), ``gamma`` 1.5 for a high-criticality task, else 1."""
    gamma = gamma_high if high_criticality else 1.0
    p_total = (1 - reliability) * slope
    p_total += base
    return p_total * (value * gamma)


@numba.njit(cache=True, nogil=True)
def lateness_one(latency_min: float, max_latency_min: float, penalty_per_min: float) -> float:  # pragma: no cover
    """The penalty per minute beyond the task's maximum latency."""
    return max(latency_min - max_latency_min, 0.0) * penalty_per_min


@numba.njit(cache=True, nogil=True)
def ewma_one(previous: float, observed: float, lam: float) -> float:  # pragma: no cover (compiled)
    """Eq. 10: ``(1 - lambda) previous + lambda observed``."""
    return (1 - lam) * previous + lam * observed


@numba.njit(cache=True, nogil=True)
def external_one(price: float, reliability: float, latency: float, complexity: float, value: float,
                 high_criticality: bool, communication: float, max_latency: float,
                 k: Eq69Constants) -> tuple[float, float, float, float, float]:  # pragma: no cover (compiled)
    """Eq. 6-9 for one (task, provider) pair: ``(verification, risk, lateness, total, latency_min)``.

    ``C_ext = P + C_comm + C_integ + C_verif + C_risk + C_latency``, summed in that order with
    ``price`` Eq. 7's (complexity factor included), ``latency`` the provider's minutes at complexity 1
    and ``communication`` the task's transfer cost.

    >>> parts = external_one(18.5, 0.987, 8.2, 1.0, 200.0, True, 1.724, 90.0, eq69_constants())
    >>> round(parts[3], 3), parts[4]   # 18.5 + 1.724 + 1.2 + 2.5 + (0.013 x 1.15 + 0.03) x 200 x 1.5
    (37.409, 8.2)
    """
    verification = verification_one(reliability, k.automated_reliability, k.verification_automated,
                                    k.verification_manual)
    risk = risk_one(value, reliability, high_criticality, k.risk_slope, k.risk_base, k.gamma_high_criticality)
    latency_min = latency * complexity
    late = lateness_one(latency_min, max_latency, k.latency_penalty_per_min)
    total = price + (communication + k.integration)
    total += verification
    total += risk
    total += late
    return verification, risk, late, total, latency_min
