"""Equilibrium solvers against quantecon on the same random games, medians side by side in one run.

    python benchmarks/equilibria.py [--quick] [--nashpy]

Part 1, all equilibria of random n x n games (n = 4, 8, 12, 14): ours
(`extreme_equilibria`, the compiled vertex enumeration, and `solve(method=
"vertex")` with its result table) against quantecon's `vertex_enumeration`,
and `lrsnash` (exact) when installed. Part 2, one equilibrium (n = 50, 100,
200): ours (`lemke_howson_schedule`, the compiled restart schedule, and
`solve_one`) against quantecon's `lemke_howson` (label 0). Part 3: 300 tied
4 x 4 games (payoffs in {0, 1, 2}) solved game by game: ours
(`extreme_equilibria` in a loop, `solve_many`) against quantecon's vertex
enumeration in a loop, the found sets against an exact oracle (lrsnash or our
rational enumeration). `--nashpy` adds nashpy's support and vertex
enumeration and Lemke-Howson (in a subprocess with a time limit; it can hang).

Payoffs are integers uniform in [0, 10000). Every profile any solver returns
is verified (max regret <= 1e-9 of the payoff spread) and only verified ones
are counted. Ours and quantecon run on each game in turn, so a busy machine
slows both alike; the closing table lists the ratios of the medians against
the targets of issue 20.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import shutil
import subprocess
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import numpy as np

from coalesce_games.solvers.equilibria import solve, solve_one
from coalesce_games.solvers.exact import exact_extreme_equilibria
from coalesce_games.solvers.game import Game
from coalesce_games.solvers.lemke_howson import lemke_howson_schedule
from coalesce_games.solvers.verify import regrets, scale
from coalesce_games.solvers.vertex import extreme_equilibria

QUICK = "--quick" in sys.argv
NASHPY = "--nashpy" in sys.argv
LRS = shutil.which("lrsnash")
TARGETS: list[tuple[str, float, float]] = []   # (what, ours / quantecon, target ratio)


def _key(pairs, digits: int = 6) -> set:
    return {(tuple(np.round(np.asarray(x, float), digits) + 0.0), tuple(np.round(np.asarray(y, float), digits) + 0.0))
            for x, y in pairs}


def _verified(game: Game, pairs) -> list:
    """The profiles of the right shape whose max regret is within 1e-9 of the payoff spread."""
    m, n = game.shape
    pairs = [(np.asarray(x, float), np.asarray(y, float)) for x, y in pairs]
    pairs = [(x, y) for x, y in pairs if x.shape == (m,) and y.shape == (n,)
             and np.isfinite(x).all() and np.isfinite(y).all()]
    if not pairs:
        return []
    r = regrets(game, np.array([x for x, _ in pairs]), np.array([y for _, y in pairs]))
    return [p for p, ok in zip(pairs, r <= 1e-9 * scale(game)) if ok]


def _timed(f, *args, **kw):
    t = time.perf_counter()
    out = f(*args, **kw)
    return time.perf_counter() - t, out


def _ms(ts) -> str:
    return f"{np.median(ts) * 1e3:.2f} ms"


def lrsnash(A: np.ndarray, B: np.ndarray) -> set:
    m, n = A.shape
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "g.txt"
        p.write_text(f"{m} {n}\n\n" + "\n".join(" ".join(str(int(v)) for v in r) for r in A) + "\n\n"
                     + "\n".join(" ".join(str(int(v)) for v in r) for r in B) + "\n")
        out = subprocess.run([LRS, str(p)], capture_output=True, text=True, timeout=600).stdout
    found, xs, ys = set(), [], []
    for line in out.splitlines() + [""]:
        parts = line.split()
        if parts and parts[0] in ("1", "2"):
            vals = tuple(round(float(Fraction(v)), 6) + 0.0 for v in parts[1:-1])
            (xs if parts[0] == "1" else ys).append(vals)
        elif not parts:
            found |= {(x, y) for x in xs for y in ys}
            xs, ys = [], []
    return found


def _worker(kind: str, A, B, q) -> None:
    import warnings

    import nashpy

    warnings.simplefilter("ignore")
    g = nashpy.Game(A, B)
    try:
        if kind == "support":
            res = list(g.support_enumeration(non_degenerate=False, tol=1e-9 * max(np.ptp(A), np.ptp(B))))
        elif kind == "vertex":
            res = list(g.vertex_enumeration())
        else:
            res = [g.lemke_howson(initial_dropped_label=0)]
        q.put([(np.asarray(x, float), np.asarray(y, float)) for x, y in res])
    except Exception as exc:  # noqa: BLE001 - a failing peer is a result, not a crash
        q.put(repr(exc))


def nashpy_timed(kind: str, A, B, limit: float):
    """(seconds, result or None on timeout/error); run in a subprocess so a hang can be cut."""
    q: mp.Queue = mp.Queue()
    p = mp.Process(target=_worker, args=(kind, A, B, q))
    t = time.perf_counter()
    p.start()
    try:
        res = q.get(timeout=limit)
    except Exception:  # noqa: BLE001 - queue.Empty on timeout
        res = None
    el = time.perf_counter() - t
    if p.is_alive():
        p.kill()
    p.join()
    return el, (res if isinstance(res, list) else None)


def _qgame(A: np.ndarray, B: np.ndarray):
    import quantecon.game_theory as qgt

    return qgt.NormalFormGame((qgt.Player(A), qgt.Player(B.T)))


def _one_game_all(n: int, rng, row: dict) -> None:
    """Solve one random n x n game by every method; times and verified counts into ``row``."""
    import quantecon.game_theory as qgt

    A = rng.integers(0, 10000, (n, n)).astype(float)
    B = rng.integers(0, 10000, (n, n)).astype(float)
    g = Game(A, B)
    t, core = _timed(extreme_equilibria, A, B)
    row["core"].append(t)
    t, full = _timed(solve, g, method="vertex")
    row["solve"].append(t)
    G = _qgame(A, B)
    t, q = _timed(qgt.vertex_enumeration, G)
    row["quantecon"].append(t)
    ours = _key(_verified(g, zip(core.xs, core.ys)))
    assert ours == _key(zip(full.row_strategies, full.col_strategies)), f"solve differs at n={n}"
    assert len(ours) == len(core.xs), f"an unverified profile at n={n}"
    exact = ours
    if LRS:
        t, exact = _timed(lrsnash, A, B)
        row["lrsnash"].append(t)
        assert ours == exact, f"ours differs from lrsnash at n={n}"
    row["exact"] += len(exact)
    row["f_ours"] += len(ours & exact)
    row["f_q"] += len(_key(_verified(g, q)) & exact)
    if NASHPY and n <= 8:
        for kind in ("support", "vertex"):
            el, res = nashpy_timed(kind, A, B, 60)
            row[f"nashpy {kind}"].append(el)
            row[f"f_{kind}"] += len(_key(_verified(g, res or [])) & exact)


def _new_row() -> dict:
    row: dict = {k: [] for k in ["core", "solve", "quantecon", "lrsnash", "nashpy support", "nashpy vertex"]}
    row.update({"exact": 0, "f_ours": 0, "f_q": 0, "f_support": 0, "f_vertex": 0})
    return row


def all_equilibria() -> None:
    print("## All equilibria of random n x n games (median per game; verified found / exact)")
    sizes = [4, 8, 12] if QUICK else [4, 8, 12, 14]
    counts = {4: 50, 8: 30, 12: 21, 14: 9}
    extra = (["lrsnash"] if LRS else []) + (["nashpy support", "nashpy vertex"] if NASHPY else [])
    print("| n | games | ours extreme_equilibria | ours solve(vertex) | quantecon vertex_enumeration | "
          + "".join(f"{e} | " for e in extra) + "core / quantecon | solve / quantecon |")
    print("|---" * (7 + len(extra)) + "|")
    rng = np.random.default_rng(20261125)
    _one_game_all(4, np.random.default_rng(0), _new_row())  # compilation and imports outside the timing
    for n in sizes:
        row = _new_row()
        games = counts[n] if not QUICK else max(3, counts[n] // 3)
        for _ in range(games):
            _one_game_all(n, rng, row)
        tot = row["exact"]
        cells = [f"{_ms(row['core'])} ({row['f_ours']}/{tot})", _ms(row["solve"]),
                 f"{_ms(row['quantecon'])} ({row['f_q']}/{tot})"]
        cells += [_ms(row[e]) + (f" ({row['f_' + e.split()[1]]}/{tot})" if e.startswith("nashpy") else "")
                  if row[e] else "-" for e in extra]
        r_core = np.median(row["core"]) / np.median(row["quantecon"])
        r_solve = np.median(row["solve"]) / np.median(row["quantecon"])
        print(f"| {n} | {games} | " + " | ".join(cells) + f" | {r_core:.2f} | {r_solve:.2f} |")
        if n in (8, 12, 14):
            for what, r in (("extreme_equilibria", r_core), ("solve(vertex)", r_solve)):
                TARGETS.append((f"all equilibria {n}x{n}, {what}", r, 1.5 if n == 8 else 1.0))


def one_equilibrium() -> None:
    import quantecon.game_theory as qgt

    print("\n## One equilibrium of random n x n games (median per game, max; verified / games)")
    print("| n | games | ours lemke_howson_schedule | ours solve_one | quantecon lemke_howson (label 0) | "
          + ("nashpy lemke_howson (label 0, 10 s limit) | " if NASHPY else "")
          + "schedule / quantecon | solve_one / quantecon |")
    print("|---" * (7 + NASHPY) + "|")
    rng = np.random.default_rng(7)
    warm = rng.random((5, 5))
    qgt.lemke_howson(_qgame(warm, warm.T))  # numba compilation outside the timing
    solve_one(Game(warm, warm.T))
    for n in [50, 100] if QUICK else [50, 100, 200]:
        games = 25 if n <= 100 else 9   # quantecon's label-0 path can take seconds at 200
        t_c, t_o, t_q, t_n = [], [], [], []
        ok_c = ok_o = ok_q = ok_n = 0
        for k in range(games):
            A = rng.integers(0, 10000, (n, n)).astype(float)
            B = rng.integers(0, 10000, (n, n)).astype(float)
            g = Game(A, B)
            t, (x, y) = _timed(lemke_howson_schedule, A, B, None, 1e-9 * scale(g))
            t_c.append(t)
            ok_c += len(_verified(g, [(x, y)]))
            t, r = _timed(solve_one, g)
            t_o.append(t)
            ok_o += len(_verified(g, zip(r.row_strategies, r.col_strategies)))
            t, (x, y) = _timed(qgt.lemke_howson, _qgame(A, B), max_iter=10**6)
            t_q.append(t)
            ok_q += len(_verified(g, [(x, y)]))
            if NASHPY and n <= 100 and k < 3:
                el, res = nashpy_timed("lemke", A, B, 10)
                t_n.append(el)
                ok_n += len(_verified(g, res or []))
        cells = [f"{_ms(ts)}, max {max(ts) * 1e3:.1f} ms ({ok}/{games})"
                 for ts, ok in ((t_c, ok_c), (t_o, ok_o), (t_q, ok_q))]
        if NASHPY:
            cells.append(f"{_ms(t_n)} ({ok_n}/{len(t_n)})" if t_n else "-")
        r_c, r_o = np.median(t_c) / np.median(t_q), np.median(t_o) / np.median(t_q)
        print(f"| {n} | {games} | " + " | ".join(cells) + f" | {r_c:.2f} | {r_o:.2f} |")
        TARGETS.append((f"one equilibrium {n}x{n}, lemke_howson_schedule", r_c, 2.0))
        TARGETS.append((f"one equilibrium {n}x{n}, solve_one", r_o, 2.0))
        TARGETS.append((f"one equilibrium {n}x{n}, slowest of ours (s)", max(max(t_o), max(t_c)), 1.0))


def tied_games() -> None:
    import quantecon.game_theory as qgt

    try:
        from coalesce_games.solvers.equilibria import solve_many
    except ImportError:
        solve_many = None
    count = 100 if QUICK else 300
    print(f"\n## {count} tied 4 x 4 games (payoffs in {{0, 1, 2}}), solved game by game (total time)")
    rng = np.random.default_rng(30)
    pairs = [(rng.integers(0, 3, (4, 4)).astype(float), rng.integers(0, 3, (4, 4)).astype(float))
             for _ in range(count)]
    games = [Game(A, B) for A, B in pairs]
    tc, tq, cores, qs = [], [], [], []
    for A, B in pairs:  # game by game, in turn
        t, r = _timed(extreme_equilibria, A, B)
        tc.append(t)
        cores.append(r)
        t, r = _timed(lambda: qgt.vertex_enumeration(_qgame(A, B)))
        tq.append(t)
        qs.append(r)
    t_core, t_q = sum(tc), sum(tq)
    t_many, many = _timed(solve_many, games) if solve_many else (float("nan"), None)
    oracle = "lrsnash" if LRS else "our exact rational enumeration"
    total = f_core = f_q = f_many = degenerate = 0
    for k, ((A, B), g) in enumerate(zip(pairs, games)):
        exact = lrsnash(A, B) if LRS else _key((np.array(x, float), np.array(y, float))
                                                for x, y in exact_extreme_equilibria(A, B))
        total += len(exact)
        ours = _key(_verified(g, zip(cores[k].xs, cores[k].ys)))
        assert ours == exact, f"tied game {k}: ours differs from {oracle}"
        f_core += len(ours & exact)
        degenerate += cores[k].degenerate
        f_q += len(_key(_verified(g, qs[k])) & exact)
        if many is not None:
            sub = many[many.game == k]
            f_many += len(_key(_verified(g, zip(sub.row_strategy, sub.col_strategy))) & exact)
    print("| solver | total | median per game | verified found / exact |")
    print("|---|---|---|---|")
    print(f"| ours extreme_equilibria (loop) | {t_core * 1e3:.1f} ms | {np.median(tc) * 1e6:.0f} us | {f_core}/{total} |")
    if many is not None:
        print(f"| ours solve_many (one call) | {t_many * 1e3:.1f} ms | - | {f_many}/{total} |")
    print(f"| quantecon vertex_enumeration (loop) | {t_q * 1e3:.1f} ms | {np.median(tq) * 1e6:.0f} us | {f_q}/{total} |")
    print(f"(exact oracle: {oracle}; degenerate games: {degenerate}/{count})")
    TARGETS.append((f"{count} tied 4x4, extreme_equilibria loop (median per game)", np.median(tc) / np.median(tq), 1.0))
    TARGETS.append((f"{count} tied 4x4, extreme_equilibria loop (total)", t_core / t_q, 1.0))
    if many is not None:
        TARGETS.append((f"{count} tied 4x4, solve_many (total)", t_many / t_q, 1.0))


def summary() -> None:
    print("\n## Targets (issue 20): ours / quantecon, medians of the same games")
    print("| measure | value | target | met |")
    print("|---|---|---|---|")
    for what, value, target in TARGETS:
        print(f"| {what} | {value:.2f} | <= {target:g} | {'yes' if value <= target else 'NO'} |")


if __name__ == "__main__":
    print(f"(load average at the start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; "
          f"lrsnash {'installed' if LRS else 'not installed'})\n")
    all_equilibria()
    one_equilibrium()
    tied_games()
    summary()
