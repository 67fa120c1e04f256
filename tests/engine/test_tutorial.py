"""The behaviours of PyTorch's tutorial "Automatic differentiation with torch.autograd"."""

from __future__ import annotations

import numpy as np
import pytest

import adcli
import adcli.nn.functional as F
from adcli.engine.errors import AdcliError

GRAPH_FREED = (
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you "
    "call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward "
    "through the graph a second time or if you need to access saved tensors after calling "
    "backward."
)
HINT = (
    "Hint: enable anomaly detection to find the operation that failed to compute its gradient, "
    "with torch.autograd.set_detect_anomaly(True, check_nan=False)."
)


@pytest.fixture
def setup() -> dict[str, adcli.Tensor]:
    adcli.manual_seed(0)
    x = adcli.ones(5)
    y = adcli.zeros(3)
    w = adcli.randn(5, 3, requires_grad=True)
    b = adcli.randn(3, requires_grad=True)
    z = adcli.matmul(x, w) + b
    loss = F.binary_cross_entropy_with_logits(z, y)
    return {"x": x, "y": y, "w": w, "b": b, "z": z, "loss": loss}


def test_bce_with_logits_forward_and_graph(setup: dict[str, adcli.Tensor]) -> None:
    z, loss = setup["z"], setup["loss"]
    assert z.grad_fn.name() == "AddBackward0"
    assert loss.grad_fn.name() == "BinaryCrossEntropyWithLogitsBackward0"
    assert repr(z.grad_fn).startswith("<AddBackward0 object at 0x")
    zz = z.detach().numpy().astype(np.float64)
    np.testing.assert_allclose(loss.item(), np.mean(np.log1p(np.exp(zz))), rtol=1e-6)
    assert loss.shape == () and loss.dtype == adcli.float32


def test_bce_with_logits_gradients_closed_form(setup: dict[str, adcli.Tensor]) -> None:
    w, b, z, loss = setup["w"], setup["b"], setup["z"], setup["loss"]
    loss.backward()
    assert adcli.allclose(b.grad, adcli.sigmoid(z) / 3)
    # x is all ones, so every row of w.grad is dloss/dz.
    expected = np.tile((adcli.sigmoid(z) / 3).detach().numpy(), (5, 1))
    np.testing.assert_allclose(w.grad.numpy(), expected, rtol=1e-6)
    assert w.grad.shape == (5, 3) and w.grad.dtype == adcli.float32
    assert z.grad is None  # not a leaf
    assert setup["x"].grad is None  # does not require grad


def test_no_grad_and_detach(setup: dict[str, adcli.Tensor]) -> None:
    x, w, b, z = setup["x"], setup["w"], setup["b"], setup["z"]
    assert z.requires_grad
    with adcli.no_grad():
        z2 = adcli.matmul(x, w) + b
    assert not z2.requires_grad and z2.grad_fn is None
    z_det = z.detach()
    assert not z_det.requires_grad and z_det.grad_fn is None and z_det.is_leaf
    np.testing.assert_array_equal(z_det.numpy(), z.detach().numpy())


def test_retain_graph_accumulates() -> None:
    x = adcli.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    y = (x ** 2).sum()
    (y / 4).backward(retain_graph=True)
    assert x.grad.tolist() == [0.5, 1.0, 1.5, 2.0]
    y.backward()
    assert x.grad.tolist() == [2.5, 5.0, 7.5, 10.0]
    with pytest.raises(AdcliError) as info:
        y.backward()
    assert info.value.kind == "graph_freed"


def test_eye_pow_t_example() -> None:
    inp = adcli.eye(4, 5, requires_grad=True)
    out = (inp + 1).pow(2).t()
    assert out.grad_fn.name() == "TBackward0"
    out.backward(adcli.ones_like(out), retain_graph=True)
    first = np.where(np.eye(4, 5) == 1, 4.0, 2.0)
    np.testing.assert_array_equal(inp.grad.numpy(), first)
    out.backward(adcli.ones_like(out), retain_graph=True)
    np.testing.assert_array_equal(inp.grad.numpy(), 2 * first)
    inp.grad.zero_()
    out.backward(adcli.ones_like(out), retain_graph=True)
    np.testing.assert_array_equal(inp.grad.numpy(), first)
    assert repr(inp.grad) == (
        "tensor([[4., 2., 2., 2., 2.],\n        [2., 4., 2., 2., 2.],\n"
        "        [2., 2., 4., 2., 2.],\n        [2., 2., 2., 4., 2.]])"
    )


def _raises(kind: str, fn: object) -> str:
    with pytest.raises(AdcliError) as info:
        fn()  # type: ignore[operator]
    assert info.value.kind == kind
    assert isinstance(info.value, RuntimeError)
    return str(info.value)


def test_graph_freed_message() -> None:
    x = adcli.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    assert _raises("graph_freed", y.backward) == GRAPH_FREED


def test_inplace_modified_message() -> None:
    x = adcli.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x.exp()
    y.add_(1)
    msg = _raises("inplace_modified", lambda: y.sum().backward())
    assert msg == (
        "one of the variables needed for gradient computation has been modified by an inplace "
        "operation: [torch.FloatTensor [3]], which is output 0 of Exp, is at version 1; expected "
        f"version 0 instead. {HINT}"
    )


def test_inplace_modified_saved_input_message() -> None:
    x = adcli.tensor([1.0, 2.0, 3.0], dtype=adcli.float64, requires_grad=True)
    a = x * 1
    y = a * a
    a.mul_(2)
    msg = _raises("inplace_modified", lambda: y.sum().backward())
    assert "[torch.DoubleTensor [3]], which is output 0 of Mul, is at version 1; expected " \
           "version 0 instead." in msg


def test_inplace_modified_leaf_without_grad() -> None:
    w = adcli.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x = adcli.tensor([1.0, 2.0, 3.0])
    y = (w * x).sum()
    x.add_(1)
    msg = _raises("inplace_modified", y.backward)
    assert msg.startswith("one of the variables needed for gradient computation has been "
                          "modified by an inplace operation: [torch.FloatTensor [3]] is at "
                          "version 1; expected version 0 instead.")


def test_leaf_inplace_message() -> None:
    x = adcli.tensor([1.0, 2.0], requires_grad=True)
    msg = _raises("leaf_inplace", lambda: x.add_(1))
    assert msg == "a leaf Variable that requires grad is being used in an in-place operation."
    with adcli.no_grad():
        x.add_(1)  # allowed outside grad mode
    assert x.tolist() == [2.0, 3.0]


def test_nonscalar_backward_message() -> None:
    x = adcli.tensor([1.0, 2.0], requires_grad=True)
    msg = _raises("nonscalar_backward", lambda: (x * 2).backward())
    assert msg == "grad can be implicitly created only for scalar outputs"


def test_no_grad_fn_message() -> None:
    x = adcli.tensor([1.0, 2.0])
    msg = _raises("no_grad_fn", lambda: x.sum().backward())
    assert msg == "element 0 of tensors does not require grad and does not have a grad_fn"


def test_shape_mismatch_messages() -> None:
    msg = _raises("shape_mismatch", lambda: adcli.ones(3) + adcli.ones(4))
    assert msg == ("The size of tensor a (3) must match the size of tensor b (4) at "
                   "non-singleton dimension 0")
    msg = _raises("shape_mismatch", lambda: adcli.ones(2, 3) @ adcli.ones(4, 2))
    assert msg == "mat1 and mat2 shapes cannot be multiplied (2x3 and 4x2)"
    x = adcli.tensor([1.0, 2.0], requires_grad=True)
    msg = _raises("shape_mismatch", lambda: (x * 2).backward(adcli.ones(3)))
    assert msg == ("Mismatch in shape: grad_output[0] has a shape of torch.Size([3]) and "
                   "output[0] has a shape of torch.Size([2]).")


def test_invalid_argument_kind() -> None:
    msg = _raises("invalid_argument", lambda: adcli.ones(2, 3).sum(dim=2))
    assert msg == "Dimension out of range (expected to be in range of [-2, 1], but got 2)"
    _raises("invalid_argument", lambda: F.mse_loss(adcli.ones(2), adcli.ones(2), reduction="x"))
