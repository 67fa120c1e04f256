"""Behaviour of the elementwise math ops and F ops beyond gradients: dtypes, seeded dropout."""

from __future__ import annotations

import numpy as np
import pytest

import adcli
import adcli.nn.functional as F
from adcli.engine.errors import InvalidArgumentError


def test_dropout_uses_the_seeded_generator() -> None:
    x = adcli.ones(4, 5, dtype=adcli.float64, requires_grad=True)
    adcli.manual_seed(3)
    a = F.dropout(x, 0.4)
    adcli.manual_seed(3)
    b = F.dropout(x, 0.4)
    np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    vals = set(np.unique(a.detach().numpy()).tolist())
    assert vals <= {0.0, 1 / 0.6}
    assert a.grad_fn.name() == "MulBackward0"
    a.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), a.detach().numpy())


def test_dropout_identity() -> None:
    x = adcli.randn(3, requires_grad=True)
    assert F.dropout(x, 0.7, training=False) is x
    assert F.dropout(x, 0.0) is x


def test_dropout_in_place_writes_the_input() -> None:
    x = adcli.randn(3, 4, dtype=adcli.float64, requires_grad=True)
    y = x * 1
    z = F.dropout(y, 0.5, inplace=True)
    assert z is y and z.grad_fn.name() == "MulBackward0"


def test_rounding_keeps_integer_dtype() -> None:
    t = adcli.tensor([1, -2, 3])
    for fn in (adcli.floor, adcli.ceil, adcli.round, adcli.trunc):
        out = fn(t)
        assert out.dtype == adcli.int64
        np.testing.assert_array_equal(out.numpy(), [1, -2, 3])
    assert adcli.sinh(t).dtype == adcli.float32


def test_round_half_to_even_and_decimals() -> None:
    x = adcli.tensor([0.5, 1.5, 2.5, -0.5, 1.2345], dtype=adcli.float64)
    np.testing.assert_array_equal(adcli.round(x).numpy(), [0.0, 2.0, 2.0, -0.0, 1.0])
    assert adcli.round(x, decimals=2).numpy()[-1] == pytest.approx(1.23)


def test_fmod_remainder_signs() -> None:
    x = adcli.tensor([-3.0, 3.0])
    np.testing.assert_array_equal(adcli.fmod(x, 2).numpy(), [-1.0, 1.0])
    np.testing.assert_array_equal(adcli.remainder(x, 2).numpy(), [1.0, 1.0])
    np.testing.assert_array_equal(adcli.tensor([5, -5]).remainder(3).numpy(), [2, 1])


def test_one_hot() -> None:
    out = F.one_hot(adcli.tensor([[0, 2], [1, 1]]), 4)
    assert out.dtype == adcli.int64 and tuple(out.shape) == (2, 2, 4)
    assert not out.requires_grad
    np.testing.assert_array_equal(out.numpy()[0], [[1, 0, 0, 0], [0, 0, 1, 0]])


def test_float_result_into_int_in_place() -> None:
    with pytest.raises(InvalidArgumentError, match="can't be cast"):
        adcli.tensor([1, 2]).sinh_()
