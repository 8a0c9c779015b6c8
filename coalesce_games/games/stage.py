"""G1, the stage game of one client and one provider (``papers/model.md``, section 6).

The client runs the task locally, outsources it, or outsources and verifies;
the provider works honestly, fabricates the result, or leeches the prompt (and
spoofs when it lacks the skill). Every payoff comes from
:func:`coalesce_games.model.criteria.client_payoff` and
:func:`~coalesce_games.model.criteria.provider_payoff`, so the parameters may
be numbers (a numeric :class:`~coalesce_games.solvers.game.Game`) or sympy
symbols (for :mod:`coalesce_games.games.inspection`).

>>> g = stage_game(StageParameters())
>>> g.row_labels, g.col_labels
(('Local', 'Outsource', 'Verify'), ('Honest', 'Fabricate', 'Leech'))
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import sympy

from coalesce_games.model.criteria import client_payoff, local_payoff, provider_payoff
from coalesce_games.solvers.game import Game
from coalesce_games.validation import check_nonnegative, check_probability

__all__ = ['StageParameters', 'stage_game', 'stage_payoffs', 'symbolic_parameters']


@dataclass(frozen=True)
class StageParameters:
    """Parameters of G1 (USD and probabilities; numbers or sympy symbols).

    value V, price p, provider's cost of honest work c, reliability r,
    security s, client's internal cost C_int, loss when a prompt or data
    leaks L (sensitivity x leak value), harm of an undetected fabrication H
    (value x impact, paper Eq. 9), verification cost c_v (paper: 2.50/3.80),
    detection probabilities d_fab and d_leak, leak probability q and the
    leecher's gain per leak g, a spoofer's competence kappa.
    """

    value: Any = 200.0
    price: Any = 20.0
    cost: Any = 8.0
    reliability: Any = 0.95
    security: Any = 0.97
    internal: Any = 60.0
    leak_loss: Any = 100.0
    harm: Any = 200.0
    verification_cost: Any = 2.5
    d_fab: Any = 0.9
    d_leak: Any = 0.5
    q_leak: Any = 0.5
    leak_gain: Any = 10.0
    competence: Any = 0.2

    def __post_init__(self) -> None:
        for f in fields(self):
            v = getattr(self, f.name)
            if isinstance(v, sympy.Basic):
                continue
            if f.name in ("reliability", "security", "d_fab", "d_leak", "q_leak", "competence"):
                check_probability(f.name, v)
            else:
                check_nonnegative(f.name, v)


def symbolic_parameters() -> StageParameters:
    """G1's parameters as positive sympy symbols (V, p, c, r, s, C, L, H, c_v, d, d_l, q, g, k)."""
    names = ["V", "p", "c", "r", "s", "C", "L", "H", "c_v", "d", "d_l", "q", "g", "kappa"]
    syms = sympy.symbols(" ".join(names), positive=True)
    return StageParameters(*syms)


def stage_payoffs(par: StageParameters, spoof: bool = False) -> tuple[list[list[Any]], list[list[Any]]]:
    """G1's payoff matrices (client A, provider B) as nested lists.

    Rows: Local, Outsource, Verify. Columns: Honest, Fabricate, Leech (and
    Spoof). A detected fabrication or leak withholds payment; a detected or
    visible failure is redone locally at the internal cost.
    """
    V, p, c, r, s = par.value, par.price, par.cost, par.reliability, par.security
    C, L, H, cv = par.internal, par.leak_loss, par.harm, par.verification_cost
    d, dl, q, g, k = par.d_fab, par.d_leak, par.q_leak, par.leak_gain, par.competence
    local = local_payoff(V, C)
    # client, outsourcing without verification
    honest = client_payoff(V, p, r, s, security_loss=L, failure_cost=C)
    fabricated = client_payoff(V, p, 0, 1, failure_cost=H)              # pays, value lost, harm H
    leeched = client_payoff(V, p, r, 1 - q, security_loss=L, failure_cost=C)
    spoofed = client_payoff(V, p, k, s, security_loss=L, failure_cost=C)
    # client, outsourcing with verification
    honest_v = honest - cv
    fabricated_v = d * local_payoff(V, C) + (1 - d) * fabricated - cv
    leeched_v = leeched + q * dl * p - cv                               # a caught leak is not paid
    spoofed_v = spoofed - cv
    A = [[local, local, local], [honest, fabricated, leeched], [honest_v, fabricated_v, leeched_v]]
    B = [[0, 0, 0],
         [provider_payoff(p, c), provider_payoff(p, 0), provider_payoff(p, c) + q * g],
         [provider_payoff(p, c), provider_payoff(p, 0, paid_probability=1 - d),
          provider_payoff(p, c, paid_probability=1 - q * dl) + q * g]]
    if spoof:
        for row, (a_val, b_val) in zip(range(3), [(local, 0), (spoofed, provider_payoff(p, 0)),
                                                  (spoofed_v, provider_payoff(p, 0))]):
            A[row].append(a_val)
            B[row].append(b_val)
    return A, B


def stage_game(par: StageParameters, spoof: bool = False) -> Game:
    """G1 as a numeric :class:`Game` (parameters must be numbers)."""
    A, B = stage_payoffs(par, spoof)
    try:
        a = np.array(A, dtype=float)
        b = np.array(B, dtype=float)
    except TypeError as exc:
        raise TypeError("stage_game needs numeric parameters; use stage_payoffs for symbols") from exc
    cols = ["Honest", "Fabricate", "Leech"] + (["Spoof"] if spoof else [])
    return Game(a, b, ["Local", "Outsource", "Verify"], cols, note="G1 outsourcing stage game")
