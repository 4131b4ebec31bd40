"""Mail to me: send an exported report to the acting user's own address.

The message goes through the organisation's SMTP settings (password from the keyring or the
environment). A failure never loses anything: the caller has already written the file, and the
error says plainly that the report was NOT sent. The network call happens outside any database
transaction, so a slow mail server (up to 15 s) never holds a write lock that blocks colleagues;
the audit event is written in its own short transaction once the server has accepted the message.
"""

from __future__ import annotations

import re
import smtplib
import socket
import ssl
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from sqlalchemy import select

from .. import credentials
from ..data import models as m
from ..domain.validation import Form
from ..errors import ConfigError, TektoroError
from ..exports.filenames import safe_filename
from .base import Actor, ServiceBase

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TIMEOUT_SECONDS = 15.0
DEFAULT_SUBJECT = "TekToro report"
MAX_SUBJECT = 200
_MIME_TYPE = re.compile(r"[\w.+-]+/[\w.+-]+")
_NOT_SENT = "The report was NOT sent: {reason}. Nothing was lost: the exported file is kept. "
_ADVICE = "Check the mail settings (or ask an administrator) and try again."


class MailError(TektoroError):
    """The mail server could not be reached or refused the message; nothing was sent."""

    title = "Mail not sent"


@dataclass(frozen=True)
class MailReceipt:
    """What was sent, to whom: shown to the user after "Mail to me"."""

    recipient: str
    subject: str
    attachment_name: str
    size: int


@dataclass(frozen=True)
class SmtpSettings:
    """The organisation's SMTP settings as one send needs them."""

    host: str
    port: int
    security: str
    username: str
    password: str | None
    sender: str
    organisation: str


@dataclass(frozen=True)
class _Mail:
    """One message to send: envelope, subject, text and the attachment."""

    sender: str
    recipient: str
    subject: str
    body: str
    attachment_name: str
    attachment: bytes
    mime_type: str


class MailService(ServiceBase):
    """Send reports to the acting user's own e-mail address."""

    def send_to_self(
        self,
        actor: Actor,
        *,
        subject: str,
        body: str,
        attachment_name: str,
        attachment: bytes,
        mime_type: str = XLSX_MIME,
    ) -> MailReceipt:
        """Mail ``attachment`` to ``actor``'s own address with ``body`` as a short summary.

        Raises:
            ConfigError: SMTP is not set up, or the user has no e-mail address.
            ValidationError: the attachment has no name.
            MailError: the server could not be reached or refused the message.
        """
        _check_attachment(attachment_name)
        settings, recipient = self._settings_for(actor)
        mail = _Mail(
            sender=settings.sender or recipient,
            recipient=recipient,
            subject=_clean_subject(subject),
            body=body,
            attachment_name=_attachment_filename(attachment_name),
            attachment=bytes(attachment),
            mime_type=mime_type,
        )
        deliver(settings, self._message(mail, settings))
        receipt = MailReceipt(recipient, mail.subject, mail.attachment_name, len(mail.attachment))
        self._audit_sent(actor, receipt)
        return receipt

    def smtp_settings(self, actor: Actor) -> SmtpSettings | None:
        """The organisation's SMTP settings (with the password), or None when mail is not set up.

        Lets a caller say "no SMTP configured" without trying to send.
        """
        with self._read(actor) as session:
            org = session.get(m.Organisation, 1)
            if org is None or not org.smtp_host.strip():
                return None
            settings = _settings_of(org)
        return _with_stored_password(settings)

    def send_to(
        self,
        actor: Actor,
        *,
        recipient: str,
        subject: str,
        body: str,
        attachment_name: str,
        attachment: bytes,
        mime_type: str = "application/pdf",
        settings: SmtpSettings | None = None,
    ) -> MailReceipt:
        """Mail ``attachment`` to someone else (a client, a contractor) on the firm's behalf.

        Uses the organisation's SMTP settings (``settings`` when the caller has read them
        already with :meth:`smtp_settings`) and delivery like :meth:`send_to_self`; the network
        call happens outside any database transaction, and the send is audited.

        Raises:
            ConfigError: SMTP is not set up or ``recipient`` is blank.
            ValidationError: the attachment has no name.
            MailError: the server could not be reached or refused the message (the message
                is the reason, in words).
        """
        _check_attachment(attachment_name)
        settings = settings or self.smtp_settings(actor)
        if settings is None:
            raise ConfigError(
                "Mail is not set up: an administrator has to enter the SMTP server under Settings.",
                title="Mail not set up",
            )
        address = recipient.strip()
        if not address:
            raise ConfigError("There is no e-mail address to send to.", title="No e-mail address")
        mail = _Mail(
            sender=settings.sender or address,
            recipient=address,
            subject=_clean_subject(subject),
            body=body,
            attachment_name=_attachment_filename(attachment_name),
            attachment=bytes(attachment),
            mime_type=mime_type,
        )
        message = self._message(mail, settings, _outgoing_body_text(mail, settings.organisation))
        try:
            _send(settings, message)
        except (smtplib.SMTPException, OSError) as exc:
            raise MailError(_failure_reason(exc, settings)) from exc
        receipt = MailReceipt(address, mail.subject, mail.attachment_name, len(mail.attachment))
        self._audit_sent(actor, receipt)
        return receipt

    def _settings_for(self, actor: Actor) -> tuple[SmtpSettings, str]:
        """The SMTP settings and the actor's address; ConfigError when either is missing."""
        with self._read(actor) as session:
            org = session.get(m.Organisation, 1)
            email = session.execute(
                select(m.UserAccount.email).where(m.UserAccount.id == actor.user_id)
            ).scalar_one_or_none()
            if org is None or not org.smtp_host.strip():
                raise ConfigError(
                    "Mail is not set up: an administrator has to enter the SMTP server under "
                    "Settings. The report was not sent; the exported file is kept.",
                    title="Mail not set up",
                )
            settings = _settings_of(org)
        if not (email or "").strip():
            raise ConfigError(
                "Your account has no e-mail address, so there is nowhere to send the report. "
                "Ask an administrator to add one. The exported file is kept.",
                title="No e-mail address",
            )
        return _with_stored_password(settings), str(email).strip()

    def _message(
        self, mail: _Mail, settings: SmtpSettings, text: str | None = None
    ) -> EmailMessage:
        """The e-mail: headers, the summary text (``text`` when given) and the attachment."""
        message = EmailMessage()
        message["From"] = mail.sender
        message["To"] = mail.recipient
        message["Subject"] = mail.subject
        message["Date"] = format_datetime(self.clock.now())
        message["Message-ID"] = make_msgid(domain=_domain_of(mail.sender))
        message.set_content(text if text is not None else _body_text(mail, settings.organisation))
        maintype, subtype = _mime_parts(mail.mime_type)
        message.add_attachment(
            mail.attachment, maintype=maintype, subtype=subtype, filename=mail.attachment_name
        )
        return message

    def _audit_sent(self, actor: Actor, receipt: MailReceipt) -> None:
        """Record the send (recipient, subject, attachment; never the body)."""
        with self._write(actor) as uow:
            uow.audit(
                "mail.sent",
                "user",
                actor.user_id,
                None,
                {
                    "recipient": receipt.recipient,
                    "subject": receipt.subject,
                    "attachment": receipt.attachment_name,
                    "size": receipt.size,
                },
            )


def deliver(settings: SmtpSettings, message: EmailMessage) -> None:
    """Hand ``message`` to the SMTP server; any network or protocol failure is a MailError."""
    try:
        _send(settings, message)
    except (smtplib.SMTPException, OSError) as exc:
        reason = _failure_reason(exc, settings)
        raise MailError(_NOT_SENT.format(reason=reason) + _ADVICE) from exc


def send_notice(
    settings: SmtpSettings, *, recipient: str, subject: str, body: str, sent_at: datetime
) -> None:
    """Send a short plain-text message (no attachment) on the firm's behalf.

    For notices such as "your invoice was paid" to a contractor. The caller sends it outside
    any database transaction. Raises MailError whose message is the reason in words.
    """
    address = recipient.strip()
    sender = settings.sender or address
    message = EmailMessage()
    message["From"] = sender
    message["To"] = address
    message["Subject"] = _clean_subject(subject)
    message["Date"] = format_datetime(sent_at)
    message["Message-ID"] = make_msgid(domain=_domain_of(sender))
    message.set_content(f"{body.strip()}\n\n-- \n{settings.organisation}\n")
    try:
        _send(settings, message)
    except (smtplib.SMTPException, OSError) as exc:
        raise MailError(_failure_reason(exc, settings)) from exc


def _send(settings: SmtpSettings, message: EmailMessage) -> None:
    """Connect (plain, STARTTLS or SSL), log in when a password is known, and send."""
    context = ssl.create_default_context()
    client: smtplib.SMTP
    if settings.security == "ssl":
        client = smtplib.SMTP_SSL(
            settings.host, settings.port, timeout=TIMEOUT_SECONDS, context=context
        )
    else:
        client = smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT_SECONDS)
    with client:
        client.ehlo()
        if settings.security == "starttls":
            client.starttls(context=context)
            client.ehlo()
        if settings.username and settings.password:
            client.login(settings.username, settings.password)
        client.send_message(message)


def _failure_reason(exc: BaseException, settings: SmtpSettings) -> str:
    """What went wrong, in words a bookkeeper can pass on to whoever runs the mail server."""
    where = f"{settings.host}:{settings.port}"
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return f"the mail server {where} refused the user name or password"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return f"the mail server {where} refused the address {', '.join(exc.recipients)}"
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return f"the mail server {where} does not support what is needed ({exc})"
    if isinstance(exc, smtplib.SMTPResponseException):
        error = exc.smtp_error
        text = error.decode("utf-8", "replace") if isinstance(error, bytes) else str(error)
        return f"the mail server {where} refused the message ({exc.smtp_code} {text})"
    if isinstance(exc, ConnectionRefusedError):
        return f"nothing answered at {where}"
    if isinstance(exc, TimeoutError | socket.timeout):
        return f"the mail server {where} did not answer within {TIMEOUT_SECONDS:.0f} seconds"
    if isinstance(exc, socket.gaierror):
        return f"the mail server name {settings.host!r} could not be found"
    if isinstance(exc, ssl.SSLError):
        return f"the secure connection to {where} failed ({exc.reason or exc})"
    return f"the mail server {where} could not be used ({exc})"


# --- message parts --------------------------------------------------------------------------


def _check_attachment(name: str) -> None:
    """Refuse an attachment without a name."""
    form = Form()
    if not name.strip():
        form.add("attachment_name", "is required (the file name the attachment gets)")
    form.raise_if_any()


def _settings_of(org: m.Organisation) -> SmtpSettings:
    """The organisation's SMTP settings as stored (the password is kept apart)."""
    return SmtpSettings(
        host=org.smtp_host.strip(),
        port=org.smtp_port,
        security=org.smtp_security,
        username=org.smtp_username.strip(),
        password=None,
        sender=(org.smtp_sender or org.email).strip(),
        organisation=org.name,
    )


def _with_stored_password(settings: SmtpSettings) -> SmtpSettings:
    """``settings`` with the SMTP password from the credential store (when a user is set)."""
    username, host = settings.username, settings.host
    password = credentials.smtp_password(username, host) if username else None
    return _with_password(settings, password)


def _with_password(settings: SmtpSettings, password: str | None) -> SmtpSettings:
    """A copy of ``settings`` holding the password (kept out of the database session)."""
    return SmtpSettings(
        settings.host,
        settings.port,
        settings.security,
        settings.username,
        password,
        settings.sender,
        settings.organisation,
    )


def _clean_subject(subject: str) -> str:
    """One line, at most 200 characters; a default when blank (no header injection)."""
    single = " ".join(subject.split())[:MAX_SUBJECT]
    return single or DEFAULT_SUBJECT


def _attachment_filename(name: str) -> str:
    """A safe file name for the attachment, keeping its extension."""
    return safe_filename(name.strip())


def _mime_parts(mime_type: str) -> tuple[str, str]:
    """("application", "pdf") from "application/pdf"; octet-stream for anything malformed."""
    if not _MIME_TYPE.fullmatch(mime_type.strip()):
        return "application", "octet-stream"
    maintype, subtype = mime_type.strip().lower().split("/", 1)
    return maintype, subtype


def _domain_of(address: str) -> str:
    """The domain of an address, for the Message-ID (no slow host-name lookup)."""
    domain = address.rpartition("@")[2].strip(" >")
    return domain or "tektoro.local"


def _size_text(size: int) -> str:
    """A file size as people read it: "512 bytes", "12.3 KB", "1.4 MB"."""
    if size < 1024:
        return f"{size} bytes"
    unit, scale = ("KB", 1024) if size < 1024 * 1024 else ("MB", 1024 * 1024)
    whole, tenth = divmod(size * 10 // scale, 10)
    return f"{whole}.{tenth} {unit}"


def _body_text(mail: _Mail, organisation: str) -> str:
    """The summary the caller wrote, the attachment's name and size, and who sent it."""
    summary = mail.body.strip() or mail.subject
    return (
        f"{summary}\n\n"
        f"Attached: {mail.attachment_name} ({_size_text(len(mail.attachment))}).\n\n"
        f"-- \nSent by TekToro TUI for {organisation} at your request ({mail.recipient}).\n"
    )


def _outgoing_body_text(mail: _Mail, organisation: str) -> str:
    """The text of a message to someone outside the user's own mailbox: the caller's text,
    the attachment's name and size, and which firm sent it."""
    summary = mail.body.strip() or mail.subject
    return (
        f"{summary}\n\n"
        f"Attached: {mail.attachment_name} ({_size_text(len(mail.attachment))}).\n\n"
        f"-- \n{organisation}\n"
    )
