# Source: adapted from the PyTorch documentation, torch.optim "How to adjust learning rate"
# (docs/source/optim.rst: ExponentialLR and chaining schedulers, https://github.com/pytorch/pytorch;
# https://docs.pytorch.org/docs/stable/optim.html). License: BSD-3-Clause (PyTorch).
# The dataset is a few synthetic batches; the model a small nn.Sequential.
import torch
from torch import nn
from torch.optim.lr_scheduler import ExponentialLR, MultiStepLR

torch.manual_seed(0)
dataset = [(torch.randn(4, 5), torch.randn(4, 2)) for _ in range(3)]
model = nn.Sequential(nn.Linear(5, 8), nn.ReLU(), nn.Linear(8, 2))
loss_fn = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
scheduler1 = ExponentialLR(optimizer, gamma=0.9)
scheduler2 = MultiStepLR(optimizer, milestones=[3, 5], gamma=0.1)

history = []
for epoch in range(6):
    total = 0.0
    for input, target in dataset:
        optimizer.zero_grad()
        output = model(input)
        loss = loss_fn(output, target)
        loss.backward()
        optimizer.step()
        total += loss.item()
    scheduler1.step()
    scheduler2.step()
    history.append(total / len(dataset))
    print(f"epoch {epoch}: lr={scheduler2.get_last_lr()[0]:.6f} loss={history[-1]:.5f}")

print("best epoch", min(range(len(history)), key=lambda i: history[i]))
