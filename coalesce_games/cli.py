"""The ``coalesce-games`` command: decide, reproduce, sweep.

Bad arguments exit with status 2 and a one-line message (argparse); a
validation error of the toolkit does the same.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from pathlib import Path

__all__ = ["main", "build_parser"]


def _decide(args: argparse.Namespace) -> int:
    import dataclasses

    import numpy as np
    import pandas as pd

    from coalesce_games.model.costs import external_cost, internal_cost, lateness_cost
    from coalesce_games.model.decisions import DecisionContext
    from coalesce_games.model.policies import make_policy
    from coalesce_games.model.providers import Providers
    from coalesce_games.model.skills import SkillMatcher
    from coalesce_games.model.tasks import Tasks

    providers = Providers.sample_table1(args.providers, [args.seed, 1])
    tasks = Tasks.sample(args.tasks, [args.seed, 2])
    matcher = SkillMatcher(tau=args.tau)
    score = matcher.score(tasks.required, providers)
    internal = internal_cost(tasks, args.accounting)
    # an idle client still runs late when the local latency exceeds the task's limit
    internal = dataclasses.replace(internal, total=internal.total + lateness_cost(internal.latency_min, tasks.max_latency))
    external = external_cost(tasks, providers)
    ctx = DecisionContext(tasks, internal, external, providers.reliability, providers.security,
                          score, score >= args.tau, np.ones(len(providers), bool))
    params = {"epsilon": args.epsilon}
    policy = make_policy(args.policy, **params)
    decision = policy.decide(ctx, np.random.default_rng(np.random.SeedSequence([args.seed, 3])))
    chosen = decision.choice
    rows = pd.DataFrame({
        "task_type": np.array(["financial_rag", "risk_assessment", "sentiment_analysis",
                               "portfolio_optimization"])[tasks.task_type],
        "value": tasks.value.round(2),
        "internal_cost": internal.total.round(2),
        "eligible": ctx.eligible.sum(axis=1),
        "decision": np.where(chosen >= 0, providers.name[np.maximum(chosen, 0)], "local"),
        "external_cost": np.where(chosen >= 0, external.total[np.arange(len(tasks)), np.maximum(chosen, 0)], np.nan).round(2),
        "closeness": decision.closeness.round(3),
        "explored": decision.explored,
    })
    print(rows.to_string(index=False))
    return 0


def _reproduce(args: argparse.Namespace) -> int:
    from coalesce_games.findings.reproduce import reproduce

    out = reproduce(args.out, quick=args.quick, only=args.only, progress=not args.no_progress, force=args.force)
    print(f"wrote {Path(out) / 'report.md'}")
    return 0


_SPEC_KEYS = ("base", "grid", "metrics")


def _read_spec(path: str) -> tuple[list[dict], list[str]]:
    """The sweep file's design and metrics, every part checked before any run.

    TOML gives each value its type (``epsilon = "0.1"`` is a string and is
    refused by the configuration's check); the metrics must be columns of a
    market run (read from a one-hour probe run, not from a list kept here).
    """
    from coalesce_games.market.sweep import check_design, grid

    try:
        spec = tomllib.loads(Path(path).read_text())
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: not a TOML text file ({exc})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path}: not valid TOML: {exc}") from exc
    unknown = sorted(set(spec) - set(_SPEC_KEYS))
    if unknown:
        raise ValueError(f"{path}: unknown key(s) {unknown}; a sweep file has {list(_SPEC_KEYS)}")
    if not isinstance(spec.get("grid"), dict):
        raise ValueError(f"{path}: needs a [grid] table of field = [values]")
    for table in ("grid", "base"):
        if isinstance(spec.get(table), dict) and "metrics" in spec[table]:
            raise ValueError(f"{path}: metrics is inside the [{table}] table; put metrics = [...] above the first "
                             f"[table] (TOML reads every key after [{table}] as part of it)")
    base = spec.get("base", {})
    if not isinstance(base, dict):
        raise ValueError(f"{path}: base must be a [base] table of fixed fields; got {base!r}")
    design = check_design([{**base, **point} for point in grid(spec["grid"])])
    metrics = spec.get("metrics", ["cost_reduction", "realised_loss"])
    if not isinstance(metrics, list) or not metrics or not all(isinstance(m, str) for m in metrics):
        raise ValueError(f"{path}: metrics must be a non-empty list of column names; got {metrics!r}")
    known = _market_metrics()
    unknown = [m for m in metrics if m not in known]
    if unknown:
        raise ValueError(f"{path}: unknown metric(s) {unknown}; a market run has {known}")
    return design, metrics


def _market_metrics() -> list[str]:
    """The numeric result columns of a market run (a one-day, one-client, one-contractor probe)."""
    from coalesce_games.market.config import MarketConfig
    from coalesce_games.market.simulation import simulate

    runs = simulate(MarketConfig(days=1, clients=1, contractors=1)).runs
    return [str(c) for c in runs.columns if not str(c).startswith("cfg_") and c != "seed"]


def _sweep(args: argparse.Namespace) -> int:
    from coalesce_games.market.sweep import summarise, sweep

    design, metrics = _read_spec(args.config)
    table = sweep(design, args.seeds, executor=args.executor, checkpoint=args.checkpoint,
                  resume=args.resume, scheduler=args.scheduler, workers=args.workers, batch=args.batch)
    print(summarise(table, metrics).to_string(index=False))
    return 0


def _explore(args: argparse.Namespace) -> int:
    try:
        from coalesce_games.explorer.app import serve_explorer
    except ImportError as exc:
        print(f"coalesce-games explore: needs Panel ({exc}); pip install 'coalesce-games[explorer]'", file=sys.stderr)
        return 2
    serve_explorer(args.port, announce=lambda text: print(text, flush=True))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="coalesce-games",
        description="Game theory of LLM agents that outsource work (a reproduction of COALESCE, arXiv:2506.01900).")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("decide", help="decide a sample of tasks against a Table-1 market and print the decisions")
    p.add_argument("--tasks", type=int, default=12, help="number of tasks to decide (default 12)")
    p.add_argument("--providers", type=int, default=30, help="number of Table-1 providers (default 30)")
    p.add_argument("--policy", choices=["coalesce", "paper"], default="coalesce", help="decision rule")
    p.add_argument("--epsilon", type=float, default=0.1, help="exploration rate (default 0.1)")
    p.add_argument("--tau", type=float, default=0.7, help="skill threshold (default 0.7)")
    p.add_argument("--accounting", choices=["consistent", "paper"], default="consistent")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.set_defaults(func=_decide)

    p = sub.add_parser("reproduce", help="run every finding; write figures, tables and report.md")
    p.add_argument("--out", default="reproduce-out", help="output folder (default reproduce-out)")
    p.add_argument("--quick", action="store_true", help="fewer seeds and shorter markets (about 20 seconds)")
    p.add_argument("--only", default=None, help="comma-separated findings, e.g. F3,F4")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--force", action="store_true",
                   help="replace --out even if it is a file or a directory coalesce-games did not write")
    p.set_defaults(func=_reproduce)

    p = sub.add_parser("sweep", help="run a parameter sweep described by a TOML file ([base], [grid], metrics)")
    p.add_argument("config", help="TOML file: [base] fixed fields, [grid] field = [values], metrics = [...]")
    p.add_argument("--seeds", type=int, default=5, help="replicates per design point (default 5)")
    p.add_argument("--executor", choices=["serial", "processes", "dask"], default="processes")
    p.add_argument("--scheduler", default=None, help="Dask scheduler address tcp://host:port")
    p.add_argument("--workers", type=int, default=None, help="local workers (default: all cores)")
    p.add_argument("--checkpoint", default=None, help="CSV file the finished runs stream to")
    p.add_argument("--resume", action="store_true", help="skip runs already in the checkpoint")
    p.add_argument("--batch", type=int, default=8, help="replicates of a design point simulated as one batch (default 8)")
    p.set_defaults(func=_sweep)

    p = sub.add_parser("explore", help="serve the interactive explorer on 127.0.0.1 and print its address")
    p.add_argument("--port", type=int, default=5006, help="port on 127.0.0.1 (default 5006; 0 takes a free one)")
    p.set_defaults(func=_explore)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; its errors are one line on stderr: status 2 for bad input, 1 for failed runs."""
    parser = build_parser()
    args = parser.parse_args(argv)
    from coalesce_games.market.sweep import SweepError

    try:
        return args.func(args)
    except SweepError as exc:
        print(f"coalesce-games {args.command}: {len(exc.failures)} run(s) failed:", file=sys.stderr)
        print(exc.table().to_string(index=False), file=sys.stderr)
        return 1
    except (ValueError, TypeError, OSError) as exc:
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        print(f"coalesce-games {args.command}: error: {message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"coalesce-games {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
