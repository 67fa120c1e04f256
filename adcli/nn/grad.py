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


def _input_grad(conv: Callable[..., Tensor], input_size: Sequence[int], weight: Tensor,
                grad_output: Tensor, stride: Any, padding: Any, dilation: Any,
                groups: int) -> Tensor:
    graph = is_grad_enabled() and (weight.requires_grad or grad_output.requires_grad)
    x = _zeros(input_size, grad_output)
    with enable_grad():
        out = conv(x, weight if graph else weight.detach(), None, stride, padding, dilation,
                   groups)
        return _backward.grad(out, x, grad_output if graph else grad_output.detach(),
                              create_graph=graph)[0]


def _weight_grad(conv: Callable[..., Tensor], input: Tensor, weight_size: Sequence[int],
                 grad_output: Tensor, stride: Any, padding: Any, dilation: Any,
                 groups: int) -> Tensor:
    graph = is_grad_enabled() and (input.requires_grad or grad_output.requires_grad)
    w = _zeros(weight_size, grad_output)
    with enable_grad():
        out = conv(input if graph else input.detach(), w, None, stride, padding, dilation,
                   groups)
        return _backward.grad(out, w, grad_output if graph else grad_output.detach(),
                              create_graph=graph)[0]


def conv1d_input(input_size: Sequence[int], weight: Tensor, grad_output: Tensor,
                 stride: Any = 1, padding: Any = 0, dilation: Any = 1,
                 groups: int = 1) -> Tensor:
    """Gradient of ``conv1d`` with respect to its input (of shape ``input_size``)."""
    return _input_grad(conv1d, input_size, weight, grad_output, stride, padding, dilation,
                       groups)


def conv1d_weight(input: Tensor, weight_size: Sequence[int], grad_output: Tensor,
                  stride: Any = 1, padding: Any = 0, dilation: Any = 1,
                  groups: int = 1) -> Tensor:
    """Gradient of ``conv1d`` with respect to its weight (of shape ``weight_size``)."""
    return _weight_grad(conv1d, input, weight_size, grad_output, stride, padding, dilation,
                        groups)


def conv2d_input(input_size: Sequence[int], weight: Tensor, grad_output: Tensor,
                 stride: Any = 1, padding: Any = 0, dilation: Any = 1,
                 groups: int = 1) -> Tensor:
    """Gradient of ``conv2d`` with respect to its input (of shape ``input_size``)."""
    return _input_grad(conv2d, input_size, weight, grad_output, stride, padding, dilation,
                       groups)


def conv2d_weight(input: Tensor, weight_size: Sequence[int], grad_output: Tensor,
                  stride: Any = 1, padding: Any = 0, dilation: Any = 1,
                  groups: int = 1) -> Tensor:
    """Gradient of ``conv2d`` with respect to its weight (of shape ``weight_size``)."""
    return _weight_grad(conv2d, input, weight_size, grad_output, stride, padding, dilation,
                        groups)


def conv3d_input(input_size: Sequence[int], weight: Tensor, grad_output: Tensor,
                 stride: Any = 1, padding: Any = 0, dilation: Any = 1,
                 groups: int = 1) -> Tensor:
    """Gradient of ``conv3d`` with respect to its input (of shape ``input_size``)."""
    return _input_grad(conv3d, input_size, weight, grad_output, stride, padding, dilation,
                       groups)


def conv3d_weight(input: Tensor, weight_size: Sequence[int], grad_output: Tensor,
                  stride: Any = 1, padding: Any = 0, dilation: Any = 1,
                  groups: int = 1) -> Tensor:
    """Gradient of ``conv3d`` with respect to its weight (of shape ``weight_size``)."""
    return _weight_grad(conv3d, input, weight_size, grad_output, stride, padding, dilation,
                        groups)
