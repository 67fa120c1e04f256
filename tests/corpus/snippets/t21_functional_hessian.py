# Source: PyTorch documentation, docstring examples of torch.autograd.functional
# (torch/autograd/functional.py, https://github.com/pytorch/pytorch), as rendered at
# https://docs.pytorch.org/docs/stable/autograd.html#functional-higher-level-api
# License: BSD-3-Clause (PyTorch). Doctest prompts removed; results printed. Example of hessian.
import torch
from torch.autograd.functional import hessian


def pow_reducer(x):
    return x.pow(3).sum()
inputs = torch.rand(2, 2)
print(hessian(pow_reducer, inputs))
print(hessian(pow_reducer, inputs, create_graph=True))
def pow_adder_reducer(x, y):
    return (2 * x.pow(2) + 3 * y.pow(2)).sum()
inputs = (torch.rand(2), torch.rand(2))
print(hessian(pow_adder_reducer, inputs))
