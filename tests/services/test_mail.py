"""Mail to me: a report reaches the user's own address through a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import email
import io
import json
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

import openpyxl
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from sqlalchemy import func, select
from sqlmodel import col

from tektoro_tui.data import models as m
from tektoro_tui.domain.money import Money
from tektoro_tui.errors import ConfigError, ValidationError
from tektoro_tui.exports.model import Column, Table
from tektoro_tui.exports.tables import table_to_xlsx_bytes
from tektoro_tui.services.administration.users import UserForm
from tektoro_tui.services.base import Actor
from tektoro_tui.services.hub import Services
from tektoro_tui.services.mail import MailError, MailService

SENDER = "reports@northwind.example"


@dataclass
class Mailbox:
    """An aiosmtpd handler that keeps what it receives, or refuses every message."""

    refuse: bool = False
    received: list[tuple[str, list[str], bytes]] = field(default_factory=list)
    logins: list[tuple[bytes, bytes]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        """Store the message (or refuse it like a full mailbox)."""
        if self.refuse:
            return "554 5.7.1 Message rejected by policy"
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        """Accept only the password "s3cret"."""
        self.logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"s3cret", handled=False)


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def mailbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Mailbox, int]]:
    """A real SMTP server on 127.0.0.1 (plain, AUTH offered without TLS) and its port."""
    monkeypatch.delenv("TEKTORO_SMTP_PASSWORD", raising=False)
    box = Mailbox()
    port = free_port()
    controller = Controller(
        box,
        hostname="127.0.0.1",
        port=port,
        authenticator=box.authenticate,
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


def configure_smtp(services: Services, admin: Actor, port: int, **extra: str) -> None:
    """Point the organisation's SMTP settings at the test server."""
    form = services.settings.form_for(services.settings.get(admin))
    values = {
        "smtp_host": "127.0.0.1",
        "smtp_port": str(port),
        "smtp_security": "none",
        "smtp_sender": SENDER,
        "smtp_username": "",
    }
    values.update(extra)
    services.settings.update(admin, replace(form, **values))


def report_xlsx() -> bytes:
    """A small time report as XLSX."""
    table = Table(
        "Time report",
        (
            Column("Date", "date"),
            Column("Person"),
            Column("Hours", "hours"),
            Column("Value", "money"),
        ),
        rows=((date(2026, 3, 2), "Łukasz Wróbel", 90, Money(14_250, "EUR")),),
        totals=("Total", "", 90, Money(14_250, "EUR")),
    )
    return table_to_xlsx_bytes(table)


def send(services: Services, actor: Actor, data: bytes | None = None) -> Any:
    """Mail the time report to ``actor``."""
    return MailService(services.db, services.clock).send_to_self(
        actor,
        subject="Time report March 2026",
        body="Time report, 1 entry, 1:30 h, 142.50 EUR.",
        attachment_name="time-report-2026-03.xlsx",
        attachment=report_xlsx() if data is None else data,
    )


def audit_count(services: Services) -> int:
    """How many audit events exist."""
    with services.db.read() as session:
        return int(session.execute(select(func.count()).select_from(m.AuditEvent)).scalar_one())


def test_report_reaches_the_users_own_address_with_the_xlsx(
    services: Services, admin: Actor, mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    configure_smtp(services, admin, port)
    data = report_xlsx()
    receipt = send(services, admin, data)
    assert receipt.recipient.lower() == "owner@example.com"
    assert receipt.attachment_name == "time-report-2026-03.xlsx" and receipt.size == len(data)
    assert len(box.received) == 1 and box.logins == []
    mail_from, rcpt_tos, raw = box.received[0]
    assert mail_from == SENDER and [r.lower() for r in rcpt_tos] == ["owner@example.com"]
    message = email.message_from_bytes(raw, policy=default_policy)
    assert isinstance(message, EmailMessage)
    assert message["Subject"] == "Time report March 2026"
    assert message["To"].lower() == "owner@example.com" and message["From"] == SENDER
    body = message.get_body(preferencelist=("plain",))
    assert body is not None and "142.50 EUR" in body.get_content()
    attachments = list(message.iter_attachments())
    assert [a.get_filename() for a in attachments] == ["time-report-2026-03.xlsx"]
    assert attachments[0].get_content_type() == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    payload = attachments[0].get_content()
    assert payload == data
    sheet = openpyxl.load_workbook(io.BytesIO(payload)).active
    assert sheet["B4"].value == "Łukasz Wróbel" and sheet["C4"].data_type == "n"


def test_the_send_is_audited_without_the_body(
    services: Services, admin: Actor, mailbox: tuple[Mailbox, int]
) -> None:
    configure_smtp(services, admin, mailbox[1])
    send(services, admin)
    with services.db.read() as session:
        event = session.execute(
            select(m.AuditEvent).where(col(m.AuditEvent.action) == "mail.sent")
        ).scalar_one()
    after = json.loads(event.after_json)
    assert after["recipient"].lower() == "owner@example.com"
    assert after["subject"] == "Time report March 2026"
    assert event.actor_id == admin.user_id
    assert "142.50" not in event.after_json


def test_a_refusing_server_is_a_mail_error_and_nothing_is_recorded(
    services: Services, admin: Actor, mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    configure_smtp(services, admin, port)
    box.refuse = True
    before = audit_count(services)
    with pytest.raises(MailError) as caught:
        send(services, admin)
    assert "NOT sent" in caught.value.message and "Nothing was lost" in caught.value.message
    assert "554" in caught.value.message
    assert box.received == [] and audit_count(services) == before


def test_an_unreachable_server_is_a_mail_error(services: Services, admin: Actor) -> None:
    configure_smtp(services, admin, free_port())
    before = audit_count(services)
    with pytest.raises(MailError) as caught:
        send(services, admin)
    assert "NOT sent" in caught.value.message and "nothing answered" in caught.value.message
    assert audit_count(services) == before


def test_login_uses_the_stored_password_and_a_wrong_one_is_refused(
    services: Services,
    admin: Actor,
    mailbox: tuple[Mailbox, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    box, port = mailbox
    configure_smtp(services, admin, port, smtp_username="reports")
    monkeypatch.setenv("TEKTORO_SMTP_PASSWORD", "wrong")
    with pytest.raises(MailError, match="refused the user name or password"):
        send(services, admin)
    assert box.received == []
    monkeypatch.setenv("TEKTORO_SMTP_PASSWORD", "s3cret")
    send(services, admin)
    assert box.logins[-1] == (b"reports", b"s3cret") and len(box.received) == 1


def test_without_an_smtp_host_mail_is_refused_as_not_set_up(
    services: Services, admin: Actor
) -> None:
    before = audit_count(services)
    with pytest.raises(ConfigError, match="Mail is not set up"):
        send(services, admin)
    assert audit_count(services) == before


def test_a_user_without_an_email_address_is_refused(
    services: Services, admin: Actor, mailbox: tuple[Mailbox, int]
) -> None:
    configure_smtp(services, admin, mailbox[1])
    crew = services.users.create_user(admin, UserForm(name="Cody Crew", email=""))
    actor = Actor(user_id=crew.id, email="", name=crew.name, role=crew.role)
    with pytest.raises(ConfigError, match="no e-mail address"):
        send(services, actor)
    assert mailbox[0].received == []


def test_an_attachment_needs_a_name(services: Services, admin: Actor) -> None:
    with pytest.raises(ValidationError) as caught:
        MailService(services.db, services.clock).send_to_self(
            admin, subject="x", body="y", attachment_name="  ", attachment=b"data"
        )
    assert [p.field for p in caught.value.problems] == ["attachment_name"]
