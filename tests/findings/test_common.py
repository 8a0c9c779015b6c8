"""The Finding record (findings.common): its fields are checked on construction (issue 15)."""

from __future__ import annotations

import pandas as pd
import pytest

from coalesce_games.findings.common import Finding
from coalesce_games.findings.verdicts import Claim

CLAIM = Claim("F0", "a claim", "paper", "analytic", "simulated", "reproduced", "rule")
GOOD = {"key": "F0", "title": "A finding", "tables": {"F0_table": pd.DataFrame({"x": [1.0]})}, "claims": [CLAIM]}


def test_a_finding_with_well_typed_fields_is_built_as_given() -> None:
    f = Finding(**GOOD, note="n", figure=lambda fig: None, seeds="seeds 0-1", shown={"F0_table": ["x"]})
    assert f.key == "F0" and f.tables["F0_table"] is GOOD["tables"]["F0_table"] and f.claims == [CLAIM]
    assert Finding(**GOOD).figure is None and Finding(**GOOD).shown == {}


@pytest.mark.parametrize("field, value, message", [
    ("key", 1, "key must be a string; got int: 1"),
    ("key", "", "key must be a non-empty string"),
    ("title", None, "title must be a string; got NoneType"),
    ("tables", {}.items(), "tables must be a dict of table name -> pandas DataFrame"),
    ("tables", {"t": [[1.0]]}, "tables must be a dict of table name -> pandas DataFrame"),
    ("tables", {1: pd.DataFrame()}, "tables must be a dict"),
    ("claims", (CLAIM,), "claims must be a list of Claim; got tuple"),
    ("claims", [{"claim": "x"}], "claims must be a list of Claim"),
    ("note", True, "note must be a string; got bool"),
    ("figure", "plot", "figure must be a function or None; got str"),
    ("seeds", [0, 1], "seeds must be a string; got list"),
    ("shown", {"t": "x"}, "shown must be a dict of table name -> list of column names"),
    ("shown", {"t": [1]}, "shown must be a dict"),
])
def test_each_field_of_the_wrong_kind_is_refused(field, value, message) -> None:
    with pytest.raises(TypeError, match=message):
        Finding(**{**GOOD, field: value})


@pytest.mark.parametrize("junk", [1, None, True, [[1.0]], {}])
def test_junk_in_every_required_field_is_refused(junk) -> None:
    """The fuzz suite's call (tests/fuzz_cases.py): the same junk in key, title, tables and claims."""
    with pytest.raises(TypeError):
        Finding(junk, junk, junk, junk)
