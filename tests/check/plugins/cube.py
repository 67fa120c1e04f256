"""The contract's Cube example: a correct custom Function registered as ``cube``."""

import adcli


class Cube(adcli.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 3 * x ** 2


adcli.register_op("cube", Cube.apply)
