"""Counts of the adversarial inputs: every public entry point, every argument, every junk value.

Enumerates (no sampling) the calls of ``tests/fuzz_cases.py``: for each entry
point of ``coalesce_games.__all__`` with a base call, each argument replaced by
each type-junk value (the call must raise) and each value-junk value (it may
raise or return a verified result); for each entry point without one, type
junk in every required argument. Prints the counts by outcome (inputs tried,
clean errors, results, silent results, ugly errors, hangs), then every call
that was not clean or verified.

Usage: python benchmarks/fuzz_counts.py [--limit 10] [--only solve,topsis]
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from fuzz_cases import BASE, TYPE_JUNK, Call, entry_points, junk_for, kind_of, make_call, parameters, run_call  # noqa: E402


def calls_of(name: str) -> list[Call]:
    """Every junk call of one entry point (each argument x each junk value of its kind)."""
    if name not in BASE and not any(p.default is p.empty for p in parameters(name)):
        return [make_call(name, 0, 0, False)]
    if name not in BASE:
        pool = len([v for v in TYPE_JUNK["object"] if not isinstance(v, str)]) + 1
        return [make_call(name, 0, slot, True) for slot in range(pool)]
    out = []
    args, kwargs = BASE[name]()
    for i, param in enumerate(parameters(name)):
        current = args[i] if i < len(args) else kwargs.get(param.name, param.default)
        must, may = junk_for(param, kind_of(param, current), current)
        out += [make_call(name, i, slot, True) for slot in range(len(must))]
        out += [make_call(name, i, slot, False) for slot in range(len(may))]
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--limit", type=float, default=10.0, help="seconds per call before it counts as a hang")
    ap.add_argument("--only", default=None, help="comma-separated entry points")
    args = ap.parse_args()
    names = args.only.split(",") if args.only else entry_points()
    os.chdir(tempfile.mkdtemp(prefix="fuzz_cwd_"))   # junk strings are valid paths: keep what they write out of the checkout
    counts: collections.Counter[str] = collections.Counter()
    problems = []
    start = time.perf_counter()
    for name in names:
        for call in calls_of(name):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                outcome, detail = run_call(call, args.limit)
            counts[outcome] += 1
            if outcome in ("silent", "ugly", "hang"):
                problems.append((outcome, name, call.mutated, detail))
    total = sum(counts.values())
    print(f"{len(names)} entry points ({sum(n in BASE for n in names)} with a base call), {total} inputs tried "
          f"in {time.perf_counter() - start:.0f} s")
    for outcome in ("clean", "result", "silent", "ugly", "hang"):
        print(f"  {outcome:7s} {counts[outcome]:5d}")
    for outcome, name, param, detail in sorted(problems):
        print(f"{outcome:7s} {name}({param}): {detail}")


if __name__ == "__main__":
    main()
