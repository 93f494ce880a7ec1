"""The role guard every action starts with (``service.domain.access.require_role``)."""

from __future__ import annotations

import pytest

from service.domain.access import (
    Actor,
    OrgKind,
    OrgRef,
    Role,
    is_in_region_of,
    is_own_company,
    require_role,
)
from service.domain.errors import Forbidden


def actor(role: Role) -> Actor:
    return Actor("user-1", role, OrgRef("org-1", OrgKind.REGULATOR, None, "330101"))


@pytest.mark.parametrize(
    ("role", "allowed", "is_let_through"),
    [
        (Role.FILLER, (Role.FILLER,), True),
        (Role.DELIVERY, (Role.DELIVERY, Role.FILLER), True),
        (Role.INSPECTOR, (Role.FILLER,), False),
        # A platform administrator is let through only where it is named.
        (Role.ADMIN, (Role.FILLER,), False),
        (Role.ADMIN, (Role.REGULATOR, Role.ADMIN), True),
    ],
)
def test_lets_through_only_the_named_roles(
    role: Role, allowed: tuple[Role, ...], is_let_through: bool
) -> None:
    if is_let_through:
        require_role(actor(role), *allowed)
    else:
        with pytest.raises(Forbidden) as refused:
            require_role(actor(role), *allowed)
        assert refused.value.code == "FORBIDDEN"


def test_refusal_names_the_roles_unless_told_what_to_say() -> None:
    with pytest.raises(Forbidden, match="needs role regulator, admin"):
        require_role(actor(Role.FILLER), Role.REGULATOR, Role.ADMIN)
    with pytest.raises(Forbidden, match="only regulators"):
        require_role(actor(Role.FILLER), Role.REGULATOR, detail="only regulators")


COMPANY = OrgRef("company-1", OrgKind.COMPANY, "company-1", "330101")


@pytest.mark.parametrize(
    ("who", "is_own"),
    [
        (
            Actor("u", Role.FILLER, OrgRef("station-1", OrgKind.STATION, "company-1", "330101")),
            True,
        ),
        (
            Actor("u", Role.FILLER, OrgRef("station-2", OrgKind.STATION, "company-2", "330101")),
            False,
        ),
        # A regulator works for no company, whatever its organisation's fields say.
        (Actor("u", Role.REGULATOR, OrgRef("reg", OrgKind.REGULATOR, "company-1", "3301")), False),
    ],
)
def test_own_company_is_the_company_the_staff_work_for(who: Actor, is_own: bool) -> None:
    assert is_own_company(who, COMPANY) is is_own


@pytest.mark.parametrize(
    ("region", "is_inside"),
    [("3301", True), ("330101", True), ("3302", False), (None, True)],  # None: national
)
def test_region_of_the_caller_covers_what_starts_with_it(
    region: str | None, is_inside: bool
) -> None:
    who = Actor("u", Role.REGULATOR, OrgRef("reg", OrgKind.REGULATOR, None, region))
    assert is_in_region_of(who, COMPANY) is is_inside
