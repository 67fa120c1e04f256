# Source: pytorch/tutorials, beginner_source/basics/autogradqs_tutorial.py ("Automatic
# Differentiation with torch.autograd"), https://github.com/pytorch/tutorials
# License: BSD-3-Clause. First two sections (graph and gradients), code as published.
import torch

x = torch.ones(5)  # input tensor
y = torch.zeros(3)  # expected output
w = torch.randn(5, 3, requires_grad=True)
b = torch.randn(3, requires_grad=True)
z = torch.matmul(x, w) + b
loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)
print(f"Gradient function for z = {z.grad_fn}")
print(f"Gradient function for loss = {loss.grad_fn}")
loss.backward()
print(w.grad)
print(b.grad)
