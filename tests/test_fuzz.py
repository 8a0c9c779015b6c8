"""Property-based fuzzing of every public entry point.

For every name of ``coalesce_games.__all__`` hypothesis draws calls from
``tests/fuzz_cases.py``: the entry point's valid base call with one argument
replaced by junk of its kind. Every call must end, within a time limit, in a
result that passes its own verification or a ``ValueError``/``TypeError``;
type junk (a string for a number, ``None`` for a config, ...) must be refused.
The exhaustive counts are ``benchmarks/fuzz_counts.py``'s. A new public name
is fuzzed as soon as it is exported.
"""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import coalesce_games as cg

sys.path.insert(0, str(Path(__file__).parent))
from fuzz_cases import BASE, SLOW, VERIFY, Call, entry_points, make_call, run_call  # noqa: E402

LIMIT = 5.0   # seconds per call


@pytest.fixture(scope="module", autouse=True)
def _in_a_scratch_directory(tmp_path_factory):
    """Junk strings such as "nope" are valid paths: a fuzzed checkpoint or output must not land in the checkout."""
    old = os.getcwd()
    os.chdir(tmp_path_factory.mktemp("fuzz_cwd"))
    yield
    os.chdir(old)

#: entry points whose value junk may legitimately take long (big sizes): fuzzed with type junk only
TYPE_ONLY = SLOW | {"bootstrap_regret", "bootstrap_games",
                    "bootstrap_equilibria", "equilibrium_stability", "simulated_honesty_value", "sweep", "simulate",
                    "simulate_many"}


@pytest.mark.parametrize("name", entry_points())
@settings(max_examples=6, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(choice=st.integers(0, 40), slot=st.integers(0, 40), strict=st.booleans())
def test_every_entry_point_gives_a_verified_result_or_a_clean_error(name: str, choice: int, slot: int,
                                                                      strict: bool) -> None:
    call = make_call(name, choice, slot, strict or name in TYPE_ONLY)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        outcome, detail = run_call(call, LIMIT)
    assert outcome in ("result", "clean"), f"{name}({call.mutated}={call.value!r}): {outcome}: {detail}"


@pytest.mark.parametrize("name", sorted(BASE))
def test_every_base_call_is_valid_and_verified(name: str) -> None:
    """The fuzzing's starting points are themselves correct calls (else the junk proves nothing)."""
    if name in SLOW:
        pytest.skip("slow base call; its junk calls are type junk only")
    args, kwargs = BASE[name]()
    result = getattr(cg, name)(*args, **kwargs)
    if name in VERIFY:
        VERIFY[name](result, args, kwargs)


# --- hypothesis over values, not only over the junk table ------------------------------------------------------

_ANY = st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=True, allow_infinity=True),
                 st.complex_numbers(), st.text(max_size=6), st.lists(st.floats(-10, 10), max_size=3))


@settings(max_examples=150, deadline=None, derandomize=True, database=None)
@given(field=st.sampled_from([f for f in cg.MarketConfig.__dataclass_fields__]), value=_ANY)
def test_any_value_of_any_config_field_is_stored_as_checked_or_refused(field: str, value) -> None:
    try:
        cfg = cg.MarketConfig(**{field: value})
    except (TypeError, ValueError):
        return
    VERIFY["MarketConfig"](cfg, (), {})
    stored = getattr(cfg, field)
    assert stored == (tuple(value) if isinstance(value, list) else value)
    assert not isinstance(stored, bool) and not isinstance(stored, complex)


_PAYOFF = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-(10**12), 10**12),
                    st.booleans(), st.complex_numbers(max_magnitude=10), st.just("1.5"))


@settings(max_examples=120, deadline=None, derandomize=True, database=None)
@given(rows=st.integers(1, 3), cols=st.integers(1, 3), data=st.data())
def test_any_payoffs_give_verified_equilibria_or_a_clean_error(rows: int, cols: int, data) -> None:
    A = [[data.draw(_PAYOFF) for _ in range(cols)] for _ in range(rows)]
    B = [[data.draw(_PAYOFF) for _ in range(cols)] for _ in range(rows)]
    call = Call("solve", (), {}, "payoffs", False, (A, B))
    try:
        game = cg.Game(A, B)
    except (TypeError, ValueError):
        return
    assert game.A.dtype.kind == "f" and np.isfinite(game.A).all() and np.isfinite(game.B).all()
    outcome, detail = run_call(Call("solve", (game,), {}, call.mutated, False, call.value), LIMIT)
    assert outcome in ("result", "clean"), detail


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(seeds=st.one_of(st.text(max_size=4), st.lists(_ANY, min_size=1, max_size=3), st.integers(-5, 2**65),
                       st.floats(), st.none()))
def test_any_seeds_run_exactly_those_seeds_or_are_refused(seeds) -> None:
    cfg = cg.MarketConfig(days=1, clients=1, contractors=2)
    try:
        result = cg.simulate_many(cfg, seeds)
    except (TypeError, ValueError):
        return
    assert result.runs.seed.tolist() == list(seeds)
