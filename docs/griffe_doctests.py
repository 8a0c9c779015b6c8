"""A griffe extension for the API reference: doctest examples shown as code.

The package's docstrings teach with doctests (``>>>`` lines and their output). Markdown would
read them as text: a nested list such as ``[['3/5', '2/5']]`` in an output line is reference-link
syntax, and line breaks are lost. This extension wraps each doctest block (from a ``>>>`` line
to the next blank line) in a ```` ```pycon ```` fence, at the block's indentation, before the
docstring is parsed. Blocks already inside a fence are left alone.
"""

from __future__ import annotations

from typing import Any

import griffe


def fence_doctests(text: str) -> str:
    """``text`` with every doctest block fenced.

    >>> fence_doctests("Example:\\n\\n>>> 1 + 1\\n2\\n\\nMore.").splitlines()
    ['Example:', '', '```pycon', '>>> 1 + 1', '2', '```', '', 'More.']
    """
    out: list[str] = []
    in_fence, in_block, indent = False, False, ""
    for line in text.splitlines():
        stripped = line.strip()
        if in_block and not stripped:
            out.append(f"{indent}```")
            in_block = False
        if not in_block and stripped.startswith("```"):
            in_fence = not in_fence
        elif not in_fence and not in_block and stripped.startswith(">>>"):
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f"{indent}```pycon")
            in_block = True
        out.append(line)
    if in_block:
        out.append(f"{indent}```")
    return "\n".join(out)


class FenceDoctests(griffe.Extension):
    """Fence the doctests of every docstring the reference renders."""

    def on_object(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = fence_doctests(obj.docstring.value)
