"""Mail backends: SMTP in production, ``.eml`` files under ``instance/outbox/`` otherwise."""

import os
import re
import smtplib
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import current_app
from markupsafe import escape


def html_from_text(subject: str, text: str) -> str:
    """A plain HTML rendering of a text message (escaped; paragraphs and links kept)."""
    paragraphs = []
    for block in text.split("\n\n"):
        line = escape(block).replace("\n", "<br>")
        line = re.sub(r"(https?://[^\s<]+)", r'<a href="\1">\1</a>', line)
        paragraphs.append(f"<p>{line}</p>")
    return (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
            f"<title>{escape(subject)}</title></head>"
            f'<body style="font-family: sans-serif; line-height: 1.6">'
            f'<h2 style="color: #9e1016">{escape(subject)}</h2>{"".join(paragraphs)}'
            f'<p style="color: #888">通通在 · 崇川区在职党员“双报到”</p></body></html>')


def build_message(to: str, subject: str, text: str, html: str | None = None) -> EmailMessage:
    """A UTF-8 message with a plain-text part and an HTML alternative."""
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = to
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="tongtong.local")
    message.set_content(text)
    message.add_alternative(html or html_from_text(subject, text), subtype="html")
    return message


class FileBackend:
    """Writes each message as an ``.eml`` file (development and tests)."""

    def __init__(self, folder: Path):
        self.folder = folder

    def send(self, message: EmailMessage) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = message["Message-ID"].strip("<>").replace("@", "_").replace("/", "_")
        partial = self.folder / f".{name}.tmp"
        partial.write_bytes(bytes(message))
        os.replace(partial, self.folder / f"{name}.eml")


class SMTPBackend:
    """Sends through the configured SMTP server."""

    def __init__(self, config):
        self.config = config

    def send(self, message: EmailMessage) -> None:
        cfg = self.config
        with smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=20) as smtp:
            if cfg.get("MAIL_USE_TLS"):
                smtp.starttls()
            if cfg.get("MAIL_USERNAME"):
                smtp.login(cfg["MAIL_USERNAME"], cfg.get("MAIL_PASSWORD") or "")
            smtp.send_message(message)


def get_backend():
    """The backend the configuration names: SMTP when MAIL_SERVER is set, else files."""
    backend = current_app.extensions.get("volunteer.mail_backend")
    if backend is not None:
        return backend
    if current_app.config.get("MAIL_SERVER"):
        return SMTPBackend(current_app.config)
    return FileBackend(Path(current_app.instance_path) / "outbox")
