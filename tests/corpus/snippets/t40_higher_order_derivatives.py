# Source: adapted from the torch.autograd.grad documentation and the common "n-th derivative"
# loop (docs/source/autograd.rst, https://github.com/pytorch/pytorch;
# https://docs.pytorch.org/docs/stable/generated/torch.autograd.grad.html).
# License: BSD-3-Clause (PyTorch). Derivatives of sin and of a small network's output.
import math

import torch

x = torch.linspace(0, math.pi, 5, requires_grad=True)
y = torch.sin(x)
derivatives = []
current = y
for order in range(1, 5):
    (current,) = torch.autograd.grad(current.sum(), x, create_graph=True)
    derivatives.append(current)
    print(f"d^{order}/dx^{order} sin(x) =", [round(v, 5) for v in current.tolist()])

expected = [torch.cos(x), -torch.sin(x), -torch.cos(x), torch.sin(x)]
print("matches:", [torch.allclose(d, e, atol=1e-6) for d, e in zip(derivatives, expected)])

torch.manual_seed(0)
net = torch.nn.Sequential(torch.nn.Linear(1, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
t = torch.rand(6, 1, requires_grad=True)
u = net(t)
du_dt, = torch.autograd.grad(u, t, grad_outputs=torch.ones_like(u), create_graph=True)
d2u_dt2, = torch.autograd.grad(du_dt, t, grad_outputs=torch.ones_like(du_dt), create_graph=True)
residual = (d2u_dt2 + u).pow(2).mean()
residual.backward()
print(f"residual {residual.item():.6f}")
print("grad norms", {n: round(p.grad.norm().item(), 5) for n, p in net.named_parameters()})
