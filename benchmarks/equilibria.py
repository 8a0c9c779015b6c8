"""Equilibrium solvers on the same random n x n games, in one run.

    python benchmarks/equilibria.py [--quick] [--one]

Part 1, all equilibria (n = 4 .. 14): ours (`solve(method="vertex")`), nashpy's
support and vertex enumeration (only where they finish within a bound),
quantecon's vertex enumeration and `lrsnash` (exact, when installed). Each cell:
median time per game and verified equilibria found / exact count (lrsnash if
present, else our own set). Part 2, one equilibrium (n = 10 .. 200): ours
(`solve_one`), quantecon's and nashpy's Lemke-Howson (nashpy in a subprocess
with a time limit, since it can cycle). Part 3: tied games (payoffs in
{0, 1, 2}), ours and quantecon against lrsnash or our exact enumeration.

Payoffs are integers uniform in [0, 10000) as in the peers' own benchmarks.
"""

from __future__ import annotations

import multiprocessing as mp
import shutil
import subprocess
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import numpy as np

from coalesce_games.solvers.equilibria import max_regret, solve, solve_one
from coalesce_games.solvers.restarts import restart_schedule as _lemke_schedule
from coalesce_games.solvers.exact import exact_extreme_equilibria
from coalesce_games.solvers.game import Game

QUICK = "--quick" in sys.argv
LRS = shutil.which("lrsnash")


def _key(pairs, digits: int = 6) -> set:
    return {(tuple(np.round(np.asarray(x, float), digits) + 0.0), tuple(np.round(np.asarray(y, float), digits) + 0.0))
            for x, y in pairs}


def _verified(game: Game, pairs) -> list:
    tol = 1e-9 * game.payoff_range()
    return [(x, y) for x, y in pairs if np.shape(x) == (game.shape[0],) and np.shape(y) == (game.shape[1],)
            and np.all(np.isfinite(x)) and np.all(np.isfinite(y)) and max_regret(game, x, y) <= tol]


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


def all_equilibria() -> None:
    import quantecon.game_theory as qgt

    print("## All equilibria of random n x n games (median time per game; verified found / exact)")
    sizes = [4, 8, 10] if QUICK else [4, 6, 8, 10, 12, 14]
    print("| n | games | ours | quantecon | nashpy support | nashpy vertex | lrsnash | ours / quantecon |")
    print("|---|---|---|---|---|---|---|---|")
    rng = np.random.default_rng(20261125)
    for n in sizes:
        games = 3 if n >= 12 else 5
        t_o, t_q, t_s, t_v, t_l = [], [], [], [], []
        f_o = f_q = f_s = f_v = total = 0
        s_ok = v_ok = True
        for _ in range(games):
            A = rng.integers(0, 10000, (n, n)).astype(float)
            B = rng.integers(0, 10000, (n, n)).astype(float)
            g = Game(A, B)
            t = time.perf_counter()
            ours = solve(g, method="vertex")
            t_o.append(time.perf_counter() - t)
            ours_set = _key(zip(ours.row_strategies, ours.col_strategies))
            G = qgt.NormalFormGame((qgt.Player(A), qgt.Player(B.T)))
            t = time.perf_counter()
            q = qgt.vertex_enumeration(G)
            t_q.append(time.perf_counter() - t)
            if LRS:
                t = time.perf_counter()
                exact = lrsnash(A, B)
                t_l.append(time.perf_counter() - t)
            else:
                exact = ours_set
            total += len(exact)
            f_o += len(ours_set & exact)
            assert ours_set == exact, f"ours differs from the exact set at n={n}"
            f_q += len(_key(_verified(g, q)) & exact)
            if n <= 8 and s_ok:
                el, res = nashpy_timed("support", A, B, 60)
                t_s.append(el)
                f_s += len(_key(_verified(g, res or [])) & exact)
                s_ok = el < 30
            if n <= 8 and v_ok:
                el, res = nashpy_timed("vertex", A, B, 60)
                t_v.append(el)
                f_v += len(_key(_verified(g, res or [])) & exact)
                v_ok = el < 30

        def cell(ts, f):
            return f"{np.median(ts) * 1e3:.1f} ms ({f}/{total})" if ts else "-"
        ratio = np.median(t_o) / np.median(t_q)
        print(f"| {n} | {games} | {cell(t_o, f_o)} | {cell(t_q, f_q)} | {cell(t_s, f_s)} | {cell(t_v, f_v)} | "
              f"{cell(t_l, total) if t_l else 'not installed'} | {ratio:.2f} |")
    print("(nashpy timings include a subprocess start, ~20-50 ms; nashpy runs only for n <= 8)")


def one_equilibrium() -> None:
    import quantecon.game_theory as qgt

    print("\n## One equilibrium (median time per game; verified / games)")
    sizes = [10, 50, 100] if QUICK else [10, 50, 100, 200]
    print("| n | ours solve_one (with table) | ours core (Lemke-Howson schedule) | quantecon lemke_howson (label 0) "
          "| nashpy lemke_howson (label 0, 10 s limit) | core / quantecon |")
    print("|---|---|---|---|---|---|")
    rng = np.random.default_rng(7)
    for n in sizes:
        games = 7
        t_o, t_c, t_q, t_n = [], [], [], []
        ok_o = ok_q = ok_n = 0
        for k in range(games):
            A = rng.integers(0, 10000, (n, n)).astype(float)
            B = rng.integers(0, 10000, (n, n)).astype(float)
            g = Game(A, B)
            t = time.perf_counter()
            r = solve_one(g)
            t_o.append(time.perf_counter() - t)
            ok_o += bool(r.max_regret[0] <= 1e-9 * g.payoff_range())
            t = time.perf_counter()
            _lemke_schedule(g)
            t_c.append(time.perf_counter() - t)
            G = qgt.NormalFormGame((qgt.Player(A), qgt.Player(B.T)))
            if k == 0:
                qgt.lemke_howson(G)  # numba compilation outside the timing
            t = time.perf_counter()
            x, y = qgt.lemke_howson(G, max_iter=10**6)
            t_q.append(time.perf_counter() - t)
            ok_q += len(_verified(g, [(x, y)]))
            if n <= 100 and k < 3:
                el, res = nashpy_timed("lemke", A, B, 10)
                t_n.append(el)
                ok_n += len(_verified(g, res or []))
        nash_cell = f"{np.median(t_n) * 1e3:.1f} ms ({ok_n}/{len(t_n)})" if t_n else "-"
        print(f"| {n} | {np.median(t_o) * 1e3:.2f} ms ({ok_o}/{games}) | {np.median(t_c) * 1e3:.2f} ms, "
              f"max {max(t_c) * 1e3:.0f} ms | {np.median(t_q) * 1e3:.2f} ms ({ok_q}/{games}), max {max(t_q) * 1e3:.0f} ms "
              f"| {nash_cell} | {np.median(t_c) / np.median(t_q):.2f} |")


def tied_games() -> None:
    import quantecon.game_theory as qgt

    print("\n## Tied games: 30 random 4 x 4 games with payoffs in {0, 1, 2}")
    rng = np.random.default_rng(30)
    total = ours_found = q_found = degenerate = 0
    for _ in range(30):
        A = rng.integers(0, 3, (4, 4)).astype(float)
        B = rng.integers(0, 3, (4, 4)).astype(float)
        g = Game(A, B)
        exact = lrsnash(A, B) if LRS else _key(exact_extreme_equilibria(A, B))
        ours = solve(g)
        degenerate += bool(ours.degenerate)
        ours_set = _key(zip(ours.row_strategies, ours.col_strategies))
        q = qgt.vertex_enumeration(qgt.NormalFormGame((qgt.Player(A), qgt.Player(B.T))))
        total += len(exact)
        ours_found += len(ours_set & exact)
        q_found += len(_key(_verified(g, q)) & exact)
        assert ours_set <= exact
    oracle = "lrsnash" if LRS else "our exact rational enumeration"
    print(f"extreme equilibria ({oracle}): {total}; ours found {ours_found}; quantecon found {q_found}; "
          f"degenerate games: {degenerate}/30")


if __name__ == "__main__":
    if "--one" not in sys.argv:
        all_equilibria()
    one_equilibrium()
    if "--one" not in sys.argv:
        tied_games()
