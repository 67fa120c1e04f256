"""Conversions, predicates, promotion, broadcasting and print options against real torch."""

from __future__ import annotations

import numpy as np
import pytest
from requires import require_torch

import adcli

torch = require_torch()
pytestmark = pytest.mark.needs_torch


def outcome(fn):
    try:
        r = fn()
    except Exception as exc:
        # adcli's errors subclass the builtin torch raises: compare that builtin
        kind = next(k for k in type(exc).__mro__ if k.__module__ == "builtins")
        return kind.__name__, str(exc)
    if isinstance(r, (adcli.Tensor, torch.Tensor)):
        return ("T", str(r.dtype), tuple(r.shape), r.tolist(), r.requires_grad,
                None if r.grad_fn is None else r.grad_fn.name())
    if isinstance(r, tuple):
        return tuple(outcome(lambda v=v: v) for v in r)
    return str(r)


def same(fn):
    a, t = outcome(lambda: fn(adcli)), outcome(lambda: fn(torch))
    assert a == t


@pytest.mark.parametrize("fn", [
    lambda T: T.is_tensor(T.ones(1)), lambda T: T.is_tensor([1]),
    lambda T: T.is_floating_point(T.ones(1)), lambda T: T.is_floating_point(T.arange(2)),
    lambda T: T.is_floating_point(3), lambda T: T.is_complex(T.ones(1)),
    lambda T: T.numel(T.ones(2, 3)), lambda T: T.numel([1]),
    lambda T: T.is_nonzero(T.tensor([0.0])), lambda T: T.is_nonzero(T.tensor(3)),
    lambda T: T.is_nonzero(T.tensor([1, 2])), lambda T: T.is_nonzero(T.tensor([])),
    lambda T: T.tensor([2.0]).is_nonzero(), lambda T: T.ones(2).is_complex(),
    lambda T: T.ones(2, 2).nelement(),
    lambda T: T.result_type(T.tensor([1]), 2.0), lambda T: T.result_type(2, 3.0),
    lambda T: T.result_type(True, 2), lambda T: T.result_type(T.tensor([True]), 2),
    lambda T: T.result_type(T.tensor([1], dtype=T.uint8), T.tensor(1)),
    lambda T: T.result_type(T.tensor([1], dtype=T.uint8), -1),
    lambda T: T.result_type(T.tensor(1.0, dtype=T.float64), T.tensor([1.0])),
    lambda T: T.result_type(T.tensor(1.0, dtype=T.float64), T.tensor([1])),
    lambda T: T.result_type(T.tensor(1.0), T.tensor(1, dtype=T.float64)),
    lambda T: T.result_type(T.tensor([1]), T.tensor([True])),
    lambda T: T.promote_types(T.int64, T.float32), lambda T: T.promote_types(T.bool, T.uint8),
    lambda T: T.promote_types(T.uint8, T.int64), lambda T: T.promote_types(T.float32, T.float64),
    lambda T: T.can_cast(T.float64, T.int64), lambda T: T.can_cast(T.int64, T.float32),
    lambda T: T.can_cast(T.bool, T.uint8), lambda T: T.can_cast(T.uint8, T.bool),
    lambda T: T.can_cast(T.float32, T.float64),
    lambda T: T.broadcast_shapes((2, 1), (3,)), lambda T: T.broadcast_shapes(),
    lambda T: T.broadcast_shapes(3, (2, 1)), lambda T: T.broadcast_shapes((2, 3), (4, 3)),
    lambda T: T.broadcast_shapes((2,), -1), lambda T: T.broadcast_shapes([1, 4], [5, 1]),
    lambda T: T.broadcast_tensors(T.ones(2, requires_grad=True), T.ones(3, 1)),
    lambda T: T.broadcast_tensors(T.ones(2), T.ones(3)),
    lambda T: T.broadcast_tensors(T.ones(2, requires_grad=True), T.ones(2)),
    lambda T: T.tensor([1.7, -2.2]).byte(), lambda T: T.tensor([1.7, 0.0]).bool(),
    lambda T: T.tensor([1.7, -2.2]).long(), lambda T: T.tensor([1.5]).element_size(),
    lambda T: T.tensor([1.5], dtype=T.float64).element_size(),
    lambda T: T.tensor([1]).element_size(),
    lambda T: T.tensor([True]).element_size(),
    lambda T: T.as_tensor([1, 2.5]), lambda T: T.as_tensor(T.ones(2, requires_grad=True) * 2),
    lambda T: T.as_tensor(T.ones(2, requires_grad=True), dtype=T.float64),
    lambda T: T.asarray([1, 2]), lambda T: T.asarray(3.0), lambda T: T.asarray(True),
    lambda T: T.asarray(np.float32(2)), lambda T: T.asarray(np.arange(3.0)),
    lambda T: T.asarray(T.ones(2, requires_grad=True), copy=True, requires_grad=True),
    lambda T: T.asarray(T.ones(2, requires_grad=True), dtype=T.float64, requires_grad=True),
    lambda T: T.asarray(T.ones(2), requires_grad=True),
    lambda T: T.asarray([1, 2], requires_grad=True), lambda T: T.from_numpy([1]),
    lambda T: T.from_numpy(np.array([1.0, 2.0], dtype=np.float32)),
    lambda T: T.set_num_threads(0), lambda T: T.set_num_threads(1.5),
])
def test_matches_torch(fn):
    same(fn)


def test_memory_is_shared():
    x = np.arange(4.0)
    for lib in (adcli, torch):
        for make in (lib.from_numpy, lib.as_tensor, lib.asarray):
            x[0] = 0.0
            t = make(x)
            x[0] = 7.0
            assert t[0].item() == 7.0
            t[1] = 9.0
            assert x[1] == 9.0
    a = adcli.ones(3)
    assert adcli.as_tensor(a) is a and adcli.asarray(a) is a
    assert a.data_ptr() == adcli.from_numpy(a.numpy()).data_ptr()


def test_threads_round_trip():
    n = adcli.get_num_threads()
    assert n >= 1
    adcli.set_num_threads(3)
    assert adcli.get_num_threads() == 3
    adcli.set_num_threads(n)


PRINTED = [
    lambda T: T.tensor([1.12345, 3.0, -0.5]),
    lambda T: T.tensor([[1e-5, 1.0], [2.0, 3.0]]),
    lambda T: T.tensor([1.0, 2.0, 300000.0]),
    lambda T: T.arange(30.0).reshape(5, 6) / 7,
    lambda T: T.arange(2000.0),
    lambda T: T.arange(100),
    lambda T: T.tensor(3.14159),
    lambda T: T.tensor([1.5, 2.25], dtype=T.float64, requires_grad=True),
]
OPTIONS = [
    {"precision": 2}, {"precision": 8}, {"sci_mode": True}, {"sci_mode": False},
    {"threshold": 5}, {"threshold": 5, "edgeitems": 1}, {"linewidth": 40},
    {"profile": "short"}, {"profile": "full"}, {"profile": "default"},
    {"precision": 1, "sci_mode": True, "linewidth": 30},
]


@pytest.mark.parametrize("options", OPTIONS)
def test_printoptions(options):
    try:
        adcli.set_printoptions(**options)
        torch.set_printoptions(**options)
        for make in PRINTED:
            assert repr(make(adcli)) == repr(make(torch))
    finally:
        adcli.set_printoptions(profile="default")
        torch.set_printoptions(profile="default")
