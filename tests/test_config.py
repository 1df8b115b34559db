from __future__ import annotations

import dataclasses
import textwrap
import tomllib
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core.config import (
    AmbassadorRole,
    Area,
    Config,
    ConfigError,
    DeliveryConfig,
    FloodConfig,
    ModerationConfig,
    Municipality,
    Neighbourhood,
    RemindersConfig,
    ResidentsConfig,
    RolesConfig,
    TelegramConfig,
    Village,
    load_config,
    parse_config,
    slugify,
)
from storage.models import MUNICIPALITY, PlaceKind, PlaceRef

EXAMPLE = Path(__file__).resolve().parent.parent / "config.example.toml"
TOKEN = "123456:AAH-very-secret-token"

MINIMAL = """
[municipality]
name = "Renkum"
"""

RENKUM = """
[municipality]
name = "Renkum"

[[municipality.areas]]
key = "doorwerth-heveadorp"
name = "Doorwerth en Heveadorp"
villages = [
  { name = "Doorwerth", neighbourhoods = ["Kasteelweg"] },
  { name = "Heveadorp" },
]

[[municipality.areas]]
key = "oosterbeek-wolfheze"
name = "Oosterbeek en Wolfheze"
villages = [
  { name = "Oosterbeek", neighbourhoods = ["Oosterbeek Laag", "Mariëndaal"] },
  "Wolfheze",
]

[[municipality.areas]]
key = "renkum-heelsum"
name = "Renkum en Heelsum"
villages = [
  { name = "Renkum" },
  { name = "Heelsum", neighbourhoods = ["Heelsum-Noord"] },
]
"""


def write(tmp_path: Path, text: str, name: str = "buurtbot.toml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def load(tmp_path: Path, text: str, **env: str) -> Config:
    return load_config(write(tmp_path, text), env=env)


def error_of(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, text)
    message = str(caught.value)
    assert "\n" not in message
    return message


def area(key: str) -> PlaceRef:
    return PlaceRef(PlaceKind.AREA, key)


def village(key: str) -> PlaceRef:
    return PlaceRef(PlaceKind.VILLAGE, key)


def hood(key: str) -> PlaceRef:
    return PlaceRef(PlaceKind.NEIGHBOURHOOD, key)


# --- the example ------------------------------------------------------------------------------


def test_example_loads_with_renkums_three_areas() -> None:
    config = load_config(EXAMPLE, env={})
    m = config.municipality
    assert m.name == "Renkum"
    assert [a.key for a in m.areas] == [
        "doorwerth-heveadorp",
        "oosterbeek-wolfheze",
        "renkum-heelsum",
    ]
    assert [[v.name for v in a.villages] for a in m.areas] == [
        ["Doorwerth", "Heveadorp"],
        ["Oosterbeek", "Wolfheze"],
        ["Renkum", "Heelsum"],
    ]
    assert config.storage.path == EXAMPLE.parent / "buurtbot.sqlite3"
    assert config.source == EXAMPLE
    assert {r.area for r in config.roles.ambassadors} == {a.key for a in m.areas}
    assert m.neighbourhood("renkum-centrum") == Neighbourhood("renkum-centrum", "Centrum")


def test_example_parses_with_parse_config(tmp_path: Path) -> None:
    import tomllib

    data = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    config = parse_config(data, base_dir=tmp_path)
    assert config.storage.path == tmp_path / "buurtbot.sqlite3"
    assert config.source is None


def test_example_spells_out_every_default(tmp_path: Path) -> None:
    # The example is the reference for operators, so it must not drift from the code's defaults.
    example = load_config(EXAMPLE, env={})
    assert example.telegram == TelegramConfig()
    assert example.moderation == ModerationConfig()
    assert example.delivery == DeliveryConfig()
    assert example.reminders == RemindersConfig()
    assert example.residents == ResidentsConfig()
    assert example.flood == FloodConfig()
    assert example.default_language == "nl"
    assert example.municipality.timezone == "Europe/Amsterdam"


# --- defaults and paths -----------------------------------------------------------------------


def test_defaults(tmp_path: Path) -> None:
    config = load(tmp_path, MINIMAL)
    assert config.telegram == TelegramConfig(
        base_url="https://api.telegram.org/bot",
        base_file_url="https://api.telegram.org/file/bot",
        poll_timeout=30,
    )
    assert config.storage.path == tmp_path / "buurtbot.sqlite3"
    assert config.municipality == Municipality(name="Renkum", timezone="Europe/Amsterdam")
    assert config.municipality.areas == ()
    assert config.municipality.tz == ZoneInfo("Europe/Amsterdam")
    assert config.roles == RolesConfig(frozenset(), frozenset(), ())
    assert config.moderation == ModerationConfig(mode="post", digest_minutes=60)
    assert config.delivery == DeliveryConfig(rate_per_second=25.0, max_attempts=5)
    assert config.delivery.paid_broadcast is False
    assert config.reminders == RemindersConfig(offsets_minutes=(1440, 120), grace_minutes=30)
    assert config.residents == ResidentsConfig(flood_messages=8, flood_seconds=10)
    assert config.default_language == "nl"
    assert config.token is None
    assert config.source == tmp_path / "buurtbot.toml"


def test_all_values_read(tmp_path: Path) -> None:
    config = load(
        tmp_path,
        'language = "en"\n'
        + RENKUM
        + """
[telegram]
base_url = "http://127.0.0.1:8081/bot"
base_file_url = "http://127.0.0.1:8081/file/bot"
poll_timeout = 0
[roles]
admins = [1, 2, 2]
moderators = [3]
ambassadors = [{ user_id = 4, area = "renkum-heelsum" }]
[moderation]
mode = "pre"
digest_minutes = 15
[delivery]
rate_per_second = 5
max_attempts = 3
[reminders]
offsets_minutes = [60, 10080, 1440]
grace_minutes = 0
[residents]
flood_messages = 3
flood_seconds = 60
""",
    )
    assert config.default_language == "en"
    assert config.telegram == TelegramConfig(
        "http://127.0.0.1:8081/bot", "http://127.0.0.1:8081/file/bot", 0
    )
    assert config.roles.admins == frozenset({1, 2})
    assert config.roles.moderators == frozenset({3})
    assert config.roles.ambassadors == (AmbassadorRole(user_id=4, area="renkum-heelsum"),)
    assert config.roles.ambassador_area(4) == "renkum-heelsum"
    assert config.roles.ambassador_area(1) is None
    assert config.moderation == ModerationConfig("pre", 15)
    assert config.delivery.rate_per_second == 5.0
    assert isinstance(config.delivery.rate_per_second, float)
    assert config.delivery.max_attempts == 3
    # Largest first: the order in which they fall due.
    assert config.reminders.offsets_minutes == (10080, 1440, 60)
    assert config.reminders.grace_minutes == 0
    assert config.residents == ResidentsConfig(3, 60)


def test_empty_reminder_list_means_no_reminders(tmp_path: Path) -> None:
    config = load(tmp_path, MINIMAL + "[reminders]\noffsets_minutes = []\n")
    assert config.reminders.offsets_minutes == ()


def test_relative_storage_path_resolves_against_the_config_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "etc"
    folder.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    write(folder, MINIMAL + '[storage]\npath = "data/bot.sqlite3"\n', "c.toml")
    monkeypatch.chdir(elsewhere)
    config = load_config(Path("../etc/c.toml"), env={})
    assert config.storage.path.resolve() == folder / "data" / "bot.sqlite3"
    assert config.storage.path.is_absolute()
    assert config.source is not None
    assert config.source.is_absolute()


def test_absolute_storage_path_is_kept(tmp_path: Path) -> None:
    target = tmp_path / "var" / "bot.sqlite3"
    config = load(tmp_path, MINIMAL + f'[storage]\npath = "{target.as_posix()}"\n')
    assert config.storage.path == target


def test_parse_config_resolves_against_base_dir(tmp_path: Path) -> None:
    config = parse_config(
        {"municipality": {"name": "Renkum"}, "storage": {"path": "x.sqlite3"}},
        base_dir=tmp_path,
    )
    assert config.storage.path == tmp_path / "x.sqlite3"


def test_parse_config_accepts_a_config_built_in_code(tmp_path: Path) -> None:
    # The demo builds its config in Python, where tuples and Paths come naturally.
    config = parse_config(
        {
            "municipality": {
                "name": "Demodorp",
                "areas": (
                    {"name": "Noord", "villages": ({"name": "Akker", "neighbourhoods": ("Wei",)},)},
                ),
            },
            "storage": {"path": tmp_path / "demo.sqlite3"},
            "roles": {"admins": (1,)},
        },
        base_dir=Path("/nowhere"),
        token="t",
    )
    assert config.storage.path == tmp_path / "demo.sqlite3"
    assert config.municipality.places_of("akker", "wei") == {
        MUNICIPALITY,
        area("noord"),
        village("akker"),
        hood("wei"),
    }
    assert config.token == "t"


def test_config_is_frozen(tmp_path: Path) -> None:
    config = load(tmp_path, MINIMAL)
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.default_language = "en"  # type: ignore[misc]


# --- where the file comes from ----------------------------------------------------------------


def test_config_path_from_env(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL)
    config = load_config(env={"BUURTBOT_CONFIG": str(path)})
    assert config.source == path
    assert config.municipality.name == "Renkum"


def test_os_environ_is_the_default_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, MINIMAL)
    monkeypatch.setenv("BUURTBOT_CONFIG", str(path))
    monkeypatch.setenv("BUURTBOT_TOKEN", TOKEN)
    config = load_config()
    assert config.source == path
    assert config.token == TOKEN


def test_explicit_path_wins_over_env(tmp_path: Path) -> None:
    chosen = write(tmp_path, MINIMAL, "chosen.toml")
    other = write(tmp_path, '[municipality]\nname = "Other"\n', "other.toml")
    config = load_config(chosen, env={"BUURTBOT_CONFIG": str(other)})
    assert config.municipality.name == "Renkum"


@pytest.mark.parametrize("env", [{}, {"BUURTBOT_CONFIG": ""}, {"BUURTBOT_CONFIG": "  "}])
def test_no_config_at_all(env: dict[str, str]) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(env=env)
    assert str(caught.value) == "no config: pass --config PATH or set BUURTBOT_CONFIG"


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.toml"
    with pytest.raises(ConfigError) as caught:
        load_config(path, env={})
    assert str(caught.value) == f"{path}: file not found"


def test_missing_file_named_by_env(tmp_path: Path) -> None:
    path = tmp_path / "nope.toml"
    with pytest.raises(ConfigError) as caught:
        load_config(env={"BUURTBOT_CONFIG": str(path)})
    assert str(caught.value) == f"{path}: file not found"


def test_folder_instead_of_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path, env={})
    assert str(caught.value).startswith(f"{tmp_path}: ")


@pytest.mark.parametrize(
    "text",
    [
        "[municipality]\nname = Renkum\n",
        "[municipality]\nname = 'a'\n[municipality]\nname = 'b'\n",
        'x = """\nnever closed\n',
    ],
)
def test_invalid_toml_is_one_line(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path, env={})
    message = str(caught.value)
    assert message.startswith(f"{path}: invalid TOML: ")
    assert "\n" not in message


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes('[municipality]\nname = "Mariëndaal"\n'.encode("latin-1"))
    with pytest.raises(ConfigError) as caught:
        load_config(path, env={})
    assert str(caught.value).startswith(f"{path}: invalid TOML: not UTF-8")


# --- the token --------------------------------------------------------------------------------


def test_token_from_env_never_shown(tmp_path: Path) -> None:
    config = load(tmp_path, RENKUM, BUURTBOT_TOKEN=TOKEN)
    assert config.token == TOKEN
    assert TOKEN not in repr(config)
    assert TOKEN not in str(config)
    assert "AAH" not in f"{config}"


@pytest.mark.parametrize("value", ["", "   "])
def test_empty_token_is_no_token(tmp_path: Path, value: str) -> None:
    assert load(tmp_path, MINIMAL, BUURTBOT_TOKEN=value).token is None


def test_token_in_file_is_refused(tmp_path: Path) -> None:
    message = error_of(tmp_path, MINIMAL + '[telegram]\ntoken = "123:abc"\n')
    assert message == "telegram.token: the token is read only from BUURTBOT_TOKEN"
    assert "123:abc" not in message


def test_top_level_token_is_refused(tmp_path: Path) -> None:
    message = error_of(tmp_path, 'token = "123:abc"\n' + MINIMAL)
    assert message == "token: the token is read only from BUURTBOT_TOKEN"


# --- one-line errors naming the key -----------------------------------------------------------

ERRORS: list[tuple[str, str, str]] = [
    (
        "unknown key in a section",
        MINIMAL + '[telegram]\nbase_ur = "x"\n',
        "telegram.base_ur: unknown key (known: base_url, base_file_url, poll_timeout, webhook)",
    ),
    (
        "unknown top-level key",
        'langauge = "nl"\n' + MINIMAL,
        "langauge: unknown key (known: language, telegram, storage, municipality, roles, "
        "moderation, delivery, reminders, residents, privacy, metrics, flood, web)",
    ),
    (
        "unknown key with a space is quoted",
        MINIMAL + '[telegram]\n"base url" = "x"\n',
        'telegram."base url": unknown key (known: base_url, base_file_url, poll_timeout, webhook)',
    ),
    (
        "unknown key in a village",
        MINIMAL + '[[municipality.areas]]\nname = "A"\nvillages = [{ name = "B", buurten = [] }]\n',
        "municipality.areas[0].villages[0].buurten: unknown key (known: key, name, neighbourhoods)",
    ),
    (
        "unknown key in an ambassador",
        RENKUM + '[roles]\nambassadors = [{ user_id = 1, area = "renkum-heelsum", role = 2 }]\n',
        "roles.ambassadors[0].role: unknown key (known: user_id, area)",
    ),
    (
        "section that is not a table",
        "telegram = 5\n" + MINIMAL,
        "telegram: expected a table, got 5",
    ),
    (
        "user id as a string",
        MINIMAL + '[roles]\nadmins = ["abc"]\n',
        'roles.admins[0]: expected an integer user id, got "abc"',
    ),
    (
        "user id as a bool",
        MINIMAL + "[roles]\nmoderators = [1, true]\n",
        "roles.moderators[1]: expected an integer user id, got true",
    ),
    (
        "user id as a float",
        MINIMAL + "[roles]\nadmins = [1.5]\n",
        "roles.admins[0]: expected an integer user id, got 1.5",
    ),
    (
        "negative user id",
        MINIMAL + "[roles]\nadmins = [-100123]\n",
        "roles.admins[0]: a Telegram user id is a positive number, got -100123",
    ),
    (
        "roles not an array",
        MINIMAL + "[roles]\nadmins = 111\n",
        "roles.admins: expected an array, got 111",
    ),
    (
        "poll timeout too high",
        MINIMAL + "[telegram]\npoll_timeout = 51\n",
        "telegram.poll_timeout: must be between 0 and 50, got 51",
    ),
    (
        "poll timeout negative",
        MINIMAL + "[telegram]\npoll_timeout = -1\n",
        "telegram.poll_timeout: must be between 0 and 50, got -1",
    ),
    (
        "poll timeout as a bool",
        MINIMAL + "[telegram]\npoll_timeout = true\n",
        "telegram.poll_timeout: expected a whole number, got true",
    ),
    (
        "base url not http",
        MINIMAL + '[telegram]\nbase_url = "api.telegram.org/bot"\n',
        "telegram.base_url: expected a URL starting with http:// or https://, got "
        '"api.telegram.org/bot"',
    ),
    (
        "storage path empty",
        MINIMAL + '[storage]\npath = ""\n',
        "storage.path: must not be empty",
    ),
    (
        "storage path not a string",
        MINIMAL + "[storage]\npath = 3\n",
        "storage.path: expected a file path, got 3",
    ),
    (
        "rate zero",
        MINIMAL + "[delivery]\nrate_per_second = 0\n",
        "delivery.rate_per_second: must be more than 0 and less than 30, got 0",
    ),
    (
        "rate at Telegram's limit",
        MINIMAL + "[delivery]\nrate_per_second = 30.0\n",
        "delivery.rate_per_second: must be more than 0 and less than 30, got 30.0",
    ),
    (
        "rate not a number",
        MINIMAL + '[delivery]\nrate_per_second = "fast"\n',
        'delivery.rate_per_second: expected a number, got "fast"',
    ),
    (
        "rate nan",
        MINIMAL + "[delivery]\nrate_per_second = nan\n",
        "delivery.rate_per_second: must be more than 0 and less than 30, got nan",
    ),
    (
        "paid broadcast not a flag",
        MINIMAL + '[delivery]\npaid_broadcast = "yes"\n',
        'delivery.paid_broadcast: expected true or false, got "yes"',
    ),
    (
        "paid rate above Telegram's limit",
        MINIMAL + "[delivery]\npaid_rate_per_second = 1001\n",
        "delivery.paid_rate_per_second: must be more than 0 and at most 1000, got 1001",
    ),
    (
        "paid rate zero",
        MINIMAL + "[delivery]\npaid_rate_per_second = 0\n",
        "delivery.paid_rate_per_second: must be more than 0 and at most 1000, got 0",
    ),
    (
        "no attempts",
        MINIMAL + "[delivery]\nmax_attempts = 0\n",
        "delivery.max_attempts: must be between 1 and 20, got 0",
    ),
    (
        "moderation mode",
        MINIMAL + '[moderation]\nmode = "later"\n',
        'moderation.mode: expected "pre" or "post", got "later"',
    ),
    (
        "digest zero",
        MINIMAL + "[moderation]\ndigest_minutes = 0\n",
        "moderation.digest_minutes: must be between 1 and 1440, got 0",
    ),
    (
        "reminder offset zero",
        MINIMAL + "[reminders]\noffsets_minutes = [1440, 0]\n",
        "reminders.offsets_minutes[1]: must be between 1 and 43200, got 0",
    ),
    (
        "reminder offset twice",
        MINIMAL + "[reminders]\noffsets_minutes = [120, 1440, 120]\n",
        "reminders.offsets_minutes[2]: duplicate offset 120",
    ),
    (
        "grace as a string",
        MINIMAL + '[reminders]\ngrace_minutes = "30"\n',
        'reminders.grace_minutes: expected a whole number, got "30"',
    ),
    (
        "flood messages zero",
        MINIMAL + "[residents]\nflood_messages = 0\n",
        "residents.flood_messages: must be between 1 and 1000, got 0",
    ),
    (
        "flood seconds a table",
        MINIMAL + "[residents.flood_seconds]\nx = 1\n",
        "residents.flood_seconds: expected a whole number, got a table",
    ),
    (
        "language",
        'language = "de"\n' + MINIMAL,
        'language: expected "nl" or "en", got "de"',
    ),
    (
        "unknown time zone",
        '[municipality]\nname = "Renkum"\ntimezone = "Europe/Renkum"\n',
        "municipality.timezone: unknown time zone 'Europe/Renkum' (use an IANA name such as "
        "Europe/Amsterdam)",
    ),
    (
        "time zone that is a path",
        '[municipality]\nname = "Renkum"\ntimezone = "../etc/passwd"\n',
        "municipality.timezone: unknown time zone '../etc/passwd' (use an IANA name such as "
        "Europe/Amsterdam)",
    ),
    (
        "ambassador of an unknown area",
        RENKUM
        + "[roles]\nambassadors = [\n"
        + '  { user_id = 1, area = "renkum-heelsum" },\n'
        + '  { user_id = 2, area = "zuid" },\n]\n',
        "roles.ambassadors[1].area: unknown area 'zuid' (known: doorwerth-heveadorp, "
        "oosterbeek-wolfheze, renkum-heelsum)",
    ),
    (
        "ambassador of a village",
        RENKUM + '[roles]\nambassadors = [{ user_id = 1, area = "heelsum" }]\n',
        "roles.ambassadors[0].area: 'heelsum' is a village, ambassadors work per area "
        "(known: doorwerth-heveadorp, oosterbeek-wolfheze, renkum-heelsum)",
    ),
    (
        "ambassador without areas",
        MINIMAL + '[roles]\nambassadors = [{ user_id = 1, area = "zuid" }]\n',
        "roles.ambassadors[0].area: unknown area 'zuid' (known: none)",
    ),
    (
        "ambassador without area",
        RENKUM + "[roles]\nambassadors = [{ user_id = 1 }]\n",
        "roles.ambassadors[0].area: missing",
    ),
    (
        "ambassador twice",
        RENKUM
        + "[roles]\nambassadors = [\n"
        + '  { user_id = 7, area = "renkum-heelsum" },\n'
        + '  { user_id = 7, area = "oosterbeek-wolfheze" },\n]\n',
        "roles.ambassadors[1].user_id: user 7 is already an ambassador (roles.ambassadors[0])",
    ),
    (
        "ambassadors as a plain list",
        RENKUM + "[roles]\nambassadors = [333]\n",
        "roles.ambassadors[0]: expected a table, got 333",
    ),
    (
        "no municipality",
        'language = "nl"\n',
        "municipality: missing; add a [municipality] table with at least a name",
    ),
    (
        "municipality without a name",
        '[municipality]\ntimezone = "Europe/Amsterdam"\n',
        "municipality.name: missing",
    ),
    (
        "municipality with an empty name",
        '[municipality]\nname = "  "\n',
        "municipality.name: must not be empty",
    ),
    (
        "area without a name",
        MINIMAL + '[[municipality.areas]]\nkey = "zuid"\n',
        "municipality.areas[0].name: missing",
    ),
    (
        "village with an empty name",
        MINIMAL + '[[municipality.areas]]\nname = "Zuid"\nvillages = [{ name = "" }]\n',
        "municipality.areas[0].villages[0].name: must not be empty",
    ),
    (
        "neighbourhood with an empty name",
        MINIMAL
        + '[[municipality.areas]]\nname = "Zuid"\n'
        + 'villages = [{ name = "Dorp", neighbourhoods = ["Hof", ""] }]\n',
        "municipality.areas[0].villages[0].neighbourhoods[1]: must not be empty",
    ),
    (
        "name over two lines",
        MINIMAL + '[[municipality.areas]]\nname = "Zuid\\nOost"\n',
        "municipality.areas[0].name: must be on one line",
    ),
    (
        "neighbourhood as a number",
        MINIMAL
        + '[[municipality.areas]]\nname = "Zuid"\n'
        + 'villages = [{ name = "Dorp", neighbourhoods = [12] }]\n',
        "municipality.areas[0].villages[0].neighbourhoods[0]: expected a table or a "
        "neighbourhood name, got 12",
    ),
    (
        "key with capitals",
        MINIMAL + '[[municipality.areas]]\nkey = "Zuid"\nname = "Zuid"\n',
        "municipality.areas[0].key: 'Zuid' does not match ^[a-z0-9-]{1,24}$ "
        "(lowercase a-z, digits, hyphens)",
    ),
    (
        "key too long",
        MINIMAL + '[[municipality.areas]]\nkey = "' + "a" * 25 + '"\nname = "Zuid"\n',
        "municipality.areas[0].key: '"
        + "a" * 25
        + "' does not match ^[a-z0-9-]{1,24}$ (lowercase a-z, digits, hyphens)",
    ),
    (
        "key empty",
        MINIMAL + '[[municipality.areas]]\nkey = ""\nname = "Zuid"\n',
        "municipality.areas[0].key: '' does not match ^[a-z0-9-]{1,24}$ "
        "(lowercase a-z, digits, hyphens)",
    ),
    (
        "key as a number",
        MINIMAL + '[[municipality.areas]]\nkey = 7\nname = "Zuid"\n',
        "municipality.areas[0].key: expected a string, got 7",
    ),
    (
        "slug too long",
        MINIMAL + '[[municipality.areas]]\nname = "Oosterbeek en Wolfheze en Omstreken"\n',
        "municipality.areas[0].name: key 'oosterbeek-en-wolfheze-en-omstreken' made from the "
        "name is longer than 24 characters; set key",
    ),
    (
        "slug too long for a neighbourhood name",
        MINIMAL
        + '[[municipality.areas]]\nname = "Zuid"\n'
        + 'villages = [{ name = "Dorp", neighbourhoods = ["Buurt Achter De Oude Kerk"] }]\n',
        "municipality.areas[0].villages[0].neighbourhoods[0]: key 'buurt-achter-de-oude-kerk' "
        'made from the name is longer than 24 characters; write it as { key = "...", '
        'name = "Buurt Achter De Oude Kerk" }',
    ),
    (
        "name without letters or digits",
        MINIMAL + '[[municipality.areas]]\nname = "???"\n',
        "municipality.areas[0].name: cannot make a key from '???'; set key",
    ),
    (
        "area key equals a village key",
        MINIMAL + '[[municipality.areas]]\nname = "Renkum"\nvillages = [{ name = "Renkum" }]\n',
        "municipality.areas[0].villages[0].name: duplicate place key 'renkum' "
        "(also municipality.areas[0].name); set key",
    ),
    (
        "same neighbourhood name in two villages",
        MINIMAL
        + '[[municipality.areas]]\nname = "Zuid"\nvillages = [\n'
        + '  { name = "Renkum", neighbourhoods = ["Centrum"] },\n'
        + '  { name = "Heelsum", neighbourhoods = ["Centrum"] },\n]\n',
        "municipality.areas[0].villages[1].neighbourhoods[0]: duplicate place key 'centrum' "
        "(also municipality.areas[0].villages[0].neighbourhoods[0]); "
        'write it as { key = "...", name = "Centrum" }',
    ),
    (
        "explicit key used twice across areas",
        MINIMAL
        + '[[municipality.areas]]\nkey = "noord"\nname = "Noord"\n'
        + '[[municipality.areas]]\nname = "Zuid"\nvillages = [{ key = "noord", name = "Hof" }]\n',
        "municipality.areas[1].villages[0].key: duplicate place key 'noord' "
        "(also municipality.areas[0].key)",
    ),
    (
        "areas as a single table",
        MINIMAL + '[municipality.areas]\nname = "Zuid"\n',
        "municipality.areas: expected an array, got a table",
    ),
    (
        "unknown key in municipality",
        MINIMAL + "gebieden = []\n",
        "municipality.gebieden: unknown key (known: name, timezone, areas, calendar_domain)",
    ),
]


@pytest.mark.parametrize(
    ("text", "expected"), [(t, e) for _, t, e in ERRORS], ids=[i for i, _, _ in ERRORS]
)
def test_error_is_one_line_naming_the_key(tmp_path: Path, text: str, expected: str) -> None:
    assert error_of(tmp_path, text) == expected


def test_errors_from_parse_config_too(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(
            {"municipality": {"name": "R"}, "roles": {"admins": [True]}}, base_dir=tmp_path
        )
    assert str(caught.value) == "roles.admins[0]: expected an integer user id, got true"


def test_config_error_is_always_one_line() -> None:
    assert str(ConfigError("a\nb\r\nc")) == "a b c"


# --- keys made from names ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Heelsum-Noord", "heelsum-noord"),
        ("Oosterbeek Laag", "oosterbeek-laag"),
        ("Mariëndaal", "mariendaal"),
        ("Café  de Hôtel ", "cafe-de-hotel"),
        ("Doorwerth en Heveadorp", "doorwerth-en-heveadorp"),
        ("'s-Heerenberg", "s-heerenberg"),
        ("Jan's Hoeve", "jans-hoeve"),
        ("Buurt 3 / 4", "buurt-3-4"),
        ("Straße", "strasse"),
        ("--Zuid--", "zuid"),
        ("???", ""),
    ],
)
def test_slugify(name: str, key: str) -> None:
    assert slugify(name) == key


def test_keys_are_made_from_names(tmp_path: Path) -> None:
    m = load(tmp_path, RENKUM).municipality
    assert m.village("oosterbeek") == Village(
        "oosterbeek",
        "Oosterbeek",
        (
            Neighbourhood("oosterbeek-laag", "Oosterbeek Laag"),
            Neighbourhood("mariendaal", "Mariëndaal"),
        ),
    )
    assert m.village("wolfheze") == Village("wolfheze", "Wolfheze")
    assert m.neighbourhood("heelsum-noord") == Neighbourhood("heelsum-noord", "Heelsum-Noord")


def test_explicit_keys_win(tmp_path: Path) -> None:
    m = load(
        tmp_path,
        MINIMAL
        + '[[municipality.areas]]\nname = "Renkum en Heelsum"\nvillages = [\n'
        + '  { key = "rnk", name = "Renkum", neighbourhoods = [\n'
        + '    { key = "rnk-c", name = "Centrum" }] },\n'
        + '  { name = "Heelsum", neighbourhoods = [{ name = "Centrum" }] },\n]\n',
    ).municipality
    assert m.area("renkum-en-heelsum") is not None
    assert m.village("rnk") == Village("rnk", "Renkum", (Neighbourhood("rnk-c", "Centrum"),))
    assert m.neighbourhood("centrum") == Neighbourhood("centrum", "Centrum")


def test_names_are_trimmed(tmp_path: Path) -> None:
    m = load(tmp_path, '[municipality]\nname = " Renkum "\n').municipality
    assert m.name == "Renkum"


# --- places -----------------------------------------------------------------------------------


@pytest.fixture
def renkum(tmp_path: Path) -> Municipality:
    return load(tmp_path, RENKUM).municipality


def test_lookups(renkum: Municipality) -> None:
    assert renkum.area("oosterbeek-wolfheze") == renkum.areas[1]
    assert renkum.area("oosterbeek") is None
    assert renkum.village("heveadorp") == Village("heveadorp", "Heveadorp")
    assert renkum.village("doorwerth-heveadorp") is None
    assert renkum.neighbourhood("kasteelweg") == Neighbourhood("kasteelweg", "Kasteelweg")
    assert renkum.neighbourhood("nowhere") is None
    area_ = renkum.area_of_village("wolfheze")
    assert isinstance(area_, Area)
    assert area_.key == "oosterbeek-wolfheze"
    assert renkum.area_of_village("kasteelweg") is None
    parent = renkum.village_of_neighbourhood("mariendaal")
    assert parent is not None
    assert parent.key == "oosterbeek"
    assert renkum.village_of_neighbourhood("oosterbeek") is None


def test_place_name(renkum: Municipality) -> None:
    assert renkum.place_name(MUNICIPALITY) == "Renkum"
    assert renkum.place_name(area("renkum-heelsum")) == "Renkum en Heelsum"
    assert renkum.place_name(village("heelsum")) == "Heelsum"
    assert renkum.place_name(hood("mariendaal")) == "Mariëndaal"
    # A place removed from the config since a theme was stored still renders.
    assert renkum.place_name(village("gone")) == "gone"


def test_places_of_a_resident(renkum: Municipality) -> None:
    assert renkum.places_of(None, None) == {MUNICIPALITY}
    assert renkum.places_of("heelsum", None) == {
        MUNICIPALITY,
        area("renkum-heelsum"),
        village("heelsum"),
    }
    assert renkum.places_of("heelsum", "heelsum-noord") == {
        MUNICIPALITY,
        area("renkum-heelsum"),
        village("heelsum"),
        hood("heelsum-noord"),
    }


def test_places_of_with_only_a_neighbourhood(renkum: Municipality) -> None:
    assert renkum.places_of(None, "kasteelweg") == {
        MUNICIPALITY,
        area("doorwerth-heveadorp"),
        village("doorwerth"),
        hood("kasteelweg"),
    }


def test_places_of_ignores_a_neighbourhood_of_another_village(renkum: Municipality) -> None:
    assert renkum.places_of("renkum", "kasteelweg") == {
        MUNICIPALITY,
        area("renkum-heelsum"),
        village("renkum"),
    }


def test_places_of_ignores_unknown_keys(renkum: Municipality) -> None:
    assert renkum.places_of("gone", None) == {MUNICIPALITY}
    assert renkum.places_of("heelsum", "gone") == {
        MUNICIPALITY,
        area("renkum-heelsum"),
        village("heelsum"),
    }
    assert renkum.places_of("gone", "heelsum-noord") == {
        MUNICIPALITY,
        area("renkum-heelsum"),
        village("heelsum"),
        hood("heelsum-noord"),
    }


def test_places_in_area(renkum: Municipality) -> None:
    assert renkum.places_in_area("oosterbeek-wolfheze") == {
        area("oosterbeek-wolfheze"),
        village("oosterbeek"),
        village("wolfheze"),
        hood("oosterbeek-laag"),
        hood("mariendaal"),
    }
    assert MUNICIPALITY not in renkum.places_in_area("renkum-heelsum")
    assert renkum.places_in_area("heelsum") == frozenset()


def test_an_ambassador_acts_where_residents_live(renkum: Municipality) -> None:
    mine = renkum.places_in_area("doorwerth-heveadorp")
    resident = renkum.places_of("doorwerth", "kasteelweg")
    assert resident - {MUNICIPALITY} <= mine
    assert not renkum.places_of("heelsum", "heelsum-noord") & mine


def test_municipality_is_hashable_and_comparable(renkum: Municipality, tmp_path: Path) -> None:
    renkum.area("renkum-heelsum")  # fills the lookup cache
    again = load(tmp_path, RENKUM).municipality
    assert renkum == again
    assert hash(renkum) == hash(again)


def test_flood_limits_are_checked(tmp_path: Path) -> None:
    config = parse_config(
        tomllib.loads(MINIMAL + "[flood]\nupdates = 5\nchat_rate = 2\nchat_burst = 4\n"),
        base_dir=tmp_path,
    )
    assert config.flood == FloodConfig(updates=5, chat_rate=2.0, chat_burst=4)
    assert error_of(tmp_path, MINIMAL + "[flood]\nchat_rate = 0\n") == (
        "flood.chat_rate: must be more than 0 and at most 1000000, got 0"
    )
    assert error_of(tmp_path, MINIMAL + "[flood]\nupdates = 0\n") == (
        "flood.updates: must be between 1 and 1000000, got 0"
    )


def test_calendar_domain_names_this_installation(tmp_path: Path) -> None:
    assert load(tmp_path, MINIMAL).municipality.calendar_host == "renkum.buurtbot"
    domain = MINIMAL + 'calendar_domain = "dorpsgesprek.example.nl"\n'
    assert load(tmp_path, domain).municipality.calendar_host == "dorpsgesprek.example.nl"
    with pytest.raises(ConfigError, match="calendar_domain"):
        load(tmp_path, MINIMAL + 'calendar_domain = "a b"\n')


def test_paid_broadcast_is_read_with_its_own_rate(tmp_path: Path) -> None:
    """Paid broadcasts may go at Telegram's 1,000 a second; the normal rate stays under 30."""
    text = MINIMAL + "[delivery]\npaid_broadcast = true\npaid_rate_per_second = 1000\n"
    config = load(tmp_path, text)
    assert config.delivery.paid_broadcast is True
    assert config.delivery.paid_rate_per_second == 1000.0
    assert config.delivery.rate_per_second == 25.0
