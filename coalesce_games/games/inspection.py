"""G1's inspection core in closed form (sympy).

Restrict G1 to the client's {Outsource, Verify} and the provider's {Honest,
Fabricate}. In the mixed equilibrium each side makes the other indifferent (the
classic inspection game)::

    verification rate   v* = c / (d p)
    fabrication rate    phi* = c_v / (d (V - C + p + H))

The derivation builds the payoffs from the same
:func:`~coalesce_games.games.stage.stage_payoffs` the numeric game uses and
solves the two indifference conditions.

>>> sol = inspection_equilibrium()
>>> sol["verification"]
c/(d*p)
"""

from __future__ import annotations

import sympy

from coalesce_games.games.stage import StageParameters, stage_payoffs, symbolic_parameters

__all__ = ['inspection_equilibrium', 'inspection_equilibrium_numeric']


def inspection_equilibrium() -> dict[str, sympy.Expr]:
    """Mixed equilibrium of G1's inspection core, in closed form.

    Returns the client's verification probability and the provider's
    fabrication probability as sympy expressions of G1's symbols.
    """
    par = symbolic_parameters()
    A, B = stage_payoffs(par)
    v, phi = sympy.symbols("v phi", nonnegative=True)
    # rows 1 (Outsource) and 2 (Verify); columns 0 (Honest) and 1 (Fabricate)
    client_gap = (1 - phi) * (A[2][0] - A[1][0]) + phi * (A[2][1] - A[1][1])
    provider_gap = (1 - v) * (B[1][0] - B[1][1]) + v * (B[2][0] - B[2][1])
    phi_star = sympy.simplify(sympy.solve(sympy.Eq(client_gap, 0), phi)[0])
    v_star = sympy.simplify(sympy.solve(sympy.Eq(provider_gap, 0), v)[0])
    return {"verification": v_star, "fabrication": phi_star,
            "client_indifference": client_gap, "provider_indifference": provider_gap}


def inspection_equilibrium_numeric(par: StageParameters) -> dict[str, float]:
    """The closed forms evaluated at numeric parameters."""
    sol = inspection_equilibrium()
    sym = symbolic_parameters()
    subs = {getattr(sym, f): getattr(par, f) for f in StageParameters.__dataclass_fields__}
    return {k: float(sol[k].subs(subs)) for k in ("verification", "fabrication")}
