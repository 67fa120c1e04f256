# Source: pytorch/tutorials, intermediate_source/custom_function_double_backward_tutorial.rst
# ("Double Backward with Custom Functions"), https://github.com/pytorch/tutorials
# License: BSD-3-Clause. Section "Saving the Inputs".
import torch


class Square(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x**2

    @staticmethod
    def backward(ctx, grad_out):
        x, = ctx.saved_tensors
        return grad_out * 2 * x

x = torch.rand(3, 3, requires_grad=True, dtype=torch.double)
ok1 = torch.autograd.gradcheck(Square.apply, x)
ok2 = torch.autograd.gradgradcheck(Square.apply, x)
print(ok1, ok2)

x = torch.tensor(1., requires_grad=True).clone()
out = Square.apply(x)
grad_x, = torch.autograd.grad(out, x, create_graph=True)
print(grad_x, out)
