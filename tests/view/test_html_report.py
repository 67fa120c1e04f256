"""The data behind the HTML report (heatmaps, step sweeps) and the report's markup: complete,
escaped, self-contained. The rendered page in a real browser: tests/view/test_html_browser.py."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import numpy as np
import pytest

import adcli
from adcli.check.evidence import HeatmapBuilder
from adcli.check.report import Mismatch
from adcli.check.spec_checks import GradcheckRun, SpecCheck
from adcli.view.html_report import gradcheck_html, run_html


class Cube(adcli.Function):
    """x ** 3 with a backward of 2 x ** 2 (should be 3 x ** 2)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 2 * x ** 2


def _leaf(a: np.ndarray) -> adcli.Tensor:
    return adcli.tensor(a, dtype=adcli.float64, requires_grad=True)


# -- heatmap data --------------------------------------------------------------------------------
def _brute(score: np.ndarray, rs: int, cs: int) -> dict[tuple[int, int], tuple[int, int]]:
    out = {}
    for R in range(-(-score.shape[0] // rs)):
        for C in range(-(-score.shape[1] // cs)):
            blk = score[R * rs:(R + 1) * rs, C * cs:(C + 1) * cs]
            r, c = np.unravel_index(int(np.argmax(blk)), blk.shape)
            out[(R, C)] = (R * rs + int(r), C * cs + int(c))
    return out


@pytest.mark.parametrize("blocks", [1, 3, 7])
def test_heatmap_cells_show_their_blocks_worst_entry_streamed_or_not(blocks: int) -> None:
    rng = np.random.default_rng(blocks)
    m, n = 23, 17  # output (23,), input (17,): cells of 5 x 4 entries at cap 5
    A, N = rng.standard_normal((m, n)), rng.standard_normal((m, n))
    score = rng.random((m, n))
    bad = score > 0.9
    hb = HeatmapBuilder("x", "y", (n,), (m,), cap=5)
    for cols in np.array_split(np.arange(n), blocks):  # as a streaming check would feed it
        hb.add(cols, A[:, cols], N[:, cols], score[:, cols], bad[:, cols])
    hm = hb.finish()
    assert (hm.row_step, hm.col_step) == (5, 4) and hm.shape == (5, 5)
    for (R, C), (r, c) in _brute(score, 5, 4).items():
        assert hm.analytical[R, C] == A[r, c] and hm.numerical[R, C] == N[r, c]
        assert tuple(hm.where[R, C]) == (r, c)
        assert hm.bad[R, C] == bad[R * 5:(R + 1) * 5, C * 4:(C + 1) * 4].any()


def test_heatmap_of_a_scalar_output_takes_the_inputs_shape_and_marks_the_worst() -> None:
    A = np.arange(12.0).reshape(1, 12)
    hb = HeatmapBuilder("w", "loss", (3, 4), (), cap=40)
    hb.add(np.arange(12), A, A + 1, np.abs(A), np.ones_like(A, dtype=bool))
    worst = [Mismatch("w", (2, 3), "loss", (), 11.0, 12.0), Mismatch("w", (0, 1), "loss", (),
                                                                       1.0, 2.0)]
    hm = hb.finish(worst)
    assert hm.by_input_shape and hm.shape == (3, 4)
    assert np.array_equal(hm.analytical, np.arange(12.0).reshape(3, 4))
    assert hm.marks == [(2, 3), (0, 1)]


def test_failing_check_keeps_heatmaps_of_the_jacobian_and_a_plateau_sweep() -> None:
    x = np.linspace(-1.5, 1.5, 30).reshape(5, 6) + 0.05
    report = adcli.gradcheck(lambda t: Cube.apply(t), (_leaf(x),), keep_graph=True)
    assert not report.ok
    (pair,) = report.pairs
    hm = pair.picture
    assert hm is not None and hm.shape == (30, 30) and (hm.row_step, hm.col_step) == (1, 1)
    # Known derivatives: the backward says diag(2 x^2), finite differences see diag(3 x^2).
    np.testing.assert_allclose(hm.analytical, np.diag(2 * x.ravel() ** 2), atol=1e-12)
    np.testing.assert_allclose(hm.numerical, np.diag(3 * x.ravel() ** 2), atol=1e-6)
    assert np.array_equal(hm.bad, np.diag(x.ravel() ** 2 > 1e-5 / 0.999))
    worst = report.mismatches[0]
    assert worst.index == (4, 5) and hm.marks[0] == (29, 29)  # x = 1.55: the largest x^2
    # Each sweep's estimates approach 3 x^2 and never the backward's 2 x^2: a plateau.
    (sw,) = report.sweeps
    assert (sw.input, sw.index, sw.output_index) == ("input", (4, 5), (4, 5))
    assert not sw.agrees_somewhere
    x45 = x[4, 5]
    for h, est in zip(sw.eps, sw.numerical):
        # central differences of x^3: 3 x^2 + h^2, plus rounding that grows as 1/h
        assert est == pytest.approx(3 * x45 ** 2 + h ** 2, abs=1e-9 + 1e-14 / h)
    assert min(sw.errors) == pytest.approx(x45 ** 2, rel=1e-3)
    assert sw.check_eps in sw.eps


def test_noise_is_swept_too_and_agrees_at_some_step() -> None:
    x = _leaf(np.array([3.0e4, -2.0e4]))
    report = adcli.gradcheck(lambda x: (x ** 2).sum(), (x,), eps=1e-9)
    assert report.ok and any(n.kind == "noise" for n in report.notes)
    (sw,) = report.sweeps
    assert sw.agrees_somewhere and sw.analytical == pytest.approx(2 * 3.0e4)
    errs = dict(zip(sw.eps, sw.errors))
    assert errs[1e-9] > sw.tolerance  # the check's own step is in the rounding regime


def test_passing_check_keeps_no_pictures_unless_asked_for_its_graph() -> None:
    x = _leaf(np.array([0.5, 1.0]))
    plain = adcli.gradcheck(lambda t: (t * t).sum(), (x,))
    kept = adcli.gradcheck(lambda t: (t * t).sum(), (x,), keep_graph=True)
    assert plain.ok and plain.graph is None and not plain.sweeps
    assert kept.graph is not None and {n.name for n in kept.graph.nodes.values()} == \
        {"SumBackward0", "MulBackward0", "AccumulateGrad"}
    assert all(p.picture is None for p in kept.pairs)


# -- markup ----------------------------------------------------------------------------------------
class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(text: str) -> _Tags:
    p = _Tags()
    p.feed(text)
    p.close()
    return p


NETWORK = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//|@import|url\(\s*["']?"""
                     r"""\s*(?:https?:)?//""", re.I)


def _failing_run(name: str = "cube-check") -> GradcheckRun:
    x = _leaf(np.array([[0.3, -1.2], [0.8, 1.1]]))
    report = adcli.gradcheck(lambda t: Cube.apply(t).tanh().sum(), (x,), names=["x"],
                             keep_graph=True)
    check = SpecCheck("specs/cube.yaml", name, "loss", ["x"], line=3, report=report)
    return GradcheckRun(checks=[check])


def test_gradcheck_html_has_verdict_graph_with_culprit_heatmaps_and_sweep() -> None:
    run = _failing_run()
    text = gradcheck_html(run)
    p = _parse(text)
    tags = [t for t, _ in p.tags]
    assert tags.count("html") == 1 and text.startswith("<!DOCTYPE html>")
    assert "FAIL" in p.text and "0/1 check passed" in "".join(p.text)
    culprits = [a for t, a in p.tags if t == "g" and "culprit" in (a.get("class") or "")]
    assert [a["data-name"] for a in culprits] == ["CubeBackward"]
    maps = [a for t, a in p.tags if t == "svg" and a.get("class") == "heatmap"]
    # One failing pair (x, output): analytical, numerical, difference.
    assert sorted(a["data-kind"] for a in maps) == ["a", "d", "n"]
    assert by_class(p, "svg", "sweep") == 1 and by_class(p, "svg", "gradfn-graph") == 1
    assert not NETWORK.search(text)
    ids = [a["id"] for _, a in p.tags if a.get("id")]
    assert len(ids) == len(set(ids))


def by_class(p: _Tags, tag: str, cls: str) -> int:
    return sum(1 for t, a in p.tags if t == tag and cls in (a.get("class") or "").split())


def test_spec_text_is_escaped_in_both_reports() -> None:
    evil = '<script>alert("x")</script><img src="http://example.com/x.png">'
    text = gradcheck_html(_failing_run(name=evil))
    assert "<script>alert" not in text and "<img" not in text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in text
    assert not NETWORK.search(text)
    # adcli run: a spec's name, steps and printed strings.
    from adcli.spec.interpreter import run_spec
    from adcli.spec.loader import load_specs

    spec = load_specs("evil.yaml", text=f"""\
name: '{evil}'
tensors:
  x: {{data: [1.0, 2.0], requires_grad: true}}
steps:
  - y = (x * x).sum()
  - print("</pre><script>alert(1)</script>")
  - y.backward()
  - expect: {{x.grad: [2.0, 4.0]}}
  - graph: y
""")[0]
    report = run_spec(spec, graph=True)
    assert report.ok
    text = run_html([report])
    p = _parse(text)
    assert [t for t, _ in p.tags].count("script") == 1  # adcli's own read-out script only
    assert "<img" not in text and not NETWORK.search(text)
    assert "</pre><script>alert(1)</script>" in "".join(p.text)
    assert by_class(p, "svg", "gradfn-graph") == 2  # the graph step and the final graph


def test_run_html_shows_steps_expectations_and_failures() -> None:
    from adcli.spec.interpreter import run_spec
    from adcli.spec.loader import load_specs

    spec = load_specs("half.yaml", text="""\
name: half-right
tensors:
  x: {data: [1.0, 2.0], requires_grad: true}
steps:
  - y = (x * x).sum()
  - y.backward()
  - expect: {x.grad: [2.0, 4.0]}
  - expect: {x.grad: [2.0, 5.0]}
""")[0]
    report = run_spec(spec)
    assert not report.ok
    p = _parse(run_html([report]))
    text = "".join(p.text)
    assert "0/1 spec passed" in text and "1/2" in text
    marks = [a["class"] for t, a in p.tags if t == "span" and "mark" in (a.get("class") or "")]
    assert marks.count("mark fail") >= 2 and marks.count("mark ok") >= 3
