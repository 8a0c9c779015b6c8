"""The explorer's analytic views: the closed forms and G1 at one point.

Two closed forms come from G4, the repeated game (``papers/model.md``,
section 5; :mod:`coalesce_games.games.repeated`)::

    v*     = g (1 - delta) / (delta d pi)      the least verification share that keeps a provider honest
    delta* = g / (g + v d pi)                  the least patience that does, at the chosen v

and two from G1's inspection core (:mod:`coalesce_games.games.inspection`),
the one-shot game in which verifying and fabricating make each other
indifferent. G1 is built at the point with price ``p = pi + g`` and the cost of
honest work ``c = g`` (what a fabricator saves), so its margin is ``pi`` and its
gain from fabricating is ``g``, as in G4; its other parameters keep
:class:`~coalesce_games.games.stage.StageParameters`' defaults.

Where a closed form has no answer (``pi = 0``, ``delta`` at 0 or 1, ``d = 0``,
...) its :class:`Quantity` carries no value and a message saying why.

By hand at pi = 10, g = 8, delta = 0.9, d = 0.9, v = 0.2:
v* = 8 x 0.1 / (0.9 x 0.9 x 10) = 0.0988; delta* = 8 / (8 + 0.2 x 0.9 x 10) = 0.8163;
G1: v*_G1 = c / (d p) = 8 / (0.9 x 18) = 0.4938.

>>> from coalesce_games.explorer.controls import ExplorerControls
>>> cf = closed_forms(ExplorerControls(verification=0.2, delta=0.9, margin=10, gain=8, detection=0.9))
>>> [round(cf[k].value, 4) for k in ("v_star", "delta_star", "v_star_g1")]
[0.0988, 0.8163, 0.4938]
>>> closed_forms(ExplorerControls(delta=1.0))["v_star"].message.split(":")[0]
'no answer at delta = 1'
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable

import numpy as np
import pandas as pd
import sympy

from coalesce_games.explorer.controls import ExplorerControls
from coalesce_games.games.inspection import inspection_equilibrium
from coalesce_games.games.repeated import minimal_delta, minimal_verification
from coalesce_games.games.stage import StageParameters, stage_game, symbolic_parameters
from coalesce_games.solvers.equilibria import solve
from coalesce_games.solvers.game import Game

__all__ = ["G4_FORMULAS", "Quantity", "StageView", "closed_forms", "g4_values", "stage_parameters", "stage_view"]

#: G4's closed forms as the explorer shows them (ASCII; sympy parses them in the tests)
G4_FORMULAS = {"v_star": "g*(1 - delta)/(delta*d*pi)", "delta_star": "g/(g + v*d*pi)"}


@dataclass(frozen=True)
class Quantity:
    """One closed form at a point: its formula, its value (None when it has no answer) and a note."""

    name: str
    formula: str
    value: float | None
    message: str = ""


def stage_parameters(c: ExplorerControls) -> StageParameters:
    """G1's parameters at a point: price ``pi + g``, cost ``g``, detection ``d``, the rest at their defaults.

    >>> p = stage_parameters(ExplorerControls(margin=10, gain=8, detection=0.5))
    >>> (p.price, p.cost, p.d_fab)
    (18.0, 8.0, 0.5)
    """
    return StageParameters(price=c.margin + c.gain, cost=c.gain, d_fab=c.detection)


def _v_star(c: ExplorerControls) -> Quantity:
    f, name = G4_FORMULAS["v_star"], "v*"
    if c.margin == 0:
        return Quantity(name, f, None, "no answer at pi = 0: an honest provider earns nothing, so a detection "
                                       "costs it nothing and no verification share deters a cheat")
    if c.delta == 1:
        return Quantity(name, f, None, "no answer at delta = 1: honesty and cheating are both worth an infinite "
                                       "sum (pi / (1 - delta)); the closed form needs 0 < delta < 1")
    if c.gain == 0:
        return Quantity(name, f, 0.0, "g = 0: cheating gains nothing, so honesty needs no checks")
    if c.delta == 0:
        return Quantity(name, f, None, "no answer at delta = 0: a provider that ignores the future cheats "
                                       "whatever the share verified (v* is infinite)")
    if c.detection == 0:
        return Quantity(name, f, None, "no answer at d = 0: checks never detect, so no verification share "
                                       "deters a cheat (v* is infinite)")
    value = float(minimal_verification(c.margin, c.gain, c.delta, c.detection))
    note = "above 1: no verification share suffices, the provider cheats" if value > 1 else ""
    return Quantity(name, f, value, note)


def _delta_star(c: ExplorerControls) -> Quantity:
    f, name = G4_FORMULAS["delta_star"], "delta*"
    if c.margin == 0:
        return Quantity(name, f, None, "no answer at pi = 0: an honest provider earns nothing, so no patience "
                                       "makes honesty pay")
    if c.gain == 0:
        return Quantity(name, f, 0.0, "g = 0: cheating gains nothing, so any patience keeps the provider honest")
    if c.verification * c.detection == 0:
        return Quantity(name, f, None, "no answer at v d = 0: a cheat is never caught, so no discount factor "
                                       "below 1 keeps the provider honest")
    value = float(minimal_delta(c.margin, c.gain, c.verification, c.detection))
    return Quantity(name, f, value)


@lru_cache(maxsize=1)
def _g1_closed_forms() -> dict[str, tuple[str, Callable[..., float]]]:
    """G1's inspection equilibrium: each closed form's text and a compiled function of G1's parameters."""
    sol = inspection_equilibrium()
    sym = symbolic_parameters()
    args = [getattr(sym, f) for f in StageParameters.__dataclass_fields__]
    return {key: (str(sol[key]), sympy.lambdify(args, sol[key], "math")) for key in ("verification", "fabrication")}


def _g1(c: ExplorerControls) -> tuple[Quantity, Quantity]:
    par = stage_parameters(c)
    values = [getattr(par, f) for f in StageParameters.__dataclass_fields__]
    forms = _g1_closed_forms()
    out = []
    for key, name in (("verification", "v*_G1"), ("fabrication", "phi*_G1")):
        text, fn = forms[key]
        if c.detection == 0:
            out.append(Quantity(name, text, None, "no answer at d = 0: a check never catches a fabrication, "
                                                  "so verifying cannot deter one"))
            continue
        if key == "verification" and par.price == 0:
            out.append(Quantity(name, text, None, "no answer at p = pi + g = 0: a provider paid nothing "
                                                  "loses nothing when caught"))
            continue
        value = float(fn(*values))
        note = ""
        if value > 1:
            note = ("above 1: the provider fabricates even against a client who always verifies" if key ==
                    "verification" else "above 1: verifying never pays the client")
        out.append(Quantity(name, text, value, note))
    return out[0], out[1]


def closed_forms(c: ExplorerControls) -> dict[str, Quantity]:
    """G4's ``v*`` and ``delta*`` and G1's inspection equilibrium at a point (module text).

    Keys: ``v_star``, ``delta_star``, ``v_star_g1``, ``phi_star_g1``.
    """
    if not isinstance(c, ExplorerControls):
        raise TypeError(f"c must be ExplorerControls; got {type(c).__name__}")
    v_g1, phi_g1 = _g1(c)
    return {"v_star": _v_star(c), "delta_star": _delta_star(c), "v_star_g1": v_g1, "phi_star_g1": phi_g1}


@dataclass(frozen=True)
class StageView:
    """G1 at a point: the game, its verified equilibria, and the provider's payoffs against the chosen ``v``."""

    game: Game
    equilibria: pd.DataFrame
    best_reply: pd.DataFrame
    degenerate: bool | None
    complete: bool


def _mix_text(labels: tuple[str, ...], strategy: np.ndarray) -> str:
    """A mixed strategy as its support with probabilities, e.g. ``Outsource 0.400, Verify 0.600``."""
    return ", ".join(f"{k} {p:.4g}" for k, p in zip(labels, strategy) if p > 1e-12)


@lru_cache(maxsize=256)
def _solved_stage(par: StageParameters) -> tuple[Game, pd.DataFrame, bool | None, bool]:
    """G1 and its verified, certified equilibria; cached, since moving v or delta leaves G1 unchanged."""
    game = stage_game(par)
    res = solve(game, exact=True)
    X, Y = res.row_strategies, res.col_strategies
    certified = [None] * len(res) if res.certified is None else [bool(x) for x in res.certified]
    equilibria = pd.DataFrame({
        "client": [_mix_text(game.row_labels, x) for x in X],
        "provider": [_mix_text(game.col_labels, y) for y in Y],
        "client payoff": np.einsum("ei,ij,ej->e", X, game.A, Y),
        "provider payoff": np.einsum("ei,ij,ej->e", X, game.B, Y),
        "max regret": np.asarray(res.max_regret, float),
        "certified": certified,
    })
    return game, equilibria, res.degenerate, res.complete


def stage_view(c: ExplorerControls) -> StageView:
    """G1 at a point, solved by :func:`coalesce_games.solvers.equilibria.solve` with exact certification.

    ``equilibria`` has one row per verified equilibrium (extreme points of
    each component); ``best_reply`` the provider's expected payoff of each
    strategy when the client outsources and verifies a share ``v`` (rows
    Outsource and Verify mixed ``1 - v : v``).

    >>> view = stage_view(ExplorerControls(verification=0.0, margin=10, gain=8))
    >>> view.best_reply.set_index("provider")["payoff"].to_dict()
    {'Honest': 10.0, 'Fabricate': 18.0, 'Leech': 15.0}
    """
    if not isinstance(c, ExplorerControls):
        raise TypeError(f"c must be ExplorerControls; got {type(c).__name__}")
    game, equilibria, degenerate, complete = _solved_stage(stage_parameters(c))
    mix = np.array([0.0, 1.0 - c.verification, c.verification])
    best_reply = pd.DataFrame({"provider": list(game.col_labels), "payoff": mix @ game.B})
    return StageView(game, equilibria.copy(), best_reply, degenerate, complete)


def g4_values(formula_key: str, **values: Any) -> float:
    """Evaluate one of :data:`G4_FORMULAS` with sympy (the tests' independent check of the shown formula).

    >>> round(g4_values("v_star", g=8, delta=0.9, d=0.9, pi=10), 4)
    0.0988
    """
    expr = sympy.sympify(G4_FORMULAS[formula_key], locals={k: sympy.Symbol(k) for k in ("pi", "delta", "d", "g", "v")})
    return float(expr.subs({sympy.Symbol(k): v for k, v in values.items()}))
