"""The validation layer: types before ranges, nothing converted behind the caller's back (issue 15).

One regression test per example of the issue's coercion bullet, plus the
helpers' own cases. Every error must be a ``ValueError``/``TypeError`` whose
message names the field, shows the bad value and says what is allowed.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from coalesce_games.validation import (
    SEED_MAX,
    as_array,
    check_real,
    check_scalar,
    check_seed,
    check_seeds,
    check_sequence,
    make_rng,
)

# --- the helpers -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value, what", [
    ("1.5", "a string"), (["1", "2"], "a string"), ([1.0, "a"], "a string"),
    (True, "a boolean"), ([1, True], "a boolean"), (np.array([True, False]), "a boolean"),
    (1 + 2j, "a complex number"), ([1.0, 2j], "a complex number"), (np.array([1 + 0j]), "a complex number"),
])
def test_as_array_refuses_what_numpy_would_convert(value, what) -> None:
    with pytest.raises(TypeError, match=f"payoffs must hold real numbers, not {what}"):
        as_array("payoffs", value)


def test_as_array_keeps_numbers_and_booleans_where_booleans_are_asked_for() -> None:
    assert as_array("x", [1, 2.5]).tolist() == [1.0, 2.5]
    assert as_array("x", np.arange(3)).tolist() == [0.0, 1.0, 2.0]
    assert as_array("mask", [True, False], dtype=bool).tolist() == [True, False]
    with warnings.catch_warnings():
        warnings.simplefilter("error")          # no ComplexWarning either: complex input never reaches numpy
        with pytest.raises(TypeError):
            as_array("x", np.array([1 + 1j]))


@pytest.mark.parametrize("value", [True, np.bool_(False), "0.5", 1j, None, [0.5]])
def test_check_real_refuses_non_numbers(value) -> None:
    with pytest.raises(TypeError, match=r"epsilon must be a real number \(int or float, not a bool or a string\)"):
        check_real("epsilon", value)


def test_check_real_and_check_scalar_keep_numbers() -> None:
    assert check_real("x", 3) == 3 and isinstance(check_real("x", 3), int)
    assert check_real("x", np.float32(0.5)) == 0.5
    with pytest.raises(TypeError):
        check_scalar("delta", True)
    with pytest.raises(TypeError):
        check_scalar("delta", "0.5")


@pytest.mark.parametrize("value, error, message", [
    ("12", TypeError, "not a bool, a float or a string"),
    (1.7, TypeError, "got 1.7"),
    (1.0, TypeError, "got 1.0"),
    (True, TypeError, "got True"),
    (-1, ValueError, r"must be in \[0, 2\*\*63 - 1\]; got -1"),
    (2**64, ValueError, "got 18446744073709551616"),
    (SEED_MAX + 1, ValueError, "got 9223372036854775808"),
])
def test_check_seed(value, error, message) -> None:
    with pytest.raises(error, match=message):
        check_seed("seed", value)


def test_check_seeds_takes_lists_ranges_and_arrays_of_integers_only() -> None:
    assert check_seeds("seeds", [0, 1]) == [0, 1]
    assert check_seeds("seeds", (5,)) == [5]
    assert check_seeds("seeds", range(2)) == [0, 1]
    assert check_seeds("seeds", np.array([3, 4])) == [3, 4]
    assert check_seeds("seeds", [SEED_MAX]) == [SEED_MAX]
    with pytest.raises(TypeError, match="not a string; got '12'"):
        check_seeds("seeds", "12")
    with pytest.raises(TypeError, match=r"seeds\[0\] must be an integer.*got 1.7"):
        check_seeds("seeds", [1.7])
    with pytest.raises(ValueError, match="must not be empty"):
        check_seeds("seeds", [])
    with pytest.raises(TypeError, match="list of integer seeds"):
        check_seeds("seeds", {1, 2})


def test_make_rng_refuses_strings_floats_and_booleans_and_keeps_its_streams() -> None:
    for bad in ("12", b"12", 1.7, [1.7], True, [True], {"a": 1}):
        with pytest.raises(TypeError):
            make_rng(bad)
    with pytest.raises(ValueError):
        make_rng(2**64)
    # the same streams as numpy's own SeedSequence seeding (nothing changed for valid seeds)
    expected = np.random.Generator(np.random.PCG64(np.random.SeedSequence([3, 0xC0A1, 2]))).random(3)
    assert make_rng([3, 0xC0A1, 2]).random(3).tolist() == expected.tolist()
    assert make_rng(np.array([3, 0xC0A1, 2])).random(3).tolist() == expected.tolist()
    assert make_rng(7).random() == np.random.Generator(np.random.PCG64(np.random.SeedSequence(7))).random()


def test_check_sequence_refuses_strings_mappings_and_sets() -> None:
    assert check_sequence("policy", ("paper",)) == ["paper"]
    assert check_sequence("x", np.array([1, 2])) == [1, 2]
    for bad in ("paper", {"a": 1}, {1, 2}, 3):
        with pytest.raises(TypeError, match="policy must be a list of values"):
            check_sequence("policy", bad)


# --- the coercion examples ------------------------------------------------------------------------------


def test_numeric_strings_are_refused_by_the_configuration_not_stored() -> None:
    """The check used to convert a copy and store the string, which then failed inside compiled code."""
    from coalesce_games import MarketConfig

    for field in ("epsilon", "arrival_rate", "leak_loss"):
        with pytest.raises(TypeError, match=f"{field} must be a real number.*got '0.5'"):
            MarketConfig(**{field: "0.5"})
    with pytest.raises(TypeError, match="days must be an integer"):
        MarketConfig(days="7")
    with pytest.raises(TypeError, match="epsilon must be a real number"):
        MarketConfig.from_toml('epsilon = "0.1"')
    cfg = MarketConfig.from_toml("epsilon = 0.25\ndays = 2")      # TOML's own numbers are parsed and stored
    assert cfg.epsilon == 0.25 and isinstance(cfg.epsilon, float) and cfg.days == 2


def test_booleans_are_not_numbers() -> None:
    from coalesce_games import Game, MarketConfig

    for field, value in (("days", True), ("epsilon", True), ("leak_loss", False), ("seed", True)):
        with pytest.raises(TypeError, match=field):
            MarketConfig(**{field: value})
    with pytest.raises(TypeError, match="not a boolean"):
        Game([[True, False], [False, True]])


def test_complex_payoffs_are_refused() -> None:
    from coalesce_games import Game

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(TypeError, match="A must hold real numbers, not a complex number"):
            Game(np.array([[1 + 1j, 0], [0, 1]]))
        with pytest.raises(TypeError, match="B must hold real numbers, not a complex number"):
            Game([[1, 0], [0, 1]], [[1j, 0], [0, 1]])


def test_configuration_fields_of_the_wrong_kind() -> None:
    from coalesce_games import MarketConfig

    with pytest.raises(TypeError, match="policy must be a string"):
        MarketConfig(policy=1)
    with pytest.raises(TypeError, match="rogue_mix must be a list of three shares; got the str"):
        MarketConfig(rogue_mix="abc")
    with pytest.raises(TypeError, match=r"rogue_mix\[1\] must be a real number"):
        MarketConfig(rogue_mix=(0.5, "0.5", 0))
    assert MarketConfig(rogue_mix=[1, 0, 0]).rogue_mix == (1, 0, 0)          # stored as a tuple (hashable)
    assert MarketConfig(days=np.int64(3)).days == 3 and type(MarketConfig(days=np.int64(3)).days) is int
    with pytest.raises(TypeError, match="values must be a dict"):
        MarketConfig.from_dict([("days", 2)])


def test_seeds_given_as_a_string_run_nothing() -> None:
    """The string "12" used to run seeds 1 and 2, and [1.7] seed 1."""
    from coalesce_games import MarketConfig, simulate, simulate_many

    cfg = MarketConfig(days=1, clients=2, contractors=4)
    with pytest.raises(TypeError, match=r"seeds must be a sequence of integer seeds \(not a string\); got '12'"):
        simulate_many(cfg, "12")
    with pytest.raises(TypeError, match=r"seeds\[0\] must be an integer.*got 1.7"):
        simulate_many(cfg, [1.7])
    with pytest.raises(TypeError, match="seed must be an integer"):
        simulate(cfg, "12")


def test_a_seed_beyond_64_bits_is_refused_before_the_run() -> None:
    """2**64 used to fail only after the whole run, when the seeds were written to an int64 column."""
    from coalesce_games import MarketConfig, simulate, simulate_many

    cfg = MarketConfig(days=1, clients=2, contractors=4)
    for call in (lambda: simulate(cfg, 2**64), lambda: simulate_many(cfg, [0, 2**64]),
                 lambda: MarketConfig(seed=2**64)):
        with pytest.raises(ValueError, match=r"seed.* must be in \[0, 2\*\*63 - 1\]; got 18446744073709551616"):
            call()
    assert simulate(cfg, SEED_MAX).runs.seed.tolist() == [SEED_MAX]


def test_load_scenario_needs_a_name() -> None:
    """load_scenario(None) used to return the defaults."""
    from coalesce_games import load_scenario

    for bad in (None, 1, ["paper"]):
        with pytest.raises(TypeError, match="name must be a (scenario name|string)"):
            load_scenario(bad)
    with pytest.raises(ValueError, match="unknown scenario 'nope'"):
        load_scenario("nope")


def test_a_grid_value_is_a_list_not_the_characters_of_a_string() -> None:
    """grid({"policy": "paper"}) used to run p, a, p, e, r."""
    from coalesce_games.market.sweep import grid

    with pytest.raises(TypeError, match="grid field 'policy' must be a list of values; got the str 'paper'"):
        grid({"policy": "paper"})
    assert grid({"policy": ["paper"]}) == [{"policy": "paper"}]


def test_a_market_too_large_to_simulate_is_refused_before_allocating() -> None:
    from coalesce_games import MarketConfig
    from coalesce_games.market.config import MAX_WORK

    with pytest.raises(ValueError, match="units of work.*reduce days, clients, contractors or arrival_rate"):
        MarketConfig(days=10**6)
    with pytest.raises(ValueError, match="units of work"):
        MarketConfig(arrival_rate=1e12)
    # at the edge, by hand: no arrivals, one client, so the work is the client-hours, days x 24
    edge = int(MAX_WORK // 24)                           # 20,833,333 days = 499,999,992 client-hours
    assert MarketConfig(days=edge, clients=1, contractors=1, arrival_rate=0.0).days == edge
    with pytest.raises(ValueError, match="about 5e\\+08 units"):
        MarketConfig(days=edge + 1, clients=1, contractors=1, arrival_rate=0.0)
