"""The findings F1-F8 by key.

>>> sorted(FINDINGS)
['F1', 'F2', 'F3', 'F4', 'F5', 'F6', 'F7', 'F8']
"""

from __future__ import annotations

from collections.abc import Callable

from coalesce_games.findings.common import Finding
from coalesce_games.findings.f1_published_table import f1_published_table
from coalesce_games.findings.f2_exploration import f2_exploration
from coalesce_games.findings.f3_skill_threshold import f3_skill_threshold
from coalesce_games.findings.f4_cost_security import f4_cost_security
from coalesce_games.findings.f5_devolution import f5_devolution
from coalesce_games.findings.f6_beta_epsilon import f6_beta_epsilon
from coalesce_games.findings.f7_equilibrium_vs_simulation import f7_equilibrium_vs_simulation
from coalesce_games.findings.f8_population import f8_population
from coalesce_games.games import repeated as repeated

__all__ = ['FINDINGS']


FINDINGS: dict[str, Callable[..., Finding]] = {
    "F1": f1_published_table, "F2": f2_exploration, "F3": f3_skill_threshold, "F4": f4_cost_security,
    "F5": f5_devolution, "F6": f6_beta_epsilon, "F7": f7_equilibrium_vs_simulation, "F8": f8_population,
}
