# Source: d2l-ai/d2l-en, chapter_preliminaries/autograd.md (PyTorch tab),
# https://github.com/d2l-ai/d2l-en ; https://d2l.ai/chapter_preliminaries/autograd.html
# License: code samples of Dive into Deep Learning are MIT-0 (text CC BY-SA 4.0).
# Notebook cell outputs are printed. Section "Gradients and Python Control Flow".
import torch


def f(a):
    b = a * 2
    while b.norm() < 1000:
        b = b * 2
    if b.sum() > 0:
        c = b
    else:
        c = 100 * b
    return c

a = torch.randn(size=(), requires_grad=True)
d = f(a)
d.backward()
print(a.grad == d / a)
