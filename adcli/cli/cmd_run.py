"""``adcli run``, ``adcli validate`` and ``adcli schema``."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from . import app
from .common import (
    ENGINE_HELP,
    EXIT_INVALID,
    check_output_file,
    engine_scope,
    json_stdout,
    load_plugins,
    make_console,
    plain_output,
    state,
    write_output_file,
)
from .options import (
    DEFAULT_MAX_ELEMENTS,
    DEFAULT_MAX_MEMORY_MB,
    JsonOut,
    MaxElements,
    MaxMemory,
    Plugins,
)

DEFAULT_MAX_JSON_ELEMENTS = 2_000_000


def _expand(paths: list[str]) -> tuple[list[str], list[Any]]:
    from adcli.spec.loader import expand_paths

    return expand_paths(paths)


def _stderr(line: str) -> None:
    typer.echo(line, err=True)


@app.command("run")
def run(
    specs: Annotated[list[str], typer.Argument(
        metavar="SPEC...", help="Spec files (folders are searched for *.yaml/*.yml).")],
    json_out: JsonOut = False,
    quiet: Annotated[bool, typer.Option(
        "--quiet", "-q", help="Only failures and the closing summary.")] = False,
    max_elements: MaxElements = DEFAULT_MAX_ELEMENTS,
    max_memory: MaxMemory = DEFAULT_MAX_MEMORY_MB,
    graph: Annotated[bool, typer.Option(
        "--graph", help="Also show the grad_fn graph of the last assigned tensor.")] = False,
    plugins: Plugins = None,
    max_json_elements: Annotated[int, typer.Option(
        "--max-json-elements", min=1,
        help="Most numbers (values and grads) a --json report may hold.")]
        = DEFAULT_MAX_JSON_ELEMENTS,
    engine: Annotated[str | None, typer.Option(
        "--engine", metavar="adcli|torch", help=ENGINE_HELP)] = None,
    jobs: Annotated[str | None, typer.Option(
        "--jobs", "-j", metavar="N|auto",
        help="Run specs in N worker processes (auto: one per core); output as a serial "
             "run's.")] = None,
    shard: Annotated[str | None, typer.Option(
        "--shard", metavar="K/N",
        help="Run only shard K of N: a fixed 1/N of the specs, by name (for CI "
             "matrices).")] = None,
    html: Annotated[str | None, typer.Option(
        "--html", metavar="FILE",
        help="Write a self-contained HTML report here (steps, expectations, graphs; "
             "atomically; - for stdout).")] = None,
) -> None:
    """Run the steps of specs: prints, graphs, expectations and final gradients.

    Exit codes: 0 all held, 1 an expectation or a step failed, 2 invalid spec, 3 internal.
    """
    with engine_scope(engine):
        from adcli.spec.errors import SpecError
        from adcli.spec.interpreter import run_spec
        from adcli.spec.loader import load_specs
        from adcli.spec.report import RunReport, combined_exit

        from .jobs import parse_jobs, parse_shard

        n_jobs, which = parse_jobs(jobs), parse_shard(shard)
        if html is not None and (n_jobs > 1 or which is not None):
            _stderr("adcli: --html needs the reports in this process; drop --jobs/--shard "
                    "(adcli gradcheck --html works with them)")
            raise typer.Exit(EXIT_INVALID)
        if n_jobs > 1 or which is not None:
            _run_jobs(specs, n_jobs, which, plugins, engine, json_out=json_out, quiet=quiet,
                      max_json_elements=max_json_elements,
                      run_kw={"max_elements": max_elements, "raise_internal": state.debug,
                              "graph": graph, "max_memory": max_memory * 2**20})
        files, missing = _expand(specs)
        check_output_file("--html", html, files, json_out=json_out)
        with json_stdout(json_out):  # plugin code that prints must not break the JSON
            load_plugins(plugins)
            reports: list[RunReport] = [RunReport.from_error(e) for e in missing]
            for f in files:
                try:
                    loaded = load_specs(f)
                except SpecError as err:
                    reports.append(RunReport.from_error(err))
                    continue
                for spec in loaded:
                    reports.append(run_spec(spec, max_elements=max_elements,
                                            raise_internal=state.debug,
                                            graph=graph or html is not None,
                                            max_memory=max_memory * 2**20))
        if json_out:
            # Every value and grad goes into the JSON as numbers; millions of them take seconds and
            # gigabytes to print, so a hostile spec cannot make the report itself the attack.
            count = sum(_json_numbers(r) for r in reports)
            if count > max_json_elements:
                _stderr(f"adcli: the --json report would hold {count:,} numbers, over the limit of "
                        f"{max_json_elements:,} (raise it with --max-json-elements)")
                raise typer.Exit(EXIT_INVALID)
        if html:
            from adcli.view.html_report import run_html

            write_output_file("--html", html, run_html(reports))
        if html == "-" and not json_out:
            _report_errors(reports)
        else:
            _report_run(reports, json_out=json_out, quiet=quiet, graph=graph)
        raise typer.Exit(combined_exit([r.exit_code for r in reports]))


def _run_jobs(specs: list[str], jobs: int, which: tuple[int, int] | None,
              plugins: list[str] | None, engine: str | None, *, json_out: bool, quiet: bool,
              max_json_elements: int, run_kw: dict[str, Any]) -> None:
    """``run --jobs/--shard``: the specs in workers, printed as a serial run prints them."""
    import sys

    from adcli.spec.report import combined_exit

    from .jobs import items_of, run_items
    from .jobs import shard as pick

    with json_stdout(json_out):
        load_plugins(plugins)
        items = pick(items_of(specs), which)
        console = make_console()
        plain = plain_output()
        view = {"plain": plain, "width": console.width,
                "color": console.color_system, "quiet": quiet, "json_out": json_out}
        done = run_items(items, run_kw, view, jobs, plugins, engine)
    for r in done:
        for line in r.stderr:
            _stderr(line)
    if json_out:
        count = sum(r.numbers for r in done)
        if count > max_json_elements:
            _stderr(f"adcli: the --json report would hold {count:,} numbers, over the limit of "
                    f"{max_json_elements:,} (raise it with --max-json-elements)")
            raise typer.Exit(EXIT_INVALID)
        from adcli.view.run_report import _jsonable, versioned
        from adcli.view.safe import json_dumps

        doc = done[0].json if len(done) == 1 else {"ok": all(r.ok for r in done),
                                                    "specs": [r.json for r in done]}
        typer.echo(json_dumps(_jsonable(versioned(doc)), default=str))
    else:
        for i, r in enumerate(done):
            if i and not quiet and not r.invalid:
                sys.stdout.write("\n")
            sys.stdout.write(r.text)
        sys.stdout.flush()
    raise typer.Exit(combined_exit([r.exit_code for r in done]))


def _json_numbers(report: Any) -> int:
    n = 0
    for t in report.tensors.values():
        for arr in (t.value, t.grad):
            n += int(getattr(arr, "size", 0 if arr is None else 1))
    return n


def _report_errors(reports: list[Any]) -> None:
    for r in reports:
        if r.invalid is not None:
            _stderr(str(r.invalid))
        elif r.internal is not None:
            _stderr(f"adcli: internal error in {r.spec}: {r.internal}\n"
                    "This is a bug in adcli; rerun with --debug for a traceback.")
        elif r.error is not None:
            where = r.error.where
            _stderr(f"{r.spec}:{r.error.line or 1}:{r.error.column or 1}: {where} failed: "
                    f"{r.error.kind}: {r.error.message}")


def _report_run(reports: list[Any], *, json_out: bool, quiet: bool, graph: bool) -> None:
    from adcli.view.run_report import render_run, run_json_text

    if not graph:  # kept for --html only: the other outputs stay as without it
        for r in reports:
            r.graph = None
    _report_errors(reports)
    if json_out:
        typer.echo(run_json_text(reports))
        return
    console = make_console()
    plain = plain_output()
    for i, r in enumerate(reports):
        if i and not quiet and r.invalid is None:
            console.print()
        render_run(console, r, plain=plain, quiet=quiet)


@app.command("validate")
def validate(
    paths: Annotated[list[str], typer.Argument(
        metavar="PATH...", help="Spec files or folders (searched recursively).")],
    json_out: JsonOut = False,
    plugins: Plugins = None,
    engine: Annotated[str | None, typer.Option(
        "--engine", metavar="adcli|torch", help=ENGINE_HELP)] = None,
) -> None:
    """Parse and check specs without running them (exit 2 if any is invalid).

    Ops from a plugin are unknown names unless the plugin is given with --plugin.
    """
    with engine_scope(engine):
        from adcli.spec.errors import SpecError
        from adcli.spec.loader import load_specs
        from adcli.spec.report import ValidateReport
        from adcli.view.run_report import render_validate, validate_json_text

        with json_stdout(json_out):
            load_plugins(plugins)
        files, missing = _expand(paths)
        report = ValidateReport(errors=list(missing))
        for f in files:
            try:
                loaded = load_specs(f)
            except SpecError as err:
                report.errors.append(err)
                continue
            for spec in loaded:
                report.specs.append({"spec": f, "name": spec.name, "ok": True,
                                     "steps": len(spec.steps), "tensors": len(spec.tensors)})
        for err in report.errors:
            _stderr(str(err))
        if json_out:
            typer.echo(validate_json_text(report))
        else:
            render_validate(make_console(), report, plain=plain_output())
        raise typer.Exit(report.exit_code)


@app.command("schema")
def schema() -> None:
    """Print the JSON Schema of a spec document (for editors)."""
    from adcli.spec.schema import schema_text

    typer.echo(schema_text())
