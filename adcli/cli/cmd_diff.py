"""``adcli diff``: each spec on both engines (adcli and PyTorch), and where they diverge."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from . import app
from .common import EXIT_INTERNAL, EXIT_INVALID, load_plugins, make_console, plain_output, state
from .options import (
    DEFAULT_MAX_ELEMENTS,
    DEFAULT_MAX_MEMORY_MB,
    JsonOut,
    MaxElements,
    MaxMemory,
    Plugins,
)


@app.command("diff")
def diff(
    paths: Annotated[list[str], typer.Argument(
        metavar="PATH...", help="Spec files or folders (searched recursively).")],
    json_out: JsonOut = False,
    quiet: Annotated[bool, typer.Option(
        "--quiet", "-q", help="Only divergences and the summary.")] = False,
    max_elements: MaxElements = DEFAULT_MAX_ELEMENTS,
    max_memory: MaxMemory = DEFAULT_MAX_MEMORY_MB,
    plugins: Plugins = None,
) -> None:
    """Run each spec on adcli's engine and on PyTorch and report every divergence.

    Compared: which step raised and its error kind, each expectation, and every bound
    tensor's shape, dtype, requires_grad, is_leaf, grad_fn, value, grad and graph.
    Exit codes: 0 the engines agree, 1 a divergence, 2 invalid input (or no PyTorch),
    3 internal error.
    """
    from adcli.engines import EngineError, require_torch

    try:
        require_torch()
    except EngineError as err:
        typer.echo(f"adcli diff: {err}", err=True)
        raise typer.Exit(EXIT_INVALID) from None
    load_plugins(plugins)
    from adcli.engines.diff import diff_paths

    result = diff_paths(paths, max_elements=max_elements, max_memory=max_memory * 2**20)
    for err in result.errors:
        typer.echo(str(err), err=True)
    for s in result.specs:
        if s.internal is not None:
            typer.echo(f"adcli: internal error in {s.spec}: {s.internal}\n"
                       "This is a bug in adcli; rerun with --debug for a traceback.", err=True)
    if json_out:
        typer.echo(json.dumps(result.to_dict(), default=str))
    else:
        console = make_console()
        plain = plain_output()
        for s in result.specs:
            if s.ok and quiet:
                continue
            state_txt = "agree" if s.ok else "DIVERGE"
            style = "" if plain else ("green" if s.ok else "bold red")
            head = f"{state_txt:8} {s.name} ({s.spec})"
            console.print(f"[{style}]{head}[/{style}]" if style else head, markup=bool(style),
                          highlight=False)
            for d in s.divergences:
                where = f" [{d.tensor}]" if d.tensor else (
                    f" [step {d.step}]" if d.step is not None else "")
                console.print(f"    {d.what}{where}: {d.message}", markup=False,
                              highlight=False)
        n_bad = sum(not s.ok for s in result.specs)
        console.print(f"{len(result.specs) - n_bad}/{len(result.specs)} specs agree on both "
                      f"engines" + (f", {len(result.errors)} invalid" if result.errors else ""),
                      markup=False, highlight=False)
    code = result.exit_code
    if code == EXIT_INTERNAL and state.debug:
        pass
    raise typer.Exit(code)
