"""A custom op with a deliberately wrong backward, to show what `adcli gradcheck` reports.

    adcli gradcheck examples/cube.yaml --plugin examples/cube_plugin.py
"""

import adcli


class Cube(adcli.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x**3

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 2 * x**2  # wrong: d(x^3)/dx = 3 x^2


adcli.register_op("cube", Cube.apply)
