"""One full check's Jacobian columns split across worker processes (``jobs``).

The numerical Jacobian of a full check is the expensive part: two evaluations per input
element. :func:`chunks` splits an input's columns into ``jobs`` contiguous ranges; this
process computes the first while forked children compute the others, each writing its column
chunks to a temporary directory. The chunks are then handed on in column order, so the
comparison, the diagnosis of failing columns, the worst entries and the pictures are made
here, by the same code and in the same order as without workers: the report is the one a
single process makes. Forking shares the checked function, its recorded tape and the
analytical Jacobian with the children at no cost, so any function can be split, also one
defined in an interactive session. Where ``fork`` is not available (or not safe: only Linux
is used), the columns are computed here, one range after the other.
"""

from __future__ import annotations

import builtins
import importlib
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from typing import Any

import numpy as np

from . import progress
from .finite_diff import Evaluator, jacobian_chunks

MIN_COLUMNS = 256  # fewer columns than this are not worth a process
FLUSH_BYTES = 8 << 20  # a child writes its chunks in files of about this size


def available() -> bool:
    """Whether columns can be computed in forked children here."""
    return sys.platform.startswith("linux") and hasattr(os, "fork")


def worthwhile(jobs: int, ncols: int) -> bool:
    return jobs > 1 and ncols >= MIN_COLUMNS and available()


def ranges(n: int, jobs: int) -> list[tuple[int, int]]:
    """``[0, n)`` in ``jobs`` contiguous ranges of (nearly) equal size."""
    jobs = max(1, min(jobs, n))
    return [(n * k // jobs, n * (k + 1) // jobs) for k in range(jobs)]


def chunks(ev: Evaluator, i: int, eps: float, columns: np.ndarray | None,
           jobs: int) -> Iterator[tuple[int, np.ndarray]]:
    """:func:`~adcli.check.finite_diff.jacobian_chunks` of input ``i``'s ``columns`` (all
    when None), the ranges after the first computed in forked children.

    The children's work is charged to the evaluator's budget and their strategies joined to
    its own when their chunks are handed on; an error in a child (a budget or time limit,
    a failing function) is raised here, in place of its chunks.
    """
    cols = np.arange(ev.base[i].size) if columns is None else np.asarray(columns)
    parts = ranges(cols.size, jobs)
    lo, hi = parts[0]
    # This process's first chunk comes before the fork: it verifies the replay and sizes the
    # chunks once, and the children inherit that instead of each doing it again.
    own = jacobian_chunks(ev, i, eps, cols[lo:hi], later=cols.size - hi)
    first = next(own, None)
    tmp = tempfile.mkdtemp(prefix="adcli-columns-")
    children: list[tuple[int, int, int, str]] = []  # pid, lo, hi, directory
    try:
        for lo, hi in parts[1:]:
            path = os.path.join(tmp, f"{lo}")
            os.mkdir(path)
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:  # pragma: no cover - runs in the child (measured by the CLI tests)
                _child(ev, i, eps, cols[lo:hi], cols.size - hi, lo, path)
            children.append((pid, lo, hi, path))
        if children:
            ev.strategy.add("split")
        lo, hi = parts[0]
        if first is not None:
            yield lo + first[0], first[1]
            for start, block in own:
                yield lo + start, block
        for pid, lo, hi, path in children:
            _, status = os.waitpid(pid, 0)
            children[children.index((pid, lo, hi, path))] = (0, lo, hi, path)
            yield from _collect(ev, path, status)
    finally:
        own.close()
        for pid, *_ in children:
            if pid:
                try:
                    os.kill(pid, 9)
                    os.waitpid(pid, 0)
                except OSError:
                    pass
        shutil.rmtree(tmp, ignore_errors=True)


def _collect(ev: Evaluator, path: str, status: int) -> Iterator[tuple[int, np.ndarray]]:
    """A finished child's chunks, in order; its outcome applied to ``ev``."""
    try:
        with open(os.path.join(path, "done"), encoding="utf-8") as f:
            outcome = json.load(f)
    except (OSError, ValueError):
        raise RuntimeError(f"a worker process computing Jacobian columns died "
                           f"(wait status {status})") from None
    if "error" in outcome:
        raise _rebuilt(outcome["error"])
    ev.strategy.update(outcome["strategy"])
    for name in outcome["files"]:
        # plain arrays only (allow_pickle=False): the files hold numbers, never objects
        with np.load(os.path.join(path, name), allow_pickle=False) as part:
            starts, widths, joined = part["starts"], part["widths"], part["columns"]
        os.remove(os.path.join(path, name))
        at = 0
        for start, width in zip(starts.tolist(), widths.tolist(), strict=True):
            progress.advance(width)
            yield start, joined[:, at:at + width]
            at += width
    work = outcome["work"]
    if ev.budget is not None and work:
        ev.budget.charge(work)


def _child(ev: Evaluator, i: int, eps: float, cols: np.ndarray, later: int, lo: int,
           path: str) -> None:  # pragma: no cover - runs in a forked child
    """Compute ``cols``' chunks into files under ``path``, then leave at once (``_exit``:
    nothing of the parent's, such as atexit handlers or buffered output, runs twice)."""
    code = 0
    try:
        progress.silence()
        before = ev.budget.work if ev.budget is not None else 0
        files: list[str] = []
        buf: list[tuple[int, np.ndarray]] = []
        size = 0
        for start, block in jacobian_chunks(ev, i, eps, cols, later=later):
            buf.append((lo + start, block))
            size += block.nbytes
            if size >= FLUSH_BYTES:
                files.append(_write(path, len(files), buf))
                buf, size = [], 0
        if buf:
            files.append(_write(path, len(files), buf))
        work = ev.budget.work - before if ev.budget is not None else 0
        outcome: dict[str, Any] = {"files": files, "work": work,
                                   "strategy": sorted(ev.strategy)}
    except BaseException as exc:  # every failure goes back to the parent
        outcome = {"error": _portable(exc)}
    try:
        with open(os.path.join(path, "done.tmp"), "w", encoding="utf-8") as f:
            json.dump(outcome, f)
        os.replace(os.path.join(path, "done.tmp"), os.path.join(path, "done"))
    except BaseException:
        code = 1
    os._exit(code)


def _write(path: str, k: int, buf: list[tuple[int, np.ndarray]]) -> str:  # pragma: no cover
    """The chunks side by side in one array (and their starts and widths): an ``.npz`` entry
    costs far more to read than its numbers, and the chunks are many and small."""
    name = f"{k:06d}.npz"
    np.savez(os.path.join(path, name), starts=np.array([st for st, _ in buf], dtype=np.int64),
             widths=np.array([b.shape[1] for _, b in buf], dtype=np.int64),
             columns=np.concatenate([b for _, b in buf], axis=1))
    return name


def _portable(exc: BaseException) -> dict[str, Any]:  # pragma: no cover - in the child
    """``exc`` as JSON: its class (module and name) and message."""
    return {"module": type(exc).__module__, "name": type(exc).__qualname__, "message": str(exc)}


def _rebuilt(err: dict[str, Any]) -> BaseException:
    """The child's exception, of its own class when that is adcli's or a builtin one (a budget
    or time stop must stay one), else a RuntimeError naming it. Only those modules are looked
    up: the file is data, never a recipe for what to import."""
    module, name, message = str(err.get("module")), str(err.get("name")), str(err.get("message"))
    cls: Any = None
    if module == "builtins":
        cls = getattr(builtins, name, None)
    elif module == "adcli" or module.startswith("adcli."):
        try:
            cls = getattr(importlib.import_module(module), name, None)
        except ImportError:
            cls = None
    if isinstance(cls, type) and issubclass(cls, Exception):
        try:
            return cls(message)
        except Exception:
            pass
    return RuntimeError(f"{name}: {message}")
