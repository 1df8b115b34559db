"""Who may do what: roles from the config and from the chat, checked on every command and button."""

from __future__ import annotations

from collections.abc import Collection
from contextvars import ContextVar
from enum import StrEnum

from bot.core.config import Config
from storage.models import GrantRole, PlaceRef, RoleGrant


class Role(StrEnum):
    RESIDENT = "resident"
    MODERATOR = "moderator"
    AMBASSADOR = "ambassador"
    ADMIN = "admin"


def roles_of(
    user_id: int, config: Config, grants: Collection[RoleGrant] | None = None
) -> frozenset[Role]:
    """Return every role a user holds; everyone is at least a resident.

    The config's roles always count; roles given in the chat (grants, or else those the
    guard loaded for this update, see use_grants) come on top.
    """
    roles = {Role.RESIDENT}
    if user_id in config.roles.admins:
        roles.add(Role.ADMIN)
    if user_id in config.roles.moderators:
        roles.add(Role.MODERATOR)
    if config.roles.ambassador_area(user_id) is not None:
        roles.add(Role.AMBASSADOR)
    roles.update(Role(grant.role.value) for grant in _granted(user_id, grants))
    return frozenset(roles)


def manageable_places(
    user_id: int, config: Config, grants: Collection[RoleGrant] | None = None
) -> frozenset[PlaceRef] | None:
    """Return the places someone may run themes for; None means everywhere (an admin)."""
    if user_id in config.roles.admins:
        return None
    areas = {config.roles.ambassador_area(user_id)}
    areas.update(g.area for g in _granted(user_id, grants) if g.role == GrantRole.AMBASSADOR)
    places: set[PlaceRef] = set()
    for area in areas - {None}:
        assert area is not None
        places |= config.municipality.places_in_area(area)
    return frozenset(places)


def may_manage(
    user_id: int, config: Config, place: PlaceRef, grants: Collection[RoleGrant] | None = None
) -> bool:
    """Say whether someone may run a theme for this place."""
    places = manageable_places(user_id, config, grants)
    return places is None or place in places


# Roles given in the chat live in storage, but the checks above are plain functions called
# with a user id and the config. The guard loads the person's grants once per update and
# puts them here; each update runs in its own task, so this never leaks between updates.
_current_grants: ContextVar[tuple[int, tuple[RoleGrant, ...]] | None] = ContextVar(
    "buurtbot_current_grants", default=None
)


def use_grants(user_id: int, grants: Collection[RoleGrant]) -> None:
    """Make the roles given in the chat count for this user in the rest of this update."""
    _current_grants.set((user_id, tuple(grants)))


def _granted(user_id: int, grants: Collection[RoleGrant] | None) -> Collection[RoleGrant]:
    if grants is not None:
        return grants
    current = _current_grants.get()
    if current is None or current[0] != user_id:
        return ()
    return current[1]
