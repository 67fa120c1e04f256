"""``out=`` on ops with named results returns torch's ``torch.return_types.<op>_out`` (the
same fields, the out tensors themselves, torch's repr), and a wrong ``out`` gets torch's
TypeError, word for word; each case runs on torch and on adcli."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from _torch_compare import builtins

import adcli

torch = pytest.importorskip("torch")


def _x(T: Any) -> Any:
    return T.tensor([[1.5, -3.0, 0.25, 8.0], [2.0, 0.5, -1.0, 4.0]], dtype=T.float64)


def _e(T: Any, *shape: int, dtype: Any = None) -> Any:
    return T.empty(*shape, dtype=dtype or T.float64)


CASES = {
    "frexp": lambda T: T.frexp(_x(T), out=(_e(T, 2, 4), _e(T, 2, 4, dtype=T.int32))),
    "frexp list": lambda T: T.frexp(_x(T), out=[_e(T, 2, 4), _e(T, 2, 4, dtype=T.int32)]),
    "max": lambda T: T.max(_x(T), 1, out=(_e(T, 2), _e(T, 2, dtype=T.int64))),
    "min": lambda T: T.min(_x(T), 1, out=(_e(T, 2), _e(T, 2, dtype=T.int64))),
    "sort": lambda T: T.sort(_x(T), 1, out=(_e(T, 2, 4), _e(T, 2, 4, dtype=T.int64))),
    "topk": lambda T: T.topk(_x(T), 2, out=(_e(T, 2, 2), _e(T, 2, 2, dtype=T.int64))),
    "linalg.slogdet": lambda T: T.linalg.slogdet(T.eye(3, dtype=T.float64) * 2,
                                                 out=(_e(T, ()), _e(T, ()))),
    "linalg.qr": lambda T: T.linalg.qr(T.eye(3, dtype=T.float64), out=(_e(T, 3, 3),
                                                                       _e(T, 3, 3))),
    "linalg.eigh": lambda T: T.linalg.eigh(T.eye(3, dtype=T.float64), out=(_e(T, 3),
                                                                           _e(T, 3, 3))),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_out_returns_torchs_out_result_type(name: str) -> None:
    got, want = CASES[name](adcli), CASES[name](torch)
    assert type(got).__name__ == type(want).__name__, (type(got), type(want))
    assert type(got).__module__ == type(want).__module__ == "torch.return_types"
    assert repr(got).split("(")[0] == repr(want).split("(")[0]
    assert len(got) == len(want)
    for g, w, field in zip(got, want, got._fields, strict=True):
        assert getattr(got, field) is g and getattr(want, field) is w
        np.testing.assert_allclose(np.asarray(g.tolist()), np.asarray(w.tolist()), atol=1e-12)


ERRORS = {
    "frexp one": lambda T: T.frexp(_x(T), out=(_e(T, 2, 4),)),
    "frexp three": lambda T: T.frexp(_x(T), out=(_e(T, 2, 4),) * 3),
    "frexp tensor": lambda T: T.frexp(_x(T), out=_e(T, 2, 4)),
    "max one": lambda T: T.max(_x(T), 1, out=(_e(T, 2),)),
    "linalg.qr tensor": lambda T: T.linalg.qr(T.eye(3), out=_e(T, 3)),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_a_wrong_out_gets_torchs_type_error(name: str) -> None:
    results = []
    for T in (adcli, torch):
        with pytest.raises(TypeError) as info:
            ERRORS[name](T)
        results.append((builtins(info.value)[0], str(info.value)))
    assert results[0] == results[1]
