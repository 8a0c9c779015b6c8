"""Normal-form games and their equilibria: the bottom layer, importing nothing else of the package.

- ``game``: the bimatrix :class:`Game`, its conversions (pandas, nashpy, pygambit, quantecon) and text form;
- ``nfg``: Gambit ``.nfg`` writing and bounded parsing;
- ``verify``: regret, the equilibrium test and the tolerances;
- ``vertex``: vertex enumeration (every extreme equilibrium, degenerate games included);
- ``lemke_howson``: Lemke-Howson with lexicographic pivoting;
- ``exact``: exact rational certificates and enumeration;
- ``enumeration``, ``restarts``, ``zero_sum``, ``nashpy_methods``: one public function per algorithm;
- ``assemble``, ``components``, ``result``: verification, Nash subsets, the typed ``EquilibriumResult``;
- ``equilibria``: ``solve`` (the dispatcher), ``solve_one``, ``solve_many``, ``certify``;
- ``selection``: choosing one equilibrium; ``compare``: the same game under several backends;
- ``dominance``: iterated elimination of dominated strategies;
- ``commitment``: Stackelberg commitment by linear programming;
- ``learning``: replicator dynamics and fictitious play.
"""
