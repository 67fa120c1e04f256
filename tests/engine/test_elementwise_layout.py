"""Multi-input elementwise results are laid out as torch's TensorIterator lays them out.

torch orders the output's axes by the *first* input's strides (``reorder_dimensions``: later
inputs only break ties, a broadcast axis never decides), after its ``fast_setup`` (all
row-major inputs: row-major; all channels_last: channels_last; dense ones of equal strides:
those strides). NumPy's K order weighs every input and keeps row-major on a conflict, so
``a.T + b`` was row-major in adcli and column-major in torch. Compared with torch: shape,
strides, contiguity, values (bit for bit) and what ``.view(-1)`` does afterwards.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from requires import require_torch

import adcli

torch = require_torch()
pytestmark = pytest.mark.needs_torch


def _g(m, *shape, dtype=None):
    n = math.prod(shape)
    return (m.arange(float(n), dtype=dtype or m.float64) * 0.37 - 1.5).reshape(*shape)


def _cl(m, x):
    return x.contiguous(memory_format=m.channels_last)


CASES = {
    "T + contiguous": lambda m: _g(m, 3, 4).T + _g(m, 4, 3),
    "contiguous + T": lambda m: _g(m, 4, 3) + _g(m, 3, 4).T,
    "T * T": lambda m: _g(m, 3, 4).T * _g(m, 3, 4).T,
    "permuted 3-D + contiguous": lambda m: _g(m, 2, 3, 4).permute(2, 0, 1) + _g(m, 4, 2, 3),
    "contiguous + permuted 3-D": lambda m: _g(m, 4, 2, 3) + _g(m, 2, 3, 4).permute(2, 0, 1),
    "permuted + other permutation": lambda m: _g(m, 2, 3, 4).permute(1, 2, 0)
    + _g(m, 2, 4, 3).permute(2, 1, 0),
    "channels_last + contiguous": lambda m: _cl(m, _g(m, 2, 3, 4, 5)) + _g(m, 2, 3, 4, 5),
    "contiguous + channels_last": lambda m: _g(m, 2, 3, 4, 5) + _cl(m, _g(m, 2, 3, 4, 5)),
    "channels_last + channels_last": lambda m: _cl(m, _g(m, 2, 3, 4, 5))
    * _cl(m, _g(m, 2, 3, 4, 5)),
    "channels_last sliced pair": lambda m: _cl(m, _g(m, 2, 3, 4, 5))[:, :, ::2]
    - _cl(m, _g(m, 2, 3, 4, 5))[:, :, 1::2],
    "channels_last + bias": lambda m: _cl(m, _g(m, 2, 3, 4, 5)) + _g(m, 3, 1, 1),
    "bias + channels_last": lambda m: _g(m, 5) + _cl(m, _g(m, 2, 3, 4, 5)),
    "channels_last_3d + contiguous": lambda m: _g(m, 2, 3, 2, 2, 2).contiguous(
        memory_format=m.channels_last_3d) + _g(m, 2, 3, 2, 2, 2),
    "T + row": lambda m: _g(m, 3, 4).T + _g(m, 3),
    "column + T": lambda m: _g(m, 4, 1) + _g(m, 3, 4).T,
    "expanded + T": lambda m: _g(m, 1, 3).expand(4, 3) + _g(m, 3, 4).T,
    "sliced T + contiguous": lambda m: _g(m, 3, 8)[:, ::2].T + _g(m, 4, 3),
    "int T + float": lambda m: m.arange(12).reshape(3, 4).T + _g(m, 4, 3),
    "float32 T + float64": lambda m: _g(m, 3, 4, dtype=m.float32).T + _g(m, 4, 3),
    "sub": lambda m: _g(m, 3, 4).T - _g(m, 4, 3),
    "div": lambda m: _g(m, 3, 4).T / _g(m, 4, 3),
    "pow": lambda m: _g(m, 3, 4).T.abs() ** _g(m, 4, 3),
    "maximum": lambda m: m.maximum(_g(m, 3, 4).T, _g(m, 4, 3)),
    "atan2": lambda m: m.atan2(_g(m, 3, 4).T, _g(m, 4, 3)),
    "hypot": lambda m: m.hypot(_g(m, 3, 4).T, _g(m, 4, 3)),
    "xlogy": lambda m: m.xlogy(_g(m, 3, 4).T, _g(m, 4, 3).abs()),
    "lerp number": lambda m: m.lerp(_g(m, 3, 4).T, _g(m, 4, 3), 0.3),
    "lerp tensor": lambda m: m.lerp(_g(m, 3, 4).T, _g(m, 4, 3), _g(m, 4, 3)),
    "addcmul": lambda m: m.addcmul(_g(m, 3, 4).T, _g(m, 4, 3), _g(m, 4, 3)),
    "addcdiv": lambda m: m.addcdiv(_g(m, 3, 4).T, _g(m, 4, 3), _g(m, 4, 3) + 9),
    "clamp tensor min": lambda m: m.clamp(_g(m, 3, 4).T, min=_g(m, 4, 3)),
    "where, condition contiguous": lambda m: m.where(
        _g(m, 4, 2, 3) > 0, _g(m, 2, 3, 4).permute(2, 0, 1), _g(m, 4, 2, 3)),
    "where, condition permuted": lambda m: m.where(
        _g(m, 2, 3, 4).permute(2, 0, 1) > 0, _g(m, 4, 2, 3), _g(m, 4, 2, 3)),
    "eq": lambda m: m.eq(_g(m, 3, 4).T, _g(m, 4, 3)),
    "lt number": lambda m: _g(m, 3, 4).T < 1.0,
    "logical and": lambda m: (_g(m, 3, 4).T > 0) & (_g(m, 4, 3) > 1),
    "empty": lambda m: _g(m, 0, 3).T + _g(m, 3, 0),
}


@pytest.mark.parametrize("name", list(CASES))
def test_strides_as_torch(name):
    want, got = CASES[name](torch), CASES[name](adcli)
    assert tuple(got.shape) == tuple(want.shape)
    assert got.stride() == want.stride()
    assert got.is_contiguous() == want.is_contiguous()
    if want.dim() == 4:
        assert got.is_contiguous(memory_format=adcli.channels_last) == \
            want.is_contiguous(memory_format=torch.channels_last)
    np.testing.assert_array_equal(got.numpy(), want.numpy())
    assert str(got.dtype) == str(want.dtype)


def test_view_after_transposed_sum_fails_as_torch():
    # the layout decides whether .view(-1) works: a.T + b is not contiguous in torch
    for m in (torch, adcli):
        with pytest.raises(RuntimeError) as err:
            (_g(m, 3, 4).T + _g(m, 4, 3)).view(-1)
        if m is torch:
            want = str(err.value)
        else:
            assert str(err.value) == want


def test_gradients_unchanged_by_layout():
    grads = {}
    for m in (torch, adcli):
        a = _g(m, 3, 4).requires_grad_()
        b = _g(m, 4, 3).requires_grad_()
        y = (a.T * b + b).sin()
        y.backward(_g(m, 4, 3))
        grads[m] = (a.grad.numpy(), b.grad.numpy(), y.grad_fn.name())
    assert grads[torch][2] == grads[adcli][2]
    np.testing.assert_array_equal(grads[torch][0], grads[adcli][0])
    np.testing.assert_array_equal(grads[torch][1], grads[adcli][1])
