"""The findings F1-F8: evidence, verdicts, figures, the report and ``reproduce``.

One module per finding (``f1_published_table`` ... ``f8_population``),
``catalogue`` listing them, ``verdicts`` with the rules that judge a claim,
``report`` and ``figures`` for the output, and ``reproduce`` running them all.
"""
