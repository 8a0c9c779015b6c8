"""A griffe extension for the API reference: each docstring parsed in its own style, doctests as code.

The package's docstrings are of two kinds: prose with doctests, and numpy-style docstrings with
``Parameters`` / ``Returns`` / ``Attributes`` sections (a title underlined with dashes), often
followed by more prose and doctests. One parser for all misreads one kind or the other, so:

- a docstring with a numpy section is parsed as numpy, the others as Google-style prose;
- in a numpy docstring, a paragraph or a doctest that follows a section after a blank line (and
  so would be read as more parameters) gets a ``Notes`` or ``Examples`` title of its own;
- every doctest block (from a ``>>>`` line to the next blank line) is wrapped in a
  ```` ```pycon ```` fence, so that Markdown shows it as code: an output line such as
  ``[['3/5', '2/5']]`` would otherwise be read as reference-link syntax.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

SECTION = re.compile(r"^(Parameters|Returns|Yields|Raises|Attributes|Other Parameters|Examples|Notes|"
                     r"References|See Also|Warns|Warnings|Methods)\s*$")
UNDERLINE = re.compile(r"^-{3,}\s*$")
ITEM_SECTIONS = {"Parameters", "Returns", "Yields", "Raises", "Attributes", "Other Parameters", "Warns", "Methods"}


def is_numpy(text: str) -> bool:
    """Whether ``text`` has a numpy-style section (a known title underlined with dashes).

    >>> is_numpy("Sum.\\n\\nParameters\\n----------\\nx : int\\n    A number."), is_numpy("Sum of x.")
    (True, False)
    """
    lines = [line.strip() for line in text.splitlines()]
    return any(SECTION.match(a) and UNDERLINE.match(b) for a, b in zip(lines, lines[1:]))


def close_item_sections(text: str) -> str:
    """Give prose and doctests that follow an item section (after a blank line) their own section.

    An unindented line after a blank line inside ``Parameters``-like sections is an item when
    the next line is indented (its description); otherwise it starts prose (``Notes``) or a
    doctest (``Examples``).

    >>> close_item_sections("Parameters\\n----------\\nx : int\\n    A number.\\n\\nMore text\\nhere.").splitlines()[5:]
    ['Notes', '-----', 'More text', 'here.']
    """
    lines, out, section = text.splitlines(), [], None
    for k, line in enumerate(lines):
        following = lines[k + 1] if k + 1 < len(lines) else ""
        if SECTION.match(line.strip()) and UNDERLINE.match(following.strip()):
            section = line.strip()
        elif (section in ITEM_SECTIONS and k > 0 and not lines[k - 1].strip() and line.strip()
              and not line[:1].isspace() and not following[:1].isspace()):
            title = "Examples" if line.lstrip().startswith(">>>") else "Notes"
            out += [title, "-" * len(title)]
            section = title
        out.append(line)
    return "\n".join(out)


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
    """Choose each docstring's parser, close its item sections and fence its doctests."""

    def on_object(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        docstring = obj.docstring
        if docstring is None:
            return
        text = docstring.value
        if is_numpy(text):
            docstring.parser = griffe.Parser.numpy
            text = close_item_sections(text)
        else:
            docstring.parser = griffe.Parser.google
        docstring.value = fence_doctests(text)
