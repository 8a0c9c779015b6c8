"""The CSV checkpoint of a sweep: one header derived from the design, the design's hash in every row.

A checkpoint holds one row per finished run. Its columns come in one order,
fixed before the first run: ``run_key``, ``spec`` (the design's hash), the
configuration columns ``cfg_<field>`` of every field the design sets (sorted),
``replicate``, ``seed``, ``version``, then the runner's result columns in the
order of the first result. Every row is written under that header, whatever
the key order of its design point, so no column is ever swapped.

Resuming reads the file before changing anything: a file whose header or
``spec`` is not this design's, or that does not parse, is refused and left
untouched; only a last line torn by a kill (no final newline) is cut.

>>> design = [{"epsilon": 0.1, "beta": 0.7}, {"beta": 0.5, "epsilon": 0.0}]
>>> Layout.of(design).fixed
['run_key', 'spec', 'cfg_beta', 'cfg_epsilon', 'replicate', 'seed', 'version']
>>> spec_hash(design) == spec_hash([dict(reversed(list(p.items()))) for p in design])
True
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ['Layout', 'canonical', 'read_table', 'spec_hash']


def canonical(config: dict[str, Any]) -> str:
    """A design point as JSON with sorted keys (tuples as lists): the same text for any key order."""
    return json.dumps(config, sort_keys=True, default=list)


def spec_hash(design: list[dict[str, Any]]) -> str:
    """16 hex digits of the SHA-256 of the design's points (in design order, each in canonical form).

    The number of replicates is not part of it, so a resumed sweep may ask for
    more replicates of the same design.
    """
    text = json.dumps([canonical(point) for point in design])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass
class Layout:
    """The checkpoint's columns: ``fixed`` (known before any run) then ``results`` (from the first result)."""

    spec: str
    fixed: list[str]
    results: list[str] | None = None
    _cfg: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, design: list[dict[str, Any]]) -> "Layout":
        cfg = [f"cfg_{name}" for name in sorted({k for point in design for k in point})]
        return cls(spec_hash(design), ["run_key", "spec", *cfg, "replicate", "seed", "version"], None, cfg)

    @property
    def columns(self) -> list[str]:
        return self.fixed + (self.results or [])

    def row(self, key: str, config: dict[str, Any], replicate: int, seed: int, version: str,
            result: dict[str, Any]) -> list[Any]:
        """The cells of one run, in the layout's order; the first result fixes the result columns.

        A result with a column the layout lacks is an error (its run is reported
        as failed, the checkpoint stays consistent); a missing one is left empty.
        """
        cfg = {f"cfg_{k}": (str(tuple(v)) if isinstance(v, (list, tuple)) else v) for k, v in config.items()}
        fixed = {"run_key": key, "spec": self.spec, **cfg, "replicate": replicate, "seed": seed, "version": version}
        clash = [k for k in result if k in self.fixed and result[k] != fixed.get(k)]
        if clash:   # a result may repeat a fixed column (the market's runs carry their seed), not contradict it
            raise ValueError(f"the runner's result gives the column(s) {clash} other values than the sweep's")
        result = {k: v for k, v in result.items() if k not in self.fixed}
        if self.results is None:
            self.results = list(result)
        extra = [k for k in result if k not in self.results]
        if extra:
            raise ValueError(f"the runner returned column(s) {extra} that earlier runs did not; "
                             f"the columns are {self.results}")
        return [fixed.get(c, "") for c in self.fixed] + [result.get(c, "") for c in self.results]

    def append(self, path: Path, cells: list[Any]) -> None:
        """Append one row (the header first, into an empty file), flushed to disk."""
        header = not path.exists() or path.stat().st_size == 0
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        if header:
            writer.writerow(self.columns)
        writer.writerow(cells)
        with open(path, "a", newline="") as fh:
            fh.write(buffer.getvalue())
            fh.flush()
            os.fsync(fh.fileno())

    def frame(self, rows: list[list[Any]]) -> pd.DataFrame:
        """The rows as the table a checkpoint of them would read back as (same types, same values)."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(self.columns)
        writer.writerows(rows)
        return read_table(buffer.getvalue(), "the sweep's rows")

    def adopt(self, path: Path) -> set[str]:
        """Check that ``path`` is this design's checkpoint; its finished run keys (the file is not changed).

        Returns the run keys; a torn last line is cut afterwards by :meth:`repair`.
        """
        raw = path.read_bytes()
        complete = raw[: raw.rfind(b"\n") + 1]
        if not complete:
            return set()
        try:
            text = complete.decode()
        except UnicodeDecodeError as exc:
            raise ValueError(f"{path} is not a sweep checkpoint (not UTF-8 text); it was left untouched") from exc
        header = next(csv.reader(io.StringIO(text.split("\n", 1)[0])))
        if header[: len(self.fixed)] != self.fixed:
            raise ValueError(f"{path} is not a checkpoint of this sweep: its columns start {header[:len(self.fixed)]}, "
                             f"this design's are {self.fixed}; it was left untouched (use another checkpoint file)")
        table = read_table(text, str(path))
        specs = set(table["spec"].astype(str))
        if specs - {self.spec}:
            raise ValueError(f"{path} is the checkpoint of another design (spec {sorted(specs - {self.spec})}, this "
                             f"design's is {self.spec!r}); it was left untouched (use another checkpoint file)")
        self.results = header[len(self.fixed):]
        return set(table["run_key"])

    @staticmethod
    def repair(path: Path) -> None:
        """Cut a last line torn by a kill mid-write (every complete row ends with a newline)."""
        with open(path, "rb+") as fh:
            content = fh.read()
            if content and not content.endswith(b"\n"):
                fh.truncate(content.rfind(b"\n") + 1)


def read_table(text: str, where: str) -> pd.DataFrame:
    """A checkpoint's text as a frame; a malformed file is a ``ValueError``."""
    try:
        return pd.read_csv(io.StringIO(text))   # pandas >= 3 reads floats back exactly
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise ValueError(f"{where} does not parse as a sweep checkpoint ({exc}); it was left untouched") from exc

