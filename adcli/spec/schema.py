"""The JSON Schema of a spec document (``adcli schema`` prints it, for editors)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

SCHEMA_PATH = Path(__file__).with_name("schema.json")


@cache
def schema() -> dict[str, Any]:
    """The schema as a dict (loaded once)."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def schema_text() -> str:
    """The schema as pretty-printed JSON."""
    return json.dumps(schema(), indent=2)


@cache
def validator() -> Any:
    """A ``jsonschema`` validator for one spec document."""
    import jsonschema

    cls = jsonschema.validators.validator_for(schema())
    cls.check_schema(schema())
    return cls(schema())
