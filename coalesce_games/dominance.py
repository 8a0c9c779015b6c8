"""Iterated elimination of strictly dominated strategies, with an audit trail.

A pure strategy is *strictly dominated* when another pure strategy, or a mixture
of the player's other strategies, pays strictly more against every remaining
strategy of the opponent. A strictly dominated strategy is never played in any
Nash equilibrium, and removing it does not change the equilibrium set, so the
solver may shrink a game first (MODEL.md section 6: "strictly dominated
strategies are removed first"). Weak dominance is *not* used: it can remove
equilibria.

Pure dominance is one vectorised comparison per round. Mixed dominance of row
``i`` is the linear program (scipy HiGHS)::

    max eps  s.t.  sum_k s_k A[k, j] >= A[i, j] + eps  for all remaining j,
                   sum_k s_k = 1, s >= 0, s_i = 0

and ``i`` is dominated when the optimum ``eps`` exceeds ``tol`` times the
payoff range (a margin, so numerical ties are never taken for dominance).

>>> from coalesce_games.bimatrix import Game
>>> pd_game = Game([[3, 0], [5, 1]], [[3, 5], [0, 1]], ["C", "D"], ["C", "D"])
>>> reduced, audit = iterated_elimination(pd_game)
>>> reduced.row_labels, reduced.col_labels
(('D',), ('D',))
>>> audit[["round", "player", "strategy", "dominated_by"]].to_dict("records")[0]
{'round': 1, 'player': 'row', 'strategy': 'C', 'dominated_by': 'D'}
"""

from __future__ import annotations

from coalesce_games._elimination import AUDIT_COLUMNS, dominated_rows, iterated_elimination

__all__ = ["iterated_elimination", "dominated_rows", "AUDIT_COLUMNS"]
