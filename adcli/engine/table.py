"""The op table: every built-in op's :class:`~adcli.engine.op.OpDef`, by op name.

The op families (``engine/ops/``) fill it through :func:`adcli.engine.op.defop` as they load;
``adcli ops``, the docs and the tests read it. It lives in a module of its own so that the
view machinery (``views.py``) can name the ops it records without importing the families.
"""

from __future__ import annotations

from typing import Any

OPS: dict[str, Any] = {}
