"""What /mijngegevens hands a resident: a summary to read, per purpose, and a portable JSON.

Both are made from the full export storage gives (`Repository.export_resident`), and both
leave out what is only the bot's own bookkeeping: the step a chat is at, raw Telegram
updates waiting to be handled, internal ids and codes, Telegram's file ids. What a person
said, chose, shared and was sent stays, with place names instead of config keys and a
moderator's reason in words beside its code.
"""

from __future__ import annotations

import json
from typing import Any

from bot.core.config import Municipality
from bot.core.i18n import Html, plain, t
from storage.models import PlaceKind, PlaceRef

JSON_FILE = "buurtbot-mijn-gegevens.json"
# A note or message in the summary is cut here; the JSON keeps every word.
SUMMARY_WORDS = 200


def portable(data: dict[str, Any], municipality: Municipality, lang: str) -> dict[str, Any]:
    """The export as another program can read it: the person's data, none of the bot's."""
    resident = data.get("resident")
    return {
        "exported_at": data.get("exported_at"),
        "resident": None
        if resident is None
        else {
            "user_id": resident["user_id"],
            "language": resident["language"],
            "village": _place(municipality, PlaceKind.VILLAGE, resident["village_key"]),
            "neighbourhood": _place(
                municipality, PlaceKind.NEIGHBOURHOOD, resident["neighbourhood_key"]
            ),
            "created_at": resident["created_at"],
            "last_seen_at": resident["last_seen_at"],
        },
        "consents": [
            {"purpose": c["purpose"], "granted": c["granted"], "updated_at": c["updated_at"]}
            for c in data.get("consents", [])
        ],
        "phone": data.get("phone"),
        "phone_updated_at": data.get("phone_updated_at"),
        "notes": [_note(note, lang) for note in data.get("notes", [])],
        "reports": [
            {
                "reason": r["reason"],
                "reason_text": plain(lang, f"report.reason_{r['reason']}"),
                "created_at": r["created_at"],
                "handled_at": r["handled_at"],
            }
            for r in data.get("reports", [])
        ],
        "tables": [
            {
                "table": m["table_title"],
                "status": m["status"],
                "commitment": m["commitment"],
                "how": m["how"],
                "first_name_shown": m["first_name_shown"],
                "joined_at": m["joined_at"],
            }
            for m in data.get("tables", [])
        ],
        "tables_initiated": [
            {"table": row["title"], "initiator_name": row["initiator_name"]}
            for row in data.get("tables_initiated", [])
        ],
        "moment_answers": [
            {
                "moment": a["moment_title"],
                "starts_at": a["starts_at"],
                "coming": a["coming"],
                "updated_at": a["updated_at"],
            }
            for a in data.get("moment_answers", [])
        ],
        "themes_created": [
            {"title": row["title"], "created_at": row["created_at"]}
            for row in data.get("themes_created", [])
        ],
        "roles": [
            {
                "role": g["role"],
                "area": _place(municipality, PlaceKind.AREA, g["area_key"]),
                "granted_at": g["granted_at"],
                "revoked_at": g["revoked_at"],
            }
            for g in data.get("roles", [])
        ],
        "messages": [
            {
                "text": m["text"],
                "buttons": m["buttons"],
                "status": m["status"],
                "due_at": m["due_at"],
                "updated_at": m["updated_at"],
            }
            for m in data.get("messages", [])
        ],
    }


def portable_json(data: dict[str, Any]) -> bytes:
    """The portable export as a UTF-8 file."""
    return json.dumps(data, ensure_ascii=False, indent=2, default=str).encode("utf-8")


def _place(municipality: Municipality, kind: PlaceKind, key: str | None) -> str | None:
    return municipality.place_name(PlaceRef(kind, key)) if key else None


def _note(note: dict[str, Any], lang: str) -> dict[str, Any]:
    return {
        "theme": note["theme_title"],
        "quadrant": note["quadrant"],
        "kind": note["kind"],
        "text": note["text"],
        "status": note["status"],
        "created_at": note["created_at"],
        "updated_at": note["updated_at"],
        "moderation": [
            {
                "decision": d["decision"],
                "reason": d["reason"],
                "reason_text": plain(lang, f"moderation.reason_{d['reason']}")
                if d["reason"]
                else None,
                "at": d["at"],
            }
            for d in note.get("moderation", [])
        ],
    }


def summary(data: dict[str, Any], lang: str) -> Html:
    """The portable export in words, one part per purpose; a part with nothing in it is left out."""
    parts: list[str] = [t(lang, "mydata.title")]
    resident = data["resident"]
    if resident is not None:
        parts.append(
            t(
                lang,
                "mydata.answer",
                user_id=str(resident["user_id"]),
                tongue=_lang(lang, resident),
            )
        )
        parts.append(_where(lang, resident))
    consents = {c["purpose"]: c["granted"] for c in data["consents"]}
    parts.append(
        t(
            lang,
            "mydata.choices",
            news=_yes_no(lang, consents.get("theme_news", False)),
            contact=_yes_no(lang, consents.get("contact", False)),
            name=_yes_no(lang, consents.get("show_name", False)),
        )
        + "\n"
        + t(lang, "follow.mydata_line", follow=_yes_no(lang, consents.get("follow_up", False)))
    )
    if data["phone"]:
        parts.append(t(lang, "mydata.phone", phone=data["phone"]))
    if data["notes"]:
        lines = [t(lang, "mydata.notes", count=len(data["notes"]))]
        for note in data["notes"]:
            lines.append(_note_line(lang, note))
            lines.extend(
                t(lang, "mydata.hidden_because", reason=d["reason_text"])
                for d in note["moderation"]
                if d["decision"] == "hide" and d["reason_text"]
            )
        parts.append("\n".join(lines))
    if data["tables"] or data["moment_answers"]:
        lines = [t(lang, "mydata.tables")]
        lines.extend(t(lang, "mydata.item", text=m["table"]) for m in data["tables"])
        for answer in data["moment_answers"]:
            key = "mydata.moment_coming" if answer["coming"] else "mydata.moment_not_coming"
            lines.append(t(lang, key, title=answer["moment"]))
        parts.append("\n".join(lines))
    if data["reports"]:
        parts.append(t(lang, "mydata.reports", count=len(data["reports"])))
    if data["roles"] or data["themes_created"]:
        lines = [t(lang, "mydata.work")]
        for grant in data["roles"]:
            if grant["revoked_at"] is None:
                role = plain(lang, f"roles.{grant['role']}")
                lines.append(t(lang, "mydata.item", text=_with_area(role, grant["area"])))
        lines.extend(t(lang, "mydata.item", text=row["title"]) for row in data["themes_created"])
        parts.append("\n".join(lines))
    if data["messages"]:
        parts.append(t(lang, "mydata.messages", count=len(data["messages"])))
    parts.append(t(lang, "mydata.footer"))
    return Html("\n\n".join(parts))


def _lang(lang: str, resident: dict[str, Any]) -> str:
    return plain(lang, "language.dutch" if resident["language"] == "nl" else "language.english")


def _where(lang: str, resident: dict[str, Any]) -> Html:
    if resident["village"] is None:
        return t(lang, "mydata.where_none")
    if resident["neighbourhood"] is None:
        return t(lang, "mydata.where", place=resident["village"])
    place = f"{resident['neighbourhood']}, {resident['village']}"
    return t(lang, "mydata.where", place=place)


def _yes_no(lang: str, value: bool) -> str:
    return plain(lang, "mine.on" if value else "mine.off")


def _with_area(role: str, area: str | None) -> str:
    return f"{role}, {area}" if area else role


def _note_line(lang: str, note: dict[str, Any]) -> Html:
    quadrant = note["quadrant"]
    words = note["text"] or plain(
        lang, "board.voice_note" if note["kind"] == "voice" else "board.photo_note"
    )
    status = {"pending": "mine.status_pending", "hidden": "mine.status_hidden"}.get(note["status"])
    return t(
        lang,
        "mydata.note",
        quadrant=plain(lang, f"quadrant.{quadrant}" if quadrant else "mine.no_quadrant"),
        theme=note["theme"],
        status=plain(lang, status) if status else "",
        text=_cut(words),
    )


def _cut(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= SUMMARY_WORDS else line[: SUMMARY_WORDS - 1].rstrip() + "…"
