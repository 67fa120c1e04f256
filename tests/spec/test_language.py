"""The statement language: every allowed construct runs, every refused one is located."""

from __future__ import annotations

import pytest
from spec_helpers import refused, run


def steps(*lines: str, tensors: str = "") -> str:
    body = "".join(f"  - {line}\n" for line in lines)
    return f"{tensors}steps:\n{body}"


def ok_run(text: str):
    report = run(text)
    assert report.error is None, report.error
    assert report.ok, [e.message for e in report.expectations if not e.ok]
    return report


@pytest.mark.parametrize("stmt", [
    "x = 1 + 2 * 3 - 4 / 2 // 1 % 5 ** 2",
    "x = -1; y = +x; z = not x; w = ~3",
    "x = ones(3) @ ones(3)",
    "x = torch.ones(2) & torch.ones(2).bool() if False else 1",
])
def test_arithmetic(stmt: str) -> None:
    ok_run(steps(f"'{stmt}'"))


def test_allowed_constructs() -> None:
    ok_run("""
    tensors:
      x: {data: [[1.0, 2.0], [3.0, 4.0]], requires_grad: true}
      b: zeros(3)
    steps:
      - |
        import torch
        import torch.nn.functional as F
        a = torch.ones(2)
        c = torch. ones(5)
        d = torch.nn.functional.relu(x) + F.relu(x) + relu(x)
        e = x[0], x[:, 1:], x[..., None]
      - "assert len(x) == 2 and x.shape[0] == 2 or False"
      - |
        b[0] = 2.0
        b[1:] += 1
        b += 1
        n = 3
        n += 1
        assert n == 4
        assert 1 < n <= 4 < 5
        assert x.grad is None and x.grad_fn is None
        assert x.requires_grad is not False
        assert 2 in [1, 2] and 3 not in (1, 2)
        q, r = x
        v = x.max(dim=1)
        i = v.indices
        s = f"{x.shape} {n!r} {1.5:.2f} {x.sum():>10}"
        print(s, sep="", end="\\n")
        t = torch.float32
        u = x.to(torch.float64)
        y = x.sum(dim=0, keepdim=True)
        with torch.no_grad():
            z = x * 2
        with torch.enable_grad():
            z2 = x * 2
        with torch.set_grad_enabled(False):
            z3 = x * 2
        x.grad = None
        w = torch.zeros(2)
        w.requires_grad = True
        k = str(1) + "a" * 3
        m = round(float(x[0, 0]), 1) + int(abs(-2)) + len(list((1, 2))) + len(tuple([1]))
        pass
      - expect: {b: [3, 2, 2], z.requires_grad: false, z2.requires_grad: true,
                 z3.requires_grad: false, t: float32, u.dtype: float64, m: 6.0,
                 w.requires_grad: true}
    """)


def test_assert_failure_is_expectation() -> None:
    report = run(steps("assert 1 == 2", "x = 1"))
    assert report.error is None and not report.ok
    assert report.expectations[0].expr == "assert 1 == 2"
    assert report.steps[-1].ok  # the run continued


@pytest.mark.parametrize(("stmt", "message", "column"), [
    ("l = [i for i in (1, 2)]; m = i", "name 'i' is not defined", 34),
    ("d = {**{1: 2}, **x}", "name 'x' is not defined", 22),
    ("del x", "name 'x' is not defined", 9),
    ("import os", "cannot import 'os'", 5),
    ("import numpy as np", "cannot import 'numpy'", 5),
    ("from os import path", "cannot import from 'os'", 5),
    ("from torch import load", "unknown name 'torch.load'", 5),
    ("from torch import *", "import *", 5),
    ("import torch.nn as F", "'F' always means torch.nn.functional", 5),
    ("class A: pass", "must be a torch.autograd.Function subclass", 5),
    ("def f(): nonlocal x", "no binding for nonlocal 'x' found", 14),
    ("def f(): yield 1", "yield is not allowed", 14),
    ("async def f(): pass", "'async def' is not allowed", 5),
    ("def f(x, x): pass", "duplicate argument 'x'", 14),
    ("def print(x): pass", "reserved name 'print'", 5),
    ("def f(): import math", "imports go at the top", 14),
    ("break", "'break' outside a loop", 5),
    ("x = 1; continue", "'continue' outside a loop", 12),
    ("return 1", "'return' outside a function", 5),
    ("x = ones(2).__dict__", "dunder names", 9),
    ("ones(2).__class__ = int", "dunder names", 5),
    ("x = __builtins__", "dunder names", 9),
    ("x = ones(2)._data", "private attributes", 9),
    ("x = eval('1')", "name 'eval' is not defined", 9),
    ("x = open('f')", "name 'open' is not defined", 9),
    ("x = setattr(ones(2), 'grad', 1)", "name 'setattr' is not defined", 9),
    ("x = torch.load('f')", "unknown name 'torch.load'", 9),
    ("x = torch.nn.Nope(2, 2)", "unknown name 'torch.nn.Nope'", 9),
    ("x = ones(2).nope()", "unknown method 'nope'", 9),
    ("x = ones(2).nope", "unknown attribute 'nope'", 9),
    ("x = ones(2).numpy()", "unknown method 'numpy'", 9),
    ("x = torch.nn", "is a namespace", 9),
    ("x = print", "must be called", 9),
    ("x = torch", "is a namespace", 9),
    ("x = b'a'", "bytes literals", 9),
    ("print = 1", "reserved name", 5),
    ("x = (1 + 2)(1)", "only ops, tensor methods and functions can be called", 10),
    ("x = f'{1:{2}}'", "format specification", 9),
    ("x = f'{1:9999}'", "format specification", 9),
    ("x += 1", "name 'x' is not defined", 5),
    ("x._foo = 1", "private attributes", 5),
    ("with torch.no_grad() as print: pass", "reserved name", 29),
    ("with torch.no_grad() as g._foo: pass", "private attributes", 29),
    ("with torch.sin(ones(1)) as g: pass", "a 'with' statement takes", 10),
    ("with open('f'): pass", "name 'open' is not defined", 10),
    ("x = (", "syntax error", 9),
])
def test_refused(stmt: str, message: str, column: int) -> None:
    text = f'steps:\n  - "{stmt}"\n'
    err = refused(text)
    assert message in err.message
    assert (err.line, err.column) == (2, column + 1)


def test_position_inside_block_scalar() -> None:
    err = refused("""
    steps:
      - x = 1
      - |
        y = 2
        z = x + y
        w = q
    """)
    assert (err.file, err.line, err.column) == ("t.yaml", 7, 9)
    assert str(err).startswith("t.yaml:7:9: name 'q' is not defined")


def test_expect_key_position() -> None:
    err = refused("""
    steps:
      - expect: {x.__dict__: 1}
    """)
    assert err.line == 3 and "dunder" in err.message


@pytest.mark.parametrize(("stmt", "fragment"), [
    ("n = 10 ** 10 ** 10", "integer too large"),
    ("s = 'a' * 10 ** 10", "sequence too long"),
    ("s = 10 ** 10 * [0]", "sequence too long"),
    ("s = (2 ** 16000) * (2 ** 16000)", "integer too large"),
    ("s = '%1000d' % 1", "widths and precisions go up to 999"),
    ("x = 1 / 0", "division by zero"),
    ("x = [1][5]", "out of range"),
    ("x = (1).real", "no attribute"),
    ("x = (1, 2); x[0] = 1", "item assignment"),
    ("x = 2.0 ** 10000", "Numerical result out of range"),
])
def test_literal_arithmetic_is_bounded(stmt: str, fragment: str) -> None:
    # ("real" is a Tensor attribute: (1).real passes the whitelist and fails at run time, on
    # the int, with Python's "no attribute")
    report = run(steps(f'"{stmt}"'))
    assert report.error is not None and report.error.kind == "invalid_argument"
    assert fragment in report.error.message


def test_stray_spaces_and_tutorial_fstrings() -> None:
    report = ok_run("""
    steps:
      - |
        x = torch. ones(5)
        print(f"Gradient function for z = {(x * 2).sum()}")
    """)
    assert report.steps[0].outputs == ["Gradient function for z = tensor(10.)"]


# -- in-place variants and operators: %, // and their augmented forms --
def test_modulo_and_floor_division() -> None:
    ok_run("""
    tensors:
      w: {data: [1.5, -2.5, 3.0], requires_grad: true}
    steps:
      - |
        a = 7 % 3
        b = -7 // 2
        c = 7.5 % 2
        d = -7.5 // 2.0
        n = 17
        n %= 5
        m = 17
        m //= 5
        x = w * 1
        y = x % 2
        z = x // 2
        q = 5 % x
        r = 5 // x
        x %= 2
        v = w * 1
        v //= 2
        i = torch.tensor([7, -7])
        i //= 2
        j = torch.tensor([7, -7])
        j %= 3
        k = w.detach() // torch.tensor([1.0, 2.0, 2.0])
        p = torch.floor_divide(w, 2)
        s = torch.div(w, 2, rounding_mode="floor") + torch.div(w, 2, rounding_mode="trunc")
        t = (2 ** 8000) * (2 ** 8000) // 3 % 1000
      - expect: {a: 1, b: -4, c: 1.5, d: -4.0, n: 2, m: 3, y: [1.5, 1.5, 1.0],
                 z: [0.0, -2.0, 1.0], x: [1.5, 1.5, 1.0], v: [0.0, -2.0, 1.0], i: [3, -4],
                 j: [1, 2], k: [1.0, -2.0, 1.0], p: [0.0, -2.0, 1.0],
                 s: [0.0, -3.0, 2.0], y.grad_fn.name(): RemainderBackward0,
                 z.grad_fn.name(): NotImplemented, x.grad_fn.name(): RemainderBackward0,
                 v.grad_fn.name(): NotImplemented, q.grad_fn.name(): NotImplemented,
                 r.grad_fn.name(): NotImplemented, s.grad_fn.name(): AddBackward0}
      - y.sum().backward()
      - expect: {w.grad: [1.0, 1.0, 1.0]}
    """)


@pytest.mark.parametrize(("stmt", "kind", "fragment"), [
    ("w %= 2", "leaf_inplace", "leaf Variable"),
    ("w //= 2", "leaf_inplace", "leaf Variable"),
    ("z = w // 2; z.sum().backward()", "invalid_argument",
     "derivative for aten::floor_divide is not implemented"),
    ("z = w * 1; z //= 2; z.sum().backward()", "invalid_argument",
     "derivative for aten::floor_divide_ is not implemented"),
    ("z = 2 % w; z.sum().backward()", "invalid_argument",
     "derivative for aten::remainder is not implemented"),
    ("z = torch.tensor([5]) // 0", "invalid_argument", "ZeroDivisionError"),
    ("z = torch.tensor([5]); z %= 0", "invalid_argument", "ZeroDivisionError"),
    ("z = torch.tensor([5]); z //= 2.5", "invalid_argument", "can't be cast"),
    ("z = w.div(2, rounding_mode='round')", "invalid_argument", "rounding_mode"),
    ("n = 1 // 0", "invalid_argument", "division or modulo by zero"),
    ("n = 1 % 0", "invalid_argument", "modulo by zero"),
    ("n = 1.5 // 0", "invalid_argument", "division by zero"),
    ("n = 10 ** 10 ** 10 % 7", "invalid_argument", "integer too large"),
    ("n = 10 ** 10 ** 10 // 7", "invalid_argument", "integer too large"),
    ("n = 7; n //= 10 ** 10 ** 10", "invalid_argument", "integer too large"),
    ("n = (2 ** 8000) * (2 ** 8000); n %= 10 ** 10 ** 10", "invalid_argument",
     "integer too large"),
    ("z = w // 10 ** 4000", "invalid_argument", "int too big to convert"),
    # '%' on a string is formatting, its widths checked even when the right operand is a
    # tensor (str.__mod__ runs first)
    ("s = '%999999999s' % w", "invalid_argument", "widths and precisions go up to 999"),
    ("s = '%*s'; s %= (9, w)", "invalid_argument", "(and no '*')"),
])
def test_modulo_and_floor_division_refusals(stmt: str, kind: str, fragment: str) -> None:
    tensors = "tensors:\n  w: {data: [1.5, -2.5], requires_grad: true}\n"
    report = run(steps(f'"{stmt}"', tensors=tensors))
    assert report.error is not None and report.error.kind == kind, report.error
    assert fragment in report.error.message
