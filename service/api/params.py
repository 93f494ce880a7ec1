"""Path and query parameters more than one router takes: a cylinder named in the path, and the
paging of every list."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

from service.domain.paging import DEFAULT_LIMIT, MAX_LIMIT

CodePath = Annotated[
    str,
    Path(
        max_length=300,
        description="our code, or any alias (GRAI element string, EPC URN, Digital Link, "
        "manufacturer:serial, an old label), URL-encoded",
    ),
]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"page size, at most {MAX_LIMIT}")]
Cursor = Annotated[
    str | None, Query(max_length=200, description="next_cursor of the previous page")
]
DEFAULT_PAGE = DEFAULT_LIMIT
