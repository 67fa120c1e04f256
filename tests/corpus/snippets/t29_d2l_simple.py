# Source: d2l-ai/d2l-en, chapter_preliminaries/autograd.md (PyTorch tab),
# https://github.com/d2l-ai/d2l-en ; https://d2l.ai/chapter_preliminaries/autograd.html
# License: code samples of Dive into Deep Learning are MIT-0 (text CC BY-SA 4.0).
# Notebook cell outputs are printed. Section "A Simple Function".
import torch

x = torch.arange(4.0)
print(x)
x.requires_grad_(True)
print(x.grad)  # The gradient is None by default
y = 2 * torch.dot(x, x)
print(y)
y.backward()
print(x.grad)
print(x.grad == 4 * x)
x.grad.zero_()  # Reset the gradient
y = x.sum()
y.backward()
print(x.grad)
