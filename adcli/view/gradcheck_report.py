"""Rendering ``adcli gradcheck`` results: text (rich or plain), JSON and JUnit XML.

Input is the plain :class:`~adcli.check.spec_checks.GradcheckRun` snapshot; nothing here
computes a derivative.
"""

from __future__ import annotations

import math
from typing import Any


def _fmt(x: Any) -> str:
    if x is None:
        return "-"
    x = float(x)
    if math.isinf(x):
        return "inf"
    return f"{x:.6g}"


def _index(name: str, index: Any) -> str:
    idx = list(index)
    return f"{name}[{', '.join(str(i) for i in idx)}]" if idx else name


_MISMATCH_COLS = ("input", "output", "analytical", "numerical", "abs error", "rel error")


def _render_mismatches(console: Any, mism: list[Any], plain: bool) -> None:
    """The worst entries as a table; numbers are never cut. Where the table is too wide for
    the console, the output column goes first (when every row names the same output), then
    each entry becomes one line of ``name value`` pairs, which wraps between words."""
    from rich.table import Table

    from .safe import markup_safe as escape

    rows = [(_index(m.input, m.index), _index(m.output, m.output_index), _fmt(m.analytical),
             _fmt(m.numerical), _fmt(m.abs_error), _fmt(m.rel_error)) for m in mism]
    cols = list(range(len(_MISMATCH_COLS)))
    pad = 6 if plain else 2

    def width(keep: list[int]) -> int:
        return sum(max(len(_MISMATCH_COLS[i]), *(len(r[i]) for r in rows)) + pad for i in keep)

    if width(cols) > console.width and len({r[1] for r in rows}) == 1:
        cols.remove(1)
    if width(cols) <= console.width:
        table = Table(show_header=True, header_style=None if plain else "bold",
                      box=None, pad_edge=False, padding=(0, 2, 0, 4) if plain else (0, 1))
        for i in cols:
            table.add_column(_MISMATCH_COLS[i], no_wrap=True,
                             justify="left" if i < 2 else "right")
        for r in rows:
            table.add_row(*(escape(r[i]) for i in cols))
        console.print(table)
        return
    for r in rows:
        console.print("    " + escape(f"{r[0]} -> {r[1]}: " + ", ".join(
            f"{_MISMATCH_COLS[i]} {r[i]}" for i in range(2, len(_MISMATCH_COLS)))))


def render_gradcheck(console: Any, run: Any, *, plain: bool = False, verbose: bool = False,
                     quiet: bool = False) -> None:
    """One line per check; for a failure, the worst entries and the culprit."""
    from .safe import markup_safe as escape

    for c in run.checks:
        ok = c.ok
        mark = "PASS" if ok else "FAIL"
        style = "green" if ok else "bold red"
        r = c.report
        if quiet and ok:
            continue
        detail = ""
        if c.error is not None:
            detail = f"{_where(c.error)} failed: {c.error.kind}: {c.error.message}"
        elif c.internal is not None:
            detail = f"internal error: {c.internal}"
        elif r is not None and r.error:
            detail = f"error: {r.error}"
        elif r is not None:
            detail = f"max abs error {_fmt(r.max_abs_error)}, max rel error " \
                     f"{_fmt(r.max_rel_error)}"
        extra = []
        if c.mode != "full":
            extra.append(c.mode)
        if c.order != 1:
            extra.append(f"order {c.order}")
        tail = f" ({', '.join(extra)})" if extra else ""
        head = f"[{style}]{mark}[/{style}]" if not plain else mark
        console.print(f"{head} {escape(c.spec)}: {escape(c.label)}{tail}  {escape(detail)}")
        if r is None:
            continue
        for n in r.notes:
            if n.kind in ("kink", "noise", "held") or verbose or not ok:
                console.print(f"    note: {escape(n.message)}")
        if ok:
            continue
        mism = r.mismatches
        if mism:
            _render_mismatches(console, mism[:10], plain)
            failing = [p for p in r.pairs if not p.ok]
            unstable = [p for p in failing if p.stable is False]
            if unstable:
                console.print("    the numerical estimate is unstable at the worst entry: "
                              "try another --eps")
            elif any(p.stable for p in failing):
                console.print("    the numerical estimate is stable (other step sizes agree)")
        if r.culprit is not None:
            cu = r.culprit
            where = []
            if cu.tensor:
                where.append(f"tensor {cu.tensor}")
            if cu.step is not None:
                where.append(f"step {cu.step}")
            if cu.line is not None:
                where.append(f"line {cu.line}")
            if getattr(cu, "context", None):
                where.append(str(cu.context))
            loc = f" ({', '.join(where)})" if where else ""
            what = cu.node or (f"graph cut by `{cu.statement}`" if cu.kind == "graph_cut"
                               else cu.kind)
            line = f"culprit: {escape(what)}{escape(loc)}: {escape(cu.detail)}"
            # The most important line of a failure: bold red on a terminal; the word
            # "culprit" carries it without colour.
            console.print(f"    {line}" if plain else f"    [bold red]{line}[/bold red]")
        elif r.error is None:
            console.print("    culprit: none found (every node agrees with its own forward)")
        if r.graph is not None and r.graph.root is not None:
            from adcli.view.tree import render_tree_rich, tree_text_lines

            highlight = {r.culprit_id: "culprit"} if r.culprit_id else ()
            console.print(f"    graph of {escape(c.of)}:")
            if plain:
                for line in tree_text_lines(r.graph, depth=12, highlight=highlight,
                                            indent="      "):
                    console.print(escape(line))
            else:  # the same characters, with the `!!` culprit node in bold red
                console.print(render_tree_rich(r.graph, depth=12, highlight=highlight,
                                               indent="      "))
    n_ok = sum(1 for c in run.checks if c.ok)
    n = len(run.checks)
    summary = f"{n_ok}/{n} checks passed"
    if run.errors:
        summary += f", {len(run.errors)} invalid spec{'s' if len(run.errors) != 1 else ''}"
    console.print(summary)


def gradcheck_json_text(run: Any) -> str:
    """Exactly one JSON document (the contract's ``adcli gradcheck --json``)."""
    from adcli.view.run_report import versioned

    from .safe import json_dumps

    return json_dumps(versioned(run.to_dict()), indent=2, allow_nan=False)


def junit_xml(run: Any) -> str:
    """JUnit XML: one testcase per check (failures with a message), one per invalid spec."""
    import xml.etree.ElementTree as ET

    failures = sum(1 for c in run.checks if not c.ok and c.internal is None)
    errors = len(run.errors) + sum(1 for c in run.checks if c.internal is not None)
    total = sum((c.report.seconds if c.report is not None else 0.0) for c in run.checks)
    suites = ET.Element("testsuites")
    suite = ET.SubElement(suites, "testsuite", name="adcli.gradcheck",
                          tests=str(len(run.checks) + len(run.errors)),
                          failures=str(failures), errors=str(errors), skipped="0",
                          time=f"{total:.6f}")
    from adcli import __version__

    props = ET.SubElement(suite, "properties")
    ET.SubElement(props, "property", name="adcli.version", value=__version__)
    for c in run.checks:
        case = ET.SubElement(suite, "testcase", classname=c.spec, name=c.label,
                             time=f"{(c.report.seconds if c.report is not None else 0.0):.6f}")
        if c.internal is not None:
            el = ET.SubElement(case, "error", message=c.internal, type="internal")
            el.text = c.internal
        elif not c.ok:
            msg = _failure_message(c)
            el = ET.SubElement(case, "failure", message=msg.splitlines()[0],
                               type="gradcheck")
            el.text = msg
    for e in run.errors:
        d = e.to_dict() if hasattr(e, "to_dict") else {"spec": str(e), "message": str(e),
                                                         "line": 1, "column": 1}
        case = ET.SubElement(suite, "testcase", classname=str(d["spec"]), name="load",
                             time="0")
        el = ET.SubElement(case, "error", message=str(d["message"]),
                           type=str(d.get("kind", "invalid_spec")))
        el.text = f"{d['spec']}:{d['line']}:{d['column']}: {d['message']}"
    ET.indent(suites)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(suites, encoding="unicode")


def _where(error: Any) -> str:
    """``step 3 (line 9)``, or ``the gradcheck entry (line 8)`` for an error of the entry."""
    line = f" (line {error.line})" if error.line is not None else ""
    if error.step is not None:
        return f"step {error.step}{line}"
    return f"the gradcheck entry{line}"


def _failure_message(c: Any) -> str:
    if c.error is not None:
        return f"{_where(c.error)} failed: {c.error.kind}: {c.error.message}"
    r = c.report
    lines = [r.summary() if r is not None else "failed"]
    for m in (r.mismatches[:10] if r is not None else []):
        lines.append(f"{_index(m.input, m.index)} -> {_index(m.output, m.output_index)}: "
                     f"analytical {_fmt(m.analytical)}, numerical {_fmt(m.numerical)}")
    if r is not None and r.culprit is not None:
        cu = r.culprit
        ctx = f", {cu.context}" if getattr(cu, "context", None) else ""
        what = cu.node or f"{cu.kind} `{cu.statement}`"
        lines.append(f"culprit: {what} (step {cu.step}, line {cu.line}{ctx}): {cu.detail}")
    return "\n".join(lines)
