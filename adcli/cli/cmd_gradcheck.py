"""``adcli gradcheck``: gradients against finite differences, for spec files or one expression."""

from __future__ import annotations

import sys
import threading
from typing import Any

import typer

from . import app
from .common import (
    ENGINE_HELP,
    EXIT_INTERNAL,
    EXIT_INVALID,
    check_number,
    check_output_file,
    complete_from,
    engine_scope,
    json_stdout,
    load_plugins,
    make_console,
    plain_output,
    state,
    write_output_file,
)
from .options import DEFAULT_MAX_ELEMENTS, DEFAULT_MAX_MEMORY_MB


def _fail(message: str, code: int = EXIT_INVALID) -> None:
    typer.echo(f"adcli: {message}", err=True)
    raise typer.Exit(code)


def _env_seconds(name: str, default: float) -> float:
    """A number of seconds from the environment (tests shorten the progress intervals)."""
    import os

    try:
        value = float(os.environ.get(name, default))
    except ValueError:
        return default
    return value if value >= 0 else default


class _Progress:
    """Shows a check's progress on stderr, from the tracker's reports (the checker never
    prints). On a terminal: a rich progress line (inputs done of total, rate, time left) once a
    check has run for about a second. Otherwise one plain line every ``interval`` seconds
    (``ADCLI_PROGRESS_INTERVAL``, default 10). Hints (``--mode fast``) go to stderr either way.
    """

    def __init__(self, enabled: bool, delay: float = 1.0) -> None:
        import time

        self.tty = enabled and sys.stderr.isatty()
        self.delay = delay
        self.label = "gradcheck"
        self.bar: Any = None
        self.task: Any = None
        self.timer: threading.Timer | None = None
        self.lock = threading.Lock()
        self.closed = False
        self.clock = time.monotonic
        self.interval = _env_seconds("ADCLI_PROGRESS_INTERVAL", 10.0)
        self.last_line = self.clock()

    def __call__(self, status: Any) -> None:
        if status.kind == "start":
            self._start(status.label)
        elif status.kind == "hint":
            self._echo(f"adcli gradcheck: hint: {status.message}")
        elif status.kind == "advance":
            if self.tty:
                with self.lock:
                    if self.bar is not None:
                        total = status.total if status.total >= status.done else None
                        self.bar.update(self.task, total=total, completed=status.done,
                                        rate=f"{status.rate:,.0f} inputs/s")
            elif self.clock() - self.last_line >= self.interval:
                self.last_line = self.clock()
                left = f", about {status.eta:,.0f} s left" if status.eta is not None else ""
                done = f"{status.done:,}"
                if status.total >= status.done > 0:
                    done += f"/{status.total:,} inputs ({100 * status.done / status.total:.0f}%)"
                else:
                    done += " inputs"
                typer.echo(f"adcli gradcheck: {status.label}: {done}, {status.rate:,.0f}/s"
                           f"{left}", err=True)

    def _echo(self, line: str) -> None:
        with self.lock:
            if self.bar is not None:
                self.bar.console.print(line, markup=False, highlight=False)
                return
        typer.echo(line, err=True)

    def _start(self, label: str) -> None:
        if not self.tty:
            return
        with self.lock:
            self.label = f"gradcheck {label}"
            if self.bar is not None:
                self.bar.update(self.task, description=self.label, total=None, completed=0,
                                rate="")
            elif self.timer is None:
                self.timer = threading.Timer(self.delay, self._show)
                self.timer.daemon = True
                self.timer.start()

    def _show(self) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        with self.lock:
            if self.closed or self.bar is not None:
                return
            self.bar = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                                MofNCompleteColumn(), TextColumn("{task.fields[rate]}"),
                                TimeRemainingColumn(), TimeElapsedColumn(),
                                console=make_console(stderr=True), transient=True)
            self.bar.start()
            self.task = self.bar.add_task(self.label, total=None, rate="")

    def close(self) -> None:
        with self.lock:
            self.closed = True
            if self.timer is not None:
                self.timer.cancel()
            if self.bar is not None:
                self.bar.stop()


@app.command("gradcheck")
def gradcheck(
    paths: list[str] = typer.Argument(None, metavar="PATH...",  # noqa: B008 - typer's way
                                      help="Spec files or folders (searched for *.yaml/*.yml)."),
    expr: str = typer.Option(None, "--expr", help="Check one expression instead of specs."),
    inputs: list[str] = typer.Option(None, "--input", metavar="NAME=INIT",  # noqa: B008
                                     help="An input of --expr: randn(3,4) or [1.0, 2.0]. "
                                          "Repeatable."),
    eps: float = typer.Option(None, "--eps", help="Finite-difference step (default 1e-6)."),
    atol: float = typer.Option(None, "--atol", help="Absolute tolerance (default 1e-5)."),
    rtol: float = typer.Option(None, "--rtol", help="Relative tolerance (default 1e-3)."),
    mode: str = typer.Option(None, "--mode", metavar="full|fast",
                             autocompletion=complete_from("full", "fast"),
                             help="full: every Jacobian entry; fast: random projections."),
    order: int = typer.Option(None, "--order", min=1, max=2,
                              help="2 also checks second derivatives."),
    follow_detached: bool = typer.Option(
        False, "--follow-detached",
        help="Let finite differences see through detach(), no_grad, .data and .item() "
             "(as torch.autograd.gradcheck); by default they are held constant."),
    strict: bool = typer.Option(False, "--strict",
                                help="Kinks fail as in torch instead of being accepted as "
                                     "subgradients."),
    plugins: list[str] = typer.Option(None, "--plugin", metavar="FILE",  # noqa: B008
                                      help="Python file registering ops or Functions. "
                                           "Repeatable."),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON document on stdout."),
    junit: str = typer.Option(None, "--junit", metavar="FILE",
                              help="Write JUnit XML here (atomically; - for stdout)."),
    html: str = typer.Option(None, "--html", metavar="FILE",
                             help="Write a self-contained HTML report here (graphs, "
                                  "heatmaps, step sweeps; atomically; - for stdout)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Only failures and the summary."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Show every note."),
    max_elements: int = typer.Option(DEFAULT_MAX_ELEMENTS, "--max-elements", min=1,
                                     help="Largest number of elements of any one tensor; a "
                                          "check may compute 50 times that in total."),
    max_memory: int = typer.Option(DEFAULT_MAX_MEMORY_MB, "--max-memory", min=1, metavar="MB",
                                   help="Most memory (MB) one check may add."),
    engine: str = typer.Option(None, "--engine", metavar="adcli|torch", help=ENGINE_HELP),
    max_seconds: float = typer.Option(None, "--max-seconds", metavar="N",
                                      help="Stop a check that runs longer than N seconds (a "
                                           "failed check, exit 1)."),
    jobs: str = typer.Option(None, "--jobs", "-j", metavar="N|auto",
                             help="Check specs in N worker processes (auto: one per core); "
                                  "output as a serial run's."),
    shard: str = typer.Option(None, "--shard", metavar="K/N",
                              help="Check only shard K of N: a fixed 1/N of the specs, by "
                                   "name (for CI matrices)."),
) -> None:
    """Check gradients against finite differences.

    Exit codes: 0 all checks passed, 1 a check failed, 2 invalid spec or command line,
    3 internal error.
    """
    with engine_scope(engine):
        if mode is not None and mode not in ("full", "fast"):
            _fail(f"--mode must be full or fast, not {mode!r}")
        if not paths and expr is None:
            _fail("give spec files or folders, or --expr EXPR --input NAME=INIT")
        if paths and expr is not None:
            _fail("give either spec paths or --expr, not both")
        if inputs and expr is None:
            _fail("--input needs --expr")
        parsed: list[tuple[str, str]] = []
        for item in inputs or []:
            name, sep, init = item.partition("=")
            if not sep or not name.strip() or not init.strip():
                _fail(f"--input {item!r}: expected NAME=INIT, e.g. x=randn(3, 4)")
            parsed.append((name.strip(), init.strip()))
        from .jobs import parse_jobs, parse_shard

        n_jobs, which = parse_jobs(jobs), parse_shard(shard)
        if expr is not None and (which is not None or n_jobs > 1):
            _fail("--jobs and --shard split spec files; --expr is one check")
        check_number("--eps", eps, positive=True)
        check_number("--atol", atol)
        check_number("--rtol", rtol)
        check_number("--max-seconds", max_seconds, positive=True)
        if junit == "-" and html == "-":
            _fail("--junit - and --html - both write to stdout; give one a file name")
        if junit is not None or html is not None:
            from adcli.spec.loader import expand_paths

            spec_files = expand_paths(paths or [])[0]
            check_output_file("--junit", junit, spec_files, json_out=json_out)
            check_output_file("--html", html, spec_files, json_out=json_out)
        with json_stdout(json_out):
            run = _check(paths, expr, parsed, plugins, json_out, eps, atol, rtol, mode, order,
                         max_elements, max_memory, follow_detached, strict, max_seconds,
                         jobs=n_jobs, shard=which, engine=engine,
                         keep_graph=html is not None)
        from adcli.view.gradcheck_report import gradcheck_json_text, junit_xml, render_gradcheck

        for err in run.errors:
            typer.echo(str(err), err=True)
        for c in run.checks:
            if c.internal is not None:
                typer.echo(f"adcli: internal error in {c.spec}: {c.internal}\n"
                           "This is a bug in adcli; rerun with --debug for a traceback.", err=True)
        if junit:
            write_output_file("--junit", junit, junit_xml(run))
        if html:
            from adcli.view.html_report import gradcheck_html

            write_output_file("--html", html, gradcheck_html(run))
        if json_out:
            typer.echo(gradcheck_json_text(run))
        elif junit != "-" and html != "-":
            render_gradcheck(make_console(), run, plain=plain_output(), verbose=verbose,
                             quiet=quiet)
        code = run.exit_code
        raise typer.Exit(code if code in (0, 1, 2) else EXIT_INTERNAL)


def _check(paths: list[str] | None, expr: str | None, parsed: list[tuple[str, str]],
           plugins: list[str] | None, json_out: bool, eps: float | None, atol: float | None,
           rtol: float | None, mode: str | None, order: int | None, max_elements: int,
           max_memory: int, follow_detached: bool, strict: bool,
           max_seconds: float | None = None, *, jobs: int = 1,
           shard: tuple[int, int] | None = None, engine: str | None = None,
           keep_graph: bool = False) -> Any:
    """Load the plugins and run the checks (plugin output goes to stderr under --json);
    with ``jobs`` > 1 or a ``shard``, spec by spec (:mod:`adcli.cli.jobs`)."""
    load_plugins(plugins)

    from adcli.check.spec_checks import Options, check_expression, check_paths

    opts = Options(eps=eps, atol=atol, rtol=rtol, mode=mode, order=order,
                   max_elements=max_elements, raise_internal=state.debug,
                   max_memory=max_memory * 2**20,
                   detached="follow" if follow_detached else None, strict=strict,
                   keep_graph=keep_graph)
    from adcli.check.progress import Tracker, tracking

    display = _Progress(enabled=not json_out)
    tracker = Tracker(display, max_seconds=max_seconds,
                      hint_seconds=_env_seconds("ADCLI_FAST_HINT_SECONDS", 10.0))
    try:
        with tracking(tracker):
            if expr is not None:
                tracker.start_check(expr)
                return check_expression(expr, parsed, opts)
            if jobs > 1 or shard is not None:
                from .jobs import gradcheck_items, items_of
                from .jobs import shard as pick

                return gradcheck_items(pick(items_of(paths or []), shard), opts, jobs,
                                       plugins, engine, json_out, max_seconds,
                                       progress=tracker.start_check)
            return check_paths(paths or [], opts, progress=tracker.start_check)
    finally:
        display.close()
