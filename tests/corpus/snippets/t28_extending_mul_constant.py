# Source: PyTorch documentation, "Extending PyTorch" note (docs/source/notes/extending.rst,
# https://github.com/pytorch/pytorch; https://docs.pytorch.org/docs/stable/notes/extending.html)
# License: BSD-3-Clause (PyTorch). MulConstant (a non-tensor argument), used as in the note.
import torch
from torch.autograd import Function


class MulConstant(Function):
    @staticmethod
    def forward(tensor, constant):
        return tensor * constant

    @staticmethod
    def setup_context(ctx, inputs, output):
        tensor, constant = inputs
        ctx.constant = constant

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * ctx.constant, None

x = torch.randn(4, requires_grad=True)
y = MulConstant.apply(x, 5.5)
y.sum().backward()
print(y, x.grad, y.grad_fn)
