# Source: PyTorch documentation, examples of torch.autograd.graph.Node.register_hook and
# register_prehook (torch/autograd/graph.py docstrings, https://github.com/pytorch/pytorch;
# https://docs.pytorch.org/docs/stable/generated/torch.autograd.graph.Node.register_hook.html)
# License: BSD-3-Clause (PyTorch).
import torch

a = torch.tensor([0., 0., 0.], requires_grad=True)
b = a.clone()
assert isinstance(b.grad_fn, torch.autograd.graph.Node)
handle = b.grad_fn.register_hook(lambda gI, gO: (gO[0] * 2,))
b.sum().backward(retain_graph=True)
print(a.grad)
handle.remove() # Removes the hook
a.grad = None
b.sum().backward(retain_graph=True)
print(a.grad)

a = torch.tensor([0., 0., 0.], requires_grad=True)
b = a.clone()
assert isinstance(b.grad_fn, torch.autograd.graph.Node)
handle = b.grad_fn.register_prehook(lambda gI: (gI[0] * 2,))
b.sum().backward(retain_graph=True)
print(a.grad)
handle.remove()
a.grad = None
b.sum().backward(retain_graph=True)
print(a.grad)
