# Source: PyTorch documentation, example of torch.Tensor.register_hook
# (torch/_tensor.py docstring, https://github.com/pytorch/pytorch;
# https://docs.pytorch.org/docs/stable/generated/torch.Tensor.register_hook.html)
# License: BSD-3-Clause (PyTorch).
import torch

v = torch.tensor([0., 0., 0.], requires_grad=True)
h = v.register_hook(lambda grad: grad * 2)  # double the gradient
v.backward(torch.tensor([1., 2., 3.]))
print(v.grad)
h.remove()  # removes the hook
