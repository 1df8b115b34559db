"""Who may do what: roles from config, checked on every command and button."""

from __future__ import annotations

from enum import StrEnum

from bot.config import Config
from storage.models import PlaceRef


class Role(StrEnum):
    RESIDENT = "resident"
    MODERATOR = "moderator"
    AMBASSADOR = "ambassador"
    ADMIN = "admin"


def roles_of(user_id: int, config: Config) -> frozenset[Role]:
    """Return every role a user holds; everyone is at least a resident."""
    roles = {Role.RESIDENT}
    if user_id in config.roles.admins:
        roles.add(Role.ADMIN)
    if user_id in config.roles.moderators:
        roles.add(Role.MODERATOR)
    if config.roles.ambassador_area(user_id) is not None:
        roles.add(Role.AMBASSADOR)
    return frozenset(roles)


def main_role(roles: frozenset[Role]) -> Role:
    """Return the role whose menu a user sees: the widest they hold."""
    for role in (Role.ADMIN, Role.AMBASSADOR, Role.MODERATOR):
        if role in roles:
            return role
    return Role.RESIDENT


def manageable_places(user_id: int, config: Config) -> frozenset[PlaceRef] | None:
    """Return the places someone may run themes for; None means everywhere (an admin)."""
    if user_id in config.roles.admins:
        return None
    area = config.roles.ambassador_area(user_id)
    if area is None:
        return frozenset()
    return config.municipality.places_in_area(area)


def may_manage(user_id: int, config: Config, place: PlaceRef) -> bool:
    """Say whether someone may run a theme for this place."""
    places = manageable_places(user_id, config)
    return places is None or place in places
