# Source: PyTorch documentation, docstring examples of torch.autograd.functional
# (torch/autograd/functional.py, https://github.com/pytorch/pytorch), as rendered at
# https://docs.pytorch.org/docs/stable/autograd.html#functional-higher-level-api
# License: BSD-3-Clause (PyTorch). Doctest prompts removed; results printed. Example of jacobian.
import torch
from torch.autograd.functional import jacobian


def exp_reducer(x):
    return x.exp().sum(dim=1)
inputs = torch.rand(2, 2)
print(jacobian(exp_reducer, inputs))
print(jacobian(exp_reducer, inputs, create_graph=True))
def exp_adder(x, y):
    return 2 * x.exp() + 3 * y
inputs = (torch.rand(2), torch.rand(2))
print(jacobian(exp_adder, inputs))
def linear_model(x):
    W = torch.tensor([[2.0, -1.0], [0.0, 1.0]])
    b = torch.tensor([1.0, 0.5])
    return x @ W.T + b
x = torch.randn(4, 2, requires_grad=True)
jac = jacobian(linear_model, x, vectorize=True)
print(jac.shape)
