"""An output directory written whole or not at all: built beside its place, then swapped in.

``reproduce --out DIR`` writes dozens of files over minutes. Written in place,
a killed run would leave half a report, and a second run would mix its files
with the first one's. Instead :func:`staged_output` hands out a fresh temporary
directory beside ``DIR`` (same file system, so the swap is a rename), stamps it
as ours when the work is done, and only then puts it in place of ``DIR``: with
one atomic exchange (Linux ``renameat2(RENAME_EXCHANGE)``) or, elsewhere, two
renames. A run that fails or is killed leaves ``DIR`` as it was; a later run
removes the temporary directories of processes that no longer exist.

``DIR`` itself is checked before any work: it may be absent, empty, or an
earlier output of ours (recognised by its stamp file, :data:`STAMP`), which is
replaced; a file, or a non-empty directory we did not write, is refused unless
``force=True``.

>>> import tempfile, pathlib
>>> base = pathlib.Path(tempfile.mkdtemp())
>>> with staged_output(base / "report") as tmp:
...     _ = (tmp / "a.txt").write_text("first")
>>> with staged_output(base / "report") as tmp:      # our own earlier report: replaced, not mixed
...     _ = (tmp / "b.txt").write_text("second")
>>> sorted(p.name for p in (base / "report").iterdir())
['.coalesce-games-output', 'b.txt']
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

__all__ = ['STAMP', 'OutputDirError', 'check_output_dir', 'staged_output']

#: the stamp file that marks a directory as an output of ours
STAMP = ".coalesce-games-output"
_TMP_TAG = ".tmp-coalesce-"


class OutputDirError(ValueError):
    """The output path is a file, or a directory we did not write (pass ``force=True`` to replace it)."""


def _is_ours(path: Path) -> bool:
    try:
        return json.loads((path / STAMP).read_text()).get("tool") == "coalesce-games"
    except (OSError, ValueError, AttributeError):
        return False


def check_output_dir(out_dir: Any, force: bool = False) -> Path:
    """``out_dir`` as a path we may replace; refused (an :class:`OutputDirError`) before any work otherwise.

    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "notes.txt"
    >>> _ = f.write_text("mine")
    >>> check_output_dir(f)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    coalesce_games.findings.outdir.OutputDirError: output directory ... is a file; give a directory (or force=True to replace the file)
    """
    if not isinstance(out_dir, (str, os.PathLike)) or str(out_dir) == "":
        raise TypeError(f"out_dir must be a directory path (str or Path); got {out_dir!r}")
    if not isinstance(force, bool):
        raise TypeError(f"force must be True or False; got {force!r}")
    path = Path(out_dir)
    if force or not (path.exists() or path.is_symlink()):
        return path
    if not path.is_dir():
        raise OutputDirError(f"output directory {str(path)!r} is a file; give a directory "
                             f"(or force=True to replace the file)")
    if any(path.iterdir()) and not _is_ours(path):
        raise OutputDirError(f"output directory {str(path)!r} is not empty and was not written by coalesce-games "
                             f"(no {STAMP} file); give a new or empty directory (or force=True to replace it)")
    return path


@contextlib.contextmanager
def staged_output(out_dir: Any, force: bool = False) -> Iterator[Path]:
    """A temporary directory beside ``out_dir``, put in its place when the ``with`` block ends without error.

    On an error (or a kill) ``out_dir`` is untouched and the temporary
    directory is removed (a killed process's by the next run).
    """
    target = check_output_dir(out_dir, force)
    parent = target.absolute().parent
    parent.mkdir(parents=True, exist_ok=True)
    _remove_stale(parent, target.name)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}{_TMP_TAG}{os.getpid()}-", dir=parent))
    try:
        yield tmp
        (tmp / STAMP).write_text(json.dumps({"tool": "coalesce-games", "pid": os.getpid(),
                                             "written": datetime.now(timezone.utc).isoformat()}) + "\n")
        check_output_dir(target, force)            # again: something may have appeared meanwhile
        _swap(tmp, target.absolute())
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def _swap(new: Path, target: Path) -> None:
    """Put ``new`` at ``target``; whatever was there ends at ``new`` (then removed by the caller)."""
    if not (target.exists() or target.is_symlink()):
        os.rename(new, target)
        return
    if target.is_dir() and not target.is_symlink() and _exchange(new, target):
        return
    aside = new.with_name(new.name + "-old")
    os.rename(target, aside)
    os.rename(new, target)
    if aside.is_dir() and not aside.is_symlink():
        os.rename(aside, new)
    else:
        aside.unlink()


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two directories (Linux ``renameat2``); False where it is not available."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    libc = ctypes.CDLL(name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


def _remove_stale(parent: Path, name: str) -> None:
    """Remove temporary directories of ``name`` left by processes that no longer run (killed runs)."""
    prefix = f".{name}{_TMP_TAG}"
    for entry in parent.glob(f"{prefix}*"):
        pid = entry.name[len(prefix):].split("-", 1)[0]
        if entry.is_dir() and pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(entry, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
