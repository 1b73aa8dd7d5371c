"""An aiogram session that talks to an in-process :class:`Emulator`, without HTTP."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncGenerator
from typing import TYPE_CHECKING, Any, cast

from aiogram.client.session.base import BaseSession
from aiogram.exceptions import TelegramNetworkError
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import InputFile

from botapi_emulator.models import Upload
from botapi_emulator.state import Emulator

if TYPE_CHECKING:
    from aiogram import Bot

_FILE_URL = re.compile(r"/file/bot[^/]+/(?P<path>.+)$")


class EmulatorSession(BaseSession):
    """Serializes methods exactly as ``AiohttpSession`` does (same fields, same strings, ``attach://``
    uploads) and hands them to the emulator; errors become aiogram's own exception types."""

    def __init__(self, emulator: Emulator, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.emulator = emulator

    async def build_params(
        self, bot: Bot, method: TelegramMethod[TelegramType]
    ) -> tuple[dict[str, str], dict[str, Upload]]:
        """The form fields and files ``AiohttpSession.build_form_data`` would send."""
        params: dict[str, str] = {}
        files: dict[str, InputFile] = {}
        for key, value in method.model_dump(warnings=False).items():
            prepared = self.prepare_value(value, bot=bot, files=files)
            if not prepared:
                continue
            params[key] = prepared
        uploads = {}
        for key, input_file in files.items():
            data = b"".join([chunk async for chunk in input_file.read(bot)])
            uploads[key] = Upload(data, input_file.filename or key, "application/octet-stream")
        return params, uploads

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109
    ) -> TelegramType:
        params, uploads = await self.build_params(bot, method)
        try:
            async with asyncio.timeout(self.timeout if timeout is None else timeout):
                reply = await self.emulator.dispatch(bot.token, method.__api_method__, params, uploads)
                if reply.delay:
                    await asyncio.sleep(reply.delay)
        except TimeoutError as error:
            raise TelegramNetworkError(method=method, message="Request timeout error") from error
        response = self.check_response(
            bot=bot, method=method, status_code=reply.status, content=self.json_dumps(reply.body)
        )
        return cast(TelegramType, response.result)

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,  # noqa: ASYNC109
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        """File downloads (``bot.download``) straight from the emulator's stored files."""
        match = _FILE_URL.search(url)
        stored = self.emulator.file_by_path(match["path"]) if match else None
        if stored is None:
            raise FileNotFoundError(url)
        for start in range(0, len(stored.data), chunk_size):
            yield stored.data[start : start + chunk_size]

    async def close(self) -> None:
        """Nothing to release."""
