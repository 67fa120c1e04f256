"""``torch.nn.grad`` (also ``F.grad``): the gradients of ``conv1d/2d/3d`` with respect to the
input and to the weight, given the output gradient.

Each is the matching piece of the convolution's backward: computed by differentiating the
convolution itself (the result is linear in the given tensors, so the stand-in zeros do not
matter), and differentiable again when ``weight``/``input`` or ``grad_output`` require grad.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from adcli.engine import backward as _backward
from adcli.engine.grad_mode import enable_grad, is_grad_enabled
from adcli.engine.ops.conv import conv1d, conv2d, conv3d
from adcli.engine.tensor import Tensor

__all__ = ["conv1d_input", "conv1d_weight", "conv2d_input", "conv2d_weight", "conv3d_input",
           "conv3d_weight"]


def _zeros(size: Sequence[int], like: Tensor) -> Tensor:
    z = like.new_zeros(tuple(size))
    z.requires_grad_(True)
    return z


def _conv_grad(conv: Callable[..., Tensor], x: Tensor, w: Tensor, grad_output: Tensor,
               wrt_input: bool, stride: Any, padding: Any, dilation: Any,
               groups: int) -> Tensor:
    """d conv(x, w) / d x (or d w) applied to ``grad_output``; the operand it is taken in is the
    stand-in zeros. A graph is built when the other operand or ``grad_output`` requires grad."""
    wrt, other = (x, w) if wrt_input else (w, x)
    graph = is_grad_enabled() and (other.requires_grad or grad_output.requires_grad)
    if not graph:
        other, grad_output = other.detach(), grad_output.detach()
    x, w = (wrt, other) if wrt_input else (other, wrt)
    with enable_grad():
        out = conv(x, w, None, stride, padding, dilation, groups)
        return _backward.grad(out, wrt, grad_output, create_graph=graph)[0]


def _input_fn(conv: Callable[..., Tensor]) -> Callable[..., Tensor]:
    def fn(input_size: Sequence[int], weight: Tensor, grad_output: Tensor,
           stride: Any = 1, padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
        x = _zeros(input_size, grad_output)
        return _conv_grad(conv, x, weight, grad_output, True, stride, padding, dilation, groups)

    fn.__name__ = fn.__qualname__ = f"{conv.__name__}_input"
    fn.__doc__ = (f"Gradient of ``{conv.__name__}`` with respect to its input (of shape "
                  "``input_size``).")
    return fn


def _weight_fn(conv: Callable[..., Tensor]) -> Callable[..., Tensor]:
    def fn(input: Tensor, weight_size: Sequence[int], grad_output: Tensor,
           stride: Any = 1, padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
        w = _zeros(weight_size, grad_output)
        return _conv_grad(conv, input, w, grad_output, False, stride, padding, dilation, groups)

    fn.__name__ = fn.__qualname__ = f"{conv.__name__}_weight"
    fn.__doc__ = (f"Gradient of ``{conv.__name__}`` with respect to its weight (of shape "
                  "``weight_size``).")
    return fn


# torch.nn.grad's six functions: the same two pieces of the backward for each dimension
conv1d_input, conv1d_weight = _input_fn(conv1d), _weight_fn(conv1d)
conv2d_input, conv2d_weight = _input_fn(conv2d), _weight_fn(conv2d)
conv3d_input, conv3d_weight = _input_fn(conv3d), _weight_fn(conv3d)
