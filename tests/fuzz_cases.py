"""Adversarial calls of every public entry point (``coalesce_games.__all__``) and how each one ended.

Shared by ``tests/test_fuzz.py`` (hypothesis draws the calls) and
``benchmarks/fuzz_counts.py`` (counts the outcomes). A call starts from a valid
*base call* of the entry point (:data:`BASE`, small inputs) and replaces one
argument by a bad value of the argument's kind:

- **type junk** (a string for a number, a bool for a number or a number for a
  flag, complex numbers, NaN, ``None`` where ``None`` is not the default,
  ragged or non-numeric arrays): the call must raise;
- **value junk** (negative, zero, huge or infinite numbers, empty or
  oddly-shaped arrays, unknown names): the call may raise or return, and a
  result must pass its own verification (:data:`VERIFY`; by default: the
  same type as the base call's result).

Entry points without a base call (the expensive ones: ``reproduce``; the
abstract ones: ``Finding``) get type junk in every required argument.

Outcomes (:func:`run_call`): ``result`` (verified), ``clean`` (a
``ValueError``/``TypeError``), ``silent`` (junk accepted, or a result that
fails its verification), ``ugly`` (any other exception: a traceback from deep
inside numpy, numba or pandas), ``hang`` (over the time limit).
"""

from __future__ import annotations

import inspect
import signal
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

import coalesce_games as cg

NAN, INF = float("nan"), float("inf")

TYPE_JUNK: dict[str, list[Any]] = {
    "bool": ["yes", 2.0, [True]],
    "int": ["3", True, 2.5, 1j, [3]],
    "float": ["0.5", True, 1j, NAN],
    "str": [1, b"paper", ["paper"], True],
    "array": ["abc", [["a", "b"]], [1j, 2.0], [True, False], {"a": 1}, [[1.0, 2.0], [3.0]]],
    "object": [1, "x", [[1.0]], {}, True],
    "dict": ["x", 1, [1], True],
    "callable": ["x", 1],
    "label": [],
    "seed": ["12", True, 1.7, [1.7], 1j, -1, 2**64],
}
VALUE_JUNK: dict[str, list[Any]] = {
    "bool": [0, 1],
    "int": [-1, 0, 10**12, 2**64, -(2**63)],
    "float": [INF, -INF, -1.0, 0.0, 1e300, -1e300, 1e-300, 2.0, [0.5]],
    "str": ["", "nope", "x" * 300],
    "array": [[], [NAN], [INF], [-1.0], [1e300, -1e300], np.zeros((0, 0)), np.ones((2, 2, 2)), 5.0,
              np.full((3, 3), 1e200)],
    "object": [], "dict": [{}], "callable": [], "label": [], "seed": [0, [0, 1], 2**63 - 1],
}


def _game() -> Any:
    return cg.Game([[3.0, 0.0], [5.0, 1.0]], [[3.0, 5.0], [0.0, 1.0]])


def _samples() -> pd.DataFrame:
    return pd.DataFrame({"client": ["a"] * 4 + ["b"] * 4, "provider": ["x", "x", "y", "y"] * 2,
                         "seed": [0, 1] * 4, "client_payoff": [1.0, 1.0, 0.0, 0.0, 2.0, 2.0, 1.0, 1.0],
                         "provider_payoff": [0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 1.0]})


def _small() -> Any:
    return cg.MarketConfig(days=1, clients=2, contractors=4)


def _role_game() -> Any:
    return cg.RoleGame((2,), (2,), np.array([[1.0, np.nan], [1.0, 0.0], [np.nan, 2.0]]))


def _market() -> Any:
    return cg.CompetitionMarket.build(tasks=20, background=4, seed=0)


def _repeat_args() -> dict[str, Any]:
    return {"margin": 10.0, "gain": 8.0, "delta": 0.9, "detection": 0.9}


def _sweep_runner(config: dict, seed: int) -> dict:
    return {"metric": float(seed % 7)}


#: entry point -> () -> (args, kwargs) of a valid, cheap call
BASE: dict[str, Callable[[], tuple[tuple, dict]]] = {
    "Game": lambda: (([[1.0, 2.0], [3.0, 4.0]],), {"B": [[4.0, 3.0], [2.0, 1.0]], "note": "g"}),
    "MarketConfig": lambda: ((), {"days": 2, "epsilon": 0.2, "rogue_mix": (0.5, 0.25, 0.25), "rogue_share": 0.3}),
    "load_scenario": lambda: (("paper_agt_01",), {}),
    "simulate": lambda: ((_small(),), {"seed": 3, "events": False}),
    "simulate_many": lambda: ((_small(), [0, 1]), {"batch": 2}),
    "sweep": lambda: (([{"epsilon": 0.1}], 2), {"executor": "serial", "runner": _sweep_runner, "progress": False,
                                                 "batch": 1}),
    "solve": lambda: ((_game(),), {"method": "auto", "tol": 1e-9}),
    "solve_one": lambda: ((_game(),), {"tol": 1e-9}),
    "solve_many": lambda: (([_game(), _game()],), {}),
    "exact_enumeration": lambda: ((_game(),), {}),
    "vertex_enumeration": lambda: ((_game(),), {}),
    "lemke_howson_restarts": lambda: ((_game(),), {}),
    "nashpy_support": lambda: ((_game(),), {"time_limit": 5.0}),
    "nashpy_vertex": lambda: ((_game(),), {"time_limit": 5.0}),
    "nashpy_lemke_howson": lambda: ((_game(),), {"time_limit": 5.0}),
    "zero_sum_lp": lambda: ((cg.Game([[1.0, -1.0], [-1.0, 1.0]]),), {}),
    "compare_backends": lambda: ((_game(),), {"methods": ("ours", "quantecon_vertex")}),
    "certify": lambda: ((_game(), [0.0, 1.0], [0.0, 1.0]), {}),
    "is_equilibrium": lambda: ((_game(), [0.0, 1.0], [0.0, 1.0]), {"tol": 1e-9}),
    "max_regret": lambda: ((_game(), [0.5, 0.5], [0.5, 0.5]), {}),
    "iterated_elimination": lambda: ((_game(),), {"mixed": True, "tol": 1e-9}),
    "stackelberg": lambda: ((_game(),), {}),
    "fictitious_play": lambda: ((_game(),), {"iterations": 50, "seed": 1}),
    "replicator": lambda: ((_game(),), {"steps": 20, "horizon": 5.0, "x0": [0.5, 0.5], "y0": [0.5, 0.5]}),
    "provider_replicator": lambda: ((_game(), [0.5, 0.5]), {"steps": 20, "horizon": 5.0}),
    "select": lambda: ((cg.solve(cg.Game([[3.0, 0.0], [0.0, 2.0]], [[2.0, 0.0], [0.0, 3.0]])),), {"rule": "welfare"}),
    "alpha_rank": lambda: ((_game(),), {"alpha": 1.0, "m": 10}),
    "fixation_distribution": lambda: ((np.ones((3, 3)), 5, 2.0), {}),
    "fixation_probability": lambda: ((np.zeros(9), 1.0), {}),
    "stationary_distribution": lambda: (([[0.5, 0.5], [0.25, 0.75]],), {}),
    "count_profiles": lambda: ((2, 2), {}),
    "RoleGame": lambda: (((2,), (2,), np.array([[1.0, np.nan], [1.0, 0.0], [np.nan, 2.0]])), {}),
    "deviation_payoffs": lambda: ((_role_game(), [[0.5, 0.5]]), {}),
    "profile_regret": lambda: ((_role_game(), [[[1.0, 0.0], [0.5, 0.5]]]), {}),
    "role_replicator": lambda: ((_role_game(), [[0.6, 0.4]]), {"horizon": 5.0, "steps": 20}),
    "topsis": lambda: (([[1.0, 2.0], [2.0, 1.0], [1.5, 1.5]], [0.5, 0.5], [True, False]), {}),
    "client_payoff": lambda: ((200.0, 20.0, 0.95, 0.97), {"lateness_cost": 1.0}),
    "local_payoff": lambda: ((200.0, 60.0), {"reliability_local": 1.0}),
    "provider_payoff": lambda: ((20.0, 8.0), {"paid_probability": 0.9}),
    "spoofer_score": lambda: ((), {"weights": (0.3, 0.5, 0.2)}),
    "admission_curves": lambda: (([0.5, 0.7],), {"n_tasks": 40, "n_providers": 50, "seed": 0}),
    "SkillMatcher": lambda: ((), {"tau": 0.6, "probe_noise": 0.1}),
    "ThreatModel": lambda: ((), {"q_leak": 0.4}),
    "CoalescePolicy": lambda: ((), {"epsilon": 0.2}),
    "PaperPolicy": lambda: ((), {"epsilon": 0.2}),
    "make_policy": lambda: (("coalesce",), {}),
    "Task": lambda: (("financial_rag", 100.0), {"complexity": 1.2}),
    "Provider": lambda: (("p1", 20.0, 30.0, 0.95), {"security": 0.9}),
    "StageParameters": lambda: ((), {"price": 20.0, "cost": 8.0}),
    "stage_game": lambda: ((cg.StageParameters(),), {"spoof": False}),
    "inspection_equilibrium_numeric": lambda: ((cg.StageParameters(),), {}),
    "indifference_verification": lambda: ((cg.StageParameters(price=20.0, cost=8.0, d_fab=0.9),), {}),
    "honesty_sustainable": lambda: ((), {**_repeat_args(), "verification": 0.5}),
    "minimal_delta": lambda: ((), {"margin": 10.0, "gain": 8.0, "verification": 0.5, "detection": 0.9}),
    "minimal_verification": lambda: ((), _repeat_args()),
    "minimal_verification_withheld": lambda: ((), _repeat_args()),
    "simulated_honesty_value": lambda: ((), {**_repeat_args(), "verification": [0.05, 0.2], "n_paths": 50}),
    "metagame_from_samples": lambda: ((_samples(),), {}),
    "client_regret": lambda: (([[1.0, 0.0], [0.0, 2.0]], [0.5, 0.5], 0), {}),
    "bootstrap_games": lambda: ((_samples(),), {"n_boot": 5, "seed": 0}),
    "bootstrap_equilibria": lambda: ((_samples(),), {"n_boot": 5, "seed": 0}),
    "bootstrap_regret": lambda: ((_samples(), "a"), {"n_boot": 5, "seed": 0}),
    "equilibrium_stability": lambda: ((_samples(),), {"n_boot": 5, "seed": 0}),
    "metagame_samples": lambda: (({"a": {}}, {"x": {}}, _small(), [0]), {}),
    "empirical_metagame": lambda: (({"a": {}}, {"x": {}}, _small(), [0]), {}),
    "simulator_frequencies": lambda: ((_small(), [0]), {"window": 6}),
    "market_detection_check": lambda: ((cg.MarketConfig(days=2, clients=4, contractors=10, rogue_share=0.5,
                                                         verification_share=0.5, rogue_mix=(0, 1, 0)),
                                        [0], 10.0, 8.0, 0.9), {}),
    "competition_game": lambda: ((_market(),), {"security_weight": 0.5}),
    "market_shares": lambda: ((_market(), cg.CompetitionParameters(), 0.5), {}),
    "trace_security": lambda: (([0.0, 1.0], [0.0]), {"market": _market()}),
    "equilibrium_security": lambda: ((cg.competition_game(_market()),), {}),
}

#: entry points whose base call is too slow to mutate in the test suite (fuzzed with junk only there)
SLOW = {"simulated_honesty_value", "metagame_samples", "empirical_metagame", "simulator_frequencies",
        "market_detection_check", "compare_backends", "trace_security", "equilibrium_security", "competition_game",
        "market_shares", "admission_curves"}

_SOLVERS = {"solve", "solve_one", "exact_enumeration", "vertex_enumeration", "lemke_howson_restarts",
            "nashpy_support", "nashpy_vertex", "nashpy_lemke_howson", "zero_sum_lp"}


def _verify_equilibria(result: Any, args: tuple, kwargs: dict) -> None:
    for x, y in result.equilibria:
        assert np.all(x >= -1e-12) and abs(x.sum() - 1) < 1e-9 and np.all(y >= -1e-12) and abs(y.sum() - 1) < 1e-9
        assert cg.is_equilibrium(result.game, x, y, tol=getattr(result, "tol", None)), "a reported equilibrium fails"


def _verify_topsis(result: Any, args: tuple, kwargs: dict) -> None:
    values = np.asarray(result, dtype=float)
    finite = values[np.isfinite(values)]
    assert np.all((finite >= -1e-12) & (finite <= 1 + 1e-12)), f"closeness outside [0, 1]: {values}"


def _verify_config(result: Any, args: tuple, kwargs: dict) -> None:
    assert type(result).from_dict(result.to_dict()) == result
    for key, value in result.to_dict().items():
        assert not isinstance(value, (str, bool)) or key in {"load", "policy", "paper_history", "paper_history_scope",
                                                             "accounting", "skill_mode", "task_levels",
                                                             "reliability_draw", "jitter_shape", "late_latency",
                                                             "weight_noise"}, (key, value)


def _verify_simulation(result: Any, args: tuple, kwargs: dict) -> None:
    seeds = args[1] if len(args) > 1 else kwargs.get("seeds", [kwargs.get("seed")])
    assert len(result.runs) == len(list(seeds)), "one row per seed"


def _verify_game(result: Any, args: tuple, kwargs: dict) -> None:
    assert np.all(np.isfinite(result.A)) and np.all(np.isfinite(result.B)) and result.A.dtype.kind == "f"


def _verify_probability(result: Any, args: tuple, kwargs: dict) -> None:
    p = np.asarray(result, dtype=float)
    assert np.all(p >= -1e-12) and abs(p.sum() - 1) < 1e-6, f"not a distribution: {p}"


VERIFY: dict[str, Callable[[Any, tuple, dict], None]] = {
    **{name: _verify_equilibria for name in _SOLVERS},
    "topsis": _verify_topsis, "MarketConfig": _verify_config, "load_scenario": _verify_config,
    "simulate": _verify_simulation, "simulate_many": _verify_simulation, "Game": _verify_game,
    "stationary_distribution": _verify_probability, "alpha_rank": _verify_probability,
    "fixation_distribution": _verify_probability,
}


def entry_points() -> list[str]:
    """Every callable public name of the package (constants such as ``FINDINGS`` left out)."""
    names = []
    for name in cg.__all__:
        if name.startswith("__"):
            continue
        obj = getattr(cg, name)
        if callable(obj) and not (isinstance(obj, type) and issubclass(obj, BaseException)):
            names.append(name)
    return names


def parameters(name: str) -> list[inspect.Parameter]:
    try:
        sig = inspect.signature(getattr(cg, name))
    except (TypeError, ValueError):
        return []
    return [p for p in sig.parameters.values() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]


#: free-text parameters (labels, notes): any value is a label, so there is no junk to try
LABELS = {"row_labels", "col_labels", "note", "title", "shown", "incomplete_reason"}


def kind_of(param: inspect.Parameter, value: Any) -> str:
    """The junk kind of a parameter, from its value in the base call, else its default and annotation.

    An integer where the annotation says ``float`` or ``Any`` (a default of 0
    for an amount) is a float parameter.
    """
    if param.name in LABELS:
        return "label"
    if param.name == "seed":
        return "seed"       # an int or a sequence of ints (make_rng), never a string, a float or a bool
    text = str(param.annotation)
    for v in (value, param.default):
        if v is inspect.Parameter.empty or v is None:
            continue
        if isinstance(v, (bool, np.bool_)):
            return "bool"
        if isinstance(v, (int, np.integer)):
            return "float" if ("float" in text or "Any" in text) else "int"
        if isinstance(v, (float, np.floating)):
            return "float"
        if isinstance(v, str):
            return "str"
        if isinstance(v, (list, tuple, np.ndarray)):
            return "array"
        if isinstance(v, dict):
            return "dict"
        if callable(v) and not isinstance(v, type):
            return "callable"
        return "object"
    for key, kind in (("bool", "bool"), ("float", "float"), ("int", "int"), ("str", "str"), ("dict", "dict"),
                      ("Callable", "callable"), ("Sequence", "array"), ("ndarray", "array"), ("Any", "array")):
        if key in text:
            return kind
    return "object"


def junk_for(param: inspect.Parameter, kind: str, current: Any = None) -> tuple[list[Any], list[Any]]:
    """(type junk, value junk) for a parameter; ``None`` is type junk unless it is the default.

    A junk value equal to the base call's own value is left out (it is valid there).
    """
    if kind == "label":
        return [], []
    must = list(TYPE_JUNK[kind]) + ([None] if param.default is not None else [])
    same = repr(current)
    return [v for v in must if repr(v) != same], [v for v in VALUE_JUNK[kind] if repr(v) != same]


@dataclass
class Call:
    name: str
    args: tuple
    kwargs: dict
    mutated: str | None           # the parameter replaced, None for the base call
    strict: bool                  # True: type junk, the call must raise
    value: Any = None


class Hang(BaseException):
    """Raised by the alarm when a call runs over its time limit (a BaseException: no ``except Exception`` eats it)."""


_WARM: set[str] = set()


def warm_up(name: str) -> None:
    """Run the base call once, untimed: imports and compilation are not the junk call's time."""
    if name in _WARM or name not in BASE:
        return
    _WARM.add(name)
    args, kwargs = BASE[name]()
    getattr(cg, name)(*args, **kwargs)


def run_call(call: Call, limit: float) -> tuple[str, str]:
    """Run one call under a time limit (after :func:`warm_up`); its outcome and a short description."""
    warm_up(call.name)
    fn = getattr(cg, call.name)

    def alarm(signum: int, frame: Any) -> None:
        raise Hang()

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        result = fn(*call.args, **call.kwargs)
    except Hang:
        return "hang", f"over {limit} s"
    except (ValueError, TypeError) as exc:
        return "clean", f"{type(exc).__name__}: {str(exc)[:120]}"
    except Exception as exc:  # noqa: BLE001 - the outcome we count
        return "ugly", f"{type(exc).__name__}: {str(exc)[:200]}"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    if call.strict:
        return "silent", f"accepted {call.mutated}={_short(call.value)}"
    try:
        VERIFY.get(call.name, _same_type(call.name))(result, call.args, call.kwargs)
    except Exception as exc:  # noqa: BLE001 - a result its verification cannot even read is wrong too
        return "silent", f"{call.mutated}={_short(call.value)}: {type(exc).__name__}: {str(exc)[:160]}"
    return "result", ""


_BASE_TYPES: dict[str, type] = {}


def _same_type(name: str) -> Callable[[Any, tuple, dict], None]:
    def check(result: Any, args: tuple, kwargs: dict) -> None:
        if name not in BASE:
            return
        if name not in _BASE_TYPES:
            base_args, base_kwargs = BASE[name]()
            _BASE_TYPES[name] = type(getattr(cg, name)(*base_args, **base_kwargs))
        family = _family(_BASE_TYPES[name])
        assert isinstance(result, family), f"returned a {type(result).__name__}, not a {_BASE_TYPES[name].__name__}"
    return check


def _family(kind: type) -> tuple[type, ...]:
    """Types a vectorised function may return for the same call on other shapes (a float or an array)."""
    numeric = (float, int, np.number, np.ndarray)
    return numeric if issubclass(kind, numeric) else (kind,)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) < 60 else text[:57] + "..."


def make_call(name: str, choice: int, slot: int, strict: bool) -> Call:
    """The base call of ``name`` with parameter number ``choice`` replaced by junk number ``slot``.

    Without a base call, every required parameter gets type junk (``slot`` picks it).
    """
    params = parameters(name)
    if name not in BASE and not any(p.default is p.empty for p in params):
        return Call(name, (), {}, None, False)
    if name not in BASE:
        args = []
        for p in params:
            if p.default is p.empty:
                pool = [v for v in TYPE_JUNK["object"] if not isinstance(v, str)] + [None]
                args.append(pool[slot % len(pool)])
        return Call(name, tuple(args), {}, "every required argument", True, tuple(args))
    args, kwargs = BASE[name]()
    if not params:
        return Call(name, args, kwargs, None, False)
    param = params[choice % len(params)]
    index = params.index(param)
    current = args[index] if index < len(args) else kwargs.get(param.name, param.default)
    must, may = junk_for(param, kind_of(param, current), current)
    if not must and not may:
        return Call(name, args, kwargs, None, False)
    pool = must if (strict and must) or not may else may
    strict = pool is must
    value = pool[slot % len(pool)]
    if index < len(args) and param.kind != param.KEYWORD_ONLY:
        args = args[:index] + (value,) + args[index + 1:]
    else:
        kwargs = {**kwargs, param.name: value}
    return Call(name, args, kwargs, param.name, strict, value)

