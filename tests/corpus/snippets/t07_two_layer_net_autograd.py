# Source: pytorch/tutorials, beginner_source/examples_autograd/two_layer_net_autograd.py
# ("PyTorch: Tensors and autograd", two-layer ReLU net), https://github.com/pytorch/tutorials
# License: BSD-3-Clause. Comments trimmed.
# tolerance: 1e-2 (float32 matmuls of 1000 terms, 500 steps: BLAS summation order)
import torch

dtype = torch.float
device = torch.device("cpu")
N, D_in, H, D_out = 64, 1000, 100, 10
x = torch.randn(N, D_in, device=device, dtype=dtype)
y = torch.randn(N, D_out, device=device, dtype=dtype)
w1 = torch.randn(D_in, H, device=device, dtype=dtype, requires_grad=True)
w2 = torch.randn(H, D_out, device=device, dtype=dtype, requires_grad=True)

learning_rate = 1e-6
for t in range(500):
    y_pred = x.mm(w1).clamp(min=0).mm(w2)
    loss = (y_pred - y).pow(2).sum()
    if t % 100 == 99:
        print(t, loss.item())
    loss.backward()
    with torch.no_grad():
        w1 -= learning_rate * w1.grad
        w2 -= learning_rate * w2.grad
        w1.grad.zero_()
        w2.grad.zero_()
