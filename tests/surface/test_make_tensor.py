"""torch.testing.make_tensor against torch 2.13: after the same manual_seed, the same draws of
torch's generator for every dtype, the same ranges, clamping, noncontiguous layout,
exclude_zero, warnings and errors."""

from __future__ import annotations

import warnings
from typing import Any

import pytest
from requires import require_torch

import adcli

torch = require_torch()
pytestmark = pytest.mark.needs_torch

DTYPES = ["float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool",
          "uint16", "uint32", "uint64"]


def outcome(T: Any, fn: Any) -> Any:
    T.manual_seed(3)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            r = fn(T, T.testing.make_tensor)
        except Exception as exc:
            return (next(k.__name__ for k in type(exc).__mro__ if k.__module__ == "builtins"),
                    str(exc))
    return (str(r.dtype), r.tolist(), r.stride(), r.requires_grad, r.is_contiguous(),
            [(w.category.__name__, str(w.message)) for w in caught])


CASES = [
    *[(dt, lambda T, mk, dt=dt: mk(2, 3, dtype=getattr(T, dt), device="cpu")) for dt in DTYPES],
    ("shape tuple, range, grad", lambda T, mk: mk((2, 2), dtype=T.float32, device="cpu",
                                                   low=-1, high=1, requires_grad=True)),
    ("noncontiguous", lambda T, mk: mk(2, 2, dtype=T.float64, device="cpu", noncontiguous=True)),
    ("exclude_zero int", lambda T, mk: mk(5, dtype=T.int64, device="cpu", low=0, high=2,
                                          exclude_zero=True)),
    ("exclude_zero float", lambda T, mk: mk(3, dtype=T.float32, device="cpu", low=0,
                                            high=1e-40, exclude_zero=True)),
    ("clamped float32", lambda T, mk: mk(3, dtype=T.float32, device="cpu", low=-1e39,
                                         high=1e39)),
    ("span overflow", lambda T, mk: mk(3, dtype=T.float32, device="cpu", low=-3e38,
                                       high=3e38)),
    ("clamped uint8", lambda T, mk: mk(6, dtype=T.uint8, device="cpu", low=-5, high=3)),
    ("float bounds int", lambda T, mk: mk(6, dtype=T.int32, device="cpu", low=-2.5, high=2.5)),
    ("low == high", lambda T, mk: mk(3, dtype=T.float32, device="cpu", low=1, high=1)),
    ("channels_last", lambda T, mk: mk(1, 2, 2, 3, dtype=T.float32, device="cpu",
                                       memory_format=T.channels_last)),
    # errors
    ("int grad", lambda T, mk: mk(3, dtype=T.int64, device="cpu", requires_grad=True)),
    ("low >= high", lambda T, mk: mk(3, dtype=T.int64, device="cpu", low=3, high=2)),
    ("outside dtype", lambda T, mk: mk(3, dtype=T.int8, device="cpu", low=300, high=400)),
    ("nan", lambda T, mk: mk(3, dtype=T.float32, device="cpu", low=float("nan"))),
    ("exclusive args", lambda T, mk: mk(3, dtype=T.float32, device="cpu", noncontiguous=True,
                                        memory_format=T.contiguous_format)),
    ("rank for channels_last", lambda T, mk: mk(2, 2, 1, dtype=T.float32, device="cpu",
                                                memory_format=T.channels_last)),
]


@pytest.mark.parametrize("label,fn", CASES, ids=[c[0] for c in CASES])
def test_make_tensor(label, fn) -> None:
    assert outcome(adcli, fn) == outcome(torch, fn)


def test_bfloat16_refused() -> None:
    # adcli has no bfloat16 tensors (NumPy has no such element type): its one clear refusal
    with pytest.raises(Exception, match=r"no tensors of dtype torch\.bfloat16"):
        adcli.testing.make_tensor(2, dtype=adcli.bfloat16, device="cpu")


def test_complex_refused() -> None:
    with pytest.raises(NotImplementedError, match="no complex tensors"):
        adcli.testing.make_tensor(2, dtype=adcli.complex64, device="cpu")
