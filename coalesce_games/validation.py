"""Input validation shared by every layer above the solvers.

The generic checks (arrays, scalars, integers, probabilities, choices) are the
solvers' own (:mod:`coalesce_games.solvers._checks`, the bottom layer, which
imports nothing else of the package); this module re-exports them and adds the
checks of weights and seeds.

A seed is an integer in [0, 2**63 - 1], a sequence of them, a SeedSequence or a Generator; anything else is
refused before a run starts, so equal seeds mean equal numbers in any process.

>>> make_rng(12).random() == make_rng(12).random()
True
>>> make_rng("12")
Traceback (most recent call last):
...
TypeError: seed must be an int, a sequence of ints, a SeedSequence or a Generator; got '12'
"""

from __future__ import annotations

import collections.abc
import functools
import inspect
import numbers
import types
import typing
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from coalesce_games.solvers._checks import (
    as_array,
    check_bool,
    check_choice,
    check_int,
    check_nonnegative,
    check_probability,
    check_scalar,
)

__all__ = ['SEED_MAX', 'as_array', 'boundary', 'check_bool', 'check_choice', 'check_int', 'check_nonnegative',
           'check_probability', 'check_real', 'check_scalar', 'check_seed', 'check_seeds', 'check_sequence',
           'check_weights', 'make_rng']

#: the largest seed: seeds are stored in int64 columns of the run tables
SEED_MAX = 2**63 - 1


def check_weights(name: str, value: Any, *, size: int | None = None, normalise: bool = True) -> np.ndarray:
    """Non-negative, finite weights along the last axis, not all zero.

    Returns them normalised to sum to one along the last axis (unless
    ``normalise=False``).

    >>> check_weights("weights", [1, 1, 2]).tolist()
    [0.25, 0.25, 0.5]
    >>> check_weights("weights", [0, 0])
    Traceback (most recent call last):
    ...
    ValueError: weights must not be all zero; got [0.0, 0.0]
    """
    arr = check_nonnegative(name, value)
    if arr.ndim == 0:
        raise ValueError(f"{name} must be a vector of weights; got the scalar {arr.item()!r}")
    if size is not None and arr.shape[-1] != size:
        raise ValueError(f"{name} must have {size} entries on its last axis; got shape {arr.shape}")
    total = arr.sum(axis=-1, keepdims=True)
    if np.any(total == 0):
        shown = arr.tolist() if arr.ndim == 1 else f"an all-zero row in shape {arr.shape}"
        raise ValueError(f"{name} must not be all zero; got {shown}")
    return arr / total if normalise else arr


def check_real(name: str, value: Any) -> Any:
    """A real number's type: ``int``, ``float`` or a numpy real, never a bool or a string.

    The value is returned unchanged (an ``int`` stays an ``int``); ranges are
    the callers' (:func:`check_nonnegative`, :func:`check_probability`, ...).

    >>> check_real("epsilon", 0.5)
    0.5
    >>> check_real("epsilon", "0.5")
    Traceback (most recent call last):
    ...
    TypeError: epsilon must be a real number (int or float, not a bool or a string); got '0.5'
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number (int or float, not a bool or a string); got {value!r}")
    return value


def check_sequence(name: str, value: Any, *, what: str = "values") -> list:
    """A list or tuple (or 1-D array), never a string, a mapping or a set; returned as a list.

    A string would otherwise be read as its characters (``"paper"`` as
    ``p, a, p, e, r``) and a set in no reproducible order.

    >>> check_sequence("policy", ["paper"])
    ['paper']
    >>> check_sequence("policy", "paper")
    Traceback (most recent call last):
    ...
    TypeError: policy must be a list of values; got the str 'paper'
    """
    if isinstance(value, np.ndarray) and value.ndim == 1:
        return value.tolist()
    if not isinstance(value, (list, tuple)):
        raise TypeError(f"{name} must be a list of {what}; got the {type(value).__name__} {value!r}")
    return list(value)


def check_seed(name: str, value: Any) -> int:
    """One seed: an integer (not a bool, a float or a string) in ``[0, SEED_MAX]``.

    >>> check_seed("seed", 7)
    7
    >>> check_seed("seed", 2**64)
    Traceback (most recent call last):
    ...
    ValueError: seed must be in [0, 2**63 - 1]; got 18446744073709551616
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer in [0, 2**63 - 1] (not a bool, a float or a string); "
                        f"got {value!r}")
    if not 0 <= value <= SEED_MAX:
        raise ValueError(f"{name} must be in [0, 2**63 - 1]; got {value!r}")
    return int(value)


def check_seeds(name: str, value: Any) -> list[int]:
    """A non-empty list of seeds (each as :func:`check_seed`); a string is not a list of seeds.

    >>> check_seeds("seeds", range(3))
    [0, 1, 2]
    >>> check_seeds("seeds", "12")
    Traceback (most recent call last):
    ...
    TypeError: seeds must be a sequence of integer seeds, not a string; got '12'
    """
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be a sequence of integer seeds, not a string; got {value!r}")
    if isinstance(value, np.ndarray):
        value = value.tolist() if value.ndim == 1 else value
    if isinstance(value, range):
        value = list(value)
    if not isinstance(value, (list, tuple)):
        raise TypeError(f"{name} must be a list of integer seeds; got {value!r}")
    if not value:
        raise ValueError(f"{name} must not be empty")
    return [check_seed(f"{name}[{i}]", s) for i, s in enumerate(value)]


def make_rng(seed: int | Sequence[int] | np.random.SeedSequence | np.random.Generator | None) -> np.random.Generator:
    """A ``numpy.random.Generator`` seeded through ``SeedSequence``.

    Equal seeds give bit-identical streams in any process. ``None`` is refused:
    every random result of the toolkit must be reproducible; so are strings
    (``"12"`` is not the seeds 1 and 2), floats and booleans.

    >>> float(make_rng(7).random()) == float(make_rng(7).random())
    True
    """
    if seed is None:
        raise ValueError("seed must be given (an int, a sequence of ints or a SeedSequence); got None")
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, np.random.SeedSequence):
        return np.random.Generator(np.random.PCG64(seed))
    if isinstance(seed, numbers.Integral) and not isinstance(seed, (bool, np.bool_)):
        return np.random.Generator(np.random.PCG64(np.random.SeedSequence(check_seed("seed", seed))))
    if isinstance(seed, (bool, np.bool_, str, bytes)) or not isinstance(seed, (Sequence, np.ndarray)):
        raise TypeError(f"seed must be an int, a sequence of ints, a SeedSequence or a Generator; got {seed!r}")
    entropy = check_seeds("seed", seed)
    if all(s <= _UINT32_MAX for s in entropy):
        # one uint32 word each, as SeedSequence splits them itself: the same entropy, coerced 2x faster
        entropy = np.array(entropy, dtype=np.uint32)
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(entropy)))


_UINT32_MAX = 2**32 - 1


# --- the public boundary: arguments checked against their annotations ------------------------------------------

Rule = Callable[[str, Any], None]


def boundary(fn: Callable, public_name: str | None = None) -> Callable:
    """``fn`` with each argument checked against its type annotation before the call.

    The package applies it to every public function as it is exported
    (``coalesce_games.solve``, ...; ``coalesce_games/__init__.py``), so that
    the wrong kind of argument is a ``TypeError`` naming the argument, the bad
    value and the type allowed, however deep the function would have failed
    (an ``AttributeError`` on a ``None`` config, a string flag read as ``True``).
    Calls inside the package go to the unwrapped functions: no cost on hot
    paths. The rules refuse only what cannot be meant (a string, a bool, a
    complex number or ``None`` for a number; a number or ``None`` for a flag;
    an object of another class); ranges and shapes remain each function's own
    checks. An annotation its own default does not satisfy is not enforced.
    Given ``public_name``, the wrapper is named ``coalesce_games.<public_name>``
    (so that it pickles by that name); ``__wrapped__`` is the function itself.

    >>> def scale(x: float, times: int = 2, exact: bool = False) -> float:
    ...     return x * times
    >>> checked = boundary(scale)
    >>> checked(1.5, times=3)
    4.5
    >>> checked(1.5, exact="no")
    Traceback (most recent call last):
    ...
    TypeError: exact must be a bool; got 'no'
    """
    if not inspect.isfunction(fn):
        return fn
    signature = inspect.signature(fn)
    rules: dict[str, Rule] | None = None

    @functools.wraps(fn)
    def checked(*args: Any, **kwargs: Any) -> Any:
        nonlocal rules
        if rules is None:
            rules = _rules(fn, signature)
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError as exc:
            raise TypeError(f"{fn.__name__}(): {exc}") from None
        for name, value in bound.arguments.items():
            rule = rules.get(name)
            if rule is not None:
                rule(name, value)
        return fn(*args, **kwargs)

    if public_name is not None:
        checked.__module__, checked.__qualname__ = "coalesce_games", public_name
    return checked


def _rules(fn: Callable, signature: inspect.Signature) -> dict[str, Rule]:
    try:
        hints = typing.get_type_hints(fn)
    except Exception:  # noqa: BLE001 - an annotation that does not resolve is not enforced
        return {}
    rules = {}
    for name, param in signature.parameters.items():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD) or name not in hints:
            continue
        rule = _rule_for(hints[name])
        if rule is None:
            continue
        if param.default is not param.empty:
            try:
                rule(name, param.default)
            except (TypeError, ValueError):
                continue
        rules[name] = rule
    return rules


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _not_a_number(value: Any) -> bool:
    """Values that are no number in any reading (arrays and lists are left to the function)."""
    return value is None or isinstance(value, (bool, np.bool_, str, bytes, complex, np.complexfloating, dict, set))


def _rule_float(name: str, value: Any) -> None:
    if _not_a_number(value) or (_is_number(value) and value != value):
        raise TypeError(f"{name} must be a real number (not a bool, a string, a complex number, None or NaN); "
                        f"got {value!r}")


def _rule_int(name: str, value: Any) -> None:
    if _not_a_number(value) or (_is_number(value) and not isinstance(value, numbers.Integral)):
        raise TypeError(f"{name} must be an integer (not a bool, a float or a string); got {value!r}")


def _rule_str(name: str, value: Any) -> None:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string; got {value!r}")


def _rule_sequence(name: str, value: Any) -> None:
    if isinstance(value, (str, bytes, dict, set)) or not isinstance(value, (collections.abc.Sequence, np.ndarray)):
        raise TypeError(f"{name} must be a list, a tuple or an array; got {value!r}")


def _rule_mapping(name: str, value: Any) -> None:
    if not isinstance(value, collections.abc.Mapping):
        raise TypeError(f"{name} must be a dict; got {value!r}")


def _rule_callable(name: str, value: Any) -> None:
    if not callable(value):
        raise TypeError(f"{name} must be a function; got {value!r}")


def _rule_instance(cls: type) -> Rule:
    def rule(name: str, value: Any) -> None:
        if not isinstance(value, cls):
            raise TypeError(f"{name} must be a {cls.__name__}; got {_brief(value)}")
    return rule


def _brief(value: Any) -> str:
    text = repr(value)
    return f"a {type(value).__name__}: {text[:80]}" + ("..." if len(text) > 80 else "")


_SIMPLE: dict[Any, Rule] = {bool: lambda name, value: None if isinstance(value, (bool, np.bool_)) else check_bool(name, value),
                            int: _rule_int, float: _rule_float, str: _rule_str, dict: _rule_mapping,
                            list: _rule_sequence, tuple: _rule_sequence}
_ORIGINS: dict[Any, Rule] = {dict: _rule_mapping, collections.abc.Mapping: _rule_mapping,
                             list: _rule_sequence, tuple: _rule_sequence, collections.abc.Sequence: _rule_sequence,
                             collections.abc.Callable: _rule_callable}


def _rule_for(hint: Any) -> Rule | None:
    """The rule of one annotation, or None where it allows anything (``Any``, arrays, type variables)."""
    if hint in _SIMPLE:
        return _SIMPLE[hint]
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return _rule_union(typing.get_args(hint))
    if origin is typing.Literal:
        allowed = typing.get_args(hint)
        return lambda name, value: check_choice(name, value, allowed)
    if origin in _ORIGINS:
        return _ORIGINS[origin]
    if inspect.isclass(hint) and hint is not np.ndarray and hint.__module__.split(".")[0] in ("coalesce_games", "pandas"):
        return _rule_instance(hint)
    return None


def _rule_union(members: tuple) -> Rule | None:
    optional = type(None) in members
    rules = [_rule_for(m) for m in members if m is not type(None)]
    if any(r is None for r in rules):
        return None

    def rule(name: str, value: Any) -> None:
        if value is None and optional:
            return
        errors = []
        for r in rules:
            try:
                r(name, value)
                return
            except TypeError as exc:
                errors.append(str(exc).removeprefix(f"{name} must be ").split("; got")[0])
        allowed = " or ".join(errors + (["None"] if optional else []))
        raise TypeError(f"{name} must be {allowed}; got {_brief(value)}")
    return rule
