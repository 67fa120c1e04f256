# Source: karpathy/micrograd, test/test_engine.py, https://github.com/karpathy/micrograd
# License: MIT. The PyTorch half of the test (micrograd itself is not a dependency). test_unary_tensor_fns (the torch.Tensor.tanh / torch.Tensor.exp calls).
import torch

results = []
for tensor_fn in (torch.Tensor.tanh, torch.Tensor.exp):
    for x in [-1., .123, 2.]:
        xt = torch.Tensor([x]).double()
        xt.requires_grad = True
        yt = tensor_fn(xt)
        yt.backward()
        results.append((yt.data.item(), xt.grad.item()))
print(results)
