# Source: d2l-ai/d2l-en, chapter_preliminaries/autograd.md (PyTorch tab),
# https://github.com/d2l-ai/d2l-en ; https://d2l.ai/chapter_preliminaries/autograd.html
# License: code samples of Dive into Deep Learning are MIT-0 (text CC BY-SA 4.0).
# Notebook cell outputs are printed. Section "Detaching Computation".
import torch

x = torch.arange(4.0, requires_grad=True)
y = x * x
u = y.detach()
z = u * x

z.sum().backward()
print(x.grad == u)
x.grad.zero_()
y.sum().backward()
print(x.grad == 2 * x)
