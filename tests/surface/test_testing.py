"""torch.testing.assert_close against real torch: same verdicts, error types and messages."""

from __future__ import annotations

import numpy as np
import pytest
from requires import require_torch

import adcli
import adcli.testing

torch = require_torch()
pytestmark = pytest.mark.needs_torch


def convert(lib, x):
    """The same structure with tensors of ``lib`` (specs: ('t', data, dtype))."""
    if isinstance(x, tuple) and x and x[0] == "t":
        return lib.tensor(x[1], dtype=getattr(lib, x[2]))
    if isinstance(x, list):
        return [convert(lib, v) for v in x]
    if isinstance(x, dict):
        return {k: convert(lib, v) for k, v in x.items()}
    return x


def outcome(lib, assert_close, actual, expected, **kw):
    try:
        assert_close(convert(lib, actual), convert(lib, expected), **kw)
    except Exception as exc:
        return type(exc).__name__, str(exc)
    return None


F32, F64, I64, B = "float32", "float64", "int64", "bool"
CASES = [
    (("t", [1.0, 2.0, 3.0], F32), ("t", [1.0, 2.0, 3.0], F32), {}),
    (("t", [1.0, 2.0, 3.0], F32), ("t", [1.0, 2.000001, 3.0], F32), {}),
    (("t", [1.0, 2.0, 3.0], F32), ("t", [1.0, 2.5, 3.0], F32), {}),
    (("t", [1.0, 2.0, 3.0], F64), ("t", [1.0, 2.0000001, 3.1], F64), {}),
    (("t", [[1.0, 2.0], [3.0, 0.0]], F32), ("t", [[1.5, 2.0], [3.0, 1e-3]], F32), {}),
    (("t", [1.0, 2.0], F32), ("t", [1.0, 2.0], F64), {}),
    (("t", [1.0, 2.0], F32), ("t", [1.0, 2.01], F64), {"check_dtype": False}),
    (("t", [1.0, 2.0], F32), ("t", [1.0, 2.0, 3.0], F32), {}),
    (("t", [1, 2, 3], I64), ("t", [1, 2, 4], I64), {}),
    (("t", [1, 2, 3], I64), ("t", [1, 0, 4], I64), {}),
    (("t", [True, False], B), ("t", [True, True], B), {}),
    (("t", 1.0, F32), ("t", 1.1, F32), {}),
    (("t", [float("nan"), 1.0], F32), ("t", [float("nan"), 1.0], F32), {}),
    (("t", [float("nan"), 1.0], F32), ("t", [float("nan"), 1.0], F32), {"equal_nan": True}),
    (("t", [float("inf"), 1.0], F32), ("t", [float("inf"), 1.0], F32), {}),
    (("t", [float("inf"), 1.0], F32), ("t", [float("-inf"), 1.0], F32), {}),
    (("t", [1.0, 2.0], F32), ("t", [1.1, 2.0], F32), {"rtol": 0.2, "atol": 0.0}),
    (("t", [1.0, 2.0], F32), ("t", [1.1, 2.0], F32), {"rtol": 0.2}),
    (("t", [1.0, 2.0], F32), ("t", [1.1, 2.0], F32), {"msg": "custom"}),
    (("t", [1.0, 2.0], F32), ("t", [1.1, 2.0], F32), {"msg": lambda m: "X" + m}),
    (1.0, 1.0 + 1e-8, {}), (1.0, 1.1, {}), (1, 2, {}), (1, 1.0, {}),
    (1, 1.0, {"check_dtype": False}),
    (True, False, {}), (None, None, {}), (None, 1.0, {}), (0.0, 1e-3, {}),
    ([1.0, 2.0], [1.0, 2.5], {}), ([1.0, 2.0], [1.0], {}),
    ({"a": 1.0, "b": ("t", [1.0], F32)}, {"a": 1.0, "b": ("t", [2.0], F32)}, {}),
    ({"a": 1.0}, {"b": 1.0}, {}),
    ([("t", [1.0], F32), [("t", [1.0, 2.0], F64)]], [("t", [1.0], F32), [("t", [1.0, 3.0], F64)]],
     {}),
    (("t", [1.0], F32), 1.0, {}),
    ("abc", "abc", {}),
]


@pytest.mark.parametrize("actual,expected,kw", CASES)
def test_assert_close_matches_torch(actual, expected, kw):
    mine = outcome(adcli, adcli.testing.assert_close, actual, expected, **kw)
    theirs = outcome(torch, torch.testing.assert_close, actual, expected, **kw)
    if mine and theirs and mine[0] == "TypeError":
        # the types are named by their own modules: compare the rest
        mine = (mine[0], mine[1].replace("adcli.engine.tensor.Tensor", "torch.Tensor"))
    assert mine == theirs


def test_numpy_arrays_and_random_tensors():
    rng = np.random.default_rng(0)
    for dtype in (np.float32, np.float64):
        a = rng.standard_normal((4, 5)).astype(dtype)
        b = a.copy()
        b[1, 3] += 1e-3
        b[2, 0] -= 2e-3
        mine = outcome(adcli, adcli.testing.assert_close, a, b)
        theirs = outcome(torch, torch.testing.assert_close, a, b)
        assert mine == theirs
        mine = outcome(adcli, adcli.testing.assert_close, adcli.from_numpy(a),
                       adcli.from_numpy(b))
        theirs = outcome(torch, torch.testing.assert_close, torch.from_numpy(a),
                         torch.from_numpy(b))
        assert mine == theirs and mine is not None


def test_assert_allclose_deprecated():
    with pytest.warns(FutureWarning) as wa:
        adcli.testing.assert_allclose(adcli.tensor([1.0]), [1.00001])
    with pytest.warns(FutureWarning) as wt:
        torch.testing.assert_allclose(torch.tensor([1.0]), [1.00001])
    assert str(wa[0].message) == str(wt[0].message)
