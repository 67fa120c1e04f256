"""Helpers for the spec tests: load and run inline YAML."""

from __future__ import annotations

import textwrap
from typing import Any

import pytest

from adcli.spec.errors import SpecError
from adcli.spec.interpreter import run_spec
from adcli.spec.loader import load_specs


def load(text: str, name: str = "t.yaml") -> Any:
    return load_specs(name, text=textwrap.dedent(text))


def run(text: str) -> Any:
    return run_spec(load(text)[0], raise_internal=True)


def refused(text: str) -> SpecError:
    with pytest.raises(SpecError) as info:
        load(text)
    return info.value
