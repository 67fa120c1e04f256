"""Honest headline numbers (issue 12, point 4): kinks counted apart and excluded from the
headline; the failure headline describes the failing entries; --strict fails kinks as torch."""

from __future__ import annotations

import numpy as np
import pytest

import adcli


def leaf(values: list[float]):
    return adcli.tensor(values, dtype=adcli.float64, requires_grad=True)


def test_kink_is_excluded_from_the_headline() -> None:
    r = adcli.gradcheck(lambda x: adcli.relu(x).sum(), (leaf([0.0, 1.0, -1.0]),), names=["x"])
    assert r.ok
    assert r.max_abs_error < 1e-6  # the accepted 0 vs 0.5 entry is not counted
    assert sum(p.n_accepted for p in r.pairs) == 1


def test_strict_fails_kinks_as_torch_does() -> None:
    torch = pytest.importorskip("torch")
    xt = torch.tensor([0.0, 1.0, -1.0], dtype=torch.float64, requires_grad=True)
    assert not torch.autograd.gradcheck(lambda t: torch.relu(t).sum(), (xt,),
                                        raise_exception=False)
    r = adcli.gradcheck(lambda x: adcli.relu(x).sum(), (leaf([0.0, 1.0, -1.0]),),
                        names=["x"], strict=True)
    assert not r.ok
    assert r.max_abs_error == pytest.approx(0.5, abs=1e-6)


class _Wrong(adcli.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * 1.0

    @staticmethod
    def backward(ctx, g):
        (_x,) = ctx.saved_tensors
        # wrong only at the first entry, by a little; elsewhere right
        scale = adcli.tensor([1.1, 1.0, 1.0], dtype=adcli.float64)
        return g * scale


def test_failure_headline_describes_the_failing_entries() -> None:
    # x[1] has a tiny numerical value: a large relative error that is within atol
    x = leaf([2.0, 1e-7, 3.0])
    r = adcli.gradcheck(lambda t: _Wrong.apply(t) + adcli.tensor([0.0, 1e-6, 0.0],
                                                                  dtype=adcli.float64) * 0,
                        (x,), names=["x"])
    assert not r.ok
    rows = [m for p in r.pairs for m in p.worst]
    assert rows and max(m.abs_error for m in rows) == pytest.approx(r.max_abs_error)
    assert r.max_rel_error == pytest.approx(max(abs(m.rel_error) for m in rows), rel=1e-6)
    assert np.isfinite(r.max_rel_error)
