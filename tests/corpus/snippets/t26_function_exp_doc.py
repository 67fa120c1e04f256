# Source: PyTorch documentation, example of torch.autograd.Function (torch/autograd/function.py
# docstring, https://github.com/pytorch/pytorch;
# https://docs.pytorch.org/docs/stable/autograd.html#function)
# License: BSD-3-Clause (PyTorch). `input` is defined here; the rest as published.
import torch
from torch.autograd import Function


class Exp(Function):
    @staticmethod
    def forward(ctx, i):
        result = i.exp()
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad_output):
        result, = ctx.saved_tensors
        return grad_output * result

# Use it by calling the apply method:
input = torch.randn(3, requires_grad=True)
output = Exp.apply(input)
output.sum().backward()
print(output, input.grad)
