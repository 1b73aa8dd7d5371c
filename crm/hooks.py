"""The per-team webhook path secret of ``POST /crm/{provider}/{secret}`` and Bitrix24's application_token.

Generated at connect; stored as its SHA-256 (what a webhook is looked up by) and encrypted (so ``crm
status`` can show the address to paste into the CRM). Never logged.
"""

from __future__ import annotations

import hashlib
import secrets
from urllib.parse import urlsplit

from crm.vault import Vault
from domain.errors import UserError
from storage.repo import Repo


def hook_url(public_url: str | None, webhook_url: str | None, provider: str, secret: str) -> str | None:
    """The address to paste into the CRM: ``CRM_PUBLIC_URL`` (its path kept: a proxy's prefix) or else the
    origin of ``WEBHOOK_URL``, then ``/crm/{provider}/{secret}``; None when neither is an http(s) URL."""
    for base, keep_path in ((public_url, True), (webhook_url, False)):
        parts = urlsplit((base or "").strip())
        if parts.scheme in ("http", "https") and parts.netloc:
            prefix = parts.path.rstrip("/") if keep_path else ""
            return f"{parts.scheme}://{parts.netloc}{prefix}/crm/{provider}/{secret}"
    return None


def hook_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def ensure_hook(repo: Repo, team_id: int, vault: Vault) -> str | None:
    """The team's webhook path secret, generated on first use; None without a connection or a key.

    A stored secret that no longer decrypts (``CRM_SECRET_KEY`` changed) is replaced by a new one: the old
    webhook address stops working and the card shows the new address to paste into the CRM."""
    conn = await repo.crm.connection(team_id)
    if conn is None or not vault.ready:
        return None
    if conn.hook_enc:
        try:
            return vault.decrypt(conn.hook_enc)
        except UserError:
            pass  # encrypted under an older key: issue a fresh secret below
    secret = secrets.token_urlsafe(24)
    conn.hook_hash, conn.hook_enc = hook_hash(secret), vault.encrypt(secret)
    await repo.session.flush()
    return secret


async def set_application_token(repo: Repo, team_id: int, vault: Vault, token: str) -> bool:
    """Store the Bitrix24 outbound handler's ``application_token`` (encrypted)."""
    conn = await repo.crm.connection(team_id)
    if conn is None or not token.strip():
        return False
    conn.hook_token_enc = vault.encrypt(token.strip())
    return True
