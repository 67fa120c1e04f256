"""Saved-tensor hooks and inference mode reached from spec code, against torch."""

from __future__ import annotations

import pytest
from flow_helpers import compare

torch = pytest.importorskip("torch")

SAVED_HOOKS = """
x = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
shapes = []
def pack(t):
    shapes.append(list(t.shape))
    return t * 2
def unpack(t):
    return t / 2
with torch.autograd.graph.saved_tensors_hooks(pack, unpack):
    y = (x * x).exp().sum()
g = torch.autograd.grad(y, x)[0]
n = len(shapes)
"""

INFERENCE = """
x = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
with torch.inference_mode():
    a = x * 2
    inside = torch.is_inference_mode_enabled()
flags = [a.is_inference(), torch.is_inference(a), x.is_inference(), inside, a.requires_grad]
"""


def test_saved_tensors_hooks_in_a_spec() -> None:
    compare(SAVED_HOOKS, ["g", "n", "shapes"])


def test_inference_mode_in_a_spec() -> None:
    compare(INFERENCE, ["a", "flags"])
