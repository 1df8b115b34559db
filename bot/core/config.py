"""Buurtbot's settings: one TOML file plus the token from the environment.

The whole file is checked at start-up, so a typo stops the bot with one line that names the key,
instead of surfacing weeks later when a resident presses a button that uses it.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import cached_property
from pathlib import Path
from typing import Any, Final, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from storage.models import MUNICIPALITY, PlaceKind, PlaceRef

ENV_CONFIG: Final = "BUURTBOT_CONFIG"
ENV_TOKEN: Final = "BUURTBOT_TOKEN"
ENV_DATABASE_URL: Final = "BUURTBOT_DATABASE_URL"
ENV_WEBHOOK_SECRET: Final = "BUURTBOT_WEBHOOK_SECRET"
LANGUAGES: Final = ("nl", "en")
DEFAULT_STORAGE_PATH: Final = "buurtbot.sqlite3"

# Place keys travel in callback data (64 bytes in all), so they are kept short and plain.
KEY_PATTERN: Final = re.compile(r"[a-z0-9-]{1,24}")
_KEY_RULE: Final = "^[a-z0-9-]{1,24}$"

ModerationMode = Literal["pre", "post"]


class ConfigError(Exception):
    """One line naming the key and what is wrong, e.g. "roles.ambassadors[1].area: unknown area
    'zuid' (known: doorwerth-heveadorp, oosterbeek-wolfheze, renkum-heelsum)"."""

    def __init__(self, message: str) -> None:
        # The CLI prints this as the whole diagnosis; a stray newline from a path or a tomllib
        # message must not split it.
        super().__init__(" ".join(message.splitlines()))


@dataclass(frozen=True)
class WebhookConfig:
    """Where Telegram delivers updates in webhook mode (`buurtbot run --webhook`)."""

    url: str
    """The public HTTPS address Telegram posts to (a load balancer in front of replicas)."""
    path: str
    """The path this process answers on; by default the path of url."""
    listen: str = "127.0.0.1"
    port: int = 8443
    """0 picks a free port (tests)."""
    secret_token: str = field(default="", repr=False)
    """Telegram sends it in X-Telegram-Bot-Api-Secret-Token; requests without it are refused."""
    max_connections: int = 40


@dataclass(frozen=True)
class TelegramConfig:
    base_url: str = "https://api.telegram.org/bot"
    base_file_url: str = "https://api.telegram.org/file/bot"
    poll_timeout: int = 30
    """Seconds of long polling, 0-50 (Telegram's own ceiling)."""
    webhook: WebhookConfig | None = None


@dataclass(frozen=True)
class StorageConfig:
    path: Path
    url: str | None = field(default=None, repr=False)
    """A postgresql:// URL: PostgreSQL (shared by replicas) instead of the SQLite file."""
    pool_size: int = 10
    """PostgreSQL connections per process."""


@dataclass(frozen=True)
class Neighbourhood:
    key: str
    name: str


@dataclass(frozen=True)
class Village:
    key: str
    name: str
    neighbourhoods: tuple[Neighbourhood, ...] = ()


@dataclass(frozen=True)
class Area:
    key: str
    name: str
    villages: tuple[Village, ...] = ()


@dataclass(frozen=True)
class _PlaceIndex:
    areas: dict[str, Area]
    villages: dict[str, tuple[Village, Area]]
    neighbourhoods: dict[str, tuple[Neighbourhood, Village]]


@dataclass(frozen=True)
class Municipality:
    name: str
    timezone: str = "Europe/Amsterdam"
    areas: tuple[Area, ...] = ()
    calendar_domain: str = ""
    """Names this installation in calendar files (UIDs); by default made from the name."""

    @property
    def calendar_host(self) -> str:
        """The domain of calendar UIDs: configured, or renkum.buurtbot from the name."""
        if self.calendar_domain:
            return self.calendar_domain
        slug = re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-") or "gemeente"
        return f"{slug}.buurtbot"

    @property
    def tz(self) -> ZoneInfo:
        # ZoneInfo caches per key, so this is as cheap as storing it.
        return ZoneInfo(self.timezone)

    @cached_property
    def _index(self) -> _PlaceIndex:
        areas: dict[str, Area] = {}
        villages: dict[str, tuple[Village, Area]] = {}
        neighbourhoods: dict[str, tuple[Neighbourhood, Village]] = {}
        for area in self.areas:
            areas[area.key] = area
            for village in area.villages:
                villages[village.key] = (village, area)
                for hood in village.neighbourhoods:
                    neighbourhoods[hood.key] = (hood, village)
        return _PlaceIndex(areas, villages, neighbourhoods)

    def area(self, key: str) -> Area | None:
        return self._index.areas.get(key)

    def village(self, key: str) -> Village | None:
        found = self._index.villages.get(key)
        return found[0] if found else None

    def neighbourhood(self, key: str) -> Neighbourhood | None:
        found = self._index.neighbourhoods.get(key)
        return found[0] if found else None

    def area_of_village(self, village_key: str) -> Area | None:
        found = self._index.villages.get(village_key)
        return found[1] if found else None

    def village_of_neighbourhood(self, key: str) -> Village | None:
        found = self._index.neighbourhoods.get(key)
        return found[1] if found else None

    def place_name(self, place: PlaceRef) -> str:
        """The name residents see. A key no longer in the config (a theme stored before a place
        was renamed) falls back to the key itself rather than breaking the message."""
        found: Area | Village | Neighbourhood | None
        match place.kind:
            case PlaceKind.MUNICIPALITY:
                return self.name
            case PlaceKind.AREA:
                found = self.area(place.key)
            case PlaceKind.VILLAGE:
                found = self.village(place.key)
            case PlaceKind.NEIGHBOURHOOD:
                found = self.neighbourhood(place.key)
        return found.name if found is not None else place.key

    def places_of(
        self, village_key: str | None, neighbourhood_key: str | None
    ) -> frozenset[PlaceRef]:
        """The chain a resident lives in: always the municipality, plus area, village and
        neighbourhood when known.

        A neighbourhood implies its village when the village is unknown. A neighbourhood that lies
        in another village than the one given is left out: it is a leftover from before the
        resident moved, and must not pull in themes of the old village.
        """
        places = {MUNICIPALITY}
        village = self.village(village_key) if village_key else None
        hood_village = (
            self.village_of_neighbourhood(neighbourhood_key) if neighbourhood_key else None
        )
        if village is None:
            village = hood_village
        if village is None:
            return frozenset(places)
        places.add(PlaceRef(PlaceKind.VILLAGE, village.key))
        area = self.area_of_village(village.key)
        if area is not None:
            places.add(PlaceRef(PlaceKind.AREA, area.key))
        if neighbourhood_key and hood_village is not None and hood_village.key == village.key:
            places.add(PlaceRef(PlaceKind.NEIGHBOURHOOD, neighbourhood_key))
        return frozenset(places)

    def places_in_area(self, area_key: str) -> frozenset[PlaceRef]:
        """The area, its villages and their neighbourhoods: where its ambassador may act."""
        area = self.area(area_key)
        if area is None:
            return frozenset()
        places = {PlaceRef(PlaceKind.AREA, area.key)}
        for village in area.villages:
            places.add(PlaceRef(PlaceKind.VILLAGE, village.key))
            places.update(PlaceRef(PlaceKind.NEIGHBOURHOOD, h.key) for h in village.neighbourhoods)
        return frozenset(places)


@dataclass(frozen=True)
class AmbassadorRole:
    user_id: int
    area: str


@dataclass(frozen=True)
class RolesConfig:
    admins: frozenset[int] = frozenset()
    moderators: frozenset[int] = frozenset()
    ambassadors: tuple[AmbassadorRole, ...] = ()

    def ambassador_area(self, user_id: int) -> str | None:
        for role in self.ambassadors:
            if role.user_id == user_id:
                return role.area
        return None


@dataclass(frozen=True)
class ModerationConfig:
    mode: ModerationMode = "post"
    digest_minutes: int = 60


@dataclass(frozen=True)
class DeliveryConfig:
    rate_per_second: float = 25.0
    """Below Telegram's 30 messages a second for broadcasts, with room for replies."""
    max_attempts: int = 5
    paid_broadcast: bool = False
    """Theme news and /bericht go with allow_paid_broadcast: faster, paid in Telegram Stars."""
    paid_rate_per_second: float = 500.0
    """The pace of a paid broadcast; Telegram allows up to 1,000 a second."""


@dataclass(frozen=True)
class MetricsConfig:
    """The operator's endpoint: /metrics (Prometheus) and /health, in polling mode too."""

    listen: str = "127.0.0.1"
    """Loopback by default: the figures are for the operator's scraper, not the public."""
    port: int = 9108
    """0 picks a free port (tests)."""


@dataclass(frozen=True)
class WebConfig:
    """The public web pages ([web]): the board for anyone, and notes without an account."""

    listen: str = "127.0.0.1"
    """Loopback by default: a reverse proxy in front publishes it."""
    port: int = 8080
    """0 picks a free port (tests)."""
    public_url: str = ""
    """Where people reach the pages (poster, QR code); https makes the cookie Secure."""
    trusted_proxies: tuple[str, ...] = ()
    """Only a request from one of these addresses may name the visitor in X-Forwarded-For."""
    notes_per_window: int = 5
    """Notes one browser, or one address, may send within window_minutes."""
    window_minutes: int = 10
    max_body_bytes: int = 16384
    accessibility_contact: str = ""
    """Where people report an accessibility problem (the statement names it)."""
    accessibility_status: str = ""
    """The municipality's own words on how far the pages meet WCAG 2.1 AA, if it has them."""

    @property
    def secure(self) -> bool:
        """True when the pages are reached over https (the cookie is then Secure)."""
        return self.public_url.startswith("https://")

    def theme_page(self, code: str) -> str:
        """The public address of a theme's page, or "" when no public_url is configured."""
        return f"{self.public_url}/thema/{code}" if self.public_url else ""


@dataclass(frozen=True)
class RemindersConfig:
    offsets_minutes: tuple[int, ...] = (1440, 120)
    """Minutes before a moment, largest first, so they come out in the order they are sent."""
    grace_minutes: int = 30


@dataclass(frozen=True)
class ResidentsConfig:
    flood_messages: int = 8
    """More than this many messages within flood_seconds gets a slow-down notice."""
    flood_seconds: int = 10


@dataclass(frozen=True)
class PrivacyConfig:
    in_person_contacts_days: int = 90
    """Contact details noted at the stand are deleted this many days after the theme closed."""


@dataclass(frozen=True)
class FloodConfig:
    updates: int = 20
    """More updates than this from one resident within `seconds`: one notice, then silence."""
    seconds: int = 10
    chat_rate: float = 1.0
    """The bot's own messages per second to one chat (Telegram: about one a second)."""
    chat_burst: int = 3
    """Messages one chat may get at once before chat_rate paces them (a short reply)."""
    bot_rate: float = 1000.0
    """A backstop over all chats; bulk sending keeps to [delivery] rate_per_second (< 30)."""
    bot_burst: int = 1000


@dataclass(frozen=True)
class Config:
    telegram: TelegramConfig
    storage: StorageConfig
    municipality: Municipality
    roles: RolesConfig
    moderation: ModerationConfig
    delivery: DeliveryConfig
    reminders: RemindersConfig
    residents: ResidentsConfig
    privacy: PrivacyConfig = PrivacyConfig()
    metrics: MetricsConfig | None = None
    """None: no /metrics endpoint (the [metrics] section is left out)."""
    flood: FloodConfig = field(default_factory=FloodConfig)
    web: WebConfig | None = None
    """None: no web pages (the [web] section is left out)."""
    default_language: str = "nl"
    # repr=False keeps the token out of logs and tracebacks that print the config.
    token: str | None = field(default=None, repr=False)
    source: Path | None = None


def load_config(path: Path | None = None, env: Mapping[str, str] | None = None) -> Config:
    """Read the file at path, else at $BUURTBOT_CONFIG; the token comes from $BUURTBOT_TOKEN.

    $BUURTBOT_DATABASE_URL and $BUURTBOT_WEBHOOK_SECRET, when set, take the place of
    [storage] url and [telegram.webhook] secret_token, so that secrets stay out of the file.
    """
    env = os.environ if env is None else env
    if path is None:
        from_env = env.get(ENV_CONFIG, "").strip()
        if not from_env:
            raise ConfigError(f"no config: pass --config PATH or set {ENV_CONFIG}")
        path = Path(from_env)
    path = path.expanduser()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a folder, expected a TOML file") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: not UTF-8 (byte {exc.start})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    source = path.absolute()
    return parse_config(
        data,
        base_dir=source.parent,
        token=env.get(ENV_TOKEN),
        source=source,
        database_url=env.get(ENV_DATABASE_URL),
        webhook_secret=env.get(ENV_WEBHOOK_SECRET),
    )


def parse_config(
    data: Mapping[str, Any],
    *,
    base_dir: Path,
    token: str | None = None,
    source: Path | None = None,
    database_url: str | None = None,
    webhook_secret: str | None = None,
) -> Config:
    """Check and convert parsed TOML (or a dict built in code); relative paths use base_dir.

    database_url and webhook_secret (from the environment) win over the file's values.
    """
    root = _table(data, "config")
    if "token" in root:
        raise ConfigError(f"token: the token is read only from {ENV_TOKEN}")
    _check_keys(root, "", _ROOT_KEYS)
    municipality = _parse_municipality(root.get("municipality"))
    token = token.strip() if token else None
    return Config(
        telegram=_parse_telegram(_section(root, "telegram"), webhook_secret),
        storage=_parse_storage(_section(root, "storage"), base_dir, database_url),
        municipality=municipality,
        roles=_parse_roles(_section(root, "roles"), municipality),
        moderation=_parse_moderation(_section(root, "moderation")),
        delivery=_parse_delivery(_section(root, "delivery")),
        reminders=_parse_reminders(_section(root, "reminders")),
        residents=_parse_residents(_section(root, "residents")),
        privacy=_parse_privacy(_section(root, "privacy")),
        metrics=_parse_metrics(root["metrics"]) if "metrics" in root else None,
        flood=_parse_flood(_section(root, "flood")),
        web=_parse_web(root["web"]) if "web" in root else None,
        default_language=_choice(root.get("language", "nl"), "language", LANGUAGES),
        token=token or None,
        source=source,
    )


_ROOT_KEYS: Final = (
    "language",
    "telegram",
    "storage",
    "municipality",
    "roles",
    "moderation",
    "delivery",
    "reminders",
    "residents",
    "privacy",
    "metrics",
    "flood",
    "web",
)

# Letters that Unicode does not decompose into ASCII plus accents, spelled the usual way.
_TRANSLITERATE: Final = str.maketrans(
    {"ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"}
)
# Dropped rather than turned into "-", so "Jan's Hoeve" reads "jans-hoeve".
_APOSTROPHES: Final = re.compile(r"['’‘`´]")
_NOT_ALNUM: Final = re.compile(r"[^a-z0-9]+")


def slugify(name: str) -> str:
    """The key a place gets from its name: "Oosterbeek Laag" -> "oosterbeek-laag",
    "Mariëndaal" -> "mariendaal". May be empty or too long; the caller checks."""
    text = unicodedata.normalize("NFKD", name.lower().translate(_TRANSLITERATE))
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = _APOSTROPHES.sub("", text)
    return _NOT_ALNUM.sub("-", text).strip("-")


# --- sections ---------------------------------------------------------------------------------


def _parse_telegram(t: Mapping[str, Any], webhook_secret: str | None = None) -> TelegramConfig:
    if "token" in t:
        raise ConfigError(f"telegram.token: the token is read only from {ENV_TOKEN}")
    _check_keys(t, "telegram", ("base_url", "base_file_url", "poll_timeout", "webhook"))
    d = TelegramConfig()
    webhook = None
    if "webhook" in t:
        webhook = _parse_webhook(_table(t["webhook"], "telegram.webhook"), webhook_secret)
    return TelegramConfig(
        base_url=_url(t.get("base_url", d.base_url), "telegram.base_url"),
        base_file_url=_url(t.get("base_file_url", d.base_file_url), "telegram.base_file_url"),
        poll_timeout=_int(t.get("poll_timeout", d.poll_timeout), "telegram.poll_timeout", 0, 50),
        webhook=webhook,
    )


# What Telegram accepts as a webhook's secret_token.
_SECRET_TOKEN: Final = re.compile(r"[A-Za-z0-9_-]{1,256}")


def _parse_webhook(t: Mapping[str, Any], secret_from_env: str | None) -> WebhookConfig:
    where = "telegram.webhook"
    _check_keys(t, where, ("url", "path", "listen", "port", "secret_token", "max_connections"))
    url = _str(_required(t, "url", where), f"{where}.url", "a URL")
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise ConfigError(
            f"{where}.url: Telegram delivers only to https:// addresses, got {_describe(url)}"
        )
    path = _str(t.get("path", parts.path or "/"), f"{where}.path", "a path")
    if not path.startswith("/") or any(c.isspace() for c in path) or path == "/health":
        raise ConfigError(
            f"{where}.path: expected a path starting with / (not /health), got {_describe(path)}"
        )
    listen = _str(t.get("listen", "127.0.0.1"), f"{where}.listen", "an address").strip()
    if not listen:
        raise ConfigError(f"{where}.listen: must not be empty")
    secret = (secret_from_env or "").strip() or t.get("secret_token")
    if secret is None:
        raise ConfigError(
            f"{where}.secret_token: missing; set it (or {ENV_WEBHOOK_SECRET}) so that only "
            "Telegram can deliver updates"
        )
    secret = _str(secret, f"{where}.secret_token")
    if not _SECRET_TOKEN.fullmatch(secret):
        raise ConfigError(
            f"{where}.secret_token: 1-256 characters of A-Z, a-z, 0-9, _ and - (as Telegram "
            "requires)"
        )
    return WebhookConfig(
        url=url,
        path=path,
        listen=listen,
        port=_int(t.get("port", 8443), f"{where}.port", 0, 65535),
        secret_token=secret,
        max_connections=_int(t.get("max_connections", 40), f"{where}.max_connections", 1, 100),
    )


_DATABASE_SCHEMES: Final = ("postgresql://", "postgres://")


def _parse_storage(
    t: Mapping[str, Any], base_dir: Path, url_from_env: str | None = None
) -> StorageConfig:
    _check_keys(t, "storage", ("path", "url", "pool_size"))
    if "path" in t and "url" in t:
        raise ConfigError("storage: set path (SQLite) or url (PostgreSQL), not both")
    value = t.get("path", DEFAULT_STORAGE_PATH)
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    text = _str(value, "storage.path", "a file path")
    if not text.strip():
        raise ConfigError("storage.path: must not be empty")
    url: str | None = (url_from_env or "").strip() or None
    where = ENV_DATABASE_URL if url is not None else "storage.url"
    if url is None and "url" in t:
        url = _str(t["url"], "storage.url", "a postgresql:// URL").strip()
    if url is not None and not url.startswith(_DATABASE_SCHEMES):
        # Never echo the value: it may hold a password.
        raise ConfigError(f"{where}: expected a URL starting with postgresql://")
    return StorageConfig(
        # Relative to the config file, not the working directory, so a service started from
        # anywhere finds the same database.
        path=base_dir / Path(text).expanduser(),
        url=url,
        pool_size=_int(t.get("pool_size", 10), "storage.pool_size", 3, 100),
    )


def _parse_municipality(value: Any) -> Municipality:
    if value is None:
        raise ConfigError("municipality: missing; add a [municipality] table with at least a name")
    t = _table(value, "municipality")
    _check_keys(t, "municipality", ("name", "timezone", "areas", "calendar_domain"))
    name = _name(t.get("name"), "municipality.name")
    timezone = _timezone(t.get("timezone", "Europe/Amsterdam"), "municipality.timezone")
    seen: dict[str, str] = {}
    areas = tuple(
        _parse_area(item, f"municipality.areas[{i}]", seen)
        for i, item in enumerate(_array(t.get("areas", []), "municipality.areas"))
    )
    domain = _str(t.get("calendar_domain", ""), "municipality.calendar_domain").strip()
    if not re.fullmatch(r"([a-z0-9-]+\.)*[a-z0-9-]*", domain.lower()):
        raise ConfigError(f"municipality.calendar_domain: expected a domain, got {domain!r}")
    return Municipality(name=name, timezone=timezone, areas=areas, calendar_domain=domain)


def _parse_area(value: Any, path: str, seen: dict[str, str]) -> Area:
    t = _table(value, path)
    _check_keys(t, path, ("key", "name", "villages"))
    name = _name(t.get("name"), f"{path}.name")
    key = _place_key(t.get("key"), name, path, seen, from_string=False)
    villages = tuple(
        _parse_village(item, f"{path}.villages[{i}]", seen)
        for i, item in enumerate(_array(t.get("villages", []), f"{path}.villages"))
    )
    return Area(key=key, name=name, villages=villages)


def _parse_village(value: Any, path: str, seen: dict[str, str]) -> Village:
    if isinstance(value, str):
        name = _name(value, path)
        return Village(key=_place_key(None, name, path, seen, from_string=True), name=name)
    t = _table(value, path, "a table or a village name")
    _check_keys(t, path, ("key", "name", "neighbourhoods"))
    name = _name(t.get("name"), f"{path}.name")
    key = _place_key(t.get("key"), name, path, seen, from_string=False)
    hoods = tuple(
        _parse_neighbourhood(item, f"{path}.neighbourhoods[{i}]", seen)
        for i, item in enumerate(_array(t.get("neighbourhoods", []), f"{path}.neighbourhoods"))
    )
    return Village(key=key, name=name, neighbourhoods=hoods)


def _parse_neighbourhood(value: Any, path: str, seen: dict[str, str]) -> Neighbourhood:
    if isinstance(value, str):
        name = _name(value, path)
        return Neighbourhood(key=_place_key(None, name, path, seen, from_string=True), name=name)
    t = _table(value, path, "a table or a neighbourhood name")
    _check_keys(t, path, ("key", "name"))
    name = _name(t.get("name"), f"{path}.name")
    return Neighbourhood(
        key=_place_key(t.get("key"), name, path, seen, from_string=False), name=name
    )


def _place_key(
    explicit: Any, name: str, path: str, seen: dict[str, str], *, from_string: bool
) -> str:
    """Check or derive a place key and claim it in seen (key -> where it was defined)."""
    set_key = (
        f'write it as {{ key = "...", name = {json.dumps(name, ensure_ascii=False)} }}'
        if from_string
        else "set key"
    )
    if explicit is not None:
        where = f"{path}.key"
        key = _str(explicit, where)
        if not KEY_PATTERN.fullmatch(key):
            raise ConfigError(
                f"{where}: {key!r} does not match {_KEY_RULE} (lowercase a-z, digits, hyphens)"
            )
    else:
        where = path if from_string else f"{path}.name"
        key = slugify(name)
        if not key:
            raise ConfigError(f"{where}: cannot make a key from {name!r}; {set_key}")
        if not KEY_PATTERN.fullmatch(key):
            raise ConfigError(
                f"{where}: key {key!r} made from the name is longer than 24 characters; {set_key}"
            )
    if key in seen:
        # One namespace for areas, villages and neighbourhoods: callback data carries a bare key.
        hint = "" if explicit is not None else f"; {set_key}"
        raise ConfigError(f"{where}: duplicate place key {key!r} (also {seen[key]}){hint}")
    seen[key] = where
    return key


def _parse_roles(t: Mapping[str, Any], municipality: Municipality) -> RolesConfig:
    _check_keys(t, "roles", ("admins", "moderators", "ambassadors"))
    admins = frozenset(
        _user_id(v, f"roles.admins[{i}]")
        for i, v in enumerate(_array(t.get("admins", []), "roles.admins"))
    )
    moderators = frozenset(
        _user_id(v, f"roles.moderators[{i}]")
        for i, v in enumerate(_array(t.get("moderators", []), "roles.moderators"))
    )
    ambassadors: list[AmbassadorRole] = []
    first_seen: dict[int, str] = {}
    for i, value in enumerate(_array(t.get("ambassadors", []), "roles.ambassadors")):
        path = f"roles.ambassadors[{i}]"
        entry = _table(value, path)
        _check_keys(entry, path, ("user_id", "area"))
        user_id = _user_id(_required(entry, "user_id", path), f"{path}.user_id")
        area = _str(_required(entry, "area", path), f"{path}.area", "an area key")
        if municipality.area(area) is None:
            known = ", ".join(a.key for a in municipality.areas) or "none"
            if municipality.village(area) is not None:
                problem = f"{area!r} is a village, ambassadors work per area"
            elif municipality.neighbourhood(area) is not None:
                problem = f"{area!r} is a neighbourhood, ambassadors work per area"
            else:
                problem = f"unknown area {area!r}"
            raise ConfigError(f"{path}.area: {problem} (known: {known})")
        # ambassador_area() answers with one area, so one user cannot hold two.
        if user_id in first_seen:
            raise ConfigError(
                f"{path}.user_id: user {user_id} is already an ambassador ({first_seen[user_id]})"
            )
        first_seen[user_id] = path
        ambassadors.append(AmbassadorRole(user_id=user_id, area=area))
    return RolesConfig(admins=admins, moderators=moderators, ambassadors=tuple(ambassadors))


def _parse_moderation(t: Mapping[str, Any]) -> ModerationConfig:
    _check_keys(t, "moderation", ("mode", "digest_minutes"))
    d = ModerationConfig()
    mode = _choice(t.get("mode", d.mode), "moderation.mode", ("pre", "post"))
    return ModerationConfig(
        mode="pre" if mode == "pre" else "post",
        digest_minutes=_int(
            t.get("digest_minutes", d.digest_minutes), "moderation.digest_minutes", 1, 1440
        ),
    )


def _parse_delivery(t: Mapping[str, Any]) -> DeliveryConfig:
    _check_keys(
        t,
        "delivery",
        ("rate_per_second", "max_attempts", "paid_broadcast", "paid_rate_per_second"),
    )
    d = DeliveryConfig()
    where = "delivery.rate_per_second"
    rate = t.get("rate_per_second", d.rate_per_second)
    if isinstance(rate, bool) or not isinstance(rate, int | float):
        raise ConfigError(f"{where}: expected a number, got {_describe(rate)}")
    # Written so that NaN fails too.
    if not 0 < rate < 30:
        raise ConfigError(f"{where}: must be more than 0 and less than 30, got {_describe(rate)}")
    paid = t.get("paid_broadcast", d.paid_broadcast)
    if not isinstance(paid, bool):
        raise ConfigError(f"delivery.paid_broadcast: expected true or false, got {_describe(paid)}")
    where = "delivery.paid_rate_per_second"
    paid_rate = t.get("paid_rate_per_second", d.paid_rate_per_second)
    if isinstance(paid_rate, bool) or not isinstance(paid_rate, int | float):
        raise ConfigError(f"{where}: expected a number, got {_describe(paid_rate)}")
    if not 0 < paid_rate <= 1000:
        raise ConfigError(
            f"{where}: must be more than 0 and at most 1000, got {_describe(paid_rate)}"
        )
    return DeliveryConfig(
        rate_per_second=float(rate),
        max_attempts=_int(t.get("max_attempts", d.max_attempts), "delivery.max_attempts", 1, 20),
        paid_broadcast=paid,
        paid_rate_per_second=float(paid_rate),
    )


def _parse_metrics(raw: Any) -> MetricsConfig:
    t = _table(raw, "metrics")
    _check_keys(t, "metrics", ("listen", "port"))
    d = MetricsConfig()
    listen = _str(t.get("listen", d.listen), "metrics.listen", "an address").strip()
    if not listen:
        raise ConfigError("metrics.listen: must not be empty")
    return MetricsConfig(listen=listen, port=_int(t.get("port", d.port), "metrics.port", 0, 65535))


_WEB_KEYS: Final = (
    "listen",
    "port",
    "public_url",
    "trusted_proxies",
    "notes_per_window",
    "window_minutes",
    "max_body_bytes",
    "accessibility_contact",
    "accessibility_status",
)


def _parse_web(raw: Any) -> WebConfig:
    t = _table(raw, "web")
    _check_keys(t, "web", _WEB_KEYS)
    d = WebConfig()
    listen = _str(t.get("listen", d.listen), "web.listen", "an address").strip()
    if not listen:
        raise ConfigError("web.listen: must not be empty")
    public_url = _str(t.get("public_url", d.public_url), "web.public_url").strip().rstrip("/")
    if public_url and not public_url.startswith(("http://", "https://")):
        raise ConfigError("web.public_url: must start with http:// or https://")
    proxies = tuple(
        _str(value, f"web.trusted_proxies[{i}]", "an address").strip()
        for i, value in enumerate(_array(t.get("trusted_proxies", []), "web.trusted_proxies"))
    )
    return WebConfig(
        listen=listen,
        port=_int(t.get("port", d.port), "web.port", 0, 65535),
        public_url=public_url,
        trusted_proxies=proxies,
        notes_per_window=_int(
            t.get("notes_per_window", d.notes_per_window), "web.notes_per_window", 1, 1000
        ),
        window_minutes=_int(
            t.get("window_minutes", d.window_minutes), "web.window_minutes", 1, 1440
        ),
        max_body_bytes=_int(
            t.get("max_body_bytes", d.max_body_bytes), "web.max_body_bytes", 2048, 1048576
        ),
        accessibility_contact=_str(
            t.get("accessibility_contact", ""), "web.accessibility_contact"
        ).strip(),
        accessibility_status=_str(
            t.get("accessibility_status", ""), "web.accessibility_status"
        ).strip(),
    )


def _parse_reminders(t: Mapping[str, Any]) -> RemindersConfig:
    _check_keys(t, "reminders", ("offsets_minutes", "grace_minutes"))
    d = RemindersConfig()
    offsets: list[int] = []
    for i, value in enumerate(
        _array(t.get("offsets_minutes", d.offsets_minutes), "reminders.offsets_minutes")
    ):
        where = f"reminders.offsets_minutes[{i}]"
        offset = _int(value, where, 1, 43200)
        if offset in offsets:
            raise ConfigError(f"{where}: duplicate offset {offset}")
        offsets.append(offset)
    return RemindersConfig(
        offsets_minutes=tuple(sorted(offsets, reverse=True)),
        grace_minutes=_int(
            t.get("grace_minutes", d.grace_minutes), "reminders.grace_minutes", 0, 1440
        ),
    )


def _parse_residents(t: Mapping[str, Any]) -> ResidentsConfig:
    _check_keys(t, "residents", ("flood_messages", "flood_seconds"))
    d = ResidentsConfig()
    return ResidentsConfig(
        flood_messages=_int(
            t.get("flood_messages", d.flood_messages), "residents.flood_messages", 1, 1000
        ),
        flood_seconds=_int(
            t.get("flood_seconds", d.flood_seconds), "residents.flood_seconds", 1, 3600
        ),
    )


def _parse_privacy(t: Mapping[str, Any]) -> PrivacyConfig:
    _check_keys(t, "privacy", ("in_person_contacts_days",))
    days = t.get("in_person_contacts_days", PrivacyConfig.in_person_contacts_days)
    return PrivacyConfig(
        in_person_contacts_days=_int(days, "privacy.in_person_contacts_days", 1, 3650)
    )


def _parse_flood(t: Mapping[str, Any]) -> FloodConfig:
    keys = ("updates", "seconds", "chat_rate", "chat_burst", "bot_rate", "bot_burst")
    _check_keys(t, "flood", keys)
    d = FloodConfig()
    return FloodConfig(
        updates=_int(t.get("updates", d.updates), "flood.updates", 1, 1_000_000),
        seconds=_int(t.get("seconds", d.seconds), "flood.seconds", 1, 3600),
        chat_rate=_rate(t.get("chat_rate", d.chat_rate), "flood.chat_rate"),
        chat_burst=_int(t.get("chat_burst", d.chat_burst), "flood.chat_burst", 1, 1_000_000),
        bot_rate=_rate(t.get("bot_rate", d.bot_rate), "flood.bot_rate"),
        bot_burst=_int(t.get("bot_burst", d.bot_burst), "flood.bot_burst", 1, 1_000_000),
    )


def _rate(value: Any, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{path}: expected a number, got {_describe(value)}")
    # Written so that NaN fails too.
    if not 0 < value <= 1_000_000:
        raise ConfigError(f"{path}: must be more than 0 and at most 1000000, got {value}")
    return float(value)


# --- value checks -----------------------------------------------------------------------------


def _describe(value: Any) -> str:
    """A value as the user wrote it in TOML, short enough for one line."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:39] + "…"
        return json.dumps(shown, ensure_ascii=False)
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, list | tuple):
        return "an array"
    if isinstance(value, datetime | date | time):
        return f"a date/time ({value.isoformat()})"
    return type(value).__name__


_BARE_KEY: Final = re.compile(r"[A-Za-z0-9_-]+")


def _join(path: str, key: str) -> str:
    shown = key if _BARE_KEY.fullmatch(key) else json.dumps(key, ensure_ascii=False)
    return f"{path}.{shown}" if path else shown


def _check_keys(table: Mapping[str, Any], path: str, known: Sequence[str]) -> None:
    for key in table:
        if key not in known:
            raise ConfigError(f"{_join(path, str(key))}: unknown key (known: {', '.join(known)})")


def _table(value: Any, path: str, what: str = "a table") -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ConfigError(f"{path}: expected {what}, got {_describe(value)}")
    return value


def _section(root: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """An optional top-level table; leaving it out means all its defaults."""
    return _table(root.get(key, {}), key)


def _array(value: Any, path: str) -> Sequence[Any]:
    # Tuples too, for configs built in code.
    if not isinstance(value, list | tuple):
        raise ConfigError(f"{path}: expected an array, got {_describe(value)}")
    return value


def _required(table: Mapping[str, Any], key: str, path: str) -> Any:
    if key not in table:
        raise ConfigError(f"{path}.{key}: missing")
    return table[key]


def _str(value: Any, path: str, what: str = "a string") -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{path}: expected {what}, got {_describe(value)}")
    return value


def _name(value: Any, path: str) -> str:
    if value is None:
        raise ConfigError(f"{path}: missing")
    name = _str(value, path, "a name").strip()
    if not name:
        raise ConfigError(f"{path}: must not be empty")
    # Names go into button labels and one-line messages.
    if "\n" in name or "\r" in name:
        raise ConfigError(f"{path}: must be on one line")
    return name


def _int(value: Any, path: str, low: int, high: int) -> int:
    # TOML's true is a bool, but Python would happily count it as 1.
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{path}: expected a whole number, got {_describe(value)}")
    if not low <= value <= high:
        raise ConfigError(f"{path}: must be between {low} and {high}, got {value}")
    return value


def _user_id(value: Any, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{path}: expected an integer user id, got {_describe(value)}")
    if value <= 0:
        raise ConfigError(f"{path}: a Telegram user id is a positive number, got {value}")
    return value


def _choice(value: Any, path: str, options: Sequence[str]) -> str:
    if not isinstance(value, str) or value not in options:
        allowed = " or ".join(json.dumps(o) for o in options)
        raise ConfigError(f"{path}: expected {allowed}, got {_describe(value)}")
    return value


def _url(value: Any, path: str) -> str:
    url = _str(value, path, "a URL")
    if not url.startswith(("http://", "https://")):
        raise ConfigError(
            f"{path}: expected a URL starting with http:// or https://, got {_describe(url)}"
        )
    return url


def _timezone(value: Any, path: str) -> str:
    key = _str(value, path, "a time zone name")
    try:
        ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ConfigError(
            f"{path}: unknown time zone {key!r} (use an IANA name such as Europe/Amsterdam)"
        ) from None
    return key
