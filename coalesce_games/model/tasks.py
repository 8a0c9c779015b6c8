"""Tasks: one piece of work (:class:`Task`) and many as validated arrays (:class:`Tasks`).

A task has a type (which fixes the skills it requires), a complexity, a data
size, a value, a budget, a latency limit and a security sensitivity
(``papers/model.md``, section 2). :func:`task_fields` turns a block of uniforms
into those fields, so a market draws every task of a run in one call.

>>> from coalesce_games.validation import make_rng
>>> tasks = Tasks.sample(5, make_rng(1))
>>> len(tasks)
5
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from coalesce_games import data
from coalesce_games.model.criteria import TASK_TYPES, _ontology, encode_skills, required_by_type
from coalesce_games.model.providers import _field_len, _type_cdf
from coalesce_games.validation import as_array, check_bool, check_int, check_nonnegative, check_probability, make_rng

__all__ = ['TASK_UNIFORMS', 'Task', 'Tasks', 'draw_task_arrays', 'task_fields']


@dataclass(frozen=True)
class Task:
    """One task: type, value USD, complexity, data GB, skills, max latency min."""

    task_type: str
    value: float
    complexity: float = 1.0
    data_gb: float = 8.2
    required_skills: frozenset[str] | None = None
    max_latency: float | None = None
    sensitivity: float = 0.5
    high_criticality: bool = False
    budget: float | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.task_type, str):
            raise TypeError(f"task_type must be a string, one of {list(TASK_TYPES)}; got {self.task_type!r}")
        if self.task_type not in TASK_TYPES:
            raise ValueError(f"task_type must be one of {list(TASK_TYPES)}; got {self.task_type!r}")
        for name in ("value", "complexity", "data_gb", "max_latency", "budget"):
            if name in ("value", "complexity", "data_gb") or getattr(self, name) is not None:
                check_nonnegative(name, getattr(self, name), ndim=0)
        check_probability("sensitivity", self.sensitivity, ndim=0)
        check_bool("high_criticality", self.high_criticality)
        if self.required_skills is not None:
            if not isinstance(self.required_skills, (set, frozenset, list, tuple)):
                raise TypeError(f"required_skills must be a set of skill names; got {self.required_skills!r}")
            encode_skills(self.required_skills)


def draw_task_arrays(m: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """The fields of m sampled tasks (see :meth:`Tasks.sample`) but ``required``, unvalidated.

    One block of uniforms from ``rng`` made into tasks by :func:`task_fields`.
    """
    return task_fields(rng.random((TASK_UNIFORMS, m)))


#: uniforms a sampled task takes: type, value, complexity, data, sensitivity, budget, criticality
TASK_UNIFORMS = 7


def task_fields(u: np.ndarray) -> dict[str, np.ndarray]:
    """The tasks of the uniforms ``u``, (7, m): the fields of :meth:`Tasks.sample` but ``required``.

    The rows are consumed exactly as ``Generator.choice(p=...)`` and
    ``.uniform`` would consume one generator's uniforms one call after another
    (type, value, complexity, data, sensitivity, budget, criticality), so a
    market can draw each run's block from the run's own generator and make
    all runs' tasks in one call. ``required`` is the task type's row of
    :func:`required_by_type` (:meth:`Tasks.from_draws` adds it).

    >>> f = task_fields(np.full((7, 1), 0.5))
    >>> float(f["value"][0]), float(f["complexity"][0]), bool(f["high_criticality"][0])
    (275.0, 1.25, False)
    """
    types = data.task_arrays()
    p = data.parameters_view()["tasks"]
    kind = _type_cdf().searchsorted(u[0], side="right")
    value = p["value_low"] + (p["value_high"] - p["value_low"]) * u[1]
    return dict(
        task_type=kind.astype(np.int64),
        value=value,
        complexity=p["complexity_low"] + (p["complexity_high"] - p["complexity_low"]) * u[2],
        data_gb=p["data_gb_low"] + (p["data_gb_high"] - p["data_gb_low"]) * u[3],
        max_latency=types["max_latency_min"][kind],
        sensitivity=u[4],
        budget=value * (p["budget_share_low"] + (p["budget_share_high"] - p["budget_share_low"]) * u[5]),
        high_criticality=u[6] < 0.3,
    )


@dataclass(frozen=True)
class Tasks:
    """m tasks as arrays (struct of arrays); ``required`` is (m, K) boolean."""

    task_type: np.ndarray
    value: np.ndarray
    complexity: np.ndarray
    data_gb: np.ndarray
    max_latency: np.ndarray
    sensitivity: np.ndarray
    budget: np.ndarray
    high_criticality: np.ndarray
    required: np.ndarray = field(repr=False)

    def __post_init__(self) -> None:
        m = _field_len({f: getattr(self, f) for f in self.__dataclass_fields__})
        types = as_array("task_type", self.task_type, ndim=1, dtype=np.int64)
        if m and (types.min() < 0 or types.max() >= len(TASK_TYPES)):
            raise ValueError(f"task_type codes must be in 0..{len(TASK_TYPES) - 1}; got {types.tolist()[:10]}")
        for name in ("value", "complexity", "data_gb", "max_latency", "budget"):
            check_nonnegative(name, getattr(self, name), ndim=1)
        check_probability("sensitivity", self.sensitivity, ndim=1)
        if self.required.dtype != bool or self.required.shape != (m, len(_ontology())):
            raise ValueError(f"required must be a boolean ({m}, {len(_ontology())}) matrix; got "
                             f"{self.required.dtype} {self.required.shape}")

    def __len__(self) -> int:
        return len(self.value)

    @classmethod
    def sample(cls, m: int, seed: Any) -> "Tasks":
        """m tasks with the published distributions (papers/model.md section 2).

        Type by the task mix; complexity U(0.5, 2), value U(50, 500) USD, data
        U(1, 20) GB, budget = value x U(0.3, 0.8); sensitivity U(0, 1) and high
        criticality with probability 0.3 are ours (the paper gives no
        distribution); required skills and max latency from the task type.
        """
        return cls.from_draws(draw_task_arrays(check_int("m", m, minimum=0), make_rng(seed)))

    @classmethod
    def from_draws(cls, fields: dict[str, np.ndarray]) -> "Tasks":
        """Tasks from the fields of :func:`draw_task_arrays`, each requiring its type's skills (validated)."""
        return cls(**fields, required=required_by_type()[fields["task_type"]])

    @classmethod
    def from_list(cls, tasks: Sequence[Task]) -> "Tasks":
        """Arrays from :class:`Task` objects (skills and max latency default to the type's)."""
        types = data.load_task_types()
        kind = np.array([TASK_TYPES.index(t.task_type) for t in tasks], dtype=np.int64)
        default_req = [types.required_skills[k].split(";") for k in kind]
        return cls(
            task_type=kind,
            value=np.array([t.value for t in tasks], float),
            complexity=np.array([t.complexity for t in tasks], float),
            data_gb=np.array([t.data_gb for t in tasks], float),
            max_latency=np.array([types.max_latency_min[k] if t.max_latency is None else t.max_latency
                                  for t, k in zip(tasks, kind)], float),
            sensitivity=np.array([t.sensitivity for t in tasks], float),
            budget=np.array([t.value if t.budget is None else t.budget for t in tasks], float),
            high_criticality=np.array([t.high_criticality for t in tasks], bool),
            required=np.array([encode_skills(d if t.required_skills is None else t.required_skills)
                               for t, d in zip(tasks, default_req)]).reshape(len(tasks), -1),
        )

    def subset(self, index: Any) -> "Tasks":
        """The tasks at ``index``, not validated again: a subset of valid tasks is valid."""
        out = object.__new__(Tasks)
        for f in self.__dataclass_fields__:
            object.__setattr__(out, f, getattr(self, f)[index])
        return out
