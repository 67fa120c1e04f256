"""Small programs written once as functions of a torch-like namespace T (adcli or torch).

Each returns ``(root, names)``: the tensor whose graph is inspected and a name -> tensor map.
"""

from __future__ import annotations

from typing import Any


def _x(T: Any) -> Any:
    return T.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], dtype=T.float64, requires_grad=True)


def _w(T: Any) -> Any:
    return T.tensor([[0.1, 0.2], [0.3, -0.4], [0.5, 0.6]], dtype=T.float64, requires_grad=True)


def _v(T: Any) -> Any:
    return T.tensor([1.0, 2.0, 3.0], dtype=T.float64, requires_grad=True)


def p_add_mul(T: Any) -> Any:
    x, v = _x(T), _v(T)
    c = T.tensor([2.0, 3.0, 4.0], dtype=T.float64)
    y = x * v + c
    z = (y - x / 2).sum()
    return z, {"x": x, "v": v, "c": c, "y": y, "z": z}


def p_matmul_2d(T: Any) -> Any:
    x, w = _x(T), _w(T)
    h = x @ w
    loss = h.tanh().mean()
    return loss, {"x": x, "w": w, "h": h, "loss": loss}


def p_matmul_vec_mat(T: Any) -> Any:
    a = T.ones(3, dtype=T.float64)
    w = _w(T)
    b = T.tensor([0.5, -0.5], dtype=T.float64, requires_grad=True)
    z = T.matmul(a, w) + b
    return (z * z).sum(), {"a": a, "w": w, "b": b, "z": z}


def p_mat_vec(T: Any) -> Any:
    x, v = _x(T), _v(T)
    y = T.matmul(x, v)
    return y.exp().sum(), {"x": x, "v": v, "y": y}


def p_unary_chain(T: Any) -> Any:
    v = _v(T)
    y = T.log(T.sigmoid(v).exp()) + T.sqrt(v.abs()) - (-v)
    return y.sum(), {"v": v, "y": y}


def p_pow(T: Any) -> Any:
    v = _v(T)
    e = T.tensor([2.0, 1.0, 0.5], dtype=T.float64, requires_grad=True)
    y = v ** 2 + v ** e + 2 ** v
    return y.sum(), {"v": v, "e": e, "y": y}


def p_reductions(T: Any) -> Any:
    x = _x(T)
    a = x.sum(dim=0)
    b = x.mean(dim=1, keepdim=True)
    m = x.max()
    return a.sum() + b.sum() + m, {"x": x, "a": a, "b": b, "m": m}


def p_relu_mse(T: Any) -> Any:
    x, w = _x(T), _w(T)
    target = T.zeros(2, 2, dtype=T.float64)
    loss = T.nn.functional.mse_loss(T.nn.functional.relu(x @ w), target)
    return loss, {"x": x, "w": w, "target": target, "loss": loss}


def p_linear(T: Any) -> Any:
    x = _x(T)
    W = T.tensor([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]], dtype=T.float64, requires_grad=True)
    b = T.tensor([0.0, 1.0], dtype=T.float64, requires_grad=True)
    out = T.nn.functional.linear(x, W, b)
    return out.sum(), {"x": x, "W": W, "b": b, "out": out}


def p_cross_entropy(T: Any) -> Any:
    x = _x(T)
    target = T.tensor([2, 0])
    loss = T.nn.functional.cross_entropy(x, target)
    return loss, {"x": x, "target": target, "loss": loss}


def p_softmax(T: Any) -> Any:
    v = _v(T)
    s = T.softmax(v, dim=0)
    ls = T.nn.functional.log_softmax(v, dim=0)
    return (s * ls).sum(), {"v": v, "s": s, "ls": ls}


def p_bce_logits(T: Any) -> Any:
    v = _v(T)
    y = T.tensor([0.0, 1.0, 0.0], dtype=T.float64)
    loss = T.nn.functional.binary_cross_entropy_with_logits(v, y)
    return loss, {"v": v, "y": y, "loss": loss}


def p_indexing(T: Any) -> Any:
    x = _x(T)
    a = x[0]
    b = x[:, 1:]
    c = x[..., None]
    return a.sum() + b.sum() + c.sum(), {"x": x, "a": a, "b": b, "c": c}


def p_shapes(T: Any) -> Any:
    x = _x(T)
    r = x.reshape(3, 2).t()
    u = x.unsqueeze(0).expand(4, 2, 3)
    return r.sum() + u.sum() + x.T.sum(), {"x": x, "r": r, "u": u}


def p_shared(T: Any) -> Any:
    v = _v(T)
    h = v.tanh()
    out = (h * h + h).sum()
    return out, {"v": v, "h": h, "out": out}


def p_same_leaf_twice(T: Any) -> Any:
    v = _v(T)
    y = (v * v).sum()
    return y, {"v": v, "y": y}


def p_detach(T: Any) -> Any:
    v = _v(T)
    d = v.detach() * 2
    y = (d * v).sum()
    return y, {"v": v, "d": d, "y": y}


def p_cat_stack(T: Any) -> Any:
    v = _v(T)
    c = T.cat([v, v * 2])
    s = T.stack([v, v.exp()])
    return c.sum() + s.sum(), {"v": v, "c": c, "s": s}


def p_inplace(T: Any) -> Any:
    v = _v(T)
    y = v * 1.0
    y.add_(1.0)
    y.mul_(3.0)
    return y.sum(), {"v": v, "y": y}


def p_where_clamp(T: Any) -> Any:
    v = _v(T)
    y = T.clamp(v, min=1.5) + T.where(v > 2, v, v * 0.5)
    return y.sum(), {"v": v, "y": y}


PROGRAMS = {name[2:]: fn for name, fn in dict(globals()).items() if name.startswith("p_")}


def p_multi_output(T: Any) -> Any:
    x = _x(T)
    values, _ = x.max(dim=0)
    a, b = x.unbind(0)
    parts = x.split(1, dim=1)
    return values.sum() + (a * b).sum() + parts[2].sum(), {"x": x, "values": values}


def p_misc(T: Any) -> Any:
    x = _x(T)
    y = x.clone().to(T.float32).var() + x.norm() + T.nn.functional.gelu(x).sum()
    z = T.where(x > 1, T.zeros_like(x), x).std() + T.nn.functional.softplus(x).sum()
    return y.double() + z, {"x": x, "y": y, "z": z}


PROGRAMS = {name[2:]: fn for name, fn in dict(globals()).items() if name.startswith("p_")}


def node_name(fn: Any) -> str:
    # torch's C++ AccumulateGrad reports its namespace in name(); the class name is plain.
    return fn.name().removeprefix("torch::autograd::")


def dag(root: Any) -> list[tuple[str, list[str | None], list[int]]]:
    """A live grad_fn graph (adcli's or torch's, read through ``name()`` and
    ``next_functions`` only) numbered like the snapshot: preorder ids, sharing included."""
    ids: dict[int, str] = {}
    order: list[Any] = []
    stack = [root]
    while stack:
        fn = stack.pop()
        if id(fn) in ids:
            continue
        ids[id(fn)] = f"n{len(ids)}"
        order.append(fn)
        stack.extend(c for c, _ in reversed(fn.next_functions) if c is not None)
    return [(node_name(fn), [None if c is None else ids[id(c)] for c, _ in fn.next_functions],
             [int(nr) for _, nr in fn.next_functions]) for fn in order]


def dag_nodes(root: Any) -> list[Any]:
    """The nodes of ``dag(root)``, in the same order."""
    seen: dict[int, Any] = {}
    stack = [root]
    while stack:
        fn = stack.pop()
        if id(fn) not in seen:
            seen[id(fn)] = fn
            stack.extend(c for c, _ in reversed(fn.next_functions) if c is not None)
    return list(seen.values())
