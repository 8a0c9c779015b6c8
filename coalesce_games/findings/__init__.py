"""The findings F1-F7: evidence, verdicts, figures, the report and ``reproduce``.

One module per finding (``f1_published_table`` ... ``f7_equilibrium_vs_simulation``),
``catalogue`` listing them, ``verdicts`` with the rules that judge a claim,
``report`` and ``figures`` for the output, and ``reproduce`` running them all.
"""
