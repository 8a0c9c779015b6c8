"""coalesce_games: the game theory of LLM agents that outsource work to each other.

A toolkit to build outsourcing games from cost, reliability, latency and
security, solve them, simulate the TOPSIS market they live in, and reproduce or
challenge the findings of COALESCE (Bhatt et al., arXiv:2506.01900). The model
it implements is written out in ``papers/model.md``.

Subpackages, each importing only those above it in this list::

    solvers     the Game type and every equilibrium algorithm (imports nothing else)
    validation  input checks for the layers below (a module)
    data        the versioned data files and their loader
    model       criteria, providers, tasks, costs, skills, TOPSIS, weights, rules, threats
    market      configuration, draws, the compiled kernel, simulate, sweeps
    games       G1-G5 built from the model and the market
    findings    F1-F7, verdicts, figures, the report and reproduce
    cli         the ``coalesce-games`` command
    explorer    the interactive explorer (notebook widget and ``coalesce-games explore``)

Every public name is importable from here and loaded lazily (PEP 562), so
``import coalesce_games`` is cheap.

>>> import coalesce_games as cg
>>> cg.solve.__wrapped__.__module__       # each function checks its arguments' types (validation.boundary)
'coalesce_games.solvers.equilibria'
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

#: public name -> module (below ``coalesce_games``) that defines it
_EXPORTS: dict[str, str] = {
    # solvers
    "stackelberg": "solvers.commitment",
    "compare_backends": "solvers.compare",
    "iterated_elimination": "solvers.dominance",
    "exact_enumeration": "solvers.enumeration",
    "vertex_enumeration": "solvers.enumeration",
    "certify": "solvers.equilibria",
    "is_equilibrium": "solvers.equilibria",
    "max_regret": "solvers.equilibria",
    "solve": "solvers.equilibria",
    "solve_many": "solvers.equilibria",
    "solve_one": "solvers.equilibria",
    "nashpy_lemke_howson": "solvers.nashpy_methods",
    "nashpy_support": "solvers.nashpy_methods",
    "nashpy_vertex": "solvers.nashpy_methods",
    "lemke_howson_restarts": "solvers.restarts",
    "EquilibriumResult": "solvers.result",
    "select": "solvers.selection",
    "zero_sum_lp": "solvers.zero_sum",
    "RoleGame": "solvers.evolution",
    "alpha_rank": "solvers.evolution",
    "count_profiles": "solvers.evolution",
    "deviation_payoffs": "solvers.evolution",
    "fixation_distribution": "solvers.evolution",
    "fixation_probability": "solvers.evolution",
    "profile_regret": "solvers.evolution",
    "role_replicator": "solvers.evolution",
    "stationary_distribution": "solvers.evolution",
    "Game": "solvers.game",
    "NFGError": "solvers.nfg",
    "fictitious_play": "solvers.learning",
    "provider_replicator": "solvers.learning",
    "replicator": "solvers.learning",
    # model
    "external_cost": "model.costs",
    "internal_cost": "model.costs",
    "client_payoff": "model.criteria",
    "local_payoff": "model.criteria",
    "provider_payoff": "model.criteria",
    "CoalescePolicy": "model.policies",
    "PaperPolicy": "model.policies",
    "make_policy": "model.policies",
    "Provider": "model.providers",
    "Providers": "model.providers",
    "admission_curves": "model.skill_gate",
    "spoofer_score": "model.skill_gate",
    "SkillMatcher": "model.skills",
    "Task": "model.tasks",
    "Tasks": "model.tasks",
    "ThreatModel": "model.threats",
    "topsis": "model.topsis",
    # market
    "MarketConfig": "market.config",
    "load_scenario": "market.config",
    "Result": "market.simulation",
    "simulate": "market.simulation",
    "simulate_many": "market.simulation",
    "sweep": "market.sweep",
    # games
    "CompetitionMarket": "games.competition",
    "CompetitionParameters": "games.competition",
    "competition_game": "games.competition",
    "equilibrium_security": "games.competition",
    "market_shares": "games.competition",
    "trace_security": "games.competition",
    "compare_with_simulator": "games.dynamics",
    "indifference_verification": "games.dynamics",
    "simulator_frequencies": "games.dynamics",
    "inspection_equilibrium": "games.inspection",
    "inspection_equilibrium_numeric": "games.inspection",
    "bootstrap_equilibria": "games.metagame",
    "bootstrap_games": "games.metagame",
    "bootstrap_regret": "games.metagame",
    "client_regret": "games.metagame",
    "empirical_metagame": "games.metagame",
    "equilibrium_stability": "games.metagame",
    "metagame_from_samples": "games.metagame",
    "metagame_samples": "games.metagame",
    "CLIENT_STRATEGIES": "games.population",
    "HeuristicPayoffTable": "games.population",
    "PROVIDER_STRATEGIES": "games.population",
    "PopulationSettings": "games.population",
    "market_alpha_rank": "games.population",
    "payoff_table": "games.population",
    "role_equilibria": "games.population",
    "honesty_sustainable": "games.repeated",
    "market_detection_check": "games.repeated",
    "minimal_delta": "games.repeated",
    "minimal_verification": "games.repeated",
    "minimal_verification_withheld": "games.repeated",
    "simulated_honesty_value": "games.repeated",
    "simulated_minimal_verification": "games.repeated",
    "StageParameters": "games.stage",
    "stage_game": "games.stage",
    # findings
    "FINDINGS": "findings.catalogue",
    "Finding": "findings.common",
    "reproduce": "findings.reproduce",
    # explorer
    "closed_forms": "explorer.analytic",
    "stage_view": "explorer.analytic",
    "ExplorerControls": "explorer.controls",
    "market_view": "explorer.simulated",
    "rogue_curve": "explorer.simulated",
}

__all__ = sorted(_EXPORTS) + ["__version__"]


_CHECKED: dict[str, Any] = {}   # public functions wrapped by validation.boundary (outside globals: no doctest twins)


def __getattr__(name: str) -> Any:
    if name in _CHECKED:
        return _CHECKED[name]
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'coalesce_games' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"coalesce_games.{module}"), name)
    checked = importlib.import_module("coalesce_games.validation").boundary(value, name)  # arguments checked by type
    if checked is not value:
        return _CHECKED.setdefault(name, checked)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
