"""A full check's Jacobian columns split across forked processes: the serial report."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import numpy as np
import pytest

import adcli
from adcli.check import split
from adcli.check.budget import Budget
from adcli.check.gradcheck import gradcheck

pytestmark = pytest.mark.skipif(not split.available(), reason="columns are split by fork (Linux)")


class CubeWrong(adcli.Function):
    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        return grad * 2 * x ** 2  # should be 3 x^2


def _mlp(rng: np.random.Generator) -> tuple[Any, tuple[Any, Any]]:
    x = adcli.tensor(rng.standard_normal((6, 24)), dtype=adcli.float64)
    w1 = adcli.tensor(rng.standard_normal((24, 20)), dtype=adcli.float64, requires_grad=True)
    w2 = adcli.tensor(rng.standard_normal((20, 16)), dtype=adcli.float64, requires_grad=True)

    def f(w1: Any, w2: Any) -> Any:
        out = adcli.softmax(adcli.tanh(x @ w1 / 5) @ w2 / 4, dim=-1)
        return (out * adcli.log(out + 1e-3)).sum(), out[0]
    return f, (w1, w2)


def _same_reports(a: Any, b: Any) -> None:
    da, db = a.to_dict(), b.to_dict()
    da.pop("seconds", None)
    db.pop("seconds", None)
    assert da == db
    for pa, pb in zip(a.pairs, b.pairs):
        assert (pa.heatmap is None) == (pb.heatmap is None)
        if pa.heatmap is not None:
            np.testing.assert_array_equal(pa.heatmap, pb.heatmap)
        assert repr(pa.picture) == repr(pb.picture)


def test_ranges_cover_the_columns_in_order() -> None:
    assert split.ranges(10, 3) == [(0, 3), (3, 6), (6, 10)]
    assert split.ranges(2, 4) == [(0, 1), (1, 2)]
    for n, jobs in [(1000, 2), (999, 7), (5, 5)]:
        parts = split.ranges(n, jobs)
        assert parts[0][0] == 0 and parts[-1][1] == n
        assert all(a[1] == b[0] and a[0] < a[1] for a, b in pairwise(parts))


def test_split_columns_give_the_serial_report() -> None:
    f, inputs = _mlp(np.random.default_rng(0))
    serial = gradcheck(f, inputs)
    two, three = gradcheck(f, inputs, jobs=2), gradcheck(f, inputs, jobs=3)
    assert serial.ok and two.ok and three.ok
    assert "split" in two.strategy and "split" in three.strategy
    assert "split" not in serial.strategy
    _same_reports(serial, two)
    _same_reports(serial, three)


def test_a_failing_split_check_reports_what_the_serial_one_does() -> None:
    rng = np.random.default_rng(1)
    x = adcli.tensor(rng.standard_normal((20, 20)), dtype=adcli.float64, requires_grad=True)
    w = adcli.tensor(rng.standard_normal((20, 5)), dtype=adcli.float64, requires_grad=True)

    def f(x: Any, w: Any) -> Any:
        return CubeWrong.apply(adcli.tanh(x @ w)).sum(dim=0)

    serial, two = gradcheck(f, (x, w)), gradcheck(f, (x, w), jobs=2)
    assert not serial.ok and serial.culprit is not None
    assert "split" in two.strategy
    _same_reports(serial, two)
    assert len(serial.mismatches) == len(two.mismatches) > 0


def test_few_columns_are_not_split() -> None:
    x = adcli.tensor(np.linspace(-1, 1, 12), dtype=adcli.float64, requires_grad=True)
    r = gradcheck(lambda x: x.sin().sum(), (x,), jobs=4)
    assert r.ok and "split" not in r.strategy


def test_a_budget_stop_in_a_worker_stops_the_check() -> None:
    f, inputs = _mlp(np.random.default_rng(2))
    # Enough for the analytical Jacobian and a few chunks, not for all the columns: the
    # workers' work is charged when their columns are handed on.
    need = gradcheck(f, inputs, budget=Budget(max_work=10**12))
    assert need.ok
    stopped = gradcheck(f, inputs, jobs=2, budget=Budget(max_work=50_000))
    serial = gradcheck(f, inputs, budget=Budget(max_work=50_000))
    assert not stopped.ok and not serial.ok
    assert stopped.error_kind == serial.error_kind
    assert "--max-elements" in (stopped.error or "")


def test_an_error_in_a_worker_comes_back_as_its_class() -> None:
    # The worker sends its error back as data (class name and message, no pickle); adcli's
    # own classes are rebuilt, so a time stop in a worker is a time stop of the check.
    import os

    from adcli.check.progress import CheckTimeoutError

    f, inputs = _mlp(np.random.default_rng(3))
    parent = os.getpid()

    def g(w1: Any, w2: Any) -> Any:
        if os.getpid() != parent:
            raise CheckTimeoutError("stopped in a worker")
        total, row = f(w1, w2)
        # Written in place: no replay, so the workers call g (a verified replay would not).
        total = total * 1.0
        total.add_(0.0)
        return total, row

    try:
        report = gradcheck(g, inputs, jobs=2)
    except CheckTimeoutError as exc:
        assert "stopped in a worker" in str(exc)
    else:
        assert report.error_kind == "timeout" and "stopped in a worker" in (report.error or "")


def test_an_unknown_error_class_comes_back_as_a_runtime_error_naming_it() -> None:
    err = split._rebuilt({"module": "somewhere.else", "name": "Odd", "message": "boom"})
    assert type(err) is RuntimeError and str(err) == "Odd: boom"
    err = split._rebuilt({"module": "builtins", "name": "ZeroDivisionError", "message": "x"})
    assert type(err) is ZeroDivisionError


def test_workers_reuse_the_verified_replay() -> None:
    # This process verifies the replay (against calls of the function) before it forks; the
    # workers replay without calling the function again.
    import os

    f, inputs = _mlp(np.random.default_rng(4))
    parent = os.getpid()

    def g(w1: Any, w2: Any) -> Any:
        if os.getpid() != parent:
            raise RuntimeError("called in a worker")
        return f(w1, w2)

    _same_reports(gradcheck(g, inputs, jobs=2), gradcheck(f, inputs, jobs=2))
    assert gradcheck(g, inputs, jobs=2).ok
