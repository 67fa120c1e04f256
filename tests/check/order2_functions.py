"""Custom Functions whose first derivative is right and whose second is not (issue 12, point 3),
each with a correct twin. Written once against a torch-like module ``T`` (adcli or torch), so
the same source runs on both: torch's gradgradcheck is the oracle that the mutants fail.

``make(T)`` returns ``{name: (mutant, twin, culprit kind, what the detail must say)}``.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def make(T: Any) -> dict[str, tuple[Any, Any, str, str]]:
    F = T.autograd.Function
    once_differentiable = T.autograd.function.once_differentiable

    # -- a saved intermediate computed inside forward (no graph) ------------------------------
    class SwishSavedSigmoid(F):
        @staticmethod
        def forward(ctx: Any, x: Any) -> Any:
            s = T.sigmoid(x)  # forward runs without a graph: s is a constant to backward
            ctx.save_for_backward(x, s)
            return x * s

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            x, s = ctx.saved_tensors
            return g * (s + x * s * (1 - s))

    class Swish(F):
        @staticmethod
        def forward(ctx: Any, x: Any) -> Any:
            ctx.save_for_backward(x)
            return x * T.sigmoid(x)

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            (x,) = ctx.saved_tensors
            s = T.sigmoid(x)
            return g * (s + x * s * (1 - s))

    class SquareSavedDouble(F):
        @staticmethod
        def forward(ctx: Any, x: Any) -> Any:
            ctx.save_for_backward(2 * x)
            return x * x

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            (two_x,) = ctx.saved_tensors
            return g * two_x

    class Square(F):
        @staticmethod
        def forward(ctx: Any, x: Any) -> Any:
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            (x,) = ctx.saved_tensors
            return g * 2 * x

    # -- a backward that does not use differentiable operations ------------------------------
    class CubeDetachedBackward(F):
        @staticmethod
        def forward(ctx: Any, x: Any) -> Any:
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            (x,) = ctx.saved_tensors
            return g * 3 * x.detach() ** 2

    class Cube(F):
        @staticmethod
        def forward(ctx: Any, x: Any) -> Any:
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            (x,) = ctx.saved_tensors
            return g * 3 * x ** 2

    class SinNumpyBackward(F):
        @staticmethod
        def forward(ctx: Any, x: Any) -> Any:
            ctx.save_for_backward(x)
            return T.sin(x)

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            (x,) = ctx.saved_tensors
            cos = np.cos(x.detach().numpy())
            return T.tensor(g.detach().numpy() * cos)

    class Sin(F):
        @staticmethod
        def forward(ctx: Any, x: Any) -> Any:
            ctx.save_for_backward(x)
            return T.sin(x)

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            (x,) = ctx.saved_tensors
            return g * T.cos(x)

    class ExpOnceDifferentiable(F):
        @staticmethod
        def forward(ctx: Any, x: Any) -> Any:
            y = T.exp(x)
            ctx.save_for_backward(y)
            return y

        @staticmethod
        @once_differentiable
        def backward(ctx: Any, g: Any) -> Any:
            (y,) = ctx.saved_tensors
            return g * y

    class Exp(F):
        @staticmethod
        def forward(ctx: Any, x: Any) -> Any:
            y = T.exp(x)
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            (y,) = ctx.saved_tensors
            return g * y

    # -- a wrong second derivative: differentiable ops, right value, wrong slope -------------
    class CubeWrongSecond(F):
        @staticmethod
        def forward(ctx: Any, x: Any) -> Any:
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            (x,) = ctx.saved_tensors
            # 3 x^2 in value; its derivative is 5 (not 6 x): x - x.detach() is 0 with slope 1
            return g * (3 * x.detach() ** 2 + 5 * (x - x.detach()))

    class MulWrongCross(F):
        @staticmethod
        def forward(ctx: Any, a: Any, b: Any) -> Any:
            ctx.save_for_backward(a, b)
            return a * b

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            a, b = ctx.saved_tensors
            # d/da is b in value, but its graph has slope 2 in b
            return g * (2 * b - b.detach()), g * a

    class Mul(F):
        @staticmethod
        def forward(ctx: Any, a: Any, b: Any) -> Any:
            ctx.save_for_backward(a, b)
            return a * b

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            a, b = ctx.saved_tensors
            return g * b, g * a

    return {
        "swish_saved_sigmoid": (SwishSavedSigmoid, Swish, "wrong_double_backward",
                                "neither an input nor an output"),
        "square_saved_double": (SquareSavedDouble, Square, "wrong_double_backward",
                                "neither an input nor an output"),
        "cube_detached_backward": (CubeDetachedBackward, Cube, "not_differentiable_backward",
                                   "differentiable"),
        "sin_numpy_backward": (SinNumpyBackward, Sin, "not_differentiable_backward",
                               "no graph"),
        "exp_once_differentiable": (ExpOnceDifferentiable, Exp, "not_differentiable_backward",
                                    "once_differentiable"),
        "cube_wrong_second": (CubeWrongSecond, Cube, "wrong_double_backward",
                              "finite differences of its backward"),
        "mul_wrong_cross": (MulWrongCross, Mul, "wrong_double_backward",
                            "finite differences of its backward"),
    }


def inputs(T: Any, cls: Any) -> tuple[Any, ...]:
    """float64 inputs that require grad (two for a two-input Function)."""
    rng = np.random.default_rng(3)
    n = 2 if cls.__name__.startswith("Mul") else 1
    return tuple(T.tensor(rng.uniform(0.3, 1.5, size=4), dtype=T.float64, requires_grad=True)
                 for _ in range(n))
