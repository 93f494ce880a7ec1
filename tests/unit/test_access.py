"""The role guard every action starts with (``service.domain.access.require_role``)."""

from __future__ import annotations

import pytest

from service.domain.access import Actor, OrgKind, OrgRef, Role, require_role
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
