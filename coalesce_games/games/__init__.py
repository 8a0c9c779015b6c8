"""The outsourcing games G1-G5, built from the model and the market.

- ``stage``: G1, the stage game of one client and one provider;
- ``inspection``: G1's closed-form inspection equilibrium (sympy);
- ``competition``: G2, two providers competing on price and security;
- ``metagame``: G3, the empirical game between market settings, from simulations;
- ``repeated``: G4, the repeated game and the verification budget v*;
- ``dynamics``: learning dynamics on G1 set beside the simulator;
- ``intervals``: the intervals used to compare with simulation.
"""
