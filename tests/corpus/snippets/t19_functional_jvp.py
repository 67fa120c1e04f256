# Source: PyTorch documentation, docstring examples of torch.autograd.functional
# (torch/autograd/functional.py, https://github.com/pytorch/pytorch), as rendered at
# https://docs.pytorch.org/docs/stable/autograd.html#functional-higher-level-api
# License: BSD-3-Clause (PyTorch). Doctest prompts removed; results printed. Example of jvp.
import torch
from torch.autograd.functional import jvp


def exp_reducer(x):
    return x.exp().sum(dim=1)
inputs = torch.rand(4, 4)
v = torch.ones(4, 4)
print(jvp(exp_reducer, inputs, v))
print(jvp(exp_reducer, inputs, v, create_graph=True)[1].requires_grad)
def adder(x, y):
    return 2 * x + 3 * y
inputs = (torch.rand(2), torch.rand(2))
v = (torch.ones(2), torch.ones(2))
print(jvp(adder, inputs, v))
