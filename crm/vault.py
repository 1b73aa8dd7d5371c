"""CRM secrets at rest: Fernet (AES-128-CBC with HMAC-SHA256) under ``CRM_SECRET_KEY``.

Only ciphertext and the last four characters (for display as ``…abcd``) are stored. Without a key the bot
refuses to connect a CRM rather than store a secret in the clear.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken

from domain.errors import UserError

TAIL = 4


def generate_key() -> str:
    return Fernet.generate_key().decode()


def is_valid_key(key: str) -> bool:
    try:
        Fernet(key.encode())
    except (ValueError, TypeError):
        return False
    return True


class Vault:
    def __init__(self, key: str | None) -> None:
        self._fernet = Fernet(key.encode()) if key else None

    @property
    def ready(self) -> bool:
        return self._fernet is not None

    def _require(self) -> Fernet:
        if self._fernet is None:
            raise UserError("crm-no-key")
        return self._fernet

    def encrypt(self, secret: str) -> str:
        return self._require().encrypt(secret.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._require().decrypt(token.encode()).decode()
        except InvalidToken:
            raise UserError("crm-key-mismatch") from None


def tail(secret: str) -> str:
    """What may be shown of a secret: its last four characters."""
    return secret[-TAIL:] if len(secret) > 2 * TAIL else ""
