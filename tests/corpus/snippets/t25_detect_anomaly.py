# Source: PyTorch documentation, example of torch.autograd.detect_anomaly
# (torch/autograd/anomaly_mode.py docstring, https://github.com/pytorch/pytorch;
# https://docs.pytorch.org/docs/stable/autograd.html#anomaly-detection)
# License: BSD-3-Clause (PyTorch). The two failing backward calls are wrapped in try/except
# so that both run; the error text is printed.
import torch
from torch import autograd


class MyFunc(autograd.Function):
    @staticmethod
    def forward(ctx, inp):
        return inp.clone()

    @staticmethod
    def backward(ctx, gO):
        # Error during the backward pass
        raise RuntimeError("Some error in backward")
        return gO.clone()

def run_fn(a):
    out = MyFunc.apply(a)
    return out.sum()

inp = torch.rand(10, 10, requires_grad=True)
out = run_fn(inp)
try:
    out.backward()
except RuntimeError as e:
    print(e)
with autograd.detect_anomaly():
    inp = torch.rand(10, 10, requires_grad=True)
    out = run_fn(inp)
    try:
        out.backward()
    except RuntimeError as e:
        print(e)
