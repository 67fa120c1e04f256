# Source: karpathy/micrograd, test/test_engine.py, https://github.com/karpathy/micrograd
# License: MIT. The PyTorch half of the test (micrograd itself is not a dependency). test_sanity_check.
import torch

x = torch.Tensor([-4.0]).double()
x.requires_grad = True
z = 2 * x + 2 + x
q = z.relu() + z * x
h = (z * z).relu()
y = h + q + q * x
y.backward()
xpt, ypt = x, y
print(ypt.data.item(), xpt.grad.item())
