"""The full check streams the numerical Jacobian in column blocks: same report, less memory."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import adcli
from adcli.check import gradcheck as gc
from adcli.check.stream import PairAcc, column_blocks

sys.path.insert(0, str(Path(__file__).parents[1] / "spec"))
from hostile_harness import _run


class _BadTanh(adcli.Function):
    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return x.tanh()

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        return g * (1 - x.tanh()) * (x > 0.3)  # wrong: 1 - tanh, and cut below 0.3


rng = np.random.default_rng(3)
CASES = {
    "pass": (lambda x, w: adcli.tanh(x @ w).sum(dim=0), [rng.standard_normal((7, 5)),
                                                          rng.standard_normal((5, 4))]),
    "fail": (lambda x, w: _BadTanh.apply(x @ w), [rng.standard_normal((7, 5)),
                                                  rng.standard_normal((5, 4))]),
    "kinks": (lambda x: ((x.abs() * 2).sum(), x.relu()), [np.array([0.0, 1.0, -2.0, 0.0, 3.0])]),
    "two_outputs_fail": (lambda x: (_BadTanh.apply(x), x.sin().sum()),
                         [rng.standard_normal((6, 3))]),
}


def _report(name: str, width: int | None) -> Any:
    fn, arrays = CASES[name]
    ts = [adcli.tensor(a, dtype=adcli.float64, requires_grad=True) for a in arrays]
    original = gc._full_pairs

    def narrow(*args: Any, **kw: Any) -> Any:
        return original(*args, **{**kw, "width": width})

    gc._full_pairs = narrow  # type: ignore[assignment]
    try:
        return gc.gradcheck(fn, tuple(ts), max_worst=4)
    finally:
        gc._full_pairs = original  # type: ignore[assignment]


def _essence(r: Any) -> Any:
    return ([(p.input, p.output, p.ok, p.max_abs_error, p.max_rel_error, p.n_checked,
              p.n_mismatches, p.n_accepted, p.stable, [m.to_dict() for m in p.worst],
              None if p.heatmap is None else p.heatmap.tolist()) for p in r.pairs],
            [n.to_dict() for n in r.notes], r.ok)


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("width", [1, 2, 3])
def test_blocks_of_any_width_give_the_report_of_one_block(name: str, width: int) -> None:
    whole = _report(name, 10**9)
    assert _essence(_report(name, width)) == _essence(whole)
    if name == "fail":
        assert not whole.ok and whole.pairs[0].worst  # the case really has failures to rank
    if name == "kinks":
        assert whole.ok and any(p.n_accepted for p in whole.pairs)


def test_column_blocks_recut_chunks_in_order() -> None:
    J = np.arange(3 * 11, dtype=float).reshape(3, 11)
    chunks = [(0, J[:, :4]), (4, J[:, 4:5]), (5, J[:, 5:11])]
    for w in (1, 2, 3, 5, 11, 50):
        got = list(column_blocks(iter(chunks), 3, 11, w))
        assert all(b.shape[1] <= w for _, b in got)
        assert [s for s, _ in got] == list(np.cumsum([0] + [b.shape[1] for _, b in got])[:-1])
        np.testing.assert_array_equal(np.concatenate([b for _, b in got], axis=1), J)


def test_accumulators_of_column_ranges_merge_to_the_whole() -> None:
    g = np.random.default_rng(0)
    a, n = g.standard_normal((9, 20)), g.standard_normal((9, 20))
    n[2, 3] = np.nan
    err, tol = np.abs(a - n), 1e-5 + 1e-3 * np.abs(n)
    bad = ~(err <= tol)
    acc = np.zeros_like(bad)
    whole = PairAcc(9, 20, 5)
    whole.add(0, a, n, err, tol, bad, acc, 1e-5)
    left, right = PairAcc(9, 20, 5), PairAcc(9, 20, 5)
    left.add(0, a[:, :7], n[:, :7], err[:, :7], tol[:, :7], bad[:, :7], acc[:, :7], 1e-5)
    right.add(7, a[:, 7:], n[:, 7:], err[:, 7:], tol[:, 7:], bad[:, 7:], acc[:, 7:], 1e-5)
    left.merge(right)
    cols = np.arange(20)
    w, m = (x.result("x", "y", cols, (20,), (9,), 1e-5, {}) for x in (whole, left))
    assert (w.n_mismatches, w.max_abs_error, w.max_rel_error) == \
        (m.n_mismatches, m.max_abs_error, m.max_rel_error)
    assert [x.to_dict() for x in w.worst] == [x.to_dict() for x in m.worst]
    np.testing.assert_array_equal(whole.heat, left.heat)
    assert w.worst[0].output_index == (2,) and w.worst[0].index == (3,)  # nan ranks first


@pytest.mark.slow
def test_full_check_stays_within_max_memory(tmp_path: Path) -> None:
    """A 4,000 x 4,000 check (128 MB of Jacobian) under --max-memory 200: the analytical
    Jacobian fits, and the numerical one plus its comparison arrays (about 5 x 128 MB held
    whole) are streamed, so the check passes with the process well under the limit."""
    (tmp_path / "wide.yaml").write_text(textwrap.dedent("""\
        tensors:
          x: randn(4000, requires_grad=True)
        gradcheck:
          - of: x.tanh() * 2 + x.sin()
            wrt: [x]
            mode: full
        """))
    base, _ = _run(["run", "wide.yaml"], tmp_path, timeout=120)
    proc, _ = _run(["gradcheck", "wide.yaml", "--json", "--max-memory", "200",
                    "--max-elements", "100000000"], tmp_path, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert '"ok": true' in proc.stdout
    peak, start = proc.peak_kb, base.peak_kb  # type: ignore[attr-defined]
    assert peak is not None and start is not None
    assert (peak - start) / 1024 < 200, (peak, start)
