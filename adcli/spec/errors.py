"""Located spec errors: every message reads ``FILE:LINE:COL: message``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class SpecError(Exception):
    """An invalid spec (or spec text): exit code 2, with a position in the YAML file.

    ``line`` and ``column`` are 1-based; ``kind`` is ``invalid_spec`` (or ``limit_exceeded``).
    """

    file: str
    line: int
    column: int
    message: str
    kind: str = "invalid_spec"

    def __post_init__(self) -> None:
        Exception.__init__(self, str(self))

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"

    def to_dict(self) -> dict[str, object]:
        return {"spec": self.file, "kind": self.kind, "message": self.message,
                "line": self.line, "column": self.column}
