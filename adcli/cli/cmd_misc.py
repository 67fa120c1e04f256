"""``adcli ops`` (the op reference) and ``adcli init`` (a starter spec)."""

from __future__ import annotations

from pathlib import Path

import typer

from . import app
from .common import EXIT_INVALID, EXIT_OK

DEFAULT_SPEC = "adcli-spec.yaml"
SCHEMA_FILE = "adcli.schema.json"


def _complete_op(incomplete: str) -> list[str]:
    """Shell completion of ``adcli ops NAME``: the names it accepts."""
    from adcli.docs_gen import known_names

    return [n for n in known_names() if n.startswith(incomplete)]


@app.command("ops")
def ops(
    name: str | None = typer.Argument(
        None, metavar="[NAME]", autocompletion=_complete_op,
        help="One op: matmul, torch.exp, F.mse_loss, Tensor.view, sum_dim or MulBackward0."),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON document on stdout."),
    list_: bool = typer.Option(False, "--list", help="Names only, one per line."),
    search: str | None = typer.Option(
        None, "--search", metavar="TEXT",
        help="Ops whose name, PyTorch name, summary or grad_fn contains TEXT."),
    namespace: str | None = typer.Option(
        None, "--namespace", metavar="NS",
        help="Only the names under torch.NS: linalg, special, func, distributions, "
             "autograd, nn, nn.functional, optim, utils.data, Tensor, ..."),
) -> None:
    """The supported ops: signatures, derivative rules and PyTorch equivalents.

    Examples: adcli ops matmul; adcli ops --list; adcli ops --search softmax;
    adcli ops --namespace linalg; adcli ops torch.linalg.det.

    Exit codes: 0 found, 2 unknown NAME or nothing matches --search (close matches are
    suggested).
    """
    import json

    from adcli.docs_gen import entry_text, find_op, op_entries, ops_text, search_ops, suggest
    from adcli.view.run_report import versioned

    entries = op_entries()
    if namespace is not None:
        prefix = "torch." + namespace.strip().removeprefix("torch.").strip(".") + "."
        entries = [e for e in entries if e.kind != "derivative" and e.torch.startswith(prefix)]
        if not entries:
            typer.echo(f"adcli ops: no names under {prefix[:-1]!r}", err=True)
            raise typer.Exit(EXIT_INVALID)
    if search is not None:
        entries = search_ops(search, entries)
        if not entries:
            close = suggest(search, op_entries())
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            typer.echo(f"adcli ops: nothing matches {search!r}{hint}", err=True)
            raise typer.Exit(EXIT_INVALID)
    if list_ and name is None:
        if json_out:
            typer.echo(json.dumps(versioned({"names": [e.name for e in entries]})))
        else:
            typer.echo("\n".join(e.name for e in entries))
        raise typer.Exit(EXIT_OK)
    if name is None:
        if json_out:
            typer.echo(json.dumps(versioned({"ops": [e.to_json() for e in entries]})))
        else:
            typer.echo(ops_text(entries))
        raise typer.Exit(EXIT_OK)
    found = find_op(name, entries)
    if not found:
        close = suggest(name, entries)
        hint = f"; did you mean {', '.join(close)}?" if close else "; see adcli ops"
        typer.echo(f"adcli ops: unknown op {name!r}{hint}", err=True)
        raise typer.Exit(EXIT_INVALID)
    if json_out:
        doc = found[0].to_json() if len(found) == 1 else {"ops": [e.to_json() for e in found]}
        typer.echo(json.dumps(versioned(doc)))
    else:
        typer.echo("\n".join("\n".join(entry_text(e)) for e in found))
    raise typer.Exit(EXIT_OK)


STARTER_SPEC = """\
# yaml-language-server: $schema={schema}
# ^ Editors that use yaml-language-server (VS Code's YAML extension, Neovim, Helix, ...)
#   read this line and complete and check the keys below against adcli's JSON Schema.
#   The schema file comes from `adcli schema > {schema}`.
#
# A starter adcli spec: the PyTorch code of a tiny model plus what must hold about it.
#   adcli run {spec}          runs the steps, shows prints, expectations and gradients
#   adcli gradcheck {spec}    compares the gradients with finite differences
#   adcli graph {spec}        draws the grad_fn graph of the last tensor
# Every key is explained in docs/spec-format.md.

name: starter                  # shown in reports; defaults to the file name
description: One linear layer with a tanh, a mean-squared-error loss and its gradients.
seed: 0                        # seeds randn/rand/...: the same seed gives the same values
dtype: float64                 # the default; float32 works too (gradcheck always uses float64)

# tensors: the leaves (named inputs), created in this order. A value is a creation
# expression, literal data (a number or nested list), or a mapping with data/requires_grad/dtype.
tensors:
  x: randn(4, 3)                         # a batch of 4 inputs with 3 features
  target: [[0.5], [-0.5], [1.0], [0.0]]  # literal data
  w: randn(3, 1, requires_grad=True)     # parameters: backward fills w.grad and b.grad
  b: {{data: [0.1], requires_grad: true}}

# steps: run in order. A string holds PyTorch statements (torch., F. and bare names);
# a mapping is an expect / print / graph / no_grad step, or a {{do, raises}} pair.
steps:
  - h = torch.tanh(x @ w + b)
  - loss = F.mse_loss(h, target)
  - expect:                              # checked when the step runs
      loss.grad_fn: MseLossBackward0     # a grad_fn's class name
      loss.shape: []                     # a 0-d tensor
      w.grad: null                       # no backward yet
  - loss.backward()
  - expect:
      w.grad.shape: [3, 1]
      b.grad.shape: [1]
  # assert takes any boolean expression; a failed assert is a failed expectation
  - assert torch.allclose(b.grad, (2 * (h - target) * (1 - h ** 2)).mean(dim=0))
  - no_grad:                             # nested steps run with gradient tracking off
      - frozen = x @ w
  - expect: {{frozen.requires_grad: false, frozen.grad_fn: null}}
  - do: loss.backward()                  # the graph was freed by the first backward ...
    raises: graph_freed                  # ... so this must fail with that error kind
  - print: [loss, b.grad]

# gradcheck: what `adcli gradcheck` verifies (without it: every tensor the steps call
# .backward() on, with respect to every leaf that requires grad).
gradcheck:
  - of: loss                             # any expression, evaluated after the steps
    wrt: [w, b]                          # leaves from tensors
"""


def starter_spec(spec_name: str = DEFAULT_SPEC, schema: str = SCHEMA_FILE) -> str:
    """The text ``adcli init`` writes."""
    return STARTER_SPEC.format(spec=spec_name, schema=schema)


@app.command("init")
def init(
    path: str = typer.Argument(DEFAULT_SPEC, metavar="[PATH]",
                               help=f"Where to write the spec (default {DEFAULT_SPEC})."),
    force: bool = typer.Option(False, "--force", "-f", help="Overwrite an existing file."),
    schema: bool = typer.Option(
        True, "--schema/--no-schema",
        help=f"Also write {SCHEMA_FILE} next to the spec (for the editor modeline)."),
) -> None:
    """Write a commented starter spec that passes `adcli run` and `adcli gradcheck`.

    Exit codes: 0 written, 2 the file exists (use --force) or cannot be written.
    """
    target = Path(path)
    if target.is_dir():
        typer.echo(f"adcli init: {path} is a folder; give a file name such as "
                   f"{target / DEFAULT_SPEC}", err=True)
        raise typer.Exit(EXIT_INVALID)
    if target.exists() and not force:
        typer.echo(f"adcli init: {path} already exists; use --force to overwrite it", err=True)
        raise typer.Exit(EXIT_INVALID)
    text = starter_spec(target.name)
    if not schema:
        text = "\n".join(text.splitlines()[5:]) + "\n"  # drop the modeline and its comment
    written = [str(target)]
    try:
        target.write_text(text, encoding="utf-8")
        if schema:
            written += _write_schema(target.parent / SCHEMA_FILE, force)
    except OSError as exc:
        typer.echo(f"adcli init: cannot write {exc.filename or path}: "
                   f"{exc.strerror or exc}", err=True)
        raise typer.Exit(EXIT_INVALID) from None
    typer.echo(f"wrote {', '.join(written)}")
    typer.echo(f"next: adcli run {target} && adcli gradcheck {target}")
    raise typer.Exit(EXIT_OK)


def _write_schema(dest: Path, force: bool) -> list[str]:
    """Write the schema unless an existing file should be kept; the paths written."""
    from adcli.spec.schema import schema_text

    text = schema_text() + "\n"
    if dest.exists() and not force:
        if dest.read_text(encoding="utf-8", errors="replace") != text:
            typer.echo(f"adcli init: kept the existing {dest} (refresh it with "
                       f"adcli schema > {dest})", err=True)
        return []
    dest.write_text(text, encoding="utf-8")
    return [str(dest)]
