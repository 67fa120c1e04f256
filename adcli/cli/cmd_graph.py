"""``adcli graph``: the grad_fn graph of an expression after a spec's steps."""

from __future__ import annotations

from typing import Any

import typer

from . import app
from .common import (
    ENGINE_HELP,
    EXIT_FAILED,
    EXIT_INTERNAL,
    EXIT_INVALID,
    check_output_file,
    complete_from,
    engine_scope,
    load_plugins,
    make_console,
    plain_output,
    state,
    write_output_file,
)
from .options import DEFAULT_MAX_ELEMENTS, DEFAULT_MAX_MEMORY_MB

FORMATS = ("tree", "dot", "mermaid", "json", "svg", "png")
DEFAULT_MAX_NODES = 500  # as adcli run's graphs
DEFAULT_TREE_DEPTH = 100  # as adcli.view.tree.DEFAULT_DEPTH (not imported: start-up time)
WORK_FACTOR = 50  # as adcli.spec.interpreter.WORK_FACTOR


def _fail(message: str, code: int) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(code)


@app.command("graph")
def graph(
    spec: str = typer.Argument(..., metavar="SPEC", help="A spec file."),
    of: str | None = typer.Option(None, "--of", metavar="EXPR",
                                  help="Expression to graph (default: the spec's first "
                                       "gradcheck `of`, else the last tensor with a "
                                       "grad_fn), evaluated after the steps."),
    fmt: str = typer.Option("tree", "--format", "-f", metavar="FORMAT",
                            autocompletion=complete_from(*FORMATS),
                            help="tree, dot (Graphviz), mermaid, json, svg (drawn by adcli) "
                                 "or png (drawn by Graphviz's dot, which must be installed)."),
    output: str | None = typer.Option(None, "--output", "-o", metavar="FILE",
                                      help="Write the graph to FILE (atomically) instead of "
                                           "stdout."),
    depth: int | None = typer.Option(None, "--depth", min=0,
                                     help="Tree: show nodes at most N edges below the root "
                                          "(default 100)."),
    saved: bool = typer.Option(False, "--saved",
                               help="List saved tensors and their versions (tree, dot, mermaid)."),
    highlight: list[str] | None = typer.Option(  # noqa: B008 - how typer declares options
        None, "--highlight", metavar="NODE", help="Mark a node: an id (n3) or a grad_fn name."),
    name: str | None = typer.Option(None, "--name",
                                    help="In a file of several specs, the one to graph."),
    ascii_: bool = typer.Option(False, "--ascii", help="Tree: ASCII lines only."),
    max_elements: int = typer.Option(DEFAULT_MAX_ELEMENTS, "--max-elements", min=1,
                                     help="Largest number of elements of any one tensor."),
    plugins: list[str] | None = typer.Option(  # noqa: B008 - how typer declares options
        None, "--plugin", metavar="FILE",
        help="Python file registering ops or Functions. Repeatable."),
    max_nodes: int = typer.Option(DEFAULT_MAX_NODES, "--max-nodes", min=1,
                                  help="Most graph nodes shown, in every format; past it a "
                                       "'... N more nodes' line."),
    max_memory: int = typer.Option(DEFAULT_MAX_MEMORY_MB, "--max-memory", min=1, metavar="MB",
                                   help="Most memory (MB) running the spec may add."),
    engine: str | None = typer.Option(None, "--engine", metavar="adcli|torch",
                                      help=ENGINE_HELP),
) -> None:
    """Show the grad_fn graph of EXPR after running the spec's steps.

    Exit codes: 0 shown, 1 a step or expectation failed (the graph is still shown),
    2 invalid spec or arguments, 3 internal error.
    """
    with engine_scope(engine):
        fmt = fmt.lower()
        if fmt not in FORMATS:
            _fail(f"adcli graph: --format must be one of {', '.join(FORMATS)} (got {fmt!r})",
                  EXIT_INVALID)
        from adcli.spec.errors import SpecError
        from adcli.spec.loader import load_specs

        if output is not None:
            if fmt == "tree":
                _fail("adcli graph: --output needs --format dot, mermaid, json, svg or png",
                      EXIT_INVALID)
            check_output_file("--output", output, [spec], json_out=False)
        dot_exe = None
        if fmt == "png":
            import shutil
            import sys

            dot_exe = shutil.which("dot")
            if dot_exe is None:
                _fail("adcli graph: --format png needs Graphviz's `dot` program, which is not "
                      "installed (apt-get install graphviz, brew install graphviz); "
                      "--format svg draws the graph without it", EXIT_INVALID)
            if output in (None, "-") and sys.stdout.isatty():
                _fail("adcli graph: refusing to write PNG to a terminal; give --output FILE "
                      "or redirect stdout", EXIT_INVALID)
        load_plugins(plugins)
        try:
            specs = load_specs(spec)
        except SpecError as err:
            _fail(str(err), EXIT_INVALID)
        if name is not None:
            specs = [s for s in specs if s.name == name]
            if not specs:
                _fail(f"{spec}: no spec named {name!r}", EXIT_INVALID)
        if len(specs) > 1 and fmt != "tree":
            names = ", ".join(s.name for s in specs)
            _fail(f"{spec}: holds {len(specs)} specs ({names}); choose one with --name",
                  EXIT_INVALID)
        code = 0
        outputs: list[tuple[Any, Any]] = []
        # What to mark: the user's --highlight, and the node an in-place error failed in.
        marks: dict[Any, str] = dict.fromkeys(highlight or [], "")
        for sp in specs:
            snap, c, failed = _graph_of(sp, of, max_elements, max_nodes, max_memory * 2**20)
            code = max(code, c)
            outputs.append((sp, snap))
            marks.update(failed)
            if snap.truncated:
                typer.echo(f"adcli graph: {sp.path}: showing {len(snap.nodes):,} of "
                           f"{len(snap.nodes) + snap.omitted:,} nodes; raise the limit with "
                           "--max-nodes", err=True)
        _render(outputs, fmt=fmt, depth=depth if depth is not None else DEFAULT_TREE_DEPTH,
                saved=saved, highlight=marks,
                ascii_=ascii_, output=output, dot_exe=dot_exe)
        raise typer.Exit(code)


def _graph_of(sp: Any, of: str | None, max_elements: int, max_nodes: int,
              max_memory: int) -> tuple[Any, int, dict[Any, str]]:
    """Run one spec and snapshot the graph of ``of``; exits on an invalid or failing ``of``.
    Also returns the node to mark when an in-place error stopped the run, with its note."""
    from adcli.graph.snapshot import (
        is_graphable,
        last_assigned,
        names_for_run,
        snapshot_from_tensor,
    )
    from adcli.spec.errors import SpecError
    from adcli.spec.interpreter import StepError, execute
    from adcli.spec.report import RunReport

    report = RunReport(spec=sp.path, name=sp.name)
    try:
        run = execute(sp, max_elements=max_elements, report=report, track_nodes=True,
                      max_work=WORK_FACTOR * max_elements, max_memory=max_memory)
    except SpecError as err:
        _fail(str(err), EXIT_INVALID)
    except Exception as exc:  # a bug in adcli: exit 3, never a traceback
        if state.debug:
            raise
        _fail(f"adcli: internal error in {sp.path}: {type(exc).__name__}: {exc}\n"
              "This is a bug in adcli; rerun with --debug for a traceback.", EXIT_INTERNAL)
    code = report.exit_code
    if report.error is not None:
        e = report.error
        typer.echo(f"{sp.path}:{e.line or 1}:{e.column or 1}: step "
                   f"{e.step if e.step is not None else '-'} failed: {e.kind}: {e.message} "
                   "(graph of the state when it stopped)", err=True)
    elif not report.ok:
        failed = [x for x in report.expectations if not x.ok]
        for x in failed:
            typer.echo(f"{sp.path}:{x.line or 1}: step {x.step}: expectation failed: "
                       f"{x.expr}: {x.message}", err=True)
    if of is None and sp.gradcheck:
        # What the spec itself checks is what its author wants to see.
        of = sp.gradcheck[0].of.text
        typer.echo(f"adcli graph: graphing {of}, the spec's first gradcheck `of` "
                   "(choose another with --of EXPR)", err=True)
    if of is None:
        target = _last_with_grad_fn(sp, run.namespace) or last_assigned(sp, run.namespace)
        if target is None:
            _fail(f"{sp.path}: no tensor to graph (the spec binds none); use --of EXPR",
                  EXIT_INVALID)
        value = run.namespace[target]
        label = target
        what = ("the last tensor with a grad_fn" if getattr(value, "grad_fn", None) is not None
                else "the last assigned tensor (none has a grad_fn)")
        typer.echo(f"adcli graph: graphing {target}, {what} (choose another with --of EXPR)",
                   err=True)
    else:
        label = of
        dtypes = run.eng.dtypes
        previous = dtypes.get_default_dtype()
        try:
            # As during the steps, creation functions in EXPR make the spec's dtype.
            if sp.dtype in ("float32", "float64"):
                dtypes.set_default_dtype(sp.dtype)
            value = run.evaluate(of)
        except SpecError as err:
            _fail(f"--of {of!r}: {err.message}", EXIT_INVALID)
        except StepError as f:
            _fail(f"{sp.path}: --of {of!r} failed: {f.kind}: {f.message}", EXIT_FAILED)
        finally:
            dtypes.set_default_dtype(previous)
        if not is_graphable(value):
            _fail(f"--of {of!r}: is a {type(value).__name__}, not a tensor or grad_fn",
                  EXIT_INVALID)
    snap = snapshot_from_tensor(value, names_for_run(run), max_nodes=max_nodes, of=label)
    return snap, code, _failed_node(report.error)


def _failed_node(error: Any) -> dict[Any, str]:
    """``{node: note}`` for the node whose saved tensor an in-place write changed."""
    if error is None or error.node is None:
        return {}
    parts = [f"{verb} `{p['statement']}` (line {p['line']})"
             for verb, p in (("saved by", error.saved_by), ("modified by", error.modified_at))
             if p]
    return {error.node: "in-place error: " + (", ".join(parts) or "saved tensor modified")}


def _last_with_grad_fn(sp: Any, namespace: dict[str, Any]) -> str | None:
    from adcli.graph.snapshot import last_assigned

    with_graph = {k: v for k, v in namespace.items() if getattr(v, "grad_fn", None) is not None}
    return last_assigned(sp, with_graph) if with_graph else None


def _png(dot_exe: str, dot_text: str) -> bytes:
    """Graphviz's drawing of the DOT text (exit 2 when dot fails)."""
    import subprocess

    try:
        done = subprocess.run([dot_exe, "-Tpng"], input=dot_text.encode(), capture_output=True,
                              timeout=120, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        _fail(f"adcli graph: running dot failed: {exc}", EXIT_INVALID)
        raise AssertionError("unreachable") from None
    if done.returncode != 0 or not done.stdout:
        err = done.stderr.decode(errors="replace").strip()
        _fail(f"adcli graph: dot -Tpng failed (exit {done.returncode}): {err}", EXIT_INVALID)
    return done.stdout


def _write_bytes(output: str | None, data: bytes) -> None:
    import os
    import tempfile

    if output in (None, "-"):
        from .streams import write_binary

        write_binary(data)
        return
    folder = os.path.dirname(os.path.abspath(output))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(output)}.",
                               suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, output)
    except OSError as exc:
        os.unlink(tmp)
        _fail(f"adcli: --output {output}: cannot write: {exc.strerror or exc}", EXIT_INVALID)


def _render(outputs: list[tuple[Any, Any]], *, fmt: str, depth: int | None, saved: bool,
            highlight: dict[Any, str], ascii_: bool, output: str | None = None,
            dot_exe: str | None = None) -> None:
    from adcli.view.exports import render_dot, render_mermaid
    from adcli.view.tree import render_tree_rich, tree_text_lines

    if fmt != "tree":
        sp, snap = outputs[0]
        if fmt == "json":
            from adcli.view.exports import graph_json
            from adcli.view.run_report import versioned
            from adcli.view.safe import json_dumps

            doc = versioned({"spec": sp.path, "name": sp.name, **graph_json(snap)})
            # The marked nodes (--highlight, the node of an in-place error): id -> note.
            marks = {nid: note for key, note in highlight.items()
                     for nid in sorted(snap.resolve([key]))}
            if marks:
                doc["highlight"] = {nid: note or "highlighted" for nid, note in marks.items()}
            text = json_dumps(doc, indent=2) + "\n"
        elif fmt == "dot":
            text = render_dot(snap, highlight=highlight, saved=saved)
        elif fmt == "svg":
            from adcli.view.svg_graph import render_svg

            text = render_svg(snap, highlight=highlight, saved=saved,
                              title=f"grad_fn graph of {snap.of or sp.name}")
        elif fmt == "png":
            _write_bytes(output, _png(dot_exe or "dot",
                                      render_dot(snap, highlight=highlight, saved=saved)))
            return
        else:
            text = render_mermaid(snap, highlight=highlight, saved=saved)
        if output is not None:
            write_output_file("--output", output, text)
        else:
            typer.echo(text, nl=False)
        return
    plain = plain_output()
    console = None if plain else make_console()
    for i, (sp, snap) in enumerate(outputs):
        header = f"{sp.name}: grad_fn graph of {snap.of}" if snap.of else sp.name
        if plain:
            if i:
                typer.echo("")
            typer.echo(f"== {header}")
            for line in tree_text_lines(snap, depth=depth, saved=saved, highlight=highlight,
                                        ascii=ascii_):
                typer.echo(line)
        else:
            from adcli.view.safe import markup_safe as escape

            if i:
                console.print()
            console.print(f"[bold]━━ {escape(header)}[/]")
            console.print(render_tree_rich(snap, depth=depth, saved=saved, highlight=highlight,
                                           ascii=ascii_), soft_wrap=True)
