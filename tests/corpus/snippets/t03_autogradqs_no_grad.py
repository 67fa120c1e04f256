# Source: pytorch/tutorials, beginner_source/basics/autogradqs_tutorial.py, section
# "Disabling Gradient Tracking", https://github.com/pytorch/tutorials
# License: BSD-3-Clause. Setup lines from the tutorial's first section.
import torch

x = torch.ones(5)
w = torch.randn(5, 3, requires_grad=True)
b = torch.randn(3, requires_grad=True)
z = torch.matmul(x, w)+b
print(z.requires_grad)

with torch.no_grad():
    z = torch.matmul(x, w)+b
print(z.requires_grad)

z = torch.matmul(x, w)+b
z_det = z.detach()
print(z_det.requires_grad)
