"""Subject access: a ZIP of everything held about a person, built by a queued job from what each feature declares
(core.features.PersonalData), kept 24 hours and downloadable only by that person with the link emailed to them."""

import io
import json
import zipfile
from datetime import date, datetime, timedelta
from decimal import Decimal

from flask import url_for
from sqlalchemy import delete, select, update

from ..accounts.models import User
from ..core import audit
from ..core.clock import utcnow
from ..core.errors import DomainError
from ..core.features import personal_data
from ..core.mail import send_email
from ..core.queue import enqueue
from ..core.spreadsheets import csv_text
from ..core.states import stamp_once
from ..core.tokens import hash_token, new_token
from ..extensions import db
from .models import PersonalDataExport

EXPORT_HOURS = 24
EVERYTHING = "your-data.json"


class LinkExpired(DomainError):
    """The person's own link, more than 24 hours old: they can ask again."""


def request_export(user: User) -> PersonalDataExport:
    """Ask for your data: a queued job builds it and emails the link (a request still being prepared is reused)."""
    since = utcnow() - timedelta(hours=EXPORT_HOURS)
    waiting = select(PersonalDataExport).where(
        PersonalDataExport.user_id == user.id,
        PersonalDataExport.prepared_at.is_(None),
        PersonalDataExport.created_at > since,
    )
    export = db.session.scalar(waiting.limit(1))
    if export is not None:
        return export
    export = PersonalDataExport(user_id=user.id)
    db.session.add(export)
    db.session.flush()
    audit.record("personal_data.export_requested", obj=export, actor=user)
    enqueue(prepare_export, export.id)
    return export


def latest_export(user: User) -> PersonalDataExport | None:
    """The person's newest request still being prepared or not yet expired (for their account page)."""
    since = utcnow() - timedelta(hours=EXPORT_HOURS)
    query = select(PersonalDataExport).where(
        PersonalDataExport.user_id == user.id, PersonalDataExport.created_at > since
    )
    return db.session.scalar(query.order_by(PersonalDataExport.id.desc()).limit(1))


def prepare_export(export_id: int) -> None:
    """Job: build the ZIP once, keep it 24 hours from now and email its link (a retried or second run does nothing)."""
    export = db.session.get(PersonalDataExport, export_id)
    now = utcnow()
    if export is None or not stamp_once(PersonalDataExport, export_id, "prepared_at", now):
        return
    user = db.session.get(User, export.user_id)
    token, token_hash = new_token()
    expires_at = now + timedelta(hours=EXPORT_HOURS)
    ready = {"content": build_zip(user, now), "token_hash": token_hash, "expires_at": expires_at}
    db.session.execute(update(PersonalDataExport).where(PersonalDataExport.id == export_id).values(ready))
    link = url_for("privacy.show_export", token=token, _external=True)
    send_email(user.email, "personal_data_ready", user=user, link=link, hours=EXPORT_HOURS, expires_at=expires_at)
    db.session.commit()


def collect(user: User) -> dict[str, list[dict]]:
    """Every feature's tables about the person, by table name (two features may not give the same name)."""
    tables: dict[str, list[dict]] = {}
    for source in personal_data():
        for name, rows in source.export(user).items():
            if name in tables:
                raise ValueError(f"Two features export a table called {name}")
            tables[name] = list(rows)
    return tables


def build_zip(user: User, now: datetime) -> bytes:
    """The ZIP: everything in one JSON file, and each table as a CSV file a spreadsheet opens."""
    tables = collect(user)
    everything = {"prepared_at": now, "about": "Everything Backstop holds about you", **tables}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(EVERYTHING, json.dumps(everything, default=_plain, indent=2, ensure_ascii=False))
        for name, rows in tables.items():
            header = list(dict.fromkeys(key for row in rows for key in row))
            lines = ([_cell(row.get(key)) for key in header] for row in rows)
            archive.writestr(f"{name}.csv", csv_text(header, lines))
    return buffer.getvalue()


def _plain(value):
    """Dates and times as ISO 8601, amounts as written."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} cannot go into the export")


def _cell(value):
    """A CSV cell: nested details as JSON, dates as ISO 8601."""
    if isinstance(value, dict | list):
        return json.dumps(value, default=_plain, ensure_ascii=False)
    return _plain(value) if isinstance(value, datetime | date | Decimal) else value


def export_for(user, token: str) -> PersonalDataExport | None:
    """The person's own prepared export behind a link; None if the link is not theirs or not real; LinkExpired."""
    query = select(PersonalDataExport).where(
        PersonalDataExport.token_hash == hash_token(token or ""), PersonalDataExport.user_id == user.id
    )
    export = db.session.scalar(query)
    if export is not None and export.expires_at <= utcnow():
        raise LinkExpired("This link has expired. Links to your data work for 24 hours: ask for your data again")
    return export


def download(export: PersonalDataExport, user) -> bytes:
    """The ZIP's bytes; every download is audited."""
    audit.record("personal_data.downloaded", obj=export, actor=user)
    return export.content


def forget_exports(user, pseudonym) -> None:
    """Closing the account: the person's exports go at once (the ZIPs hold what closing removes)."""
    db.session.execute(delete(PersonalDataExport).where(PersonalDataExport.user_id == user.id))


def purge_expired_exports(now: datetime) -> int:
    """Retention: delete exports whose link expired, and requests never prepared within 24 hours; how many."""
    old = now - timedelta(hours=EXPORT_HOURS)
    query = delete(PersonalDataExport).where(
        (PersonalDataExport.expires_at <= now)
        | (PersonalDataExport.prepared_at.is_(None) & (PersonalDataExport.created_at <= old))
    )
    return db.session.execute(query).rowcount or 0
