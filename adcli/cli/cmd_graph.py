"""adcli CLI commands (graph)."""

from __future__ import annotations

from . import app  # noqa: F401
