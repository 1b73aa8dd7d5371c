"""OAuth 2 against the fakes over HTTP: the code exchanged, the access token refreshed before it expires
and on a 401, the rotated refresh token stored (the old one refused by the CRM), two processes refreshing
at once making one refresh, and a refused refresh told to the head once as a revoked secret."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from crm.amocrm import AmoCrm
from crm.base import CrmAuthError, ProviderKind
from crm.bitrix24 import Bitrix24
from crm.http import Transport
from crm.limiter import SlidingWindow
from crm.live import NOTICE, CrmLive
from crm.oauth import OAUTH, MemoryTokenStore, OAuthSession, TokenEndpoint, TokenSet, endpoint_of
from crm.service import OAuthGrant, chat_secret, connect, open_provider
from crm.vault import Vault, generate_key
from crm_fakes.amocrm import FakeAmoCrm
from crm_fakes.bitrix24 import FakeBitrix24
from domain.errors import UserError
from storage.models import CrmConnection, Outbox
from storage.repo import Repo
from tests.crm.conftest import Clock, make_team

CLIENT_ID, CLIENT_SECRET = "5c1c0f2a-7d3e-4b8a-9f61-0e2d4c6b8a10", "oauth-client-secret-Xk29LmQ7"
REDIRECT = "https://bot.example.com/oauth"


def _quick() -> Transport:
    return Transport(SlidingWindow(50, 1.0), attempts=2, base_delay=0.05, timeout=5)


def _amo_endpoint(amo: FakeAmoCrm, clock: Clock) -> TokenEndpoint:
    url = endpoint_of(ProviderKind.AMOCRM, amo.url)
    return TokenEndpoint(ProviderKind.AMOCRM, url, transport=_quick(), clock=clock.timestamp)


async def _amo_session(amo: FakeAmoCrm, clock: Clock) -> tuple[OAuthSession, MemoryTokenStore]:
    endpoint = _amo_endpoint(amo, clock)
    code = amo.oauth.add_client(CLIENT_ID, CLIENT_SECRET, REDIRECT)
    store = MemoryTokenStore(await endpoint.exchange(CLIENT_ID, CLIENT_SECRET, code, REDIRECT))
    tokens = store.tokens
    return OAuthSession(tokens, 0, store, endpoint, clock=clock.timestamp), store


async def test_amocrm_code_exchange_gives_a_day_long_pair_and_a_code_works_once(
    amo: FakeAmoCrm, clock: Clock
) -> None:
    code = amo.oauth.add_client(CLIENT_ID, CLIENT_SECRET, REDIRECT)
    endpoint = _amo_endpoint(amo, clock)
    try:
        tokens = await endpoint.exchange(CLIENT_ID, CLIENT_SECRET, code, REDIRECT)
        assert tokens.access_token and tokens.refresh_token and tokens.access_token != tokens.refresh_token
        assert tokens.expires_at == clock.timestamp() + 86400
        assert TokenSet.from_json(tokens.to_json()) == tokens
        with pytest.raises(CrmAuthError, match="invalid_grant"):  # a code is used once
            await endpoint.exchange(CLIENT_ID, CLIENT_SECRET, code, REDIRECT)
        with pytest.raises(CrmAuthError, match="invalid_client"):
            await endpoint.exchange(CLIENT_ID, "wrong-secret", amo.oauth.issue_code(CLIENT_ID), REDIRECT)
        # the refusals name the error, never the secrets sent
        assert amo.oauth.refused == {"invalid_grant": 1, "invalid_client": 1}
    finally:
        await endpoint.close()


async def test_amocrm_refreshes_before_expiry_and_the_old_refresh_token_stops_working(
    amo: FakeAmoCrm, clock: Clock
) -> None:
    session, store = await _amo_session(amo, clock)
    client = AmoCrm(amo.url, session, transport=_quick())
    try:
        first = store.tokens
        await client.users()
        assert amo.oauth.granted["refresh_token"] == 0
        clock.advance(hours=23, minutes=52)  # within the 10 minutes before expiry
        await client.users()
        assert amo.oauth.granted["refresh_token"] == 1
        assert 401 not in [s for _, _, s in amo.log]  # refreshed before, not after a refusal
        assert store.version == 1 and store.tokens.refresh_token != first.refresh_token
        with pytest.raises(CrmAuthError, match="invalid_grant"):  # rotated: the old one is spent
            await session.endpoint.refresh(first)
    finally:
        await client.close()


async def test_amocrm_refreshes_on_a_401_and_tries_once_more(amo: FakeAmoCrm, clock: Clock) -> None:
    session, store = await _amo_session(amo, clock)
    client = AmoCrm(amo.url, session, transport=_quick())
    try:
        amo.add_user("Анна Смирнова")
        amo.oauth.expire()  # the CRM ends the token before the client expected
        assert [u.name for u in await client.users()] == ["Анна Смирнова"]
        assert [s for _, path, s in amo.log if path == "/api/v4/users"][:2] == [401, 200]
        assert amo.oauth.granted["refresh_token"] == 1 and store.version == 1
        amo.oauth.revoke()  # uninstalled: the refresh is refused, the call fails as a revoked secret
        with pytest.raises(CrmAuthError):
            await client.users()
        assert amo.oauth.refused == {"invalid_grant": 1}
    finally:
        await client.close()


async def test_bitrix24_app_calls_carry_auth_and_expired_token_refreshes_invalid_token_does_not(
    b24: FakeBitrix24, clock: Clock
) -> None:
    code = b24.oauth.add_client("local.6667fc928a50a9.70414732", CLIENT_SECRET)
    endpoint = TokenEndpoint(
        ProviderKind.BITRIX24,
        endpoint_of(ProviderKind.BITRIX24, "", b24.oauth_server),
        transport=_quick(),
        clock=clock.timestamp,
    )
    tokens = await endpoint.exchange("local.6667fc928a50a9.70414732", CLIENT_SECRET, code)
    assert tokens.client_endpoint == b24.client_endpoint and tokens.expires_at == clock.timestamp() + 3600
    store = MemoryTokenStore(tokens)
    session = OAuthSession(tokens, 0, store, endpoint, clock=clock.timestamp)
    client = Bitrix24(tokens.client_endpoint, session, transport=_quick())
    try:
        b24.add_user("Анна", "Смирнова")
        assert [u.name for u in await client.users()] == ["Анна Смирнова"]
        b24.oauth.expire()
        assert len(await client.users()) == 1
        assert [s for _, s in b24.log] == [200, 401, 200]
        assert b24.oauth.granted["refresh_token"] == 1
        # Bitrix24 ends the old access token with the refresh: the first pair is dead
        assert b24.oauth.check(tokens.access_token).value == "invalid"
        b24.oauth.revoke()
        with pytest.raises(CrmAuthError, match="invalid_token"):
            await client.users()
        assert b24.oauth.granted["refresh_token"] == 1 and not b24.oauth.refused  # no refresh tried
    finally:
        await client.close()


# ---------------------------------------------------------------------- stored in the database


@pytest.fixture
def vault() -> Vault:
    return Vault(generate_key())


async def _amo_connected(pool, amo: FakeAmoCrm, clock: Clock, vault: Vault):  # type: ignore[no-untyped-def]
    team = await make_team(pool)
    code = amo.oauth.add_client(CLIENT_ID, CLIENT_SECRET, REDIRECT)
    grant = OAuthGrant(CLIENT_ID, CLIENT_SECRET, code, REDIRECT)
    await connect(pool, vault, team.team_id, ProviderKind.AMOCRM, amo.url, grant, clock)
    return team


async def _row(pool, team_id: int) -> CrmConnection:  # type: ignore[no-untyped-def]
    async with pool() as session:
        conn = await Repo(session).crm.connection(team_id)
    assert conn is not None
    return conn


async def test_connect_by_oauth_stores_the_token_set_encrypted_and_a_refresh_persists_the_rotation(
    session_pool, amo: FakeAmoCrm, clock: Clock, vault: Vault
) -> None:
    team = await _amo_connected(session_pool, amo, clock, vault)
    conn = await _row(session_pool, team.team_id)
    stored = TokenSet.from_json(vault.decrypt(conn.secret_enc))
    assert conn.auth == OAUTH and conn.secret_tail == CLIENT_SECRET[-4:]
    for secret in (stored.access_token, stored.refresh_token, CLIENT_SECRET):
        assert secret not in conn.secret_enc
    version = conn.secret_version

    provider = open_provider(conn, vault, session_pool)
    try:
        amo.oauth.expire()
        await provider.users()
    finally:
        await provider.close()
    conn = await _row(session_pool, team.team_id)
    rotated = TokenSet.from_json(vault.decrypt(conn.secret_enc))
    assert conn.secret_version == version + 1
    assert rotated.refresh_token != stored.refresh_token and rotated.access_token != stored.access_token
    # a new process reads the rotated set and works without another refresh
    provider = open_provider(conn, vault, session_pool)
    try:
        await provider.users()
    finally:
        await provider.close()
    assert amo.oauth.granted["refresh_token"] == 1


async def test_two_processes_refreshing_at_once_make_one_refresh(
    session_pool, amo: FakeAmoCrm, clock: Clock, vault: Vault
) -> None:
    team = await _amo_connected(session_pool, amo, clock, vault)
    conn = await _row(session_pool, team.team_id)
    first, second = open_provider(conn, vault, session_pool), open_provider(conn, vault, session_pool)
    try:
        amo.oauth.expire()
        amo.oauth.delay = 0.5  # the first refresh is still under way when the second process wants one
        await asyncio.gather(first.users(), second.users())
        assert amo.oauth.granted["refresh_token"] == 1 and not amo.oauth.refused
        assert isinstance(first, AmoCrm) and isinstance(second, AmoCrm)
        assert await first.auth.token() == await second.auth.token()
    finally:
        await first.close()
        await second.close()
    assert (await _row(session_pool, team.team_id)).secret_version == conn.secret_version + 1


async def test_bitrix24_a_process_holding_a_superseded_token_adopts_the_stored_one(
    session_pool, b24: FakeBitrix24, clock: Clock, vault: Vault
) -> None:
    team = await make_team(session_pool)
    code = b24.oauth.add_client("local.app.1", CLIENT_SECRET)
    grant = OAuthGrant("local.app.1", CLIENT_SECRET, code, server=b24.oauth_server)
    await connect(session_pool, vault, team.team_id, ProviderKind.BITRIX24, b24.server.url, grant, clock)
    conn = await _row(session_pool, team.team_id)
    assert conn.address == b24.server.url
    first, second = open_provider(conn, vault, session_pool), open_provider(conn, vault, session_pool)
    try:
        b24.oauth.expire()
        await first.users()  # expired_token → refreshed; Bitrix24 ends the old access token
        await second.users()  # invalid_token for the old one → the stored set adopted, no refresh
        assert b24.oauth.granted["refresh_token"] == 1 and not b24.oauth.refused
    finally:
        await first.close()
        await second.close()


async def test_bitrix24_an_application_of_another_portal_is_refused(
    session_pool, b24: FakeBitrix24, clock: Clock, vault: Vault
) -> None:
    team = await make_team(session_pool)
    grant = OAuthGrant("local.app.1", CLIENT_SECRET, b24.oauth.add_client("local.app.1", CLIENT_SECRET))
    grant = OAuthGrant(grant.client_id, grant.client_secret, grant.code, server=b24.oauth_server)
    with pytest.raises(UserError) as refused:
        await connect(
            session_pool,
            vault,
            team.team_id,
            ProviderKind.BITRIX24,
            "https://other.bitrix24.ru",
            grant,
            clock,
        )
    assert refused.value.code == "crm-bad-address"
    async with session_pool() as session:
        assert await Repo(session).crm.connection(team.team_id) is None


async def test_a_refused_refresh_is_the_revoked_secret_told_once(
    session_pool, amo: FakeAmoCrm, clock: Clock, vault: Vault
) -> None:
    team = await _amo_connected(session_pool, amo, clock, vault)
    live = CrmLive(session_pool, vault, clock, lambda key, **_: key)
    assert await live.run_once(team.team_id) is not None
    amo.oauth.expire()
    amo.oauth.revoke()
    for _ in range(2):
        assert await live.run_once(team.team_id) is None
        clock.advance(minutes=5)
    async with session_pool() as session:
        notices = (await session.scalars(select(Outbox).where(Outbox.kind == NOTICE))).all()
    assert [n.member_id for n in notices] == [team.head_id]
    conn = await _row(session_pool, team.team_id)
    assert (conn.down_kind, conn.down_told) == ("revoked", True)
    assert amo.oauth.refused == {"invalid_grant": 2}  # each sync tried once, none twice


def test_what_the_head_pastes_in_the_chat_is_a_token_a_webhook_or_four_oauth_lines() -> None:
    amo, b24 = ProviderKind.AMOCRM, ProviderKind.BITRIX24
    assert chat_secret(amo, "https://x.amocrm.ru", "  tok-123 \n") == ("https://x.amocrm.ru", "tok-123")
    hook = "https://x.bitrix24.ru/rest/1/abc/"
    assert chat_secret(b24, "", hook) == (hook, hook)
    lines = "\n".join(("cid", "csecret", "", "https://bot.example.com/oauth", "def502code"))
    assert chat_secret(amo, "https://x.amocrm.ru", lines) == (
        "https://x.amocrm.ru",
        OAuthGrant("cid", "csecret", "def502code", "https://bot.example.com/oauth"),
    )
    assert chat_secret(b24, "", "https://x.bitrix24.ru\nlocal.1\nsecret\ncode") == (
        "https://x.bitrix24.ru",
        OAuthGrant("local.1", "secret", "code"),
    )
    for kind, text in ((amo, "cid\ncsecret"), (b24, "a\nb\nc"), (amo, ""), (b24, "1\n2\n3\n4\n5")):
        with pytest.raises(UserError) as refused:
            chat_secret(kind, "", text)
        assert refused.value.code == f"crm-oauth-lines-{kind.value}"
