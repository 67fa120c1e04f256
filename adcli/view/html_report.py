"""One self-contained HTML report of ``adcli gradcheck`` or ``adcli run`` (``--html FILE``).

Public API:

- ``gradcheck_html(run, *, title=None) -> str``: every check with its verdict and numbers,
  the checked grad_fn graph (SVG, culprit highlighted), for a failing check the heatmaps of
  each failing (input, output) pair and the step-size sweep behind the noise-vs-error
  verdict, and the invalid specs.
- ``run_html(reports, *, title=None) -> str``: each spec's steps, prints, expectations,
  graphs and leaves.

Everything is inline (CSS, SVG, a few lines of script for the heatmap read-out): no network,
no other file, no program needed to read it. Light and dark (``prefers-color-scheme``),
narrow screens stack the panels. Every text from a spec or a plugin is escaped.
"""

from __future__ import annotations

import math
from typing import Any

from .svg_charts import heatmaps_html, sweep_svg, sweep_verdict
from .svg_graph import esc, render_svg

CSS = """
:root{--bg:#ffffff;--fg:#0f172a;--muted:#64748b;--card:#f8fafc;--line:#e2e8f0;--code:#f1f5f9;
--ok:#15803d;--okbg:#dcfce7;--bad:#b91c1c;--badbg:#fee2e2;--warn:#92400e;--warnbg:#fef3c7;
--mark:#0f172a;--hmbg:#ffffff}
@media (prefers-color-scheme: dark){:root{--bg:#0b1120;--fg:#e2e8f0;--muted:#94a3b8;
--card:#111827;--line:#334155;--code:#1e293b;--ok:#4ade80;--okbg:#14532d;--bad:#fca5a5;
--badbg:#450a0a;--warn:#fcd34d;--warnbg:#422006;--mark:#f8fafc;--hmbg:#0b1120}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);
font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1240px;margin:0 auto;padding:20px}
h1{font-size:1.5rem;margin:0 0 4px}
h2{font-size:1.15rem;margin:0;overflow-wrap:anywhere}
h3{font-size:1rem;margin:18px 0 8px}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em}
pre{background:var(--code);padding:8px 10px;border-radius:6px;overflow-x:auto;margin:6px 0}
.muted{color:var(--muted)}
.card{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:16px;
margin:18px 0}
.card.fail{border-left:6px solid var(--bad)}
.card.ok{border-left:6px solid var(--ok)}
.head{display:flex;flex-wrap:wrap;gap:8px 12px;align-items:center}
.badge{display:inline-block;font-weight:700;font-size:.85rem;padding:2px 10px;
border-radius:999px;letter-spacing:.03em}
.badge.ok{background:var(--okbg);color:var(--ok)}
.badge.fail{background:var(--badbg);color:var(--bad)}
.badge.warn{background:var(--warnbg);color:var(--warn)}
dl.nums{display:grid;grid-template-columns:repeat(auto-fill,minmax(140px,1fr));gap:8px 16px;
margin:12px 0}
dl.nums div{min-width:0}
dl.nums dt{color:var(--muted);font-size:.8rem}
dl.nums dd{margin:0;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;
overflow-wrap:anywhere}
.culprit{background:var(--badbg);border-radius:8px;padding:10px 12px;margin:12px 0}
.culprit strong{color:var(--bad)}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;font-size:.9rem}
th,td{text-align:left;padding:4px 12px 4px 0;border-bottom:1px solid var(--line);
white-space:nowrap}
td.num{text-align:right;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.graph{overflow:auto;max-height:85vh;border:1px solid var(--line);border-radius:8px;
background:var(--bg);padding:4px}
.graph svg{display:block}
.maps{display:grid;grid-template-columns:repeat(auto-fit,minmax(240px,1fr));gap:12px;
margin:8px 0}
figure.hm{margin:0;min-width:0}
figure.hm figcaption{font-size:.85rem;margin-bottom:4px}
svg.heatmap{max-width:100%;height:auto;display:block;border:1px solid var(--line)}
.hm-bg{fill:var(--hmbg)}
.hm-nan{fill:#a855f7}
.hm-bad{fill:none;stroke:var(--mark);stroke-width:.8;stroke-opacity:.55}
.hm-mark{fill:none;stroke:var(--mark);stroke-width:2}
.hm-rank{font:bold 11px ui-monospace,monospace;fill:var(--mark)}
.maps-head{margin-top:14px}
.readout{min-height:1.5em;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;
font-size:.85rem;overflow-wrap:anywhere}
svg.sweep{width:100%;max-width:760px;height:auto;display:block}
.sw-bg{fill:var(--bg);stroke:var(--line)}
.sw-grid{stroke:var(--line);stroke-width:1}
.sw-tick,.sw-axis,.sw-note{font:11px ui-monospace,monospace;fill:var(--muted)}
.sw-tol{stroke:var(--ok);stroke-dasharray:6 4;stroke-width:1.5}
.sw-eps{stroke:var(--muted);stroke-dasharray:2 3;stroke-width:1.5}
.sw-err{fill:none;stroke:var(--bad);stroke-width:2}
.sw-err-pt{fill:var(--bad)}
.sw-self{fill:none;stroke:var(--muted);stroke-width:1.5;stroke-dasharray:4 3}
.sw-self-pt{fill:var(--muted)}
.legend{font-size:.85rem;color:var(--muted);margin:6px 0}
.key{display:inline-block;width:18px;height:0;vertical-align:middle;margin:0 4px 0 8px}
.sw-err-key{border-top:2px solid var(--bad)}
.sw-self-key{border-top:2px dashed var(--muted)}
ul.notes{padding-left:20px;margin:8px 0}
ol.steps{list-style:none;padding:0;margin:8px 0}
ol.steps li{border-top:1px solid var(--line);padding:8px 0}
ol.steps ol.steps{margin-left:20px}
.mark{font-weight:700;display:inline-block;min-width:3.2em}
.mark.ok{color:var(--ok)}.mark.fail{color:var(--bad)}
.exp{margin:2px 0 2px 1.2em;overflow-wrap:anywhere}
.summary{font-size:1.05rem;margin:6px 0 0}
footer{color:var(--muted);font-size:.8rem;margin:28px 0 8px}
@media (max-width:700px){main{padding:10px}body{font-size:14px}.card{padding:12px}
h1{font-size:1.25rem}.maps{grid-template-columns:1fr}}
"""

# Hover (or tap) read-out of a heatmap cell; the data sits in a JSON script next to the maps.
JS = """
(function(){
  var wired=0;
  function fmt(x){return x===null?'nan':Number(x).toPrecision(6);}
  document.querySelectorAll('svg.heatmap').forEach(function(svg){
    var key=svg.getAttribute('data-map');
    var src=document.getElementById('hm-'+key);
    var out=document.getElementById('ro-'+key);
    if(!src||!out){return;}
    var data=JSON.parse(src.textContent);
    function show(ev){
      var box=svg.getBoundingClientRect();
      var c=Math.floor((ev.clientX-box.left)/box.width*data.cols);
      var r=Math.floor((ev.clientY-box.top)/box.height*data.rows);
      if(r<0||c<0||r>=data.rows||c>=data.cols){return;}
      var k=r*data.cols+c, a=data.a[k], n=data.n[k];
      var d=(a===null||n===null)?null:a-n;
      out.textContent=(data.labels[k]||('cell '+r+', '+c))+': analytical '+fmt(a)+
        ', numerical '+fmt(n)+', difference '+fmt(d);
    }
    svg.addEventListener('mousemove',show);
    svg.addEventListener('click',show);
    wired++;
  });
  document.documentElement.setAttribute('data-adcli-ready',String(wired));
})();
"""


def _page(title: str, body: str) -> str:
    from adcli import __version__

    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            '<meta name="color-scheme" content="light dark">\n'
            f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
            f"{body}\n<footer>adcli {esc(__version__)}: one self-contained file, no network "
            f"resources.</footer>\n</main>\n<script>{JS}</script>\n</body>\n</html>\n")


def _fmt(x: Any) -> str:
    if x is None:
        return "-"
    if isinstance(x, float):
        if math.isnan(x):
            return "nan"
        if math.isinf(x):
            return "inf" if x > 0 else "-inf"
        return f"{x:.6g}"
    return str(x)


def _badge(ok: bool, text: str | None = None) -> str:
    return (f'<span class="badge {"ok" if ok else "fail"}">'
            f'{esc(text or ("PASS" if ok else "FAIL"))}</span>')


def _nums(items: list[tuple[str, Any]]) -> str:
    return '<dl class="nums">' + "".join(
        f"<div><dt>{esc(k)}</dt><dd>{esc(_fmt(v))}</dd></div>" for k, v in items) + "</dl>"


def _index(name: str, index: Any) -> str:
    return f"{name}[{', '.join(str(i) for i in index)}]" if index else name


def _graph_block(snap: Any, key: str, highlight: Any = (), title: str = "") -> str:
    if snap is None:
        return ""
    svg = render_svg(snap, highlight=highlight, id_prefix=f"g{key}", standalone=False,
                     title=title or f"grad_fn graph of {snap.of or ''}")
    return f'<div class="graph">{svg}</div>'


# -- gradcheck -------------------------------------------------------------------------------
def gradcheck_html(run: Any, *, title: str | None = None) -> str:
    """The report of a :class:`~adcli.check.spec_checks.GradcheckRun`."""
    checks = run.checks
    passed = sum(c.ok for c in checks)
    heading = title or "adcli gradcheck"
    parts = [f"<header><h1>{esc(heading)}</h1>",
             f'<p class="summary">{_badge(run.ok)} {passed}/{len(checks)} '
             f"check{'s' if len(checks) != 1 else ''} passed"
             + (f", {len(run.errors)} invalid spec{'s' if len(run.errors) != 1 else ''}"
                if run.errors else "") + "</p></header>"]
    for err in run.errors:
        parts.append('<section class="card fail"><div class="head">'
                     f'{_badge(False, "INVALID")}<h2>{esc(_error_where(err))}</h2></div>'
                     f"<pre>{esc(getattr(err, 'message', str(err)))}</pre></section>")
    for k, c in enumerate(checks):
        parts.append(_check_card(c, str(k)))
    return _page(heading, "\n".join(parts))


def _error_where(err: Any) -> str:
    f = getattr(err, "file", None) or getattr(err, "spec", "")
    line, col = getattr(err, "line", None), getattr(err, "column", None)
    return f"{f}:{line or 1}:{col or 1}" if f else str(err)


def _check_card(c: Any, key: str) -> str:
    r = c.report
    ok = c.ok
    out = [f'<section class="card {"ok" if ok else "fail"}" id="check-{esc(key)}">',
           f'<div class="head">{_badge(ok)}<h2>{esc(c.label)}</h2></div>',
           f'<div class="muted mono">{esc(c.spec)}'
           + (f", line {c.line}" if c.line else "") + "</div>"]
    if c.error is not None:
        e = c.error
        where = f"step {e.step}, line {e.line}: " if e.step is not None else \
            (f"line {e.line}: " if e.line else "")
        out.append(f"<pre>{esc(where + e.kind + ': ' + e.message)}</pre>")
    if c.internal is not None:
        out.append(f"<pre>internal error (a bug in adcli): {esc(c.internal)}</pre>")
    if r is None:
        out.append("</section>")
        return "\n".join(out)
    n_checked = sum(p.n_checked for p in r.pairs)
    n_bad = sum(p.n_mismatches for p in r.pairs)
    n_acc = sum(p.n_accepted for p in r.pairs)
    out.append(_nums([("max abs error", r.max_abs_error), ("max rel error", r.max_rel_error),
                      ("entries checked", n_checked), ("mismatches", n_bad),
                      ("accepted (kinks, noise)", n_acc), ("eps", r.eps), ("atol", r.atol),
                      ("rtol", r.rtol), ("mode", r.mode), ("order", r.order),
                      ("seconds", round(r.seconds, 4))]))
    if r.error:
        out.append(f"<pre>{esc((r.error_kind or 'error') + ': ' + r.error)}</pre>")
    if r.culprit is not None:
        out.append(_culprit(r.culprit))
    if r.notes:
        out.append('<ul class="notes">' + "".join(
            f'<li><span class="badge warn">{esc(n.kind)}</span> {esc(n.message)}</li>'
            for n in r.notes) + "</ul>")
    if r.graph is not None:
        hl = {r.culprit_id: "culprit"} if r.culprit_id else ()
        out.append(f"<h3>grad_fn graph of {esc(r.graph.of or c.of)}"
                   + (" (the culprit is outlined in red)" if r.culprit_id else "") + "</h3>")
        out.append(_graph_block(r.graph, key, hl))
    maps = [p for p in r.pairs if p.picture is not None]
    if maps:
        out.append('<h3>Jacobian heatmaps</h3><div class="heatmaps">')
        for j, p in enumerate(maps):
            out.append(heatmaps_html(p.picture, f"{key}-{j}"))
        out.append("</div>")
    for j, sw in enumerate(r.sweeps):
        where = f"d {_index(sw.output, sw.output_index)} / d {_index(sw.input, sw.index)}"
        out.append(f"<h3>Step-size sweep of {esc(where)}"
                   + (" (second order)" if sw.order == 2 else "") + "</h3>")
        out.append(f"<p>{esc(sweep_verdict(sw))}</p>")
        out.append(f'<div class="scroll">{sweep_svg(sw, f"{key}-{j}")}</div>')
    mism = r.mismatches
    if mism:
        out.append("<h3>Worst entries</h3>" + _mismatch_table(mism))
    out.append("</section>")
    return "\n".join(out)


def _culprit(cu: Any) -> str:
    bits = [f"<strong>culprit: {esc(cu.node or cu.kind)}</strong>",
            f' <span class="badge fail">{esc(cu.kind)}</span>']
    where = []
    if cu.tensor:
        where.append(f"tensor {cu.tensor}")
    if cu.step is not None:
        where.append(f"step {cu.step}")
    if cu.line is not None:
        where.append(f"line {cu.line}")
    if cu.context:
        where.append(cu.context)
    if where:
        bits.append(f" <span class='mono'>({esc(', '.join(where))})</span>")
    if cu.statement:
        bits.append(f"<pre>{esc(cu.statement)}</pre>")
    if cu.detail:
        bits.append(f"<div>{esc(cu.detail)}</div>")
    return '<div class="culprit">' + "".join(bits) + "</div>"


def _mismatch_table(mism: list[Any], limit: int = 20) -> str:
    rows = ["<tr><th>input</th><th>output</th><th>analytical</th><th>numerical</th>"
            "<th>abs error</th><th>rel error</th></tr>"]
    for m in mism[:limit]:
        rows.append(f"<tr><td class='mono'>{esc(_index(m.input, m.index))}</td>"
                    f"<td class='mono'>{esc(_index(m.output, m.output_index))}</td>"
                    + "".join(f'<td class="num">{esc(_fmt(v))}</td>'
                              for v in (m.analytical, m.numerical, m.abs_error, m.rel_error))
                    + "</tr>")
    more = (f'<p class="muted">{len(mism) - limit} more not shown.</p>'
            if len(mism) > limit else "")
    return f'<div class="scroll"><table>{"".join(rows)}</table></div>{more}'


# -- run -------------------------------------------------------------------------------------
def run_html(reports: list[Any], *, title: str | None = None) -> str:
    """The report of ``adcli run``: one card per spec."""
    heading = title or "adcli run"
    ok = all(r.ok and r.invalid is None and r.internal is None for r in reports)
    passed = sum(bool(r.ok and r.invalid is None and r.internal is None) for r in reports)
    parts = [f"<header><h1>{esc(heading)}</h1>",
             f'<p class="summary">{_badge(ok)} {passed}/{len(reports)} '
             f"spec{'s' if len(reports) != 1 else ''} passed</p></header>"]
    for k, r in enumerate(reports):
        parts.append(_run_card(r, str(k)))
    return _page(heading, "\n".join(parts))


def _run_card(r: Any, key: str) -> str:
    if r.invalid is not None:
        return ('<section class="card fail"><div class="head">'
                f'{_badge(False, "INVALID")}<h2>{esc(_error_where(r.invalid))}</h2></div>'
                f"<pre>{esc(getattr(r.invalid, 'message', str(r.invalid)))}</pre></section>")
    ok = r.ok and r.internal is None
    n_exp = len(r.expectations)
    held = sum(e.ok for e in r.expectations)
    out = [f'<section class="card {"ok" if ok else "fail"}" id="spec-{esc(key)}">',
           f'<div class="head">{_badge(ok)}<h2>{esc(r.name or r.spec)}</h2></div>',
           f'<div class="muted mono">{esc(r.spec)}</div>',
           _nums([("steps", len(r.steps)), ("expectations held", f"{held}/{n_exp}"),
                  ("tensors", len(r.tensors))])]
    if r.internal is not None:
        out.append(f"<pre>internal error (a bug in adcli): {esc(r.internal)}</pre>")
    if r.error is not None:
        e = r.error
        out.append(f'<div class="culprit"><strong>{esc(e.kind)}</strong> '
                   f"<span class='mono'>({esc(e.where)}, line {esc(e.line)})</span>"
                   f"<div>{esc(e.message)}</div></div>")
    out.append('<h3>Steps</h3><ol class="steps">')
    counter = [0]
    for s in r.steps:
        out.append(_step_item(s, key, counter))
    out.append("</ol>")
    if r.graph is not None:
        out.append(f"<h3>grad_fn graph of {esc(r.graph.of or '')}</h3>")
        out.append(_graph_block(r.graph, f"{key}-final"))
    leaves = [t for t in r.tensors.values()]
    if leaves:
        rows = ["<tr><th>tensor</th><th>shape</th><th>dtype</th><th>requires_grad</th>"
                "<th>grad_fn</th><th>leaf</th></tr>"]
        for t in leaves:
            rows.append(f"<tr><td class='mono'>{esc(t.name)}</td>"
                        f"<td class='mono'>{esc(list(t.shape))}</td><td>{esc(t.dtype)}</td>"
                        f"<td>{esc(t.requires_grad)}</td><td class='mono'>"
                        f"{esc(t.grad_fn or '-')}</td><td>{esc(t.is_leaf)}</td></tr>")
        out.append("<h3>Tensors</h3>" + f'<div class="scroll"><table>{"".join(rows)}'
                   "</table></div>")
        grads = [t for t in leaves if t.is_leaf and t.grad_repr]
        for t in grads:
            out.append(f"<div class='mono'>{esc(t.name)}.grad</div><pre>{esc(t.grad_repr)}</pre>")
    out.append("</section>")
    return "\n".join(out)


def _step_item(s: Any, key: str, counter: list[int]) -> str:
    text = s.text or s.kind
    label = text if s.kind in ("statements", "expect") else f"{s.kind} {text}"
    out = [f'<li><span class="mark {"ok" if s.ok else "fail"}">'
           f'{"ok" if s.ok else "FAIL"}</span> <span class="muted">step {s.index}, '
           f"line {s.line}</span><pre>{esc(label)}</pre>"]
    for o in s.outputs:
        out.append(f"<pre>{esc(o)}</pre>")
    for e in s.expectations:
        out.append(f'<div class="exp"><span class="mark {"ok" if e.ok else "fail"}">'
                   f'{"ok" if e.ok else "FAIL"}</span> <code>{esc(e.expr)}</code>: '
                   f"{esc(e.message)}</div>")
    for w in s.warnings:
        out.append(f'<div class="exp"><span class="badge warn">warning</span> line {w.line}: '
                   f"{esc(w.message)}</div>")
    if s.error is not None:
        out.append(f'<div class="culprit"><strong>{esc(s.error.kind)}</strong> '
                   f"{esc(s.error.message)}</div>")
    if s.graph is not None:
        counter[0] += 1
        out.append(_graph_block(s.graph, f"{key}-s{counter[0]}"))
    if s.children:
        out.append('<ol class="steps">' + "".join(_step_item(ch, key, counter)
                                                  for ch in s.children) + "</ol>")
    out.append("</li>")
    return "".join(out)
