# Source: d2l-ai/d2l-en, chapter_preliminaries/autograd.md (PyTorch tab),
# https://github.com/d2l-ai/d2l-en ; https://d2l.ai/chapter_preliminaries/autograd.html
# License: code samples of Dive into Deep Learning are MIT-0 (text CC BY-SA 4.0).
# Notebook cell outputs are printed. Section "Backward for Non-Scalar Variables".
import torch

x = torch.arange(4.0)
x.requires_grad_(True)
x.grad.zero_() if x.grad is not None else None
y = x * x
y.backward(gradient=torch.ones(len(y)))  # Faster: y.sum().backward()
print(x.grad)
