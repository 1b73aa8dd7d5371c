"""After ``CRM_SECRET_KEY`` changes the /crm card still opens (with its buttons) and reconnecting works:
the webhook secret that no longer decrypts is replaced by a new one."""

from __future__ import annotations

from pydantic import SecretStr

from crm.base import ProviderKind
from crm.hooks import hook_hash
from crm.service import connect_in
from crm.vault import Vault, generate_key
from crm_fakes.amocrm import FakeAmoCrm
from storage.repo import Repo
from tests.crm import test_chat
from tests.crm.conftest import AMO_TOKEN
from tests.crm.test_chat import NOW, ChatWorld, _amo_people, _connect_amo

world, amo = test_chat.world, test_chat.amo  # the fixtures
PUBLIC = "https://bot.example.com/sales"


async def test_the_card_opens_after_the_key_changed(world: ChatWorld, amo: FakeAmoCrm) -> None:
    _amo_people(amo)
    assert "CRM подключена" in await _connect_amo(world, amo)
    before = await world.connection()
    assert before is not None and before.hook_enc and before.hook_hash

    key = generate_key()  # the operator rotated CRM_SECRET_KEY
    data = world.app.dp.workflow_data
    data["settings"] = data["settings"].model_copy(
        update={"crm_secret_key": SecretStr(key), "crm_public_url": PUBLIC}
    )
    card = (await world.speaker(world.head).send("/crm")).messages[-1]
    assert "не расшифровывается" not in card.plain_text
    names = [b["text"] for b in card.buttons]
    assert "Отключить" in names
    after = await world.connection()
    assert after is not None and after.hook_enc and after.hook_hash != before.hook_hash
    secret = Vault(key).decrypt(after.hook_enc)
    assert after.hook_hash == hook_hash(secret)
    assert f"{PUBLIC}/crm/amocrm/{secret}" in card.plain_text  # the new address, the old one is gone


async def test_reconnect_after_the_key_changed(world: ChatWorld, amo: FakeAmoCrm) -> None:
    _amo_people(amo)
    assert "CRM подключена" in await _connect_amo(world, amo)
    before = await world.connection()
    assert before is not None
    vault = Vault(generate_key())
    async with world.pool() as s, s.begin():
        summary = await connect_in(
            Repo(s), vault, world.team.id, ProviderKind.AMOCRM, amo.url, AMO_TOKEN, NOW
        )
    assert summary.users == 3
    after = await world.connection()
    assert after is not None and after.hook_enc and after.hook_hash != before.hook_hash
    assert vault.decrypt(after.secret_enc) == AMO_TOKEN
    assert hook_hash(vault.decrypt(after.hook_enc)) == after.hook_hash
