"""Loader: defaults, streams, positions, schema, limits."""

from __future__ import annotations

import json

import pytest
from spec_helpers import load, refused

from adcli.spec.schema import schema, validator


def test_defaults_and_stream() -> None:
    specs = load("""
    tensors: {a: 1.5}
    ---
    name: second
    seed: 7
    dtype: float32
    ---
    steps: []
    """, name="dir/file.yaml")
    assert [s.name for s in specs] == ["file", "second", "file#3"]
    assert (specs[0].seed, specs[0].dtype) == (0, "float64")
    assert (specs[1].seed, specs[1].dtype) == (7, "float32")
    assert specs[1].line == 4


def test_yaml12_floats() -> None:
    spec = load("steps:\n  - expect: {1: 1}\n    atol: 1e-7\n")[0]
    assert spec.steps[0].atol == 1e-7


def test_schema_is_valid_json_schema() -> None:
    validator()  # check_schema passes
    assert schema()["type"] == "object"
    json.dumps(schema())


@pytest.mark.parametrize(("text", "fragment", "pos"), [
    ("seed: -1\n", "seed", (1, 7)),
    ("steps:\n  - {expect: {x: 1}, atol: -1}\n", "atol", (2, 28)),
    ("gradcheck:\n  - {of: x, mode: slow}\n", "mode", (2, 19)),
    ("gradcheck:\n  - {wrt: [x]}\n", "missing key 'of'", (2, 5)),
    ("steps:\n  - {do: 'x = 1'}\n", "missing key 'raises'", (2, 5)),
    ("steps:\n  - {print: []}\n", "print", (2, 13)),
    ("tensors:\n  1x: ones(1)\n", "must be an identifier", (2, 3)),
    ("tensors:\n  torch: ones(1)\n", "reserved name", (2, 3)),
    ("name: a\nextra: 1\n", "unknown key 'extra'", (2, 1)),
    ("steps:\n  - with torch.no_grad(): x = 1\n", "quote the statement", (2, 5)),
    ("a: &x 1\nb: *x\n", "aliases", (2, 4)),
    ("steps:\n  - {do: 'x = 1', raises: invalid_argument, match: '(ab|b)*'}\n",
     "alternation", (2, 52)),
])
def test_schema_errors_are_located(text: str, fragment: str, pos: tuple[int, int]) -> None:
    err = refused(text)
    assert fragment in err.message
    assert (err.line, err.column) == pos, str(err)
    assert str(err).startswith(f"t.yaml:{pos[0]}:{pos[1]}: ")


def test_backward_exprs() -> None:
    spec = load("""
    tensors: {x: {data: [1.0], requires_grad: true}}
    steps:
      - y = x * 2
      - y.backward(retain_graph=True)
      - no_grad: ["z = x * 3"]
      - (x * 2).sum().backward()
    """)[0]
    assert [e.text for e in spec.backward_exprs()] == ["y", "(x * 2).sum()"]


def test_backward_exprs_of_later_lines_in_a_block() -> None:
    # Regression: receivers on line 2+ of a block step (and inside a `with` block) were
    # sliced from the statement's own text with the block's positions: an IndexError, or
    # the wrong text.
    spec = load("""
    tensors: {x: {data: [1.0, 2.0], requires_grad: true}}
    steps:
      - |
        import torch
        y = (x * 2).sum()
        y.backward(retain_graph=True)
        with torch.enable_grad():
            z = x.exp().sum()
            z.backward()
        w = x * 3;  w.sum().backward()
        print("é", x.grad);   (x ** 2).sum().backward()
    """)[0]
    exprs = spec.backward_exprs()
    assert [e.text for e in exprs] == ["y", "z", "w.sum()", "(x ** 2).sum()"]
    assert [e.line for e in exprs] == [7, 8, 11, 12]  # the statements' YAML lines


def test_backward_exprs_of_bundled_specs() -> None:
    from pathlib import Path

    from adcli.spec.loader import find_spec_files, load_specs

    root = Path(__file__).parents[2] / "specs"
    for f in find_spec_files([root]):
        for spec in load_specs(f):
            for e in spec.backward_exprs():
                assert e.text and e.text.strip() == e.text, (f, e.text)
    (pasted,) = load_specs(root / "tutorial_pasted.yaml")
    assert [e.text for e in pasted.backward_exprs()] == ["loss", "out", "out", "out"]


def test_odd_keys_stay_on_one_line() -> None:
    err = refused("? \"a\\nb\"\n: 1\n")
    assert "unknown key 'a\\nb'" in str(err) and "\n" not in str(err)


def test_file_errors(tmp_path) -> None:
    from adcli.spec.errors import SpecError
    from adcli.spec.loader import find_spec_files, load_specs

    with pytest.raises(SpecError, match="cannot read"):
        load_specs(tmp_path / "missing.yaml")
    with pytest.raises(SpecError, match="folder"):
        load_specs(tmp_path)
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.yml").write_text("steps: []\n")
    (tmp_path / "b.yaml").write_text("steps: []\n")
    (tmp_path / "c.txt").write_text("")
    assert [p.name for p in find_spec_files([tmp_path])] == ["x.yml", "b.yaml"]
    with pytest.raises(FileNotFoundError):
        find_spec_files([tmp_path / "nope"])


@pytest.mark.parametrize(("text", "pos"), [
    # a folded block: the error is on the block's second line
    ("steps:\n  - >\n    y = 1 +\n    qq\n", (4, 5)),
    ("steps:\n  - >-\n      y = 1\n      + qq\n", (4, 9)),
    # a plain scalar over two lines
    ("steps:\n  - y = 1 +\n    qq\n", (3, 5)),
    # escapes in a double-quoted scalar shift the column
    ('steps:\n  - "y = \\"a\\" + qq"\n', (2, 18)),
    # quoted expect keys and print expressions with leading spaces
    ("steps:\n  - expect:\n      'qq + 1': 1\n", (3, 8)),
    ('steps:\n  - print: "  1 + qq"\n', (2, 19)),
    # a literal block: the line inside the block counts
    ("steps:\n  - |\n    y = 1\n    z = y + qq\n", (4, 13)),
])
def test_statement_positions_in_every_scalar_style(text: str, pos: tuple[int, int]) -> None:
    err = refused(text)
    assert "'qq' is not defined" in err.message
    assert (err.line, err.column) == pos, str(err)
