"""The Game type: validation, conversions and the Gambit .nfg format."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from coalesce_games.solvers.game import Game, NFGError

GAMBIT_PD = """NFG 1 R "Two person Prisoner's Dilemma" { "Player 1" "Player 2" } { 2 2 }

-6 -6 -10 0 0 -10 -1 -1
"""

GAMBIT_OUTCOMES = """NFG 1 R "coord" { "Player 1" "Player 2" }

{ { "1" "2" }
{ "a" "b" }
}
""

{
{ "" 3, 2 }
{ "" 0, 0 }
{ "" 1, 4 }
}
1 2 2 3
"""


def test_reads_gambit_payoff_format_with_counts() -> None:
    g = Game.from_nfg(GAMBIT_PD)
    # Gambit lists profiles with the first player's strategy varying fastest: (1,1), (2,1), (1,2), (2,2)
    assert g.A.tolist() == [[-6, 0], [-10, -1]]
    assert g.B.tolist() == [[-6, -10], [0, -1]]
    assert g.note == "Two person Prisoner's Dilemma"


def test_reads_gambit_outcome_format() -> None:
    g = Game.from_nfg(GAMBIT_OUTCOMES)
    assert g.row_labels == ("1", "2") and g.col_labels == ("a", "b")
    assert g.A.tolist() == [[3, 0], [0, 1]]
    assert g.B.tolist() == [[2, 0], [0, 4]]


def test_nfg_round_trip_keeps_labels_and_payoffs(tmp_path) -> None:
    rng = np.random.default_rng(1)
    g = Game(rng.random((3, 4)), rng.random((3, 4)), ["a", "b", "c"], ["w", "x", "y", "z"], 'a "quoted" note')
    path = tmp_path / "g.nfg"
    g.write_nfg(path)
    back = Game.read_nfg(path)
    assert back == g and back.note == g.note


def test_nfg_is_read_by_pygambit() -> None:
    pygambit = pytest.importorskip("pygambit")
    g = Game([[1, 2], [3, 4], [5, 6]], [[5, 6], [7, 8], [9, 10]], ["T", "M", "B"], ["L", "R"])
    gg = pygambit.read_nfg(io.StringIO(g.to_nfg()))
    A, B = (np.array(M, dtype=float) for M in gg.to_arrays())
    np.testing.assert_array_equal(A, g.A)
    np.testing.assert_array_equal(B, g.B)
    assert [s.label for s in list(gg.players)[0].strategies] == ["T", "M", "B"]


@pytest.mark.parametrize("text, line", [
    ('NFG 2 R "x" { "a" "b" } { 2 2 }\n1 2 3 4 5 6 7 8\n', 1),
    ('NFG 1 R "x" { "a" "b" } { 2 2 }\n\n1 2 3 4 5 6 7\n', 3),
    ('NFG 1 R "x" { "a" "b" } { 2 2 }\n1 2 3 4\n5 6 7 eight\n', 3),
    ('NFG 1 R "x" { "a" "b" "c" } { 2 2 2 }\n1\n', 1),
    ('NFG 1 R "x" { "a" "b" }\n{ { "1" "1" }\n{ "u" } }\n1 2 3 4\n', 2),
    ('NFG 1 R "x" { "a" "b" } { 1 1 }\n1 2 3\n', 2),
    ('NFG 1 R "x" { "a" "b" } { 1 1 }\n1 inf\n', 2),
])
def test_malformed_nfg_names_the_line(text: str, line: int) -> None:
    with pytest.raises(NFGError, match=rf"^line {line}:"):
        Game.from_nfg(text)


def test_nfg_error_is_a_value_error() -> None:
    assert issubclass(NFGError, ValueError)


def test_frames_nashpy_and_html() -> None:
    g = Game([[1, 2], [3, 4]], [[0, 1], [1, 0]], ["T", "B"], ["L", "R"], note="demo <x>")
    frame = g.to_frame()
    assert frame.loc["B", ("R", "row")] == 4 and frame.loc["B", ("R", "col")] == 0
    assert Game.from_frame(frame) == g
    assert Game.from_nashpy(g.to_nashpy()).B.tolist() == g.B.tolist()
    html = g._repr_html_()
    assert "<table" in html and "demo &lt;x&gt;" in html and "<th>R</th>" in html
    assert not g.is_zero_sum and Game([[1, -1]]).is_zero_sum and Game([[1, 2]], [[4, 3]]).is_zero_sum


def test_game_is_immutable_and_transposes() -> None:
    g = Game([[1, 2, 3]], [[4, 5, 6]])
    with pytest.raises(ValueError):
        g.A[0, 0] = 9
    t = g.transpose()
    assert t.shape == (3, 1) and t.A.tolist() == [[4], [5], [6]] and t.row_labels == g.col_labels


@pytest.mark.parametrize("A, B, message", [
    ([[1.0, float("nan")]], [[1.0, 1.0]], "A must be finite"),
    ([[1.0, 1.0]], [[1.0, float("inf")]], "B must be finite"),
    ([[1.0, 2.0]], [[1.0], [2.0]], r"B must have shape \(1, 2\)"),
    (np.empty((0, 2)), np.empty((0, 2)), "at least one strategy"),
    ([1.0, 2.0], [1.0, 2.0], "2 dimension"),
])
def test_bad_games_are_rejected(A, B, message) -> None:
    with pytest.raises(ValueError, match=message):
        Game(A, B)


def test_bad_labels_and_frames() -> None:
    with pytest.raises(ValueError, match="col_labels must be unique; got the duplicate label 'x'"):
        Game([[1, 2]], [[1, 2]], ["a"], ["x", "x"])
    with pytest.raises(ValueError, match="row_labels must have 1 entries"):
        Game([[1, 2]], [[1, 2]], ["a", "b"])
    with pytest.raises(TypeError, match="single string"):
        Game([[1, 2]], [[1, 2]], "a")
    with pytest.raises(TypeError, match="DataFrame"):
        Game.from_frame(np.eye(2))
    with pytest.raises(ValueError, match="two column levels"):
        Game.from_frame(pd.DataFrame(np.eye(2)))
    with pytest.raises(TypeError, match="nashpy"):
        Game.from_nashpy(object())
