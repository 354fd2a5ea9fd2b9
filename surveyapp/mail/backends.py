"""Where mail goes: an SMTP server (one connection per batch) or a folder of `.eml` files (development)."""

from __future__ import annotations

import os
import smtplib
import ssl
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from surveyapp.mail.models import MailKind

SECURITY_MODES = ("none", "starttls", "ssl")
BACKENDS = ("file", "smtp")


class DeliveryError(Exception):
    """Sending failed. `permanent`: retrying cannot help (a 5xx reply, an invalid recipient).
    `connection_lost`: the connection is unusable afterwards, so the sender must open a new one."""

    def __init__(self, reason: str, *, permanent: bool, connection_lost: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason[:2000]
        self.permanent = permanent
        self.connection_lost = connection_lost


class ConnectError(Exception):
    """The backend cannot be reached at all (server down, login refused, folder not writable).

    Nothing was sent.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason[:2000]


class Envelope(Protocol):
    """What a backend needs to know about a message besides its content."""

    id: int
    kind: MailKind
    sender: str
    recipient: str
    created_at: datetime


class Connection(Protocol):
    def send(self, message: Envelope, content: bytes) -> None: ...

    def close(self) -> None: ...


class Backend(Protocol):
    name: str

    def open(self) -> Connection: ...


def _reply_text(code: int, reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return f"{code} {' '.join(text.split())}"


def _by_code(code: int, reply: bytes | str, *, what: str) -> DeliveryError:
    # 5xx is a permanent refusal, 4xx a temporary one (RFC 5321 4.2.1); anything else is treated as temporary.
    return DeliveryError(f"{what}: {_reply_text(code, reply)}", permanent=500 <= code < 600)


class SmtpConnection:
    def __init__(self, smtp: smtplib.SMTP) -> None:
        self.smtp = smtp

    def send(self, message: Envelope, content: bytes) -> None:
        try:
            self.smtp.sendmail(message.sender, [message.recipient], content)
        except smtplib.SMTPRecipientsRefused as exc:
            code, reply = next(iter(exc.recipients.values()), (450, b"recipient refused"))
            raise _by_code(code, reply, what="recipient refused") from None
        except smtplib.SMTPSenderRefused as exc:
            raise _by_code(exc.smtp_code, exc.smtp_error, what="sender refused") from None
        except smtplib.SMTPDataError as exc:
            raise _by_code(exc.smtp_code, exc.smtp_error, what="message refused") from None
        except smtplib.SMTPServerDisconnected as exc:
            raise DeliveryError(
                f"connection lost: {exc or 'the server closed the connection'}",
                permanent=False,
                connection_lost=True,
            ) from None
        except smtplib.SMTPResponseException as exc:
            error = _by_code(exc.smtp_code, exc.smtp_error, what="server replied")
            error.connection_lost = exc.smtp_code == 421
            raise error from None
        except smtplib.SMTPNotSupportedError as exc:
            raise DeliveryError(f"not supported by the server: {exc}", permanent=True) from None
        except smtplib.SMTPException as exc:
            raise DeliveryError(f"SMTP error: {exc}", permanent=False, connection_lost=True) from None
        except OSError as exc:  # timeouts and resets (SMTPException is an OSError too: it is handled above)
            raise DeliveryError(
                f"connection lost: {exc.__class__.__name__} {exc}".strip(),
                permanent=False,
                connection_lost=True,
            ) from None

    def close(self) -> None:
        try:
            self.smtp.quit()
        except (smtplib.SMTPException, OSError):
            self.smtp.close()


@dataclass(frozen=True, slots=True)
class SmtpBackend:
    host: str
    port: int
    security: str = "none"
    user: str | None = None
    password: str | None = None
    timeout: float = 30.0
    ca_file: str | None = None
    name: str = "smtp"

    def _tls_context(self) -> ssl.SSLContext:
        return (
            ssl.create_default_context(cafile=self.ca_file) if self.ca_file else ssl.create_default_context()
        )

    def open(self) -> SmtpConnection:
        smtp: smtplib.SMTP | None = None
        try:
            if self.security == "ssl":
                smtp = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=self.timeout, context=self._tls_context()
                )
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            smtp.ehlo()
            if self.security == "starttls":
                smtp.starttls(context=self._tls_context())
                smtp.ehlo()
            if self.user:
                smtp.login(self.user, self.password or "")
        except smtplib.SMTPAuthenticationError as exc:
            self._discard(smtp)
            raise ConnectError(f"SMTP login refused: {_reply_text(exc.smtp_code, exc.smtp_error)}") from None
        except smtplib.SMTPNotSupportedError as exc:
            self._discard(smtp)
            raise ConnectError(f"SMTP server {self.host}:{self.port}: {exc}") from None
        except (smtplib.SMTPException, OSError) as exc:
            self._discard(smtp)
            detail = str(exc) or exc.__class__.__name__
            raise ConnectError(f"cannot reach SMTP server {self.host}:{self.port}: {detail}") from None
        return SmtpConnection(smtp)

    @staticmethod
    def _discard(smtp: smtplib.SMTP | None) -> None:
        if smtp is not None:
            smtp.close()


class FileConnection:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @staticmethod
    def filename(message: Envelope) -> str:
        # Stable per message: delivering it again overwrites the same file instead of adding a second one.
        return f"{message.created_at:%Y%m%d-%H%M%S}-{message.id:06d}-{message.kind.value}.eml"

    def send(self, message: Envelope, content: bytes) -> None:
        target = self.folder / self.filename(message)
        try:
            handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".writing-", suffix=".eml")
            with os.fdopen(handle, "wb") as stream:
                stream.write(content)
            os.replace(temporary, target)
        except OSError as exc:
            raise DeliveryError(f"cannot write {target}: {exc.strerror or exc}", permanent=False) from None

    def close(self) -> None:
        return None


@dataclass(frozen=True, slots=True)
class FileBackend:
    folder: Path
    name: str = "file"

    def open(self) -> FileConnection:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConnectError(
                f"cannot create the outbox folder {self.folder}: {exc.strerror or exc}"
            ) from None
        if not os.access(self.folder, os.W_OK):
            raise ConnectError(f"the outbox folder {self.folder} is not writable")
        return FileConnection(self.folder)


def backend_from_config(config: Mapping[str, Any]) -> Backend:
    """The backend the settings choose (validated by `surveyapp.config`)."""
    if config["MAIL_BACKEND"] == "smtp":
        return SmtpBackend(
            host=str(config["SMTP_HOST"]),
            port=int(config["SMTP_PORT"]),
            security=str(config["SMTP_SECURITY"]),
            user=config.get("SMTP_USER") or None,
            password=config.get("SMTP_PASSWORD") or None,
            timeout=float(config["SMTP_TIMEOUT"]),
            ca_file=config.get("SMTP_CA_FILE") or None,
        )
    return FileBackend(folder=Path(config["MAIL_OUTBOX_DIR"]))
