"""Gradient checks of specs: entries, defaults, float32 promotion, order 2, failures."""

from __future__ import annotations

from pathlib import Path

import pytest

from adcli.check.spec_checks import Options, check_paths, check_spec
from adcli.spec.loader import load_specs

ROOT = Path(__file__).parents[2]


def one(tmp_path: Path, text: str):
    p = tmp_path / "s.yaml"
    p.write_text(text)
    (spec,) = load_specs(p)
    return check_spec(spec)


def test_default_checks_every_backward_wrt_every_leaf(tmp_path: Path) -> None:
    checks = one(tmp_path, """\
tensors:
  w: randn(3, 2, requires_grad=True)
  x: ones(3)
steps:
  - b = torch.randn(2, requires_grad=True)
  - loss = (torch.tanh(x @ w + b) ** 2).sum()
  - loss.backward()
""")
    (c,) = checks
    assert c.ok and c.of == "loss" and c.wrt == ["w", "b"]
    assert c.report.mode == "full" and c.report.order == 1


def test_entries_with_settings(tmp_path: Path) -> None:
    checks = one(tmp_path, """\
tensors:
  a: {data: [0.5, 1.5], requires_grad: true}
  b: {data: [2.0, -1.0], requires_grad: true}
steps:
  - y = a * b.exp()
gradcheck:
  - of: y
    wrt: [b]
    eps: 1e-5
    atol: 1e-6
    rtol: 1e-4
  - of: y.sum()
    mode: fast
  - of: (y ** 2).sum()
    order: 2
""")
    assert [c.ok for c in checks] == [True, True, True]
    assert checks[0].wrt == ["b"] and checks[0].report.eps == 1e-5
    assert checks[0].report.atol == 1e-6 and checks[0].report.rtol == 1e-4
    assert checks[1].report.mode == "fast" and checks[1].wrt == ["a", "b"]
    assert checks[2].order == 2 and any(p.order == 2 for p in checks[2].report.pairs)


def test_float32_spec_passes_thanks_to_promotion(tmp_path: Path) -> None:
    (c,) = one(tmp_path, """\
dtype: float32
tensors:
  x: randn(4, requires_grad=True)
steps:
  - y = (x.sin() * x.exp() / 3).sum()
  - y.backward()
""")
    assert c.ok, c.report.summary()
    assert any(n.kind == "promotion" for n in c.report.notes)


def test_grad_reading_steps_do_not_break_the_replay(tmp_path: Path) -> None:
    (c,) = one(tmp_path, """\
tensors:
  x: {data: [1.0, 2.0], requires_grad: true}
steps:
  - y = (x ** 2).sum()
  - y.backward()
  - x.grad.zero_()
""")
    assert c.ok


def test_sgd_step_in_a_block_is_skipped_by_the_replay(tmp_path: Path) -> None:
    # A training step pasted as one block: the update reads W.grad (skipped by the replay),
    # and the default check finds the backward receiver on a later line of the block.
    (c,) = one(tmp_path, """\
tensors:
  W: randn(3, 2, requires_grad=True)
  x: randn(4, 3)
steps:
  - |
    import torch
    h = torch.tanh(x @ W)
    loss = (h ** 2).mean()
    loss.backward()
    with torch.no_grad():
        W -= 0.1 * W.grad
        scale = x.sum()
    W.grad.zero_()
""")
    assert c.ok and c.error is None and c.internal is None
    assert c.of == "loss" and c.wrt == ["W"] and c.line == 9  # the backward line


def test_step_failure_is_a_failed_check(tmp_path: Path) -> None:
    (c,) = one(tmp_path, """\
tensors:
  x: {data: [1.0, 2.0], requires_grad: true}
steps:
  - y = x.reshape(3)
gradcheck:
  - of: y
""")
    assert not c.ok and c.error is not None and c.error.step == 0 and c.error.line == 4


@pytest.mark.slow
def test_bundled_specs_all_pass() -> None:
    run = check_paths([str(ROOT / "specs")], Options())
    assert run.errors == [] and run.checks
    assert [c.label for c in run.checks if not c.ok] == []
    assert run.exit_code == 0


def test_invalid_spec_and_missing_paths(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("steps: [1, 2\n")
    empty = tmp_path / "empty"
    empty.mkdir()
    run = check_paths([str(bad), str(empty), str(tmp_path / "nope.yaml")])
    assert len(run.errors) == 3 and run.exit_code == 2
