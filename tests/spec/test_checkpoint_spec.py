"""torch.utils.checkpoint, nn.grad and nn.SyncBatchNorm reached from spec code, against torch."""

from __future__ import annotations

import pytest
from flow_helpers import compare

torch = pytest.importorskip("torch")

CHECKPOINT = """
x = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
calls = []
def f(a):
    calls.append(1)
    return (a.sin() * a).exp()
y = torch.utils.checkpoint.checkpoint(f, x, use_reentrant=False)
g = torch.autograd.grad(y.sum(), x)[0]
z = torch.utils.checkpoint.checkpoint(f, x, use_reentrant=True)
z.sum().backward()
name = z.grad_fn.name()
n = len(calls)
"""

NN_EXTRAS = """
w = torch.tensor([[[1.0, -2.0]], [[0.5, 0.25]]])
go = torch.tensor([[[1.0, 2.0, 3.0], [0.5, -1.0, 2.0]]])
gi = torch.nn.grad.conv1d_input([1, 1, 4], w, go)
q = torch.ones(1, 1, 2, 2)
att = torch.nn.functional.scaled_dot_product_attention(q, q, q)
bn = torch.nn.SyncBatchNorm(2)
out = bn(torch.tensor([[1.0, 2.0], [3.0, 5.0]]))
"""


def test_checkpoint_in_a_spec() -> None:
    compare(CHECKPOINT, ["y", "g", "x", "name", "n"])


def test_nn_grad_and_sync_batch_norm_in_a_spec() -> None:
    compare(NN_EXTRAS, ["gi", "att", "out"])
