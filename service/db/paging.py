"""Keyset pages of a query: the page-of-rows helper every paged list uses (its cursors are
``service.domain.paging.Keyset``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Row, Select
from sqlalchemy.ext.asyncio import AsyncConnection


async def fetch_page(
    conn: AsyncConnection,
    query: Select[*tuple[Any, ...]],
    key: ColumnElement[Any],
    *,
    after: object | None,
    limit: int,
) -> tuple[list[Row[*tuple[Any, ...]]], bool]:
    """The rows of ``query`` after ``after`` in ``key`` order, at most ``limit`` of them, and
    whether more follow (one row more is fetched to know)."""
    if after is not None:
        query = query.where(key > after)
    rows = list((await conn.execute(query.order_by(key).limit(limit + 1))).all())
    return rows[:limit], len(rows) > limit
