"""Property tests: broadcasting binary ops match NumPy forward, and each input's gradient has
the input's shape and equals the broadcast gradient summed back (reduced) to that shape."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes

import adcli
from adcli.engine.errors import AdcliError

SETTINGS = settings(max_examples=40, deadline=None)


def reduce_to(g: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum a broadcast gradient back to ``shape`` (written independently of the engine)."""
    while g.ndim > len(shape):
        g = g.sum(axis=0)
    for i, n in enumerate(shape):
        if n == 1 and g.shape[i] != 1:
            g = g.sum(axis=i, keepdims=True)
    return g


# name -> (adcli op, numpy forward, numpy partials (a, b) -> (d/da, d/db) elementwise)
BINARY: dict[str, tuple[Callable[..., Any], Callable[..., Any], Callable[..., Any]]] = {
    "add": (lambda a, b: a + b, np.add, lambda a, b: (np.ones_like(a), np.ones_like(b))),
    "sub": (lambda a, b: a - b, np.subtract, lambda a, b: (np.ones_like(a), -np.ones_like(b))),
    "mul": (lambda a, b: a * b, np.multiply, lambda a, b: (b, a)),
    "div": (lambda a, b: a / b, np.divide, lambda a, b: (1 / b, -a / b**2)),
    "maximum": (adcli.maximum, np.maximum,
                lambda a, b: ((a > b).astype(float), (b > a).astype(float))),
}


def _arrays(seed: int, shapes: tuple[tuple[int, ...], ...]) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    # Continuous values: ties in maximum have probability zero; |b| >= 0.5 keeps div tame.
    a = np.asarray(rng.standard_normal(shapes[0]), dtype=np.float64)
    b = np.asarray(rng.uniform(0.5, 2.0, shapes[1]) * rng.choice([-1.0, 1.0], shapes[1]),
                   dtype=np.float64)
    return [a, b]


@SETTINGS
@given(
    name=st.sampled_from(sorted(BINARY)),
    shapes=mutually_broadcastable_shapes(num_shapes=2, max_dims=4, max_side=3),
    seed=st.integers(0, 2**32 - 1),
)
def test_binary_broadcast(name: str, shapes: Any, seed: int) -> None:
    op, np_fwd, partials = BINARY[name]
    a_np, b_np = _arrays(seed, shapes.input_shapes)
    a = adcli.tensor(a_np, dtype=adcli.float64, requires_grad=True)
    b = adcli.tensor(b_np, dtype=adcli.float64, requires_grad=True)
    out = op(a, b)
    assert tuple(out.shape) == shapes.result_shape
    np.testing.assert_allclose(out.detach().numpy(), np_fwd(a_np, b_np), rtol=1e-12)
    g = np.random.default_rng(seed + 1).standard_normal(shapes.result_shape)
    out.backward(adcli.tensor(g, dtype=adcli.float64))
    da, db = partials(np.broadcast_to(a_np, g.shape), np.broadcast_to(b_np, g.shape))
    assert tuple(a.grad.shape) == a_np.shape and tuple(b.grad.shape) == b_np.shape
    np.testing.assert_allclose(a.grad.numpy(), reduce_to(g * da, a_np.shape), rtol=1e-10,
                               atol=1e-12)
    np.testing.assert_allclose(b.grad.numpy(), reduce_to(g * db, b_np.shape), rtol=1e-10,
                               atol=1e-12)


@SETTINGS
@given(
    shapes=mutually_broadcastable_shapes(num_shapes=3, max_dims=4, max_side=3),
    seed=st.integers(0, 2**32 - 1),
)
def test_where_broadcast(shapes: Any, seed: int) -> None:
    rng = np.random.default_rng(seed)
    c_shape, a_shape, b_shape = shapes.input_shapes
    cond = rng.random(c_shape) > 0.5
    a_np = np.asarray(rng.standard_normal(a_shape), dtype=np.float64)
    b_np = np.asarray(rng.standard_normal(b_shape), dtype=np.float64)
    a = adcli.tensor(a_np, dtype=adcli.float64, requires_grad=True)
    b = adcli.tensor(b_np, dtype=adcli.float64, requires_grad=True)
    out = adcli.where(adcli.tensor(cond), a, b)
    assert tuple(out.shape) == shapes.result_shape
    np.testing.assert_array_equal(out.detach().numpy(), np.where(cond, a_np, b_np))
    g = rng.standard_normal(shapes.result_shape)
    out.backward(adcli.tensor(g, dtype=adcli.float64))
    full_c = np.broadcast_to(cond, g.shape)
    assert tuple(a.grad.shape) == a_shape and tuple(b.grad.shape) == b_shape
    np.testing.assert_allclose(a.grad.numpy(), reduce_to(np.where(full_c, g, 0.0), a_shape),
                               rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(b.grad.numpy(), reduce_to(np.where(full_c, 0.0, g), b_shape),
                               rtol=1e-12, atol=1e-12)


@SETTINGS
@given(
    name=st.sampled_from(sorted(BINARY)),
    shapes=mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3),
    seed=st.integers(0, 2**32 - 1),
)
def test_binary_broadcast_matches_finite_differences(name: str, shapes: Any, seed: int) -> None:
    op = BINARY[name][0]
    arrays = _arrays(seed, shapes.input_shapes)
    g = np.random.default_rng(seed + 2).standard_normal(shapes.result_shape)
    ts = [adcli.tensor(x, dtype=adcli.float64, requires_grad=True) for x in arrays]
    op(*ts).backward(adcli.tensor(g, dtype=adcli.float64))
    eps = 1e-6
    for k, x in enumerate(arrays):
        num = np.zeros_like(x)
        for i in np.ndindex(x.shape):
            hi = [y.copy() for y in arrays]
            lo = [y.copy() for y in arrays]
            hi[k][i] += eps
            lo[k][i] -= eps
            f_hi = np.sum(op(*[adcli.tensor(y) for y in hi]).numpy() * g)
            f_lo = np.sum(op(*[adcli.tensor(y) for y in lo]).numpy() * g)
            num[i] = (f_hi - f_lo) / (2 * eps)
        np.testing.assert_allclose(ts[k].grad.numpy(), num, rtol=1e-5, atol=1e-6)


@SETTINGS
@given(
    shapes=mutually_broadcastable_shapes(num_shapes=2, max_dims=4, max_side=3),
    seed=st.integers(0, 2**32 - 1),
)
def test_incompatible_shapes_raise_shape_mismatch(shapes: Any, seed: int) -> None:
    a_shape, _ = shapes.input_shapes
    if not a_shape or max(a_shape) < 2:
        return
    # Make b clash with a in the last dimension whose size is at least 2.
    i = max(j for j, n in enumerate(a_shape) if n >= 2)
    bad = list(a_shape)
    bad[i] = a_shape[i] + 1
    a, b = adcli.ones(*a_shape), adcli.ones(*bad)
    try:
        a + b
    except AdcliError as exc:
        assert exc.kind == "shape_mismatch"
        assert str(exc).startswith(f"The size of tensor a ({a_shape[i]}) must match the size of "
                                   f"tensor b ({bad[i]}) at non-singleton dimension {i}")
    else:
        raise AssertionError("no error")
