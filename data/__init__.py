"""The versioned inputs of the toolkit, loaded and validated.

Everything in ``data/`` (this folder, shipped as the package ``coalesce_games.data``) is
read here and nowhere else: Table 1 of COALESCE (Bhatt et al. 2025,
arXiv:2506.01900), the task types, the constants of the cost model and decision
rule, the published experiment table and the skill ontology. Each loader checks
schema, ranges and units, and returns a fresh copy, so callers may modify what
they get.

>>> contractors = load_contractors()
>>> contractors.loc[contractors.id == "B", "base_price"].item()
18.5
>>> round(float(load_contractors().market_share.sum()), 3)
1.0
>>> load_parameters()["decision"]["skill_threshold"]
0.7
"""

from __future__ import annotations

import copy
import functools
import importlib.resources
import io
import tomllib
from typing import Any

import numpy as np
import pandas as pd

__all__ = ['TASK_TYPES', 'contractor_arrays', 'load_contractors', 'load_parameters', 'load_published_table', 'load_scenarios', 'load_skills', 'load_task_types', 'parameters_view', 'published_skill_arrays', 'read_text', 'task_arrays']

#: task types in the index order used everywhere
TASK_TYPES = ("financial_rag", "risk_assessment", "sentiment_analysis", "portfolio_optimization")


def read_text(name: str) -> str:
    """The text of a file in ``data/``."""
    resource = importlib.resources.files(__name__).joinpath(name)
    if not resource.is_file():
        raise ValueError(f"data file {name!r} does not exist in coalesce_games.data")
    return resource.read_text(encoding="utf-8")


def _csv(name: str, columns: list[str]) -> pd.DataFrame:
    frame = pd.read_csv(io.StringIO(read_text(name)))
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"data/{name} lacks the column(s) {missing}")
    if frame["provenance"].isna().any():
        raise ValueError(f"data/{name}: every row needs a provenance")
    return frame


def _check_range(name: str, frame: pd.DataFrame, column: str, low: float, high: float) -> None:
    values = frame[column].to_numpy(dtype=float)
    bad = ~np.isfinite(values) | (values < low) | (values > high)
    if bad.any():
        row = int(np.argmax(bad))
        raise ValueError(
            f"data/{name}: {column} must be in [{low}, {high}]; got {values[row]!r} in row {row}"
        )


def _split_skills(cell: str) -> tuple[str, ...]:
    return tuple(tag.strip() for tag in str(cell).split(";") if tag.strip())


@functools.cache
def _skills() -> pd.DataFrame:
    frame = _csv("skills.csv", ["tag", "category", "description", "provenance"])
    if frame["tag"].duplicated().any():
        dup = frame.loc[frame["tag"].duplicated(), "tag"].tolist()
        raise ValueError(f"data/skills.csv: duplicate tags {dup}")
    if len(frame) < 40:
        raise ValueError(f"data/skills.csv must hold at least 40 tags; got {len(frame)}")
    for column in ("category", "description"):
        if frame[column].isna().any() or (frame[column].astype(str).str.strip() == "").any():
            raise ValueError(f"data/skills.csv: every tag needs a {column}")
    return frame


def load_skills() -> pd.DataFrame:
    """The skill ontology: ``tag``, ``category``, ``description``, ``provenance``.

    Its row order is the column order of every boolean skill matrix.
    """
    return _skills().copy()


def _check_known_skills(name: str, frame: pd.DataFrame, column: str) -> None:
    known = set(_skills()["tag"])
    for row, cell in enumerate(frame[column]):
        unknown = [tag for tag in _split_skills(cell) if tag not in known]
        if unknown:
            raise ValueError(f"data/{name}: unknown skill(s) {unknown} in row {row}")


@functools.cache
def _contractors() -> pd.DataFrame:
    name = "contractors.csv"
    frame = _csv(name, ["id", "name", "base_price", "latency_min", "reliability",
                        "reliability_low", "reliability_high", "market_share",
                        "topsis_published", "skills", "provenance"])
    _check_range(name, frame, "base_price", 0.0, np.inf)
    _check_range(name, frame, "latency_min", 0.0, np.inf)
    for column in ("reliability", "reliability_low", "reliability_high", "market_share",
                   "topsis_published"):
        _check_range(name, frame, column, 0.0, 1.0)
    inside = (frame.reliability_low <= frame.reliability) & (frame.reliability <= frame.reliability_high)
    if not inside.all():
        raise ValueError(f"data/{name}: reliability outside its range in rows {list(np.flatnonzero(~inside))}")
    if not np.isclose(frame.market_share.sum(), 1.0, atol=1e-9):
        raise ValueError(f"data/{name}: market shares must sum to 1; got {frame.market_share.sum()!r}")
    _check_known_skills(name, frame, "skills")
    return frame


def load_contractors() -> pd.DataFrame:
    """Table 1: the six contractor types (price USD/task, latency min, reliability,
    its range, market share, the published TOPSIS score, skills ';'-separated)."""
    return _contractors().copy()


@functools.cache
def _task_types() -> pd.DataFrame:
    name = "task_types.csv"
    frame = _csv(name, ["task_type", "flops", "reference_data_gb", "documents", "model_size_gb",
                        "max_latency_min", "local_latency_min", "mix_share",
                        "required_skills", "provenance"])
    if tuple(frame.task_type) != TASK_TYPES:
        raise ValueError(f"data/{name}: task types must be {TASK_TYPES} in order; got {tuple(frame.task_type)}")
    for column in ("flops", "reference_data_gb", "documents", "model_size_gb",
                   "max_latency_min", "local_latency_min"):
        _check_range(name, frame, column, 0.0, np.inf)
    _check_range(name, frame, "mix_share", 0.0, 1.0)
    if not np.isclose(frame.mix_share.sum(), 1.0, atol=1e-9):
        raise ValueError(f"data/{name}: mix shares must sum to 1; got {frame.mix_share.sum()!r}")
    _check_known_skills(name, frame, "required_skills")
    return frame


def load_task_types() -> pd.DataFrame:
    """The four task types: FLOPs, the local latency table (minutes at complexity
    1), maximum latency, task-mix share and required skills."""
    return _task_types().copy()


@functools.cache
def published_skill_arrays() -> dict[str, np.ndarray]:
    """The published simulation's stand-ins for Eq. 11's embedding and history terms, per task type x
    Table-1 contractor type: ``contractor`` (K,), ``embedding`` and ``performance`` (T, K), read-only."""
    name = "published_skill_scores.csv"
    frame = _csv(name, ["task_type", "contractor", "embedding_stand_in", "performance_stand_in", "provenance"])
    for column in ("embedding_stand_in", "performance_stand_in"):
        _check_range(name, frame, column, 0.0, 1.0)
    ids = tuple(_contractors()["id"])
    full = frame.set_index(["task_type", "contractor"])
    if len(frame) != len(TASK_TYPES) * len(ids) or full.index.duplicated().any() or \
            set(full.index) != {(t, c) for t in TASK_TYPES for c in ids}:
        raise ValueError(f"data/{name} must hold each task type x contractor type of contractors.csv once")
    out = {"contractor": np.array(ids)}
    for key, column in (("embedding", "embedding_stand_in"), ("performance", "performance_stand_in")):
        out[key] = full[column].unstack().loc[list(TASK_TYPES), list(ids)].to_numpy(float)
    for values in out.values():
        values.flags.writeable = False
    return out


@functools.cache
def _parameters() -> dict[str, Any]:
    params = tomllib.loads(read_text("parameters.toml"))
    for section in ("hardware", "rates", "memory", "external", "jitter", "tasks", "decision", "market"):
        if section not in params:
            raise ValueError(f"data/parameters.toml lacks the section [{section}]")
    for section in ("hardware", "rates", "memory", "external", "jitter", "tasks", "market"):
        for key, value in params[section].items():
            if not isinstance(value, (int, float)) or not np.isfinite(value) or value < 0:
                raise ValueError(f"data/parameters.toml: [{section}] {key} must be a finite number >= 0; got {value!r}")
    decision = params["decision"]
    for key in ("skill_threshold", "history_prior", "epsilon", "exploration_confidence",
                "market_responsiveness", "closeness_gate", "confidence_gate"):
        if not 0.0 <= decision[key] <= 1.0:
            raise ValueError(f"data/parameters.toml: [decision] {key} must be in [0, 1]; got {decision[key]!r}")
    return params


def load_parameters() -> dict[str, Any]:
    """The constants of the cost model (Eq. 1-10), the decision rule (Eq. 11-15)
    and the market, as a nested dict (a deep copy)."""
    return copy.deepcopy(_parameters())


@functools.cache
def _published() -> pd.DataFrame:
    name = "published_table.csv"
    frame = _csv(name, ["experiment", "days", "clients", "contractors", "runs",
                        "cost_reduction_mean", "cost_reduction_sd",
                        "time_savings_mean", "time_savings_sd", "provenance"])
    if len(frame) != 13:
        raise ValueError(f"data/{name} must hold the 13 published configurations; got {len(frame)}")
    return frame


@functools.cache
def task_arrays() -> dict[str, np.ndarray]:
    """Read-only numpy columns of the task-type table, for hot paths (no copies)."""
    frame = _task_types()
    out = {}
    for column in ("flops", "reference_data_gb", "documents", "model_size_gb",
                   "max_latency_min", "local_latency_min", "mix_share"):
        values = frame[column].to_numpy(dtype=float).copy()
        values.flags.writeable = False
        out[column] = values
    return out


@functools.cache
def contractor_arrays() -> dict[str, np.ndarray]:
    """Read-only numpy columns of Table 1, for hot paths (no copies); ``id`` and ``skills`` as strings."""
    frame = _contractors()
    out = {"id": frame["id"].to_numpy(str), "skills": frame["skills"].to_numpy(str)}
    for column in ("market_share", "base_price", "latency_min", "reliability", "reliability_low",
                   "reliability_high"):
        out[column] = frame[column].to_numpy(dtype=float).copy()
    for values in out.values():
        values.flags.writeable = False
    return out


@functools.cache
def parameters_view() -> dict[str, Any]:
    """The parameters for hot paths: a shared object that callers must not modify
    (use :func:`load_parameters` for a private copy)."""
    return _parameters()


def load_published_table() -> pd.DataFrame:
    """The paper's experiment table: 13 configurations, 239 runs, cost reduction
    and time savings in percent (mean and sd)."""
    return _published().copy()


def load_scenarios() -> dict[str, Any]:
    """Named market scenarios from ``data/scenarios.toml`` (raw dicts)."""
    return tomllib.loads(read_text("scenarios.toml"))
