"""The model: who takes part and how a task is costed, matched, scored and decided.

Modules (each one concept of the model document, ``papers/model.md``):

- ``criteria``: the four criteria, their directions, and the payoff functions;
- ``providers``, ``tasks``: the participants and the work, as validated arrays;
- ``cost_terms``: every cost formula of Eq. 1-10 once, compiled, for one task or pair;
- ``costs``: Eq. 1-10 in both accountings over arrays of tasks and providers;
- ``skills``: the Eq. 11 hybrid skill score; ``skill_gate``: its closed form against spoofers;
- ``topsis``: TOPSIS scoring (Eq. 12-14);
- ``weights``: the TOPSIS weights, their task factors and the responsiveness update;
- ``rules``: the compiled decision rules (the published rule with Eq. 15, and ours);
- ``decisions``: a batch of decisions against a market; ``policies``: the policy objects;
- ``threats``: rogue providers and the outcome of a task.

The model imports only :mod:`coalesce_games.validation`, :mod:`coalesce_games.data`
and the solvers' checks.
"""
