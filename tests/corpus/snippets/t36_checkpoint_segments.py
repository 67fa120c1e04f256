# Source: adapted from the PyTorch documentation, torch.utils.checkpoint (torch/utils/checkpoint.py
# docstrings of checkpoint and checkpoint_sequential, https://github.com/pytorch/pytorch;
# https://docs.pytorch.org/docs/stable/checkpoint.html). License: BSD-3-Clause (PyTorch).
# Gradients with and without checkpointing are compared, as the docs promise they agree.
import torch
import torch.nn as nn
from torch.utils.checkpoint import checkpoint, checkpoint_sequential

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(6, 6), nn.Tanh(), nn.Linear(6, 6), nn.Tanh(), nn.Linear(6, 1))
x = torch.randn(5, 6, requires_grad=True)


def run_segment(start, end):
    def forward(inp):
        for layer in list(model)[start:end]:
            inp = layer(inp)
        return inp
    return forward


def grads():
    return [p.grad.clone() for p in model.parameters()] + [x.grad.clone()]


out = model(x).sum()
out.backward()
plain = grads()
model.zero_grad()
x.grad = None

h = checkpoint(run_segment(0, 2), x, use_reentrant=False)
out_ckpt = checkpoint(run_segment(2, 5), h, use_reentrant=False).sum()
out_ckpt.backward()
checkpointed = grads()
print("same loss:", torch.allclose(out, out_ckpt))
print("same grads:", all(torch.allclose(a, b) for a, b in zip(plain, checkpointed)))

model.zero_grad()
x.grad = None
out_seq = checkpoint_sequential(model, 2, x, use_reentrant=False).sum()
out_seq.backward()
print("sequential grads:", all(torch.allclose(a, b) for a, b in zip(plain, grads())))
print(f"x.grad[0] = {[round(v, 5) for v in x.grad[0].tolist()]}")
