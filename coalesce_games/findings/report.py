"""The reproduction report: ``report.md`` and a self-contained ``report.html`` from the same blocks.

A report is a list of blocks (heading, paragraph, table, figure) rendered twice:
to Markdown (figures linked) and to HTML (figures embedded as base64, so the
one file can be mailed or archived). Numbers are rounded by one rule
(:func:`fmt`); tables wider than :data:`MAX_COLUMNS` columns or longer than
:data:`MAX_ROWS` rows are linked as CSV, with the columns a finding chose to
show (``Finding.shown``) printed.

>>> fmt(0.22920681727588355), fmt(41.6349), fmt(1234.5), fmt(float("nan")), fmt(3)
('0.229', '41.6', '1,234', '-', '3')
"""

from __future__ import annotations

import base64
import html
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from coalesce_games.findings.verdicts import Claim

__all__ = ['MAX_COLUMNS', 'MAX_ROWS', 'fmt', 'format_table', 'markdown_table', 'render_report']

#: tables wider or longer than this go to their CSV file only (plus any columns the finding shows)
MAX_COLUMNS, MAX_ROWS = 10, 24


def fmt(v: Any) -> str:
    """One rounding rule for every number in the report: three significant digits, thousands grouped."""
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, float, np.integer, np.floating)):
        return str(v)
    if isinstance(v, (int, np.integer)):
        return f"{int(v):,}"
    x = float(v)
    if not math.isfinite(x):
        return "-"
    if x == 0 or abs(x) >= 1000:
        return f"{x:,.0f}"
    if abs(x) >= 1:
        return f"{x:.{max(0, 2 - int(math.floor(math.log10(abs(x)))))}f}"
    return f"{x:.3g}"


def format_table(table: pd.DataFrame) -> pd.DataFrame:
    """The table as the report prints it: every cell a string, numbers through :func:`fmt`."""
    return pd.DataFrame({c: [fmt(v) for v in table[c]] for c in table.columns})


def markdown_table(table: pd.DataFrame) -> str:
    """A pipe table of :func:`format_table`'s strings (no extra dependency).

    >>> print(markdown_table(pd.DataFrame({"a": [1.23456], "b": ["x"]})))
    | a | b |
    |---|---|
    | 1.23 | x |
    """
    cells = format_table(table)
    head = "| " + " | ".join(map(str, cells.columns)) + " |"
    rule = "|" + "---|" * len(cells.columns)
    body = ["| " + " | ".join(v.replace("|", "/") for v in row) + " |" for row in cells.itertuples(index=False)]
    return "\n".join([head, rule, *body])


def _html_text(text: str) -> str:
    """Escape, then the two Markdown forms the report uses: **bold** and [text](link)."""
    out = html.escape(text, quote=False)
    out = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", out)
    out = re.sub(r"`(.+?)`", r"<code>\1</code>", out)
    return re.sub(r"\[([^\]]+)\]\(([^)\s]+)\)", r'<a href="\2">\1</a>', out)


def _html_table(table: pd.DataFrame) -> str:
    cells = format_table(table)
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in cells.columns)
    rows = "".join("<tr>" + "".join(f"<td>{_html_text(v)}</td>" for v in row) + "</tr>"
                   for row in cells.itertuples(index=False))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


_CSS = ("body{font-family:sans-serif;max-width:70em;margin:auto;padding:1em;line-height:1.4}"
        "table{border-collapse:collapse;font-size:0.85em;margin:0.5em 0}td,th{border:1px solid #ccc;"
        "padding:2px 6px;vertical-align:top}th{background:#f0f0f0}img{max-width:100%}"
        ".warn{background:#fff3cd;padding:0.5em;border-left:4px solid #E69F00}")


def _render(blocks: list[tuple], out_dir: Path) -> tuple[str, str]:
    """(Markdown, HTML) of the blocks."""
    md, hx = [], []
    for kind, *args in blocks:
        if kind in ("h1", "h2", "h3"):
            md.append("#" * int(kind[1]) + " " + args[0])
            hx.append(f"<{kind} id='{re.sub(r'[^a-z0-9]+', '-', args[0].lower())}'>{_html_text(args[0])}</{kind}>")
        elif kind in ("p", "warn"):
            md.append(f"> {args[0]}" if kind == "warn" else args[0])
            hx.append(f"<p class='{kind}'>{_html_text(args[0])}</p>")
        elif kind == "table":
            md.append(markdown_table(args[0]))
            hx.append(_html_table(args[0]))
        elif kind == "figure":
            name, alt = args
            md.append(f"![{alt}]({name}.png)")
            data = base64.b64encode((out_dir / f"{name}.png").read_bytes()).decode()
            hx.append(f"<figure><img alt='{html.escape(alt)}' src='data:image/png;base64,{data}'>"
                      f"<figcaption>{html.escape(alt)} (<a href='{name}.svg'>SVG</a>)</figcaption></figure>")
        else:
            raise ValueError(f"unknown block kind {kind!r}")
    page = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>COALESCE reproduction report</title>"
            f"<style>{_CSS}</style></head><body>" + "\n".join(hx) + "</body></html>\n")
    return "\n\n".join(md) + "\n", page


def _summary_row(c: Claim) -> dict[str, str]:
    ours = c.simulated if c.simulated not in ("", "-") else c.analytic
    return {"finding": c.finding, "claim": c.claim, "source": c.source or "-", "paper": c.paper,
            "ours": c.short or ours, "verdict": f"**{c.verdict}**"}


def _finding_blocks(finding: Any, out_dir: Path) -> list[tuple]:
    """One finding's section: note, figure, its claims with their rules, its tables (wide ones linked)."""
    blocks: list[tuple] = [("h2", f"{finding.key}: {finding.title}")]
    if finding.note:
        blocks.append(("p", finding.note))
    if (out_dir / f"{finding.key}.png").exists():
        blocks.append(("figure", finding.key, f"{finding.key}: {finding.title}"))
    claims = pd.DataFrame([{"claim": c.claim, "analytic": c.analytic, "ours": c.simulated,
                            "verdict": f"**{c.verdict}**", "rule": c.rule} for c in finding.claims])
    blocks += [("h3", "Claims and rules"), ("table", claims)]
    for name, table in finding.tables.items():
        link = f"[{name}.csv]({name}.csv)"
        wide = table.shape[1] > MAX_COLUMNS or len(table) > MAX_ROWS
        blocks.append(("h3", name))
        if not wide:
            blocks += [("table", table), ("p", f"As CSV: {link}.")]
            continue
        shown = [c for c in finding.shown.get(name, []) if c in table.columns]
        blocks.append(("p", f"{len(table)} rows x {table.shape[1]} columns: {link}" +
                       (f"; the columns {', '.join(shown)} below." if shown else ".")))
        if shown:
            blocks.append(("table", table[shown]))
    return blocks


def render_report(findings: list[Any], stamp: dict[str, str], out_dir: Path, quick: bool) -> str:
    """Write ``report.md`` and ``report.html`` in ``out_dir``: stamp, summary, then one section per finding.

    ``findings``: the :class:`~coalesce_games.findings.common.Finding` objects of
    this run (figures already saved as ``<key>.png`` in ``out_dir``);
    ``stamp``: what identifies the run (see :func:`~coalesce_games.findings.reproduce.run_stamp`).
    Returns the Markdown text.
    """
    out_dir = Path(out_dir)
    blocks: list[tuple] = [("h1", "COALESCE reproduction report")]
    if quick:
        blocks.append(("warn", "**Quick run: every verdict is preliminary.** Two or three seeds a setting and "
                               "shorter markets; verdicts on fewer than 3 runs read \"not assessed\". Run "
                               "`coalesce-games reproduce` without `--quick` for verdicts to cite."))
    blocks += [("table", pd.DataFrame({"": list(stamp), "value": list(stamp.values())})),
               ("p", "Every number below comes from this run's tables (CSV files beside this report), rounded "
                     "to three significant digits; `summary.csv` holds the claims unrounded.")]
    claims = [c for f in findings for c in f.claims]
    blocks += [("h2", "Summary"), ("table", pd.DataFrame([_summary_row(c) for c in claims]))]
    blocks.append(("p", "Verdicts: *reproduced* (an equivalence test or the stated rule passes), *not reproduced*, "
                        "*inconclusive* (neither equivalence nor a difference shown), *not assessed* (fewer than 3 "
                        "runs), *measured* / *computed* (no claim to test). Each rule is in its finding's section."))
    for finding in findings:
        blocks += _finding_blocks(finding, out_dir)
    text, page = _render(blocks, out_dir)
    (out_dir / "report.md").write_text(text)
    (out_dir / "report.html").write_text(page)
    return text
