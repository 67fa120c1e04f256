# Source: a straight-through estimator as commonly written with torch.autograd.Function
# (after the PyTorch "Extending torch.autograd" note, docs/source/notes/extending.rst,
# https://github.com/pytorch/pytorch). License: BSD-3-Clause (PyTorch). Binarized layer on
# synthetic data, a few SGD steps.
import torch
import torch.nn.functional as F


class STEFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        return (input > 0).float()

    @staticmethod
    def backward(ctx, grad_output):
        return F.hardtanh(grad_output)


class StraightThroughEstimator(torch.autograd.Function):
    """Sign in the forward pass, identity (clipped to |x| <= 1) in the backward pass."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.sign(x)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * (x.abs() <= 1).to(grad_output.dtype)


torch.manual_seed(0)
w = torch.randn(4, 3, requires_grad=True)
data = torch.randn(8, 4)
target = torch.randn(8, 3)
opt = torch.optim.SGD([w], lr=0.5)
binarize = StraightThroughEstimator.apply
for it in range(5):
    opt.zero_grad()
    out = data @ binarize(w)
    loss = F.mse_loss(out, target)
    loss.backward()
    opt.step()
    print(f"iter {it}: loss {loss.item():.5f} grad_fn {out.grad_fn.name()}")

x = torch.tensor([-2.0, -0.5, 0.0, 0.5, 3.0], requires_grad=True)
y = STEFunction.apply(x * 4)
y.sum().backward()
print("ste out", y.tolist(), "grad", x.grad.tolist())
