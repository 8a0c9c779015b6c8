"""coalesce_games: the game theory of LLM agents that outsource work to each other.

A toolkit to build outsourcing games from cost, reliability, latency and
security, solve them, simulate the TOPSIS market they live in, and reproduce or
challenge the findings of COALESCE (Bhatt et al., arXiv:2506.01900).

Data flows one way (each layer imports only the layers before it)::

    _validate, data, bimatrix                 (foundations)
    criteria, costs, skills, topsis           (the four criteria, selection)
    policies, threats                         (decision rules, rogue providers)
    market                                    (the simulated market)
    equilibria, dominance                     (the solver; needs only bimatrix)
    games, competition, repeated, commitment, analytic, dynamics   (the games G1-G5)
    sweep, findings, figures, report, reproduce   (experiments and output)
    cli                                       (the command)

Public names are loaded lazily (PEP 562), so ``import coalesce_games`` is cheap
and ``coalesce_games.topsis`` imports only what TOPSIS needs.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

#: public name -> module that defines it
_EXPORTS: dict[str, str] = {
    # foundations
    "Game": "bimatrix",
    "NFGError": "bimatrix",
    # the four criteria and selection
    "Provider": "criteria",
    "Providers": "criteria",
    "Task": "criteria",
    "Tasks": "criteria",
    "client_payoff": "criteria",
    "provider_payoff": "criteria",
    "local_payoff": "criteria",
    "internal_cost": "costs",
    "external_cost": "costs",
    "SkillMatcher": "skills",
    "topsis": "topsis",
    "PaperPolicy": "policies",
    "CoalescePolicy": "policies",
    "make_policy": "policies",
    "ThreatModel": "threats",
    # market
    "simulate": "market",
    "simulate_many": "market",
    "MarketConfig": "market",
    "load_scenario": "market",
    # solver
    "solve": "equilibria",
    "solve_one": "equilibria",
    "max_regret": "equilibria",
    "is_equilibrium": "equilibria",
    "certify": "equilibria",
    "iterated_elimination": "dominance",
    # games
    "StageParameters": "games",
    "stage_game": "games",
    "empirical_metagame": "games",
    "metagame_samples": "games",
    "metagame_from_samples": "games",
    "client_regret": "games",
    "bootstrap_games": "games",
    "bootstrap_equilibria": "games",
    "bootstrap_regret": "games",
    "equilibrium_stability": "games",
    "CompetitionParameters": "competition",
    "CompetitionMarket": "competition",
    "competition_game": "competition",
    "equilibrium_security": "competition",
    "trace_security": "competition",
    "market_shares": "competition",
    "stackelberg": "commitment",
    "replicator": "dynamics",
    "fictitious_play": "dynamics",
    "provider_replicator": "dynamics",
    "indifference_verification": "dynamics",
    "simulator_frequencies": "dynamics",
    "compare_with_simulator": "dynamics",
    "minimal_verification": "repeated",
    "minimal_verification_withheld": "repeated",
    "simulated_honesty_value": "repeated",
    "simulated_minimal_verification": "repeated",
    "market_detection_check": "repeated",
    # experiments
    "sweep": "sweep",
    "reproduce": "reproduce",
}

__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'coalesce_games' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"coalesce_games.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
