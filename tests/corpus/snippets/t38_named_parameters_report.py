# Source: adapted from common PyTorch training code that reports per-parameter gradient
# norms (as in the "Training a Classifier" tutorial's loop, pytorch/tutorials
# beginner_source/blitz/cifar10_tutorial.py, https://github.com/pytorch/tutorials).
# License: BSD-3-Clause. Model and data are small and synthetic; comprehensions, f-strings,
# dict unpacking and gradient clipping as people write them.
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
net = nn.Sequential(nn.Linear(10, 16), nn.ReLU(), nn.Linear(16, 3))
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(net.parameters(), lr=1e-2)
inputs = torch.randn(12, 10)
labels = torch.randint(0, 3, (12,))
defaults = {"max_norm": 1.0, "norm_type": 2.0}

for epoch in range(3):
    running_loss = 0.0
    for i in range(0, 12, 4):
        optimizer.zero_grad()
        outputs = net(inputs[i:i + 4])
        loss = criterion(outputs, labels[i:i + 4])
        loss.backward()
        total_norm = nn.utils.clip_grad_norm_(net.parameters(), **{**defaults, "max_norm": 0.5})
        optimizer.step()
        running_loss += loss.item()
    norms = {name: round(p.grad.norm().item(), 4) for name, p in net.named_parameters()}
    shapes = {name: tuple(p.shape) for name, p in net.named_parameters() if "weight" in name}
    print(f"[{epoch + 1}] loss: {running_loss / 3:.4f} clipped from {total_norm:.4f}")
    print("  grad norms:", ", ".join(f"{k}={v}" for k, v in sorted(norms.items())))
print("weight shapes", shapes)

with torch.no_grad():
    predicted = net(inputs).argmax(dim=1)
correct = (predicted == labels).sum().item()
print(f"Accuracy: {100 * correct // labels.size(0)} %")
print("probabilities", [round(p, 4) for p in F.softmax(net(inputs[:1]), dim=1)[0].tolist()])
