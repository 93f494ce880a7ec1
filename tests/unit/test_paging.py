"""Keyset cursors (``service.domain.paging``): what one list gives out it reads back; anything
else is BAD_CURSOR (422), never a 500."""

from __future__ import annotations

import base64
import uuid

import pytest

from service.domain.errors import InvalidInput
from service.domain.paging import Keyset, Page, int_key

ROWS = Keyset("row", int_key)
ORGS = Keyset("org", uuid.UUID)


def raw_cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def test_a_cursor_reads_back_as_the_key_it_was_written_for() -> None:
    org = uuid.uuid4()
    assert ROWS.after(ROWS.cursor(41)) == 41
    assert ORGS.after(ORGS.cursor(org)) == org
    assert ROWS.after(None) is None


def test_page_gives_the_cursor_after_its_last_item_only_when_more_follow() -> None:
    assert ROWS.page([3, 5], True, key=lambda n: n) == Page([3, 5], ROWS.cursor(5))
    assert ROWS.page([3, 5], False, key=lambda n: n).next_cursor is None
    assert ROWS.page([3, 5], True, key=lambda n: n).map(str) == Page(["3", "5"], ROWS.cursor(5))


@pytest.mark.parametrize(
    "cursor",
    [
        ORGS.cursor(uuid.uuid4()),  # another list's
        "not base64 at all!",
        raw_cursor("row:"),
        raw_cursor("row:-1"),
        raw_cursor("row:12345678901234567890"),  # beyond a bigint
        raw_cursor("row:²"),  # a digit to str.isdigit, not to int()
        raw_cursor("row:١٢"),  # Arabic-Indic digits
    ],
)
def test_refuses_a_cursor_it_did_not_give_out(cursor: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        ROWS.after(cursor)
    assert refused.value.code == "BAD_CURSOR"


def test_refuses_a_uuid_cursor_that_is_not_a_uuid() -> None:
    with pytest.raises(InvalidInput, match="cursor"):
        ORGS.after(raw_cursor("org:1234"))
