"""The label schema's functions the store calls, importing :mod:`annotator.core.schema`
(and pydantic) on first call.

Opening a project and reading its documents need no schema: the main window
reads it right after its first paint (benchmarks/RESULTS.md, case 8), and the
store imports these instead of :mod:`annotator.core.schema`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from annotator.core.schema import LabelSchema

__all__ = ["parse_schema", "default_schema"]


def parse_schema(data: Any, source: str = "<schema>") -> LabelSchema:
    """:func:`annotator.core.schema.parse_schema`."""
    from annotator.core.schema import parse_schema as parse

    return parse(data, source)


def default_schema() -> LabelSchema:
    """:func:`annotator.core.schema.default_schema`."""
    from annotator.core.schema import default_schema as default

    return default()
