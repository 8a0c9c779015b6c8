"""The command line and its output directory: clean one-line errors, whole reports, nothing mixed (issue 15)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from coalesce_games.cli import main
from coalesce_games.findings.outdir import STAMP, OutputDirError, check_output_dir, staged_output

# --- the output directory ---------------------------------------------------------------------------------------


def _write(out: Path, **files: str) -> None:
    with staged_output(out) as tmp:
        for name, text in files.items():
            (tmp / name).write_text(text)


def test_a_new_output_appears_whole_with_its_stamp(tmp_path) -> None:
    out = tmp_path / "deep" / "report"
    _write(out, **{"report.md": "# one"})
    assert sorted(p.name for p in out.iterdir()) == [STAMP, "report.md"]
    assert json.loads((out / STAMP).read_text())["tool"] == "coalesce-games"
    assert [p.name for p in out.parent.iterdir()] == ["report"]            # no temporary directory left


def test_an_earlier_output_of_ours_is_replaced_not_mixed(tmp_path) -> None:
    out = tmp_path / "report"
    _write(out, **{"report.md": "# one", "F1.csv": "a\n1\n"})
    _write(out, **{"report.md": "# two", "F3.csv": "b\n2\n"})
    assert sorted(p.name for p in out.iterdir()) == [STAMP, "F3.csv", "report.md"]
    assert (out / "report.md").read_text() == "# two"


def test_a_failed_run_leaves_the_earlier_output_as_it_was(tmp_path) -> None:
    out = tmp_path / "report"
    _write(out, **{"report.md": "# one"})
    with pytest.raises(RuntimeError, match="finding failed"):
        with staged_output(out) as tmp:
            (tmp / "report.md").write_text("# half")
            raise RuntimeError("finding failed")
    assert (out / "report.md").read_text() == "# one"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]


@pytest.mark.parametrize("make, message", [
    (lambda p: p.write_text("my notes"), "is a file"),
    (lambda p: (p.mkdir(), (p / "thesis.tex").write_text("mine")), "not written by coalesce-games"),
])
def test_a_file_or_a_foreign_directory_is_refused_unless_forced(tmp_path, make, message) -> None:
    out = tmp_path / "out"
    make(out)
    before = sorted(os.listdir(tmp_path)), out.is_file()
    with pytest.raises(OutputDirError, match=message):
        _write(out, **{"report.md": "# one"})
    assert (sorted(os.listdir(tmp_path)), out.is_file()) == before          # refused before any work
    with staged_output(out, force=True) as tmp:
        (tmp / "report.md").write_text("# forced")
    assert sorted(p.name for p in out.iterdir()) == [STAMP, "report.md"]


def test_an_empty_directory_is_used_and_bad_paths_are_type_errors(tmp_path) -> None:
    out = tmp_path / "empty"
    out.mkdir()
    assert check_output_dir(out) == out
    for bad in (None, 3, ""):
        with pytest.raises(TypeError, match="out_dir must be a directory path"):
            check_output_dir(bad)
    with pytest.raises(TypeError, match="force must be True or False"):
        check_output_dir(out, force="yes")


def test_a_killed_run_leaves_no_half_report_and_its_leftovers_go_next_time(tmp_path) -> None:
    out = tmp_path / "report"
    _write(out, **{"report.md": "# one"})
    script = tmp_path / "slow.py"
    script.write_text(textwrap.dedent(f"""
        import time
        from coalesce_games.findings.outdir import staged_output
        with staged_output({str(out)!r}) as tmp:
            (tmp / "report.md").write_text("# half")
            (tmp / "started").write_text("")
            time.sleep(60)
    """))
    proc = subprocess.Popen([sys.executable, str(script)])
    deadline = time.time() + 30
    while time.time() < deadline and not list(tmp_path.glob(".report.tmp-*/started")):
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert (out / "report.md").read_text() == "# one"                       # the old report, whole
    assert len(list(tmp_path.glob(".report.tmp-*"))) == 1                   # the dead run's scratch
    _write(out, **{"report.md": "# two"})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report", "slow.py"]


# --- reproduce and sweep on the command line --------------------------------------------------------------------

def _cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_reproduce_into_an_existing_file_is_a_clean_error(tmp_path, capsys) -> None:
    target = tmp_path / "report.txt"
    target.write_text("keep me")
    code, _, err = _cli(capsys, "reproduce", "--out", str(target), "--quick", "--only", "F5", "--no-progress")
    assert code == 2 and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert "is a file" in err and target.read_text() == "keep me"


def test_reproduce_refuses_a_foreign_directory_and_bad_only_before_any_work(tmp_path, capsys) -> None:
    target = tmp_path / "mine"
    target.mkdir()
    (target / "notes.md").write_text("keep me")
    code, _, err = _cli(capsys, "reproduce", "--out", str(target), "--quick", "--no-progress")
    assert code == 2 and "not written by coalesce-games" in err and "force" in err
    assert os.listdir(target) == ["notes.md"]
    code, _, err = _cli(capsys, "reproduce", "--out", str(tmp_path / "new"), "--only", "F9", "--no-progress")
    assert code == 2 and "--only must list findings" in err and not (tmp_path / "new").exists()


def test_the_readme_command_can_run_twice(tmp_path, capsys) -> None:
    target = tmp_path / "reproduce-out"
    for _ in range(2):
        code, out, _ = _cli(capsys, "reproduce", "--out", str(target), "--quick", "--only", "F5", "--no-progress")
        assert code == 0 and "report.md" in out
    assert (target / STAMP).exists() and (target / "report.md").exists()
    assert not [p for p in tmp_path.iterdir() if p.name != "reproduce-out"]


def _spec(tmp_path: Path, text: str) -> str:
    path = tmp_path / "sweep.toml"
    path.write_text(textwrap.dedent(text))
    return str(path)


@pytest.mark.parametrize("text, message", [
    ('[grid]\npolicy = "paper"\n', "grid field 'policy' must be a list"),
    ("seeds = 3\n[grid]\nepsilon = [0.1]\n", "unknown key(s) ['seeds']"),
    ("[grid]\nepsilon = [0.1]\nmetrics = ['hhi']\n", "metrics is inside the [grid] table"),
    ("metrics = ['nope']\n[grid]\nepsilon = [0.1]\n", "unknown metric(s) ['nope']"),
    ("metrics = 'cost_reduction'\n[grid]\nepsilon = [0.1]\n", "metrics must be a non-empty list"),
    ('[grid]\nepsilon = ["0.1"]\n', "epsilon must be a real number"),
    ("[grid]\nepsilon = [2.0]\n", r"epsilon must be in [0, 1]; got 2.0"),
    ("[base]\ndays = 0\n[grid]\nepsilon = [0.1]\n", "days must be >= 1"),
    ("grid = [1, 2]\n", "needs a [grid] table"),
    ("[grid\n", "not valid TOML"),
])
def test_a_bad_sweep_file_is_refused_before_any_run(tmp_path, capsys, text, message) -> None:
    ckpt = tmp_path / "runs.csv"
    code, _, err = _cli(capsys, "sweep", _spec(tmp_path, text), "--executor", "serial", "--seeds", "1",
                        "--checkpoint", str(ckpt))
    assert code == 2 and message in err and "Traceback" not in err, err
    assert not ckpt.exists()


@pytest.mark.parametrize("argv, message", [
    (["--workers", "-1", "--executor", "dask"], "workers must be >= 1"),
    (["--seeds", "0"], "seeds must be a positive"),
    (["--batch", "0"], "batch must be a positive"),
])
def test_bad_sweep_options_are_refused(tmp_path, capsys, argv, message) -> None:
    code, _, err = _cli(capsys, "sweep", _spec(tmp_path, "[grid]\nepsilon = [0.1]\n"), *argv)
    assert code == 2 and message in err


def test_a_missing_sweep_file_and_a_bad_decide_seed_are_one_line(tmp_path, capsys) -> None:
    code, _, err = _cli(capsys, "sweep", str(tmp_path / "none.toml"))
    assert code == 2 and "No such file" in err and len(err.strip().splitlines()) == 1
    code, _, err = _cli(capsys, "decide", "--seed", "-1")
    assert code == 2 and "must be in [0, 2**63 - 1]" in err
