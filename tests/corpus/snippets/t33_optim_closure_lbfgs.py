# Source: adapted from the PyTorch documentation, torch.optim "Taking an optimization step":
# optimizer.step(closure) (docs/source/optim.rst, https://github.com/pytorch/pytorch;
# https://docs.pytorch.org/docs/stable/optim.html). License: BSD-3-Clause (PyTorch).
# The dataset is a small synthetic regression; LBFGS runs a few outer steps.
import torch
import torch.nn as nn

torch.manual_seed(0)
inputs = torch.randn(16, 3)
true_w = torch.tensor([[1.5], [-2.0], [0.5]])
targets = inputs @ true_w + 0.1

model = nn.Linear(3, 1)
loss_fn = nn.MSELoss()
optimizer = torch.optim.LBFGS(model.parameters(), lr=0.5, max_iter=5)

for step in range(4):
    def closure():
        optimizer.zero_grad()
        output = model(inputs)
        loss = loss_fn(output, targets)
        loss.backward()
        return loss
    loss = optimizer.step(closure)
    print(f"step {step}: loss {loss.item():.6f}")

weight = model.weight.detach()
bias = model.bias.detach()
print("weight", [round(w, 4) for w in weight.flatten().tolist()], "bias", round(bias.item(), 4))
