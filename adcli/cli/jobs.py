"""``--jobs N`` and ``--shard K/N`` for ``gradcheck`` and ``run``: specs in worker processes.

The parent lists the work in the order a serial run meets it (per path: the files' load
errors and their specs), keeps a shard of it (``--shard``), hands each spec to a worker
(spawned processes, so the same on every platform) and puts the results back in that order:
the output, the JSON, the JUnit and the exit code are those of a serial run of the same specs.
With a single spec to check, its full checks split their Jacobian columns across the jobs
instead (:mod:`adcli.check.split`), with the report of a serial run.

A worker loads the ``--plugin`` files and the command's engine once, then re-loads a spec's
file and runs the spec by its position there. ``gradcheck`` results come back as the check
objects (the graph node a culprit points at stays behind); ``run`` reports hold graphs and
tensors, so a ``run`` worker sends what the parent prints: the report rendered with the
parent's console settings, its JSON object and its stderr lines.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import sys
from dataclasses import dataclass
from typing import Any

import typer

from .common import EXIT_INVALID


@dataclass
class Item:
    """One unit of work: a spec (``file``, ``index``, ``name``) or an error to report."""

    key: tuple[str, str, int]  # how --shard orders the work: name, file, position
    file: str = ""
    index: int = -1
    error: Any = None  # a SpecError / missing path, reported in place


def parse_jobs(value: str | None) -> int:
    """``--jobs``: a count >= 1, or ``auto`` (one per core this process may use)."""
    if value is None:
        return 1
    if value.strip().lower() == "auto":
        try:
            return max(1, len(os.sched_getaffinity(0)))
        except AttributeError:  # not on Linux
            return max(1, os.cpu_count() or 1)
    try:
        n = int(value)
    except ValueError:
        n = 0
    if n < 1:
        typer.echo(f"adcli: --jobs must be a number >= 1 or auto, not {value!r}", err=True)
        raise typer.Exit(EXIT_INVALID)
    return n


def parse_shard(value: str | None) -> tuple[int, int] | None:
    """``--shard K/N`` (1 <= K <= N)."""
    if value is None:
        return None
    k, sep, n = value.partition("/")
    try:
        kk, nn = int(k), int(n)
    except ValueError:
        kk = nn = 0
    if not sep or nn < 1 or not 1 <= kk <= nn:
        typer.echo(f"adcli: --shard must be K/N with 1 <= K <= N (e.g. 2/4), not {value!r}",
                   err=True)
        raise typer.Exit(EXIT_INVALID)
    return kk, nn


def items_of(paths: list[str]) -> list[Item]:
    """The work of ``paths`` in serial order (errors where a serial run meets them)."""
    from adcli.spec.errors import SpecError
    from adcli.spec.loader import expand_paths, load_specs

    out: list[Item] = []
    for p in paths:
        files, errors = expand_paths([p])
        out.extend(Item((str(getattr(e, "file", p)), str(p), -1), error=e) for e in errors)
        for f in files:
            try:
                specs = load_specs(f)
            except SpecError as err:
                out.append(Item((str(f), str(f), -1), error=err))
                continue
            out.extend(Item((str(s.name), str(f), k), str(f), k) for k, s in enumerate(specs))
    return out


def shard(items: list[Item], which: tuple[int, int] | None) -> list[Item]:
    """Shard ``K/N``: the items whose rank, ordering all by (name, file, position), is
    ``K - 1`` modulo ``N``; in serial order. The shards of one ``N`` are disjoint and cover
    every item, and do not depend on the order of paths on the command line."""
    if which is None:
        return items
    k, n = which
    ranked = sorted(range(len(items)), key=lambda i: items[i].key)
    keep = {i for r, i in enumerate(ranked) if r % n == k - 1}
    return [it for i, it in enumerate(items) if i in keep]


# -- workers ------------------------------------------------------------------------------------
_LOADED: dict[str, Any] = {}


def _init(plugins: list[str] | None, engine: str | None, json_out: bool) -> None:
    """Worker start: plugins (their output to stderr under --json) and the engine."""
    if json_out:
        sys.stdout = sys.stderr
    from .common import load_plugins

    with contextlib.suppress(typer.Exit):  # the parent loaded them first, stopping on errors
        load_plugins(plugins)
    if engine is not None:
        from adcli.engines import forced

        forced(engine).__enter__()  # for the worker's whole life


def _spec(file: str, index: int) -> Any:
    from adcli.spec.loader import load_specs

    if _LOADED.get("file") != file:
        _LOADED.update(file=file, specs=load_specs(file))
    return _LOADED["specs"][index]


def gradcheck_spec(spec: Any, opts: Any, progress: Any = None) -> tuple[list[Any], list[Any]]:
    """One spec's checks and its invalid entries (as ``check_paths`` sorts them)."""
    from adcli.check.spec_checks import _engine_name, check_spec
    from adcli.spec.errors import SpecError

    try:
        engine = _engine_name(spec)
    except SpecError as err:
        return [], [err]
    if engine == "torch":
        from adcli.engines.torch_specs import check_spec_torch

        checks = check_spec_torch(spec, opts, progress=progress)
    else:
        checks = check_spec(spec, opts, progress=progress)
    return ([c for c in checks if c.invalid is None],
            [c.invalid for c in checks if c.invalid is not None])


def _gradcheck_task(file: str, index: int, opts: Any,
                    max_seconds: float | None) -> tuple[list[Any], list[Any]]:
    from adcli.check.progress import Tracker, tracking

    tracker = Tracker(None, max_seconds=max_seconds)
    with tracking(tracker):
        checks, errors = gradcheck_spec(_spec(file, index), opts, tracker.start_check)
    for c in checks:
        if c.report is not None and c.report.culprit is not None:
            c.report.culprit.node_ref = None  # an engine node: stays in the worker
    return checks, errors


def gradcheck_items(items: list[Item], opts: Any, jobs: int, plugins: list[str] | None,
                    engine: str | None, json_out: bool, max_seconds: float | None = None,
                    progress: Any = None) -> Any:
    """Check the items (in this process when ``jobs`` is 1), results in item order."""
    from adcli.check.spec_checks import GradcheckRun

    run = GradcheckRun()
    if jobs > 1 and sum(it.error is None for it in items) == 1:
        # One spec: its full checks split their Jacobian columns across the jobs instead.
        opts = dataclasses.replace(opts, jobs=jobs)
    results = _map(_gradcheck_task, items, jobs, (plugins, engine, json_out),
                   local=lambda it: gradcheck_spec(_spec(it.file, it.index), opts, progress),
                   extra=(opts, max_seconds))
    for it, res in zip(items, results):
        if it.error is not None:
            run.errors.append(it.error)
            continue
        run.specs_seen += 1
        checks, errors = res
        run.checks.extend(checks)
        run.errors.extend(errors)
    return run


def _map(task: Any, items: list[Item], jobs: int, init: tuple[Any, ...], local: Any,
         extra: tuple[Any, ...]) -> list[Any]:
    todo = [it for it in items if it.error is None]
    if jobs <= 1 or len(todo) <= 1:
        _LOADED.clear()
        return [None if it.error is not None else local(it) for it in items]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(jobs, len(todo)), mp_context=ctx,
                             initializer=_init, initargs=init) as pool:
        try:
            futures = [None if it.error is not None
                       else pool.submit(task, it.file, it.index, *extra) for it in items]
            return [None if f is None else f.result() for f in futures]
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise


# -- run ----------------------------------------------------------------------------------------
@dataclass
class Rendered:
    """What the parent prints for one ``run`` report."""

    json: Any
    ok: bool
    exit_code: int
    text: str
    stderr: list[str]
    numbers: int
    invalid: bool


def render_report(report: Any, *, plain: bool, width: int | None, color: str | None,
                  quiet: bool, json_out: bool, count: Any) -> Rendered:
    """A run report as text (rendered like the parent's console would), JSON and stderr."""
    import io

    from rich.console import Console

    from adcli.view.run_report import render_run

    text = ""
    if not json_out:
        buf = io.StringIO()
        console = Console(file=buf, no_color=plain, highlight=False, soft_wrap=True,
                          force_terminal=not plain, width=width, emoji=False,
                          color_system=color if not plain else None)
        render_run(console, report, plain=plain, quiet=quiet)
        text = buf.getvalue()
    return Rendered(report.to_json() if json_out else None, report.ok, report.exit_code, text,
                    run_stderr(report), count(report) if json_out else 0,
                    report.invalid is not None)


def run_stderr(r: Any) -> list[str]:
    """The stderr lines of one run report."""
    if r.invalid is not None:
        return [str(r.invalid)]
    if r.internal is not None:
        return [f"adcli: internal error in {r.spec}: {r.internal}\n"
                "This is a bug in adcli; rerun with --debug for a traceback."]
    if r.error is not None:
        where = r.error.where
        return [f"{r.spec}:{r.error.line or 1}:{r.error.column or 1}: {where} failed: "
                f"{r.error.kind}: {r.error.message}"]
    return []


def _run_task(file: str, index: int, run_kw: dict[str, Any], view: dict[str, Any]) -> Rendered:
    from adcli.spec.interpreter import run_spec

    from .cmd_run import _json_numbers

    report = run_spec(_spec(file, index), **run_kw)
    return render_report(report, count=_json_numbers, **view)


def run_items(items: list[Item], run_kw: dict[str, Any], view: dict[str, Any], jobs: int,
              plugins: list[str] | None, engine: str | None) -> list[Rendered]:
    """Run the items' specs; one :class:`Rendered` per item, in item order."""
    from adcli.spec.interpreter import run_spec
    from adcli.spec.report import RunReport

    from .cmd_run import _json_numbers

    def local(it: Item) -> Rendered:
        return render_report(run_spec(_spec(it.file, it.index), **run_kw), count=_json_numbers,
                             **view)

    results = _map(_run_task, items, jobs, (plugins, engine, view["json_out"]), local=local,
                   extra=(run_kw, view))
    return [render_report(RunReport.from_error(it.error), count=_json_numbers, **view)
            if it.error is not None else res for it, res in zip(items, results)]
