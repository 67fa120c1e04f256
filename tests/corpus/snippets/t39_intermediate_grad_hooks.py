# Source: the "save the gradient of an intermediate variable" pattern from the PyTorch
# forums (discuss.pytorch.org, "Why cant I see .grad of an intermediate variable?"),
# with Tensor.register_hook and retain_grad as the autograd docs describe
# (https://docs.pytorch.org/docs/stable/generated/torch.Tensor.register_hook.html).
# License: BSD-3-Clause (PyTorch docs); forum snippet reproduced in spirit, sizes changed.
import torch

grads = {}


def save_grad(name):
    def hook(grad):
        grads[name] = grad
    return hook


torch.manual_seed(0)
x = torch.randn(3, requires_grad=True)
y = 3 * x
z = y * y
y.register_hook(save_grad('y'))
z.register_hook(save_grad('z'))
z.retain_grad()
z.sum().backward()

print(grads['y'])
print(grads['z'])
print(sorted(grads), z.grad.equal(grads['z']))

activations = [torch.tanh, torch.sigmoid, torch.relu, x.new_ones(3).mul]
for act in activations:
    x.grad = None
    act(x).sum().backward()
    print(f"{getattr(act, '__name__', 'mul')}: {[round(g, 4) for g in x.grad.tolist()]}")

double = x.mul
scaled = list(map(double, [1.0, 2.0]))
print([type(s).__name__ for s in scaled], [s.grad_fn.name() for s in scaled])
