"""adcli CLI commands (gradcheck)."""

from __future__ import annotations

from . import app  # noqa: F401
