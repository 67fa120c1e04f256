"""torch.range (deprecated, end included), torch.empty_permuted and
torch.legacy_contiguous_format against torch 2.13."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from requires import require_torch

torch = require_torch()
pytestmark = pytest.mark.needs_torch

import adcli  # noqa: E402

RANGES: list[tuple[tuple[Any, ...], str | None]] = [
    ((1, 4), None), ((0, 1, 0.1), None), ((0, 1, 0.1), "float64"), ((1, 4), "int64"),
    ((-3.3, 7.9, 0.37), None), ((10, 1, -0.7), "float64"), ((0, 100, 0.013), "float64"),
    ((0, 100, 0.01), None), ((2.5, 9, 2), "int32"), ((3, 3), None),
]


@pytest.mark.parametrize("args,dtype", RANGES)
def test_range_values_and_warning(args: tuple[Any, ...], dtype: str | None) -> None:
    kw_t = {} if dtype is None else {"dtype": getattr(torch, dtype)}
    kw_a = {} if dtype is None else {"dtype": getattr(adcli, dtype)}
    with warnings.catch_warnings(record=True) as wt:
        warnings.simplefilter("always")
        want = torch.range(*args, **kw_t)
    with warnings.catch_warnings(record=True) as wa:
        warnings.simplefilter("always")
        got = adcli.range(*args, **kw_a)
    assert [str(w.message) for w in wa] == [str(w.message) for w in wt]
    assert [w.category for w in wa] == [w.category for w in wt]
    assert str(got.dtype) == str(want.dtype)
    np.testing.assert_array_equal(got.numpy(), want.numpy())


def test_range_requires_grad() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = torch.range(0, 2, 0.5, requires_grad=True)
        a = adcli.range(0, 2, 0.5, requires_grad=True)
    assert a.requires_grad == t.requires_grad and a.is_leaf


ERRORS: list[tuple[str, Callable[[Any], Any]]] = [
    ("zero step", lambda T: T.range(1, 4, 0)),
    ("wrong sign", lambda T: T.range(4, 1)),
    ("duplicate dim", lambda T: T.empty_permuted((2, 3), (0, 0))),
]


@pytest.mark.parametrize("label,prog", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors(label: str, prog: Callable[[Any], Any]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(RuntimeError) as want:
            prog(torch)
        with pytest.raises(RuntimeError) as got:
            prog(adcli)
    assert str(got.value) == str(want.value)


@pytest.mark.parametrize("size,perm", [((2, 3, 4), (2, 0, 1)), ((2, 3, 4), (0, 1, 2)),
                                       ((5, 2), (1, 0)), ((3,), (0,))])
def test_empty_permuted(size: tuple[int, ...], perm: tuple[int, ...]) -> None:
    t = torch.empty_permuted(size, perm, dtype=torch.float64)
    a = adcli.empty_permuted(size, perm, dtype=adcli.float64)
    assert tuple(a.shape) == tuple(t.shape) and a.stride() == t.stride()
    assert str(a.dtype) == str(t.dtype)
    assert str(adcli.empty_permuted(size, perm).dtype) == str(torch.empty_permuted(size,
                                                                                    perm).dtype)


def test_legacy_contiguous_format() -> None:
    assert torch.legacy_contiguous_format is torch.contiguous_format
    assert adcli.legacy_contiguous_format is adcli.contiguous_format
    assert repr(adcli.legacy_contiguous_format) == repr(torch.legacy_contiguous_format)
