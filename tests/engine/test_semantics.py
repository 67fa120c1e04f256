"""Autograd semantics: accumulation, leaves, hooks, autograd.grad, grad mode, versions,
saved tensors, custom Functions, register_op and conversions."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

import adcli
from adcli.engine import registry
from adcli.engine.errors import AdcliError


def t64(data: Any, requires_grad: bool = True) -> adcli.Tensor:
    return adcli.tensor(data, dtype=adcli.float64, requires_grad=requires_grad)


# ----------------------------------------------------------------------------------------------
# accumulation and leaves
# ----------------------------------------------------------------------------------------------
def test_grad_accumulates_across_backward_calls() -> None:
    x = t64([1.0, 2.0])
    (x * 3).sum().backward()
    (x * x).sum().backward()
    assert x.grad.tolist() == [3 + 2, 3 + 4]
    g = x.grad
    (x * 1).sum().backward()
    assert x.grad is g  # accumulated in place into the same tensor
    assert x.grad.tolist() == [6.0, 8.0]


def test_gradient_flows_along_every_path() -> None:
    x = t64(2.0)
    y = x * x + x * 3 + x.exp()
    y.backward()
    assert x.grad.item() == pytest.approx(2 * 2 + 3 + np.exp(2))


def test_grad_only_on_leaves_unless_retain_grad() -> None:
    x = t64([1.0, 2.0])
    h = x * 2
    k = h * 3
    k.retain_grad()
    assert k.retains_grad and not h.retains_grad
    (k * k).sum().backward()
    assert h.grad is None and not h.is_leaf
    np.testing.assert_allclose(k.grad.numpy(), 2 * k.detach().numpy())
    np.testing.assert_allclose(x.grad.numpy(), 2 * k.detach().numpy() * 6)
    assert x.is_leaf and adcli.tensor([1.0]).is_leaf


def test_retain_grad_on_leaf_is_noop_and_requires_grad_needed() -> None:
    x = t64([1.0])
    x.retain_grad()
    (x * 2).sum().backward()
    assert x.grad.tolist() == [2.0]
    with pytest.raises(AdcliError):
        adcli.tensor([1.0]).retain_grad()


def test_requires_grad_rules() -> None:
    with pytest.raises(AdcliError, match="floating point"):
        adcli.tensor([1, 2]).requires_grad_()
    x = t64([1.0])
    y = x * 2
    with pytest.raises(AdcliError, match="leaf variables"):
        y.requires_grad_(False)
    z = adcli.tensor([1.0, 2.0]).requires_grad_()
    assert z.requires_grad and z.is_leaf


# ----------------------------------------------------------------------------------------------
# hooks
# ----------------------------------------------------------------------------------------------
def test_hook_on_intermediate_modifies_gradient() -> None:
    x = t64([1.0, 2.0])
    h = x * 3
    h.register_hook(lambda g: g * 10)
    h.sum().backward()
    assert x.grad.tolist() == [30.0, 30.0]


def test_hook_on_leaf_sees_and_replaces_gradient() -> None:
    x = t64([1.0, 2.0])
    seen: list[list[float]] = []

    def hook(g: adcli.Tensor) -> adcli.Tensor:
        seen.append(g.tolist())
        return g + 1

    x.register_hook(hook)
    (x * x).sum().backward()
    assert seen == [[2.0, 4.0]]
    assert x.grad.tolist() == [3.0, 5.0]


def test_hook_returning_none_keeps_gradient() -> None:
    x = t64([1.0, 2.0])
    calls = []
    y = x * 2
    y.register_hook(lambda g: calls.append(g.tolist()))
    y.sum().backward()
    assert calls == [[1.0, 1.0]] and x.grad.tolist() == [2.0, 2.0]


def test_hook_needs_requires_grad() -> None:
    with pytest.raises(AdcliError):
        adcli.tensor([1.0]).register_hook(lambda g: g)


# ----------------------------------------------------------------------------------------------
# autograd.grad and backward(inputs=)
# ----------------------------------------------------------------------------------------------
def test_autograd_grad_returns_and_does_not_accumulate() -> None:
    x, y = t64([1.0, 2.0]), t64([3.0, 4.0])
    (gx, gy) = adcli.autograd.grad((x * y).sum(), [x, y])
    assert gx.tolist() == [3.0, 4.0] and gy.tolist() == [1.0, 2.0]
    assert x.grad is None and y.grad is None


def test_autograd_grad_allow_unused() -> None:
    x, unused = t64([1.0]), t64([2.0])
    with pytest.raises(AdcliError, match="Tensor at index 1 appears to not have been used"):
        adcli.autograd.grad((x * 2).sum(), [x, unused])
    gx, gu = adcli.autograd.grad((x * 2).sum(), [x, unused], allow_unused=True)
    assert gx.tolist() == [2.0] and gu is None


def test_autograd_grad_create_graph_higher_order() -> None:
    x = t64(1.5)
    y = x ** 3
    (g,) = adcli.autograd.grad(y, x, create_graph=True)
    assert g.requires_grad and g.grad_fn is not None
    assert g.item() == pytest.approx(3 * 1.5 ** 2)
    (gg,) = adcli.autograd.grad(g, x, create_graph=True)
    assert gg.item() == pytest.approx(6 * 1.5)
    (ggg,) = adcli.autograd.grad(gg, x)
    assert ggg.item() == pytest.approx(6.0)


@pytest.mark.parametrize(("fn", "second"), [
    (adcli.tanh, lambda v: -2 * math.tanh(v) * (1 - math.tanh(v) ** 2)),
    (adcli.sigmoid, lambda v: (s := 1 / (1 + math.exp(-v))) * (1 - s) * (1 - 2 * s)),
    (adcli.log, lambda v: -1 / v ** 2),
    (adcli.sqrt, lambda v: -0.25 * v ** -1.5),
    (lambda t: adcli.exp(adcli.sin(t)), lambda v: math.exp(math.sin(v)) * (math.cos(v) ** 2
                                                                          - math.sin(v))),
    (lambda t: 2 ** t, lambda v: math.log(2) ** 2 * 2 ** v),
], ids=["tanh", "sigmoid", "log", "sqrt", "exp(sin)", "2**x"])
def test_second_derivatives_hand_derived(fn: Any, second: Any) -> None:
    x = t64(0.7)
    (g,) = adcli.autograd.grad(fn(x), x, create_graph=True)
    (gg,) = adcli.autograd.grad(g, x)
    assert gg.item() == pytest.approx(second(0.7), rel=1e-12)


def test_mixed_second_derivative_hand_derived() -> None:
    x, y = t64(1.5), t64(-2.0)
    (gx,) = adcli.autograd.grad(x * x * y, x, create_graph=True)  # 2xy
    gxy, gxx = adcli.autograd.grad(gx, [y, x])
    assert gxy.item() == pytest.approx(3.0) and gxx.item() == pytest.approx(-4.0)


def test_autograd_grad_of_non_leaf() -> None:
    x = t64([1.0, 2.0])
    h = x * 2
    (gh,) = adcli.autograd.grad((h * h).sum(), h)
    assert gh.tolist() == [4.0, 8.0]


def test_autograd_grad_with_grad_outputs() -> None:
    x = t64([1.0, 2.0])
    v = adcli.tensor([1.0, 10.0], dtype=adcli.float64)
    (g,) = adcli.autograd.grad(x * x, x, grad_outputs=v)
    assert g.tolist() == [2.0, 40.0]


def test_backward_create_graph_then_grad_of_grad() -> None:
    x = t64(2.0)
    (x ** 4).backward(create_graph=True)
    assert x.grad.item() == 32.0 and x.grad.requires_grad
    (g2,) = adcli.autograd.grad(x.grad, x)
    assert g2.item() == 48.0


def test_backward_inputs_restricts_accumulation() -> None:
    x, y = t64([1.0]), t64([2.0])
    h = x * y
    h.retain_grad()
    z = (h * h).sum()
    z.backward(inputs=[x])
    assert x.grad.tolist() == [2 * 2.0 * 2.0] and y.grad is None
    z2 = (x * y).sum()
    z2.backward(inputs=y)
    assert y.grad.tolist() == [1.0]
    with pytest.raises(AdcliError):
        (x * y).sum().backward(inputs=[])


# ----------------------------------------------------------------------------------------------
# grad mode
# ----------------------------------------------------------------------------------------------
def test_grad_mode_context_managers_nest() -> None:
    x = t64([1.0])
    assert adcli.is_grad_enabled()
    with adcli.no_grad():
        assert not adcli.is_grad_enabled()
        assert not (x * 2).requires_grad
        with adcli.enable_grad():
            assert adcli.is_grad_enabled()
            assert (x * 2).requires_grad
            with adcli.set_grad_enabled(False):
                assert not (x * 2).requires_grad
            assert adcli.is_grad_enabled()
        assert not adcli.is_grad_enabled()
    assert adcli.is_grad_enabled()


def test_grad_mode_decorators() -> None:
    x = t64([1.0])

    @adcli.no_grad()
    def f() -> adcli.Tensor:
        return x * 2

    @adcli.enable_grad()
    def g() -> adcli.Tensor:
        return x * 2

    @adcli.set_grad_enabled(False)
    def h() -> adcli.Tensor:
        return x * 2

    assert adcli.is_grad_enabled()  # the decorator form does not change the mode
    assert not f().requires_grad and not h().requires_grad
    with adcli.no_grad():
        assert g().requires_grad
        assert not adcli.is_grad_enabled()
    assert adcli.is_grad_enabled()


def test_grad_mode_decorators_without_parentheses() -> None:
    x = t64([1.0])

    @adcli.no_grad
    def f() -> adcli.Tensor:
        """Doubles x."""
        return x * 2

    @adcli.enable_grad
    def g() -> adcli.Tensor:
        return x * 2

    assert f.__name__ == "f" and f.__doc__ == "Doubles x."
    assert not f().requires_grad and adcli.is_grad_enabled()
    with adcli.no_grad():
        assert g().requires_grad
        assert not adcli.is_grad_enabled()


def test_grad_mode_restored_after_exception() -> None:
    with pytest.raises(ValueError), adcli.no_grad():
        raise ValueError("boom")
    assert adcli.is_grad_enabled()


def test_set_grad_enabled_as_function() -> None:
    try:
        adcli.set_grad_enabled(False)
        assert not adcli.is_grad_enabled()
    finally:
        adcli.set_grad_enabled(True)
    assert adcli.is_grad_enabled()


def test_backward_does_not_record_by_default() -> None:
    x = t64([1.0, 2.0])
    (x * x).sum().backward()
    assert not x.grad.requires_grad and x.grad.grad_fn is None


# ----------------------------------------------------------------------------------------------
# versions and saved tensors
# ----------------------------------------------------------------------------------------------
def test_version_counter() -> None:
    x = adcli.tensor([1.0, 2.0, 3.0])
    assert x._version == 0
    x.add_(1)
    x.mul_(2)
    assert x._version == 2
    d = x.detach()
    d.add_(1)  # detach shares storage and version counter
    assert x._version == 3 and x.tolist() == [5.0, 7.0, 9.0]
    x[0] = 0.0
    assert x._version == 4
    v = x[1:]
    v.zero_()
    assert x._version == 5 and x.tolist() == [0.0, 0.0, 0.0]


def test_inplace_on_nonleaf_rebases_history() -> None:
    x = t64([1.0, 2.0])
    y = x * 2
    y.add_(1)
    assert y.grad_fn.name() == "AddBackward0"
    y.mul_(adcli.tensor([10.0, 100.0], dtype=adcli.float64))
    assert y.grad_fn.name() == "MulBackward0"
    y.sum().backward()
    assert x.grad.tolist() == [20.0, 200.0]


def test_inplace_with_operand_sharing_storage_fails_backward() -> None:
    x = t64([1.0, 2.0])
    y = x * 2
    y.add_(1)
    y.mul_(y.detach())  # the saved operand is overwritten by the op itself
    with pytest.raises(AdcliError) as exc:
        y.sum().backward()
    assert exc.value.kind == "inplace_modified"
    assert "[torch.DoubleTensor [2]] is at version 2; expected version 1 instead." in str(exc.value)


def test_setitem_on_nonleaf_records_copyslices() -> None:
    x = t64([1.0, 2.0, 3.0])
    y = x * 1
    y[0] = 10.0
    assert y.grad_fn.name() == "torch::autograd::CopySlices"  # torch's Node.name()
    (y * y).sum().backward()
    assert x.grad.tolist() == [0.0, 4.0, 6.0]


def test_saved_tensors_freed_only_where_saved() -> None:
    a, b = t64([1.0]), t64([2.0])
    s = (a + b).sum()  # Add and Sum save nothing: a second backward works
    s.backward()
    s.backward()
    assert a.grad.tolist() == [2.0]
    p = (a * b).sum()
    info = p.grad_fn.next_functions[0][0].saved_tensors_info
    assert {d["name"] for d in info} == {"self", "other"} and not any(d["freed"] for d in info)
    mul = p.grad_fn.next_functions[0][0]
    p.backward()
    # The data is released; what was saved stays describable for inspectors.
    assert mul._saved is None
    assert mul.saved_tensors_info == [
        {"name": "self", "shape": [1], "dtype": "float64", "version": 0,
         "current_version": None, "freed": True},
        {"name": "other", "shape": [1], "dtype": "float64", "version": 0,
         "current_version": None, "freed": True}]
    with pytest.raises(AdcliError) as exc:
        p.backward()
    assert exc.value.kind == "graph_freed"


def test_custom_function_saved_tensors_described_after_release() -> None:
    class Square(adcli.Function):
        @staticmethod
        def forward(ctx: Any, x: Any) -> Any:
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            (x,) = ctx.saved_tensors
            return 2 * x * g

    x = t64([1.0, 2.0])
    y = Square.apply(x).sum()
    node = y.grad_fn.next_functions[0][0]
    assert [d["freed"] for d in node.saved_tensors_info] == [False]
    y.backward()
    assert node.saved_tensors_info == [
        {"name": "saved[0]", "shape": [2], "dtype": "float64", "version": 0,
         "current_version": None, "freed": True}]
    with pytest.raises(AdcliError) as exc:
        y.backward()
    assert exc.value.kind == "graph_freed"


def test_retain_graph_keeps_saved_tensors() -> None:
    a = t64([3.0])
    p = (a * a).sum()
    p.backward(retain_graph=True)
    p.backward(retain_graph=True)
    p.backward()
    assert a.grad.tolist() == [18.0]


def test_next_functions_and_accumulate_grad() -> None:
    from adcli.engine.node import AccumulateGrad

    x = t64([1.0])
    y = x * 2 + 1
    add = y.grad_fn
    assert add.name() == "AddBackward0"
    (mul, nr), (none, _) = add.next_functions
    assert mul.name() == "MulBackward0" and nr == 0 and none is None
    acc = mul.next_functions[0][0]
    assert isinstance(acc, AccumulateGrad) and acc.variable is x
    assert acc.name() == "torch::autograd::AccumulateGrad"  # torch's Node.name()
    assert repr(acc).startswith("<AccumulateGrad object at ")
    assert mul.describe()


# ----------------------------------------------------------------------------------------------
# custom Functions
# ----------------------------------------------------------------------------------------------
def make_cube() -> Any:
    """The contract's example Function (built at test time: a missing export fails one test,
    not the collection of the module)."""

    class Cube(adcli.Function):
        @staticmethod
        def forward(ctx: Any, x: adcli.Tensor) -> adcli.Tensor:
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx: Any, grad: adcli.Tensor) -> adcli.Tensor:
            (x,) = ctx.saved_tensors
            return grad * 3 * x ** 2

    return Cube


def test_public_api_names() -> None:
    """Contract section 4: the names ``import adcli`` offers."""
    for name in ("tensor", "zeros", "ones", "full", "randn", "rand", "arange", "linspace", "eye",
                 "matmul", "tanh", "no_grad", "enable_grad", "set_grad_enabled", "Tensor",
                 "Function", "register_op", "float32", "float64", "manual_seed"):
        assert hasattr(adcli, name), f"adcli.{name} is missing"
    assert callable(adcli.autograd.grad) and callable(adcli.nn.functional.mse_loss)
    assert isinstance(adcli.tensor([1.0]), adcli.Tensor)


def test_custom_function_forward_backward_and_name() -> None:
    Cube = make_cube()
    x = t64([1.0, 2.0])
    y = Cube.apply(x)
    assert y.grad_fn.name() == "CubeBackward"
    assert y.grad_fn.next_functions[0][0].variable is x
    y.sum().backward()
    assert x.grad.tolist() == [3.0, 12.0]
    with pytest.raises(AdcliError) as exc:
        y.sum().backward()
    assert exc.value.kind == "graph_freed"


def test_custom_function_double_backward() -> None:
    Cube = make_cube()
    x = t64(2.0)
    (g,) = adcli.autograd.grad(Cube.apply(x), x, create_graph=True)
    (gg,) = adcli.autograd.grad(g, x)
    assert g.item() == 12.0 and gg.item() == 12.0


def test_custom_function_needs_input_grad_and_non_tensor_args() -> None:
    seen = {}

    class Scale(adcli.Function):
        @staticmethod
        def forward(ctx: Any, x: adcli.Tensor, k: float, y: adcli.Tensor) -> adcli.Tensor:
            ctx.k = k
            seen["needs"] = ctx.needs_input_grad
            return x * k + y

        @staticmethod
        def backward(ctx: Any, g: adcli.Tensor) -> tuple[Any, ...]:
            return g * ctx.k, None, (g if ctx.needs_input_grad[2] else None)

    x, y = t64([1.0]), t64([1.0], requires_grad=False)
    out = Scale.apply(x, 4.0, y)
    assert seen["needs"] == (True, False, False)
    out.sum().backward()
    assert x.grad.tolist() == [4.0]


def test_custom_function_mark_non_differentiable() -> None:
    class SortLike(adcli.Function):
        @staticmethod
        def forward(ctx: Any, x: adcli.Tensor) -> tuple[adcli.Tensor, adcli.Tensor]:
            idx = adcli.tensor(np.argsort(x.numpy()))
            ctx.mark_non_differentiable(idx)
            return x * 2, idx

        @staticmethod
        def backward(ctx: Any, g: adcli.Tensor, g_idx: Any) -> adcli.Tensor:
            return g * 2

    x = t64([3.0, 1.0])
    y, idx = SortLike.apply(x)
    assert y.requires_grad and not idx.requires_grad and idx.grad_fn is None
    y.sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_custom_function_wrong_gradient_count() -> None:
    class Bad(adcli.Function):
        @staticmethod
        def forward(ctx: Any, x: adcli.Tensor) -> adcli.Tensor:
            return x * 1

        @staticmethod
        def backward(ctx: Any, g: adcli.Tensor) -> tuple[Any, ...]:
            return g, g

    x = t64([1.0])
    with pytest.raises(AdcliError, match=r"function BadBackward returned an incorrect number of "
                                         r"gradients \(expected 1, got 2\)"):
        Bad.apply(x).sum().backward()


def test_custom_function_wrong_gradient_shape() -> None:
    class BadShape(adcli.Function):
        @staticmethod
        def forward(ctx: Any, x: adcli.Tensor) -> adcli.Tensor:
            return x * 1

        @staticmethod
        def backward(ctx: Any, g: adcli.Tensor) -> adcli.Tensor:
            return adcli.ones(5, dtype=adcli.float64)

    x = t64([1.0, 2.0])
    with pytest.raises(AdcliError) as exc:
        BadShape.apply(x).sum().backward()
    assert exc.value.kind == "shape_mismatch"
    assert str(exc.value) == ("Function BadShapeBackward returned an invalid gradient at index 0 - "
                              "got [5] but expected shape compatible with [2]")


def test_custom_function_saved_output_inplace_detected() -> None:
    class Exp(adcli.Function):
        @staticmethod
        def forward(ctx: Any, x: adcli.Tensor) -> adcli.Tensor:
            r = x.exp()
            ctx.save_for_backward(r)
            return r

        @staticmethod
        def backward(ctx: Any, g: adcli.Tensor) -> adcli.Tensor:
            (r,) = ctx.saved_tensors
            return g * r

    x = t64([0.0, 1.0])
    y = Exp.apply(x)
    y.sum().backward(retain_graph=True)
    np.testing.assert_allclose(x.grad.numpy(), np.exp([0.0, 1.0]))
    with adcli.no_grad():
        y.mul_(2)
    with pytest.raises(AdcliError) as exc:
        y.sum().backward()
    assert exc.value.kind == "inplace_modified"


def test_register_op() -> None:
    Cube = make_cube()
    try:
        adcli.register_op("cube", Cube.apply)
        assert registry.TORCH["cube"] == Cube.apply
        assert "cube" in registry.PLUGIN_OPS
        x = t64([2.0])
        registry.TORCH["cube"](x).sum().backward()
        assert x.grad.tolist() == [12.0]
    finally:
        registry.TORCH.pop("cube", None)
        registry.PLUGIN_OPS.pop("cube", None)
    for bad in ("_private", "not valid", "1abc"):
        with pytest.raises(AdcliError):
            adcli.register_op(bad, Cube.apply)
    with pytest.raises(AdcliError):
        adcli.register_op("notcallable", 3)  # type: ignore[arg-type]


def test_op_table_lists_every_op() -> None:
    from adcli.engine.table import OPS

    rows = registry.op_table()
    assert {r["name"] for r in rows} == set(OPS)
    mul = next(r for r in rows if r["name"] == "mul")
    assert mul["grad_fn"] == "MulBackward0" and mul["rules"] == {
        "self": "grad * other.conj()", "other": "grad * self.conj()"}
    assert mul["complex"] is True
    assert registry.signature(adcli.matmul).startswith("(input")


# ----------------------------------------------------------------------------------------------
# conversions
# ----------------------------------------------------------------------------------------------
def test_numpy_on_tensor_requiring_grad_shares_memory() -> None:
    x = t64([1.0, 2.0])
    arr = x.numpy()  # adcli allows it (PyTorch asks for .detach() first)
    assert isinstance(arr, np.ndarray) and arr.dtype == np.float64
    arr[0] = 5.0
    assert x.tolist() == [5.0, 2.0]


def test_item_and_tolist() -> None:
    assert adcli.tensor(2.5).item() == 2.5 and isinstance(adcli.tensor(2.5).item(), float)
    assert adcli.tensor([7]).item() == 7 and isinstance(adcli.tensor(7).item(), int)
    assert adcli.tensor(True).item() is True
    assert adcli.tensor([[1, 2], [3, 4]]).tolist() == [[1, 2], [3, 4]]
    assert adcli.tensor(3.0).tolist() == 3.0
    x = t64([1.0, 2.0])
    assert (x * 2).tolist() == [2.0, 4.0]
    with pytest.raises(AdcliError, match="a Tensor with 2 elements cannot be converted to Scalar"):
        x.item()
    assert float(adcli.tensor([1.5])) == 1.5 and int(adcli.tensor(3)) == 3


def test_dtypes_follow_torch() -> None:
    assert adcli.get_default_dtype() == adcli.float32
    assert adcli.tensor([1.0]).dtype == adcli.float32
    assert adcli.tensor([1]).dtype == adcli.int64
    assert adcli.tensor([True]).dtype == adcli.bool
    assert (adcli.tensor([1]) * 1.5).dtype == adcli.float32
    assert (adcli.tensor([1.0], dtype=adcli.float64) * 2).dtype == adcli.float64
    assert adcli.tensor([1, 2]).sum().dtype == adcli.int64
    assert (adcli.tensor([1]) * adcli.ones(1)).dtype == adcli.float32
    assert (adcli.ones(2) * adcli.tensor(2.0, dtype=adcli.float64)).dtype == adcli.float32
    assert (adcli.tensor(1) * adcli.tensor(2.0, dtype=adcli.float64)).dtype == adcli.float64
    assert (adcli.tensor([True]) + adcli.tensor([1])).dtype == adcli.int64
    assert (adcli.tensor([1, 2]) / adcli.tensor([2, 2])).dtype == adcli.float32
    assert repr(adcli.float64) == "torch.float64"
    assert str(adcli.ones(2, 3).shape) == "torch.Size([2, 3])"


def test_requires_grad_attribute_follows_pytorch_rules() -> None:
    x = adcli.ones(3, requires_grad=True)
    y = x * 2
    with pytest.raises(adcli.AdcliError, match="only change requires_grad flags of leaf"):
        y.requires_grad = False
    y.requires_grad = True  # allowed, and a no-op on a non-leaf
    x.requires_grad = False
    assert not x.requires_grad and x.is_leaf
    with pytest.raises(adcli.AdcliError, match="floating point dtype"):
        adcli.tensor([1, 2]).requires_grad = True
