"""Normal-form games and their equilibria: the bottom layer, importing nothing else of the package.

- ``game``: the bimatrix :class:`Game` and Gambit ``.nfg`` input and output;
- ``vertex``: vertex enumeration (every extreme equilibrium, degenerate games included);
- ``lemke_howson``: Lemke-Howson with lexicographic pivoting;
- ``exact``: exact rational certificates;
- ``dominance``: iterated elimination of dominated strategies;
- ``equilibria``: ``solve`` and the equilibrium tools around it;
- ``commitment``: Stackelberg commitment by linear programming;
- ``learning``: replicator dynamics and fictitious play.
"""
