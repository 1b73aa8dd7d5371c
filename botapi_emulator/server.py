"""The emulator over HTTP: the Bot API at ``/bot<token>/<method>``, files at ``/file/bot<token>/<path>``,
and a control API under ``/_emulator/`` for driving a standalone emulator.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import web

from botapi_emulator.limits import Fault, RateLimits
from botapi_emulator.models import EmulatorError, Upload
from botapi_emulator.state import Emulator, dumps

log = logging.getLogger(__name__)

MAX_UPLOAD = 50 * 1024 * 1024
EMULATOR_KEY = web.AppKey("emulator", Emulator)
NOT_FOUND = {"ok": False, "error_code": 404, "description": "Not Found"}


def _json(body: Any, status: int = 200) -> web.Response:
    return web.json_response(body, status=status, dumps=dumps)


async def _read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, Upload]]:
    """Query string plus body: JSON, urlencoded or multipart (aiogram sends ``aiohttp.FormData``)."""
    params: dict[str, Any] = dict(request.query)
    files: dict[str, Upload] = {}
    if not request.body_exists:
        return params, files
    if request.content_type == "application/json":
        body = await request.json()
        if not isinstance(body, dict):
            raise ValueError("JSON body must be an object")
        params.update(body)
        return params, files
    form = await request.post()
    for name, value in form.items():
        if isinstance(value, web.FileField):
            files[name] = Upload(value.file.read(), value.filename, value.content_type)
        else:
            params[name] = value
    return params, files


async def _bot_api(request: web.Request) -> web.Response:
    emulator = request.app[EMULATOR_KEY]
    try:
        params, files = await _read_params(request)
    except web.HTTPRequestEntityTooLarge:
        return _json({"ok": False, "error_code": 413, "description": "Request Entity Too Large"}, 413)
    except ValueError:
        return _json({"ok": False, "error_code": 400, "description": "Bad Request: can't parse JSON"}, 400)
    reply = await emulator.dispatch(request.match_info["token"], request.match_info["method"], params, files)
    if reply.delay:
        await asyncio.sleep(reply.delay)
    return _json(reply.body, reply.status)


async def _file(request: web.Request) -> web.Response:
    emulator = request.app[EMULATOR_KEY]
    if request.match_info["token"] != emulator.token:
        return _json({"ok": False, "error_code": 401, "description": "Unauthorized"}, 401)
    stored = emulator.file_by_path(request.match_info["path"])
    if stored is None:
        return _json(NOT_FOUND, 404)
    return web.Response(body=stored.data, content_type=stored.mime_type)


async def _not_found(request: web.Request) -> web.Response:
    return _json(NOT_FOUND, 404)


# ---------------------------------------------------------------------- control API

Control = Callable[[Emulator, dict[str, Any]], Any]


def _fault(body: dict[str, Any]) -> Fault:
    kind = body.get("fault") or body.get("kind")
    if kind == "too_many":
        return Fault.too_many(int(body.get("retry_after", 5)))
    if kind == "server_error":
        return Fault.server_error()
    if kind == "timeout":
        return Fault.timeout(float(body.get("seconds", 5)))
    if kind == "forbidden":
        return Fault.forbidden()
    if kind == "bad_request":
        return Fault.bad_request(str(body.get("description", "")))
    raise EmulatorError(f"unknown fault {kind!r}: too_many, server_error, timeout, forbidden, bad_request")


def _limits(emulator: Emulator, body: dict[str, Any]) -> dict[str, Any] | None:
    if body.get("enabled") is False or body.get("off"):
        emulator.limits = None
        return None
    names = {f.name for f in dataclasses.fields(RateLimits)}
    limits = RateLimits(**{k: v for k, v in body.items() if k in names})
    emulator.limits = limits
    return dataclasses.asdict(limits)


def _reset(emulator: Emulator, body: dict[str, Any]) -> bool:
    emulator.reset()
    return True


def _block(emulator: Emulator, body: dict[str, Any]) -> bool:
    emulator.block(int(body["user_id"]))
    return True


def _unblock(emulator: Emulator, body: dict[str, Any]) -> bool:
    emulator.unblock(int(body["user_id"]))
    return True


def _refuse(emulator: Emulator, body: dict[str, Any]) -> bool:
    times, retry_after = body.get("times"), body.get("retry_after")
    emulator.refuse(
        str(body["method"]),
        int(body.get("status", 400)),
        str(body.get("description", "Bad Request: refused by the emulator")),
        times=None if times in (None, "") else int(times),
        retry_after=None if retry_after in (None, "") else int(retry_after),
    )
    return True


def _accept(emulator: Emulator, body: dict[str, Any]) -> bool:
    emulator.accept(str(body["method"]))
    return True


def _inject(emulator: Emulator, body: dict[str, Any]) -> dict[str, Any]:
    fault = _fault(body)
    emulator.inject(int(body["chat_id"]), fault, int(body.get("times", 1)))
    return fault.to_dict()


def _chat_filter(body: dict[str, Any]) -> int | None:
    return int(body["chat_id"]) if body.get("chat_id") not in (None, "") else None


_POST: dict[str, Control] = {
    "users": lambda emu, b: emu.add_user(
        int(b["user_id"]),
        b.get("first_name", "User"),
        b.get("username"),
        b.get("language_code", "ru"),
        last_name=b.get("last_name"),
        started=bool(b.get("started", False)),
    ).to_dict(),
    "send_text": lambda emu, b: emu.send_text(int(b["user_id"]), str(b["text"])),
    "send_contact": lambda emu, b: emu.send_contact(int(b["user_id"]), str(b["phone_number"])),
    "press": lambda emu, b: {
        "callback_query_id": emu.press(
            int(b["user_id"]),
            int(b["message_id"]),
            str(b["data"]),
            chat_id=_chat_filter(b),
            strict=bool(b.get("strict", True)),
        )
    },
    "press_button": lambda emu, b: {
        "callback_query_id": emu.press_button(int(b["user_id"]), str(b["label"]), chat_id=_chat_filter(b))
    },
    "block": _block,
    "unblock": _unblock,
    "inject": _inject,
    "refuse": _refuse,
    "accept": _accept,
    "limits": _limits,
    "reset": _reset,
}
_GET: dict[str, Control] = {
    "sent": lambda emu, b: [m.to_dict() for m in emu.sent(_chat_filter(b))],
    "calls": lambda emu, b: [c.to_dict() for c in emu.calls],
    "callback_answers": lambda emu, b: [dataclasses.asdict(a) for a in emu.callback_answers],
    "users": lambda emu, b: [u.to_dict() for u in emu.users.values()],
    "stats": lambda emu, b: {**emu.stats.to_dict(), "pending_updates": emu.pending_updates()},
    "commands": lambda emu, b: [
        {"scope": json.loads(scope), "language_code": lang, "commands": commands}
        for (scope, lang), commands in emu.commands.items()
    ],
}


def _control(handlers: dict[str, Control]) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handle(request: web.Request) -> web.Response:
        handler = handlers.get(request.match_info["action"])
        if handler is None:
            description = f"unknown control action; one of {sorted(handlers)}"
            return _json({"ok": False, "description": description}, 404)
        body: dict[str, Any] = dict(request.query)
        if request.body_exists:
            try:
                body.update(await request.json())
            except ValueError:
                return _json({"ok": False, "description": "the body must be a JSON object"}, 400)
        try:
            result = handler(request.app[EMULATOR_KEY], body)
        except (EmulatorError, KeyError, TypeError, ValueError) as error:
            return _json({"ok": False, "description": f"{type(error).__name__}: {error}"}, 400)
        return _json({"ok": True, "result": result})

    return handle


def create_app(emulator: Emulator) -> web.Application:
    """The aiohttp application serving ``emulator``."""
    app = web.Application(client_max_size=MAX_UPLOAD)
    app[EMULATOR_KEY] = emulator
    app.router.add_route("*", "/bot{token}/{method}", _bot_api)
    app.router.add_get("/file/bot{token}/{path:.+}", _file)
    app.router.add_post("/_emulator/{action}", _control(_POST))
    app.router.add_get("/_emulator/{action}", _control(_GET))
    app.router.add_route("*", "/{tail:.*}", _not_found)
    return app


@asynccontextmanager
async def run_emulator(emulator: Emulator, host: str = "127.0.0.1", port: int = 0) -> AsyncIterator[str]:
    """Serve ``emulator`` on ``host:port`` (0: a free port) and yield its base URL."""
    runner = web.AppRunner(
        create_app(emulator), handler_cancellation=True, shutdown_timeout=1.0, access_log=None
    )
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        bound_host, bound_port = runner.addresses[0][:2]
        base_url = f"http://{bound_host}:{bound_port}"
        log.info("Bot API emulator listening on %s", base_url)
        yield base_url
    finally:
        emulator.interrupt_polls()
        await runner.cleanup()
