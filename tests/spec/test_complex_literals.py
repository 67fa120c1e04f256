"""Complex literals in specs (``1j``, ``2+3j``): constants like any number, with the values
torch gives the same statements; the spec language's limits on them are those of floats."""

from __future__ import annotations

import pytest
from requires import require_torch
from spec_helpers import refused, run

torch = require_torch()

# each statement prints a value; the spec's output is torch's print of the same expression
STATEMENTS = [
    ("1j", lambda t: 1j),
    ("2+3j", lambda t: 2 + 3j),
    ("-2.5j * 2", lambda t: -2.5j * 2),
    ("torch.tensor([1j, 2])", lambda t: t.tensor([1j, 2])),
    ("torch.tensor([1.0, 2.0]) * (2-1j)", lambda t: t.tensor([1.0, 2.0]) * (2 - 1j)),
    ("torch.full((2,), 1+1j)", lambda t: t.full((2,), 1 + 1j)),
    ("torch.view_as_real(torch.tensor([3j]) + 1)", lambda t: t.view_as_real(t.tensor([3j]) + 1)),
    ("abs(3+4j)", lambda t: abs(3 + 4j)),
]


@pytest.mark.parametrize("i", range(len(STATEMENTS)))
def test_complex_literal_values_as_torch(i: int) -> None:
    stmt, prog = STATEMENTS[i]
    report = run(f'steps:\n  - "print({stmt})"\n')
    assert report.error is None, report.error
    assert report.steps[0].outputs == [str(prog(torch))]


def test_complex_literal_in_a_gradient() -> None:
    report = run("""
    tensors:
      x: {data: [1.0, -2.0], requires_grad: true}
    steps:
      - z = x * (2+3j)
      - loss = (z * z.conj()).real.sum()
      - loss.backward()
      - print(x.grad)
    """)
    assert report.error is None, report.error
    x = torch.tensor([1.0, -2.0], requires_grad=True)
    z = x * (2 + 3j)
    (z * z.conj()).real.sum().backward()
    assert report.steps[-1].outputs == [str(x.grad)]


def test_complex_overflow_is_a_failed_step_as_a_float_one() -> None:
    report = run('steps:\n  - "b = (2j) ** 10000000"\n')
    assert report.error is not None and "complex exponentiation" in report.error.message
    report = run('steps:\n  - "b = 1e200 ** 2"\n')
    assert report.error is not None


def test_other_literals_still_refused() -> None:
    assert "bytes literals" in refused('steps:\n  - "x = b\'a\'"\n').message
