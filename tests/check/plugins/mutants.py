"""Deliberately wrong backward formulas (mutation tests of ``adcli gradcheck``).

Each Function is registered as an op named like the class in snake case; ``MUTANTS`` maps the
op name to (Function class, input maker, what is wrong). Inputs are float64 and require grad.
"""

import adcli


def _pos(*shape):
    return lambda: adcli.rand(*shape, dtype=adcli.float64) + 0.5


def _any(*shape):
    return lambda: adcli.randn(*shape, dtype=adcli.float64)


class CubeWrongCoefficient(adcli.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 2 * x ** 2  # 3 x^2


class SinWrongSign(adcli.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.sin()

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return -grad * x.cos()  # + cos


class MatmulMissingTranspose(adcli.Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a @ b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return grad @ b, a.t() @ grad  # grad @ b.T


class ProductMissingTerm(adcli.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x.exp()

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * x.exp()  # (1 + x) exp(x): the product rule's second term is missing


class WrongShape(adcli.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * 2

    @staticmethod
    def backward(ctx, grad):
        return grad.sum(dim=0)  # a gradient of the wrong shape


class ExpUsesInput(adcli.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.exp()

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * x  # exp(x): the wrong saved value


class SquareOffByOne(adcli.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * (2 * x + 1)  # 2 x


class SwappedGradients(adcli.Function):
    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return x * y ** 2

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        return grad * 2 * x * y, grad * y ** 2  # the two gradients swapped


class SoftplusWrongDerivative(adcli.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return (x.exp() + 1).log()

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * x.tanh()  # sigmoid(x)


class MeanMissingDivision(adcli.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.mean()

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * adcli.ones_like(x)  # grad / n


class LogShifted(adcli.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.log()

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / (x + 1)  # grad / x


class ReciprocalMissingMinus(adcli.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return 1 / x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / x ** 2  # -grad / x^2


class SumIgnoresGrad(adcli.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.sum(dim=1)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return adcli.ones_like(x)  # grad[:, None] expanded: the incoming gradient is ignored


MUTANTS = {
    "cube_wrong_coefficient": (CubeWrongCoefficient, [_any(4)], "wrong coefficient"),
    "sin_wrong_sign": (SinWrongSign, [_any(5)], "wrong sign"),
    "matmul_missing_transpose": (MatmulMissingTranspose, [_any(3, 3), _any(3, 3)],
                                 "missing transpose"),
    "product_missing_term": (ProductMissingTerm, [_any(4)], "missing term"),
    "wrong_shape": (WrongShape, [_any(3, 2)], "wrong shape"),
    "exp_uses_input": (ExpUsesInput, [_any(4)], "wrong saved tensor"),
    "square_off_by_one": (SquareOffByOne, [_any(4)], "extra constant"),
    "swapped_gradients": (SwappedGradients, [_any(3), _any(3)], "gradients swapped"),
    "softplus_wrong_derivative": (SoftplusWrongDerivative, [_any(4)], "wrong function"),
    "mean_missing_division": (MeanMissingDivision, [_any(5)], "missing 1/n"),
    "log_shifted": (LogShifted, [_pos(4)], "wrong denominator"),
    "reciprocal_missing_minus": (ReciprocalMissingMinus, [_pos(4)], "missing minus"),
    "sum_ignores_grad": (SumIgnoresGrad, [_any(3, 4)], "ignores the incoming gradient"),
}

for _name, (_cls, _makers, _why) in MUTANTS.items():
    adcli.register_op(_name, _cls.apply)
