"""Rendering of ``adcli run`` / ``adcli validate`` reports (text for a console, or JSON)."""

from __future__ import annotations

import math
from typing import Any

from adcli.spec.report import RunReport, StepResult, ValidateReport, runs_to_json
from adcli.view.safe import json_dumps, markup_safe
from adcli.view.tree import DEFAULT_DEPTH, tree_text_lines


def _jsonable(value: Any) -> Any:
    """Nested lists from arrays, with non-finite floats as strings (strict JSON)."""
    import numpy as np

    if isinstance(value, np.ndarray):
        if value.dtype.kind != "f" or bool(np.isfinite(value).all()):
            return value.tolist()  # nothing to replace: skip the walk (big tensors)
        value = value.tolist()
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return value
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def versioned(doc: dict[str, Any]) -> dict[str, Any]:
    """``doc`` with adcli's ``"version"`` first: every JSON document carries it."""
    from adcli import __version__

    return {"version": __version__, **doc}


def run_json_text(reports: list[RunReport]) -> str:
    """The single JSON document of ``adcli run --json``."""
    return json_dumps(_jsonable(versioned(runs_to_json(reports))), default=str)


def validate_json_text(report: ValidateReport) -> str:
    """The single JSON document of ``adcli validate --json``."""
    return json_dumps(_jsonable(versioned(report.to_json())), default=str)


def _marks(plain: bool) -> tuple[str, str]:
    return ("ok  ", "FAIL") if plain else ("[green]✓[/]", "[red]✗[/]")


def _esc(text: str) -> str:
    return markup_safe(text)


def _step_lines(res: StepResult, plain: bool, quiet: bool, depth: int = 0) -> list[str]:
    good, bad = _marks(plain)
    pad = "  " * (depth + 1)
    lines: list[str] = []
    text = res.text.splitlines()[0] if res.text else res.kind
    if res.kind == "statements" and len(res.text.splitlines()) > 1:
        text += " ..."
    if res.kind in ("expect", "print", "graph"):
        text = f"{res.kind} {text}" if res.kind != "expect" else f"expect {text}"
    if not quiet or not res.ok:
        lines.append(f"{pad}{good if res.ok else bad} {res.index:>2}  {_esc(text)}")
    sub = pad + "      "
    if not quiet:
        for out in res.outputs:
            lines.extend(sub + _esc(x) for x in out.split("\n"))
        if res.graph is not None:
            lines.extend(_esc(x) for x in tree_text_lines(res.graph, indent=sub,
                                                           depth=DEFAULT_DEPTH))
        for w in res.warnings:
            label = "warning" if plain else "[yellow]warning[/]"
            lines.append(f"{sub}{label} line {w.line}: UserWarning: {_esc(w.message)}")
    for exp in res.expectations:
        if exp.ok and quiet:
            continue
        if exp.ok and res.kind == "expect" and len(res.expectations) == 1:
            continue
        mark = good if exp.ok else bad
        lines.append(f"{sub}{mark} {_esc(exp.expr)}: {_esc(exp.message)}")
    if res.error is not None:
        where = f"line {res.error.line}: " if res.error.line else ""
        if res.error.line and getattr(res.error, "context", None):
            where = f"line {res.error.line}, {res.error.context}: "
        lines.append(f"{sub}{'error' if plain else '[red]error[/]'} {where}"
                     f"{_esc(res.error.kind)}: {_esc(res.error.message)}")
    for child in res.children:
        lines.extend(_step_lines(child, plain, quiet, depth + 1))
    return lines




def _render_leaves(console: Any, leaves: list[Any], plain: bool) -> None:
    """The leaves and their grads; the grad as ``print`` shows it, whole (summarised above
    1,000 elements as torch's repr is), so no number is ever cut. Where the table does not fit
    the width, each leaf becomes a header line with its grad below, so no word is split."""
    from rich import box
    from rich.table import Table

    rows = [(t.name, str(tuple(t.shape)), t.dtype, str(t.requires_grad), t.grad_repr or "None")
            for t in leaves]
    cols = ("leaf", "shape", "dtype", "requires_grad", "grad")
    widest = [max(len(c), *(max(len(x) for x in r[i].splitlines() or [""]) for r in rows))
              for i, c in enumerate(cols)]
    if sum(widest) + 2 * (len(cols) - 1) <= console.width:
        table = Table(box=None if plain else box.SIMPLE, show_edge=False, pad_edge=False,
                      title=None, header_style="" if plain else "bold")
        for col in cols:
            table.add_column(col, no_wrap=True)
        for r in rows:
            table.add_row(*(_esc(x) for x in r))
        console.print(table)
        return
    lines = []
    for name, shape, dtype, req, grad in rows:
        lines.append(_esc(f"leaf {name} {shape} {dtype} requires_grad={req} grad:"))
        lines.extend("  " + _esc(line) for line in grad.splitlines())
    _print_lines(console, lines)


def render_run(console: Any, report: RunReport, *, plain: bool, quiet: bool = False) -> None:
    """Print one run: header, steps, prints, graphs, expectations, the leaves table."""

    if report.invalid is not None:
        return  # the error line goes to stderr
    # Lines go to the console in one print each run of them (rich's per-print cost is most of
    # the rendering); soft wrap is on, so the output is the same as line by line.
    lines: list[str] = []
    title = f"{report.name} ({report.spec})"
    if not quiet:
        lines.append(f"== {_esc(title)}" if plain else f"[bold]━━ {_esc(title)}[/]")
    for res in report.steps:
        lines.extend(_step_lines(res, plain, quiet))
    if report.error is not None and not any(s.error for s in _all_steps(report.steps)):
        where = f"line {report.error.line}: " if report.error.line else ""
        lines.append(f"  error {where}{_esc(report.error.kind)}: {_esc(report.error.message)}")
    if report.internal is not None:
        _print_lines(console, lines)
        return
    if report.graph is not None and not quiet:
        lines.append(f"  grad_fn graph of {_esc(report.graph.of or '')}")
        lines.extend(_esc(line) for line in tree_text_lines(report.graph, indent="    ",
                                                             depth=DEFAULT_DEPTH))
    _print_lines(console, lines)
    leaves = [t for t in report.tensors.values() if t.is_leaf]
    if leaves and not quiet:
        _render_leaves(console, leaves, plain)
    n_exp = len(report.expectations)
    failed = sum(not e.ok for e in report.expectations)
    if report.ok:
        status = "PASS" if plain else "[green]PASS[/]"
    else:
        status = "FAIL" if plain else "[red]FAIL[/]"
    console.print(f"{status} {_esc(report.name or '')}: {count(len(report.steps), 'step')}, "
                  f"{n_exp - failed}/{n_exp} expectations held"
                  + (", stopped by an error" if report.error else ""))


def _print_lines(console: Any, lines: list[str]) -> None:
    if lines:
        console.print("\n".join(lines))


def count(n: int, noun: str) -> str:
    """``1 step``, ``2 steps``: a count with its noun in the right number."""
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


def _all_steps(steps: list[StepResult]) -> list[StepResult]:
    out = []
    for s in steps:
        out.append(s)
        out.extend(_all_steps(s.children))
    return out


def render_validate(console: Any, report: ValidateReport, *, plain: bool) -> None:
    """Print the specs that validated (errors go to stderr separately)."""
    good, _ = _marks(plain)
    lines = [f"{good} {_esc(s['spec'])}: {_esc(s['name'])} "
             f"({count(s['steps'], 'step')}, {count(s['tensors'], 'tensor')})"
             for s in report.specs]
    lines.append(f"{count(len(report.specs), 'spec')} valid, "
                 f"{count(len(report.errors), 'error')}")
    _print_lines(console, lines)
