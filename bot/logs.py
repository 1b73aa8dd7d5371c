"""Logging: one line a record, and the bot token never appears (request URLs carry it)."""

from __future__ import annotations

import logging
import sys


class RedactFilter(logging.Filter):
    """Replaces every occurrence of the secrets in a record's final text, library loggers included."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        redacted = self._redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_text:
            record.exc_text = self._redact(record.exc_text)
        return True

    def _redact(self, text: str) -> str:
        for secret in self.secrets:
            # the bot token is id:secret; anything else (the webhook secret) is one opaque string
            label = "<token>" if ":" in secret else "<secret>"
            text = text.replace(secret, label)
            # the numeric id before the colon is public; the secret part after it is not
            tail = secret.partition(":")[2]
            if tail:
                text = text.replace(tail, label)
        return text


def setup_logging(level: str, secrets: list[str]) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactFilter(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
