# Source: PyTorch documentation, docstring examples of torch.autograd.functional
# (torch/autograd/functional.py, https://github.com/pytorch/pytorch), as rendered at
# https://docs.pytorch.org/docs/stable/autograd.html#functional-higher-level-api
# License: BSD-3-Clause (PyTorch). Doctest prompts removed; results printed. Example of vjp.
import torch
from torch.autograd.functional import vjp


def exp_reducer(x):
    return x.exp().sum(dim=1)
inputs = torch.rand(4, 4)
v = torch.ones(4)
print(vjp(exp_reducer, inputs, v))
print(vjp(exp_reducer, inputs, v, create_graph=True))
def adder(x, y):
    return 2 * x + 3 * y
inputs = (torch.rand(2), torch.rand(2))
v = torch.ones(2)
print(vjp(adder, inputs, v))
