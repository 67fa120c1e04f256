"""``adcli diff``: the bundled specs agree on both engines; divergences are found and named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from typer.testing import CliRunner  # noqa: E402

from adcli.cli import _register, app  # noqa: E402
from adcli.engine import registry  # noqa: E402
from adcli.engines.diff import diff_paths  # noqa: E402

_register()
ROOT = Path(__file__).parents[2]


@pytest.fixture
def runner() -> CliRunner:
    try:
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:
        return CliRunner()


def test_bundled_specs_agree_on_both_engines(runner: CliRunner) -> None:
    res = runner.invoke(app, ["diff", str(ROOT / "specs"), "--json"])
    doc = json.loads(res.stdout)
    bad = [(s["name"], s["divergences"]) for s in doc["specs"] if not s["ok"]]
    assert res.exit_code == 0 and not bad, bad
    assert doc["version"] and doc["ok"] is True
    assert len(doc["specs"]) >= 20


@pytest.fixture
def probe():
    """An op that knows its engine: doubles on adcli, triples on torch (a planted bug)."""
    def engine_probe(x):
        return x * (3 if isinstance(x, torch.Tensor) else 2)

    registry.register_op("engine_probe", engine_probe)
    yield
    registry.PLUGIN_OPS.pop("engine_probe", None)
    registry.TORCH.pop("engine_probe", None)


def test_value_grad_and_graph_divergences_are_reported(tmp_path: Path, probe: None) -> None:
    spec = tmp_path / "planted.yaml"
    spec.write_text("""
tensors:
  x: {data: [1.0, 2.0], requires_grad: true}
steps:
  - y = engine_probe(x).sum()
  - y.backward()
""")
    result = diff_paths([str(spec)])
    assert result.exit_code == 1
    whats = {(d.what, d.tensor) for d in result.specs[0].divergences}
    assert ("value", "y") in whats and ("grad", "x") in whats
    assert not any(d.what == "graph" for d in result.specs[0].divergences)


def test_error_kind_divergence_names_the_step(tmp_path: Path, probe: None) -> None:
    spec = tmp_path / "raise.yaml"
    spec.write_text("""
tensors:
  x: {data: [1.0, 2.0], requires_grad: true}
steps:
  - z = x[0:int(engine_probe(x)[0].item()) - 1] + torch.ones(3)
""")
    result = diff_paths([str(spec)])
    errs = [d for d in result.specs[0].divergences if d.what == "error"]
    assert errs and errs[0].step == 0
    assert errs[0].adcli is None and errs[0].torch == "shape_mismatch"


def test_diff_invalid_input_is_exit_2(tmp_path: Path, runner: CliRunner) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("steps:\n  - y = (\n")
    res = runner.invoke(app, ["diff", str(bad)])
    assert res.exit_code == 2
    res = runner.invoke(app, ["diff", str(tmp_path / "missing.yaml"), "--json"])
    assert res.exit_code == 2 and json.loads(res.stdout)["errors"]
