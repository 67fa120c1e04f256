"""The loader's engine-free name tables: the registry's names; plugin ops still count."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import adcli
from adcli.spec import names
from adcli.spec.language import default_vocabulary

ROOT = Path(__file__).resolve().parents[2]


def test_generated_names_are_the_registry_s() -> None:
    # a fresh process: other tests in this one may have registered plugin ops
    code = ("from adcli.spec import names; import sys; "
            "sys.stdout.write(names.render(names.generate()))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, env={"PYTHONPATH": str(ROOT)}, check=True).stdout
    stored = (ROOT / "adcli" / "spec" / "_names.py").read_text(encoding="utf-8")
    assert out == stored, "stale adcli/spec/_names.py: run python -m adcli.spec.names"


def test_tables_answer_as_the_live_registry() -> None:
    from adcli.engine import registry

    vocab = default_vocabulary()
    for table, live in ((vocab.torch, registry.TORCH), (vocab.functional, registry.FUNCTIONAL),
                        (vocab.autograd, registry.AUTOGRAD),
                        (vocab.tensor_methods, registry.TENSOR_METHODS),
                        (vocab.tensor_attrs, registry.TENSOR_ATTRS)):
        assert set(table) == set(live) and len(table) == len(live)
        for name in [*live, "no_such_op_anywhere", "__class__", ""]:
            assert (name in table) == (name in live)
    assert vocab.torch["matmul"] is registry.TORCH["matmul"]
    assert vocab.tensor_attrs | {"extra"} == frozenset(registry.TENSOR_ATTRS) | {"extra"}


def test_a_plugin_op_is_in_the_table() -> None:
    name = "static_names_test_twice"
    assert name not in names._names.TORCH
    adcli.register_op(name, lambda x: x * 2)
    assert name in default_vocabulary().torch
    assert default_vocabulary().torch[name] is not None
