# Source: PyTorch documentation, docstring examples of torch.autograd.functional
# (torch/autograd/functional.py, https://github.com/pytorch/pytorch), as rendered at
# https://docs.pytorch.org/docs/stable/autograd.html#functional-higher-level-api
# License: BSD-3-Clause (PyTorch). Doctest prompts removed; results printed. Examples of vhp and hvp.
import torch
from torch.autograd.functional import hvp, vhp


def pow_reducer(x):
    return x.pow(3).sum()
inputs = torch.rand(2, 2)
v = torch.ones(2, 2)
print(vhp(pow_reducer, inputs, v))
print(vhp(pow_reducer, inputs, v, create_graph=True))
print(hvp(pow_reducer, inputs, v))
print(hvp(pow_reducer, inputs, v, create_graph=True))
def pow_adder_reducer(x, y):
    return (2 * x.pow(2) + 3 * y.pow(2)).sum()
inputs = (torch.rand(2), torch.rand(2))
v = (torch.zeros(2), torch.ones(2))
print(vhp(pow_adder_reducer, inputs, v))
print(hvp(pow_adder_reducer, inputs, v))
