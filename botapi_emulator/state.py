"""The emulated Bot API server: state and method logic, no HTTP (see ``server.py`` and ``session.py``).

Every answer is the JSON body Telegram would send, with Telegram's HTTP status and error wording, so that
aiogram raises the same exception types it raises against the real server.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import itertools
import json
import logging
import mimetypes
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypedDict, TypeVar

from botapi_emulator.entities import EntityParseError, command_entities, parse_text, strip_text
from botapi_emulator.limits import Fault, RateLimiter, RateLimits
from botapi_emulator.models import (
    ApiCall,
    CallbackAnswer,
    CallbackQuery,
    Edit,
    EmulatorError,
    MessageKind,
    SentMessage,
    Stats,
    StoredFile,
    Upload,
    User,
    UserMessage,
)

log = logging.getLogger(__name__)

T = TypeVar("T")

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_CALLBACK_ANSWER = 200
MAX_DOWNLOAD = 20 * 1024 * 1024
DEFAULT_UPDATE_TYPES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)

_COMMAND_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_")

PROFILE_TEXTS = {"Description": "description", "ShortDescription": "short_description", "Name": "name"}
"""The bot's profile texts: what follows ``setMy``/``getMy`` in the method's name, and its field."""

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
BLOCKED = "Forbidden: bot was blocked by the user"
NOT_STARTED = "Forbidden: bot can't initiate conversation with a user"
CHAT_NOT_FOUND = "Bad Request: chat not found"
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
POLL_CONFLICT = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
)


class ApiError(Exception):
    """An error answer of the Bot API."""

    def __init__(self, status: int, description: str, parameters: dict[str, Any] | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(message: str) -> ApiError:
    return ApiError(400, f"Bad Request: {message}")


class WebhookConfig(TypedDict):
    """What setWebhook registered (getWebhookInfo reports it, ``botapi_emulator.webhook`` follows it)."""

    url: str
    allowed_updates: list[str] | None
    max_connections: int | None
    secret_token: str | None


@dataclass
class Refusal:
    """A method the emulator answers with an error (``Emulator.refuse``)."""

    status: int
    description: str
    times: int | None  # calls left to refuse; None: every call
    retry_after: int | None = None


@dataclass
class Reply:
    """An answer: HTTP status, JSON body, and how long the transport must wait before sending it."""

    status: int
    body: dict[str, Any]
    delay: float = 0.0


@dataclass
class Request:
    """One Bot API call being handled; parameters as they came over the wire (mostly strings)."""

    method: str
    params: dict[str, Any]
    files: dict[str, Upload]
    delay: float = 0.0
    description: str | None = None

    def get_str(self, name: str) -> str | None:
        value = self.params.get(name)
        if value is None:
            return None
        return value if isinstance(value, str) else json.dumps(value)

    def get_int(self, name: str, default: int | None = None, *, error: str | None = None) -> int | None:
        value = self.params.get(name)
        if value is None or value == "":
            return default
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(error or f"invalid {name} specified") from None

    def get_float(self, name: str, default: float) -> float:
        value = self.params.get(name)
        try:
            return float(value) if value not in (None, "") else default
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def get_bool(self, name: str) -> bool:
        value = self.params.get(name)
        if isinstance(value, str):
            return value.strip().lower() in ("true", "1", "yes", "on")
        return bool(value)

    def get_json(self, name: str, error: str | None = None) -> Any:
        """An object/array parameter: aiogram sends them as JSON strings, JSON bodies as objects."""
        value = self.params.get(name)
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(error or f"can't parse {name} JSON object") from None
        return value


Handler = Callable[["Emulator", Request], Any]
Formatted = tuple[str, list[dict[str, Any]], str | None]
"""Visible text, its entities, and the parse mode used."""
_METHODS: dict[str, tuple[str, Handler]] = {}


def api_method(name: str) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Register an ``Emulator`` method as the handler of the Bot API method ``name``."""

    def register(func: Callable[..., T]) -> Callable[..., T]:
        _METHODS[name.lower()] = (name, func)
        return func

    return register


def supported_methods() -> list[str]:
    return sorted(name for name, _ in _METHODS.values())


class Pulse:
    """Wakes every waiter on :meth:`notify`.

    Works like ``asyncio.Condition.notify_all`` but is not bound to one event loop, so an emulator built in
    a fixture can serve tests that each run their own loop.
    """

    def __init__(self) -> None:
        self._waiters: set[asyncio.Future[None]] = set()

    def notify(self) -> None:
        waiters, self._waiters = self._waiters, set()
        for waiter in waiters:
            if not waiter.done():
                with contextlib.suppress(RuntimeError):  # the waiter's loop is closed
                    waiter.set_result(None)

    async def wait(self, timeout: float) -> bool:  # noqa: ASYNC109
        """Wait for the next notify; False on timeout."""
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.add(waiter)
        try:
            async with asyncio.timeout(max(timeout, 0.0)):
                await waiter
            return True
        except TimeoutError:
            return False
        finally:
            self._waiters.discard(waiter)


@dataclass
class _Chat:
    next_message_id: int = 1
    messages: dict[int, SentMessage | UserMessage] = field(default_factory=dict)


class Emulator:
    """A Telegram Bot API server for one bot, in memory.

    ``clock`` (monotonic seconds) drives the rate limits; ``wall_clock`` (Unix seconds) gives message dates.
    """

    def __init__(
        self,
        token: str,
        bot_username: str = "rop_assistant_bot",
        bot_id: int | None = None,
        *,
        bot_name: str = "РОП-ассистент",
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.token = token
        self.bot_id = bot_id if bot_id is not None else int(token.split(":", 1)[0])
        self.bot_username = bot_username
        self.bot_name = bot_name
        self.clock = clock
        self.wall_clock = wall_clock
        self._activity = Pulse()
        self._update_pulse = Pulse()
        self._limits: RateLimits | None = None
        self._limiter: RateLimiter | None = None
        self._poll_seq = 0
        self._poll_interrupts = 0
        self.reset()

    def reset(self) -> None:
        """Forget everything but the bot's identity (users, messages, updates, calls, limits, faults)."""
        self.users: dict[int, User] = {}
        self._chats: dict[int, _Chat] = {}
        self._sent: list[SentMessage] = []
        self.received: list[UserMessage] = []
        self._updates: deque[dict[str, Any]] = deque()
        self._update_ids = itertools.count(1)
        self._allowed_updates: frozenset[str] = DEFAULT_UPDATE_TYPES
        self.callback_queries: dict[str, CallbackQuery] = {}
        self.callback_answers: list[CallbackAnswer] = []
        self._query_ids = itertools.count(4_000_000_000_000_000_001)
        self.calls: list[ApiCall] = []
        self.chat_actions: list[tuple[int, str]] = []
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.profile: dict[str, Any] = {}
        self.webhook: WebhookConfig | None = None
        self.files: dict[str, StoredFile] = {}
        self._file_ids = itertools.count(1)
        self._faults: dict[int, deque[Fault]] = {}
        self._refusals: dict[str, Refusal] = {}
        self.stats = Stats()
        self.limits = None
        self.interrupt_polls()
        self._activity.notify()

    # ------------------------------------------------------------------ configuration

    @property
    def limits(self) -> RateLimits | None:
        """Flood limits, off (None) by default; setting them starts counting afresh."""
        return self._limits

    @limits.setter
    def limits(self, limits: RateLimits | None) -> None:
        self._limits = limits
        self._limiter = RateLimiter(limits) if limits is not None else None

    def inject(self, chat_id: int, fault: Fault, times: int = 1) -> None:
        """Queue ``fault`` for the next ``times`` sends (sendMessage/Photo/Document) to ``chat_id``."""
        self._faults.setdefault(chat_id, deque()).extend([fault] * times)

    def refuse(
        self,
        method: str,
        status: int = 400,
        description: str = "Bad Request: refused by the emulator",
        *,
        times: int | None = None,
        retry_after: int | None = None,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` (every call when None, until ``accept``) with an
        error, as Telegram can (a bad description, a flood wait with ``retry_after``, a server error)."""
        name = _METHODS[method.lower()][0] if method.lower() in _METHODS else method
        self._refusals[name.lower()] = Refusal(status, description, times, retry_after)

    def accept(self, method: str) -> None:
        """Stop refusing ``method``."""
        self._refusals.pop(method.lower(), None)

    def _refusal(self, method: str) -> ApiError | None:
        refusal = self._refusals.get(method.lower())
        if refusal is None:
            return None
        if refusal.times is not None:
            refusal.times -= 1
            if refusal.times <= 0:
                del self._refusals[method.lower()]
        parameters = {"retry_after": refusal.retry_after} if refusal.retry_after is not None else None
        return ApiError(refusal.status, refusal.description, parameters)

    def me(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_name,
            "username": self.bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _bot_user(self) -> dict[str, Any]:
        return {"id": self.bot_id, "is_bot": True, "first_name": self.bot_name, "username": self.bot_username}

    # ------------------------------------------------------------------ entry points

    async def call(
        self, token: str, method: str, params: dict[str, Any], files: dict[str, Any] | None = None
    ) -> tuple[int, dict[str, Any]]:
        """Handle one Bot API request; returns (HTTP status, JSON body) after any injected delay."""
        reply = await self.dispatch(token, method, params, files)
        if reply.delay:
            await asyncio.sleep(reply.delay)
        return reply.status, reply.body

    async def dispatch(
        self, token: str, method: str, params: dict[str, Any], files: dict[str, Any] | None = None
    ) -> Reply:
        """Handle one Bot API request; the transport applies ``Reply.delay`` (an injected timeout)."""
        uploads = {name: _as_upload(name, value) for name, value in (files or {}).items()}
        entry = _METHODS.get(method.lower())
        record = ApiCall(entry[0] if entry else method, dict(params), self.wall_clock(), tuple(uploads))
        self.calls.append(record)
        self.stats.requests += 1
        self._activity.notify()
        request = Request(record.method, dict(params), uploads)
        try:
            if token != self.token:
                raise ApiError(401, "Unauthorized")
            if entry is None:
                raise ApiError(404, "Not Found")
            refused = self._refusal(record.method)
            if refused is not None:
                raise refused
            result = entry[1](self, request)
            if inspect.isawaitable(result):
                result = await result
            body: dict[str, Any] = {"ok": True, "result": result}
            if request.description:
                body["description"] = request.description
            reply = Reply(200, body, request.delay)
        except ApiError as error:
            reply = Reply(error.status, error.body())
            self.stats.errors[error.status] += 1
            record.description = error.description
            log.debug("%s -> %s %s", record.method, error.status, error.description)
        record.status = reply.status
        self._activity.notify()
        return reply

    # ------------------------------------------------------------------ parameters and checks

    def _chat_id(self, request: Request) -> int:
        value = request.params.get("chat_id")
        if value is None or value == "":
            raise bad_request("chat_id is empty")
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ApiError(400, CHAT_NOT_FOUND) from None

    def _user(self, chat_id: int) -> User:
        user = self.users.get(chat_id)
        if user is None:
            raise ApiError(400, CHAT_NOT_FOUND)
        return user

    def _reachable(self, user: User) -> None:
        if user.blocked:
            raise ApiError(403, BLOCKED)
        if not user.started:
            raise ApiError(403, NOT_STARTED)

    def _send_target(self, request: Request) -> User:
        """The recipient of a message send, after any injected fault for that chat."""
        chat_id = self._chat_id(request)
        queue = self._faults.get(chat_id)
        if queue:
            fault = queue.popleft()
            self.stats.faults += 1
            if fault.kind == "error":
                raise ApiError(fault.status, fault.description, fault.parameters)
            request.delay = fault.delay
        user = self._user(chat_id)
        self._reachable(user)
        return user

    def _pace(self, request: Request, chat_id: int) -> None:
        """Apply the flood limits to a send about to be delivered."""
        if self._limiter is None:
            return
        paid = request.get_bool("allow_paid_broadcast")
        retry_after = self._limiter.check(chat_id, self.clock(), paid=paid)
        if retry_after is not None:
            self.stats.rate_limited += 1
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after})

    def _format(self, request: Request, text: str, prefix: str = "") -> Formatted:
        """Visible text, entities and parse mode of a text or caption (``prefix`` picks caption_*)."""
        given = request.get_json(f"{prefix}entities")
        parse_mode = request.get_str("parse_mode")
        if given:
            plain, entities = strip_text(text, list(given))
            return plain, entities, None
        if parse_mode and parse_mode.lower() not in ("html", "markdown", "markdownv2"):
            raise bad_request("unsupported parse_mode")
        try:
            plain, entities = parse_text(text, parse_mode)
        except EntityParseError as error:
            raise bad_request(f"can't parse entities: {error}") from None
        return plain, entities, parse_mode

    def _markup(self, request: Request, *, inline_only: bool = False) -> dict[str, Any] | None:
        markup = request.get_json("reply_markup", "can't parse reply keyboard markup JSON object")
        if markup in (None, ""):
            return None
        if not isinstance(markup, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            _check_inline_keyboard(markup["inline_keyboard"])
        elif inline_only:
            raise bad_request("inline keyboard expected")
        return markup

    def _next_message_id(self, chat_id: int) -> tuple[_Chat, int]:
        chat = self._chats.setdefault(chat_id, _Chat())
        message_id = chat.next_message_id
        chat.next_message_id += 1
        return chat, message_id

    def _deliver(
        self,
        request: Request,
        user: User,
        kind: MessageKind,
        text: str | None,
        formatted: Formatted,
        markup: dict[str, Any] | None,
        file: StoredFile | None = None,
    ) -> dict[str, Any]:
        self._pace(request, user.id)
        chat, message_id = self._next_message_id(user.id)
        message = SentMessage(
            user.id,
            message_id,
            kind,
            text,
            *formatted,
            reply_markup=markup,
            date=int(self.wall_clock()),
            sent_at=self.clock(),
            file=file,
            params=dict(request.params),
        )
        chat.messages[message_id] = message
        self._sent.append(message)
        self.stats.delivered += 1
        return self._message_json(message)

    def _message_json(self, message: SentMessage) -> dict[str, Any]:
        """The message as the Bot API returns it (and puts it in callback queries)."""
        user = self.users[message.chat_id]
        data: dict[str, Any] = {
            "message_id": message.message_id,
            "from": self._bot_user(),
            "chat": user.chat(),
            "date": message.date,
        }
        if message.edit_date is not None:
            data["edit_date"] = message.edit_date
        if message.kind == "text":
            data["text"] = message.plain_text
            if message.entities:
                data["entities"] = message.entities
        else:
            if message.plain_text:
                data["caption"] = message.plain_text
                if message.entities:
                    data["caption_entities"] = message.entities
            file = message.file
            assert file is not None
            if message.kind == "photo":
                data["photo"] = [
                    {
                        "file_id": file.file_id,
                        "file_unique_id": file.file_unique_id,
                        "file_size": file.size,
                        "width": 100,
                        "height": 100,
                    }
                ]
            else:
                data["document"] = {
                    "file_id": file.file_id,
                    "file_unique_id": file.file_unique_id,
                    "file_name": file.filename,
                    "mime_type": file.mime_type,
                    "file_size": file.size,
                }
        inline = _inline(message.reply_markup)
        if inline is not None:
            data["reply_markup"] = inline
        return data

    def _store_file(self, data: bytes, filename: str, kind: str, mime_type: str | None = None) -> StoredFile:
        number = next(self._file_ids)
        mime = mime_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
        ext = "." + filename.rsplit(".", 1)[1] if "." in filename else ""
        folder = "photos" if kind == "photo" else "documents"
        stored = StoredFile(
            file_id=f"emu-{kind}-{number}",
            file_unique_id=f"emu-u{number}",
            data=data,
            filename=filename,
            mime_type=mime,
            path=f"{folder}/file_{number}{ext}",
        )
        self.files[stored.file_id] = stored
        return stored

    def _input_file(self, request: Request, name: str) -> StoredFile:
        """The file of a sendPhoto/sendDocument: an upload (``attach://`` or field), a file_id or a URL."""
        value = request.params.get(name)
        upload: Upload | None = None
        if isinstance(value, str) and value.startswith("attach://"):
            upload = request.files.get(value[len("attach://") :])
        elif name in request.files:
            upload = request.files[name]
        elif isinstance(value, str) and value:
            if value in self.files:
                return self.files[value]
            if value.startswith(("http://", "https://")):
                return self._store_file(b"", value.rsplit("/", 1)[-1] or name, name)
            raise bad_request("wrong file identifier/HTTP URL specified")
        if upload is None:
            raise bad_request(f"there is no {name} in the request")
        if not upload.data:
            raise bad_request("file must be non-empty")
        mime_type = upload.content_type if name != "photo" else None
        return self._store_file(upload.data, upload.filename, name, mime_type)

    def _bot_message(self, request: Request, not_found: str) -> SentMessage:
        """The bot's message addressed by chat_id + message_id, for edits and deletes."""
        if request.params.get("inline_message_id"):
            raise bad_request("inline messages are not supported by the emulator")
        user = self._user(self._chat_id(request))
        message_id = request.get_int("message_id", error="message identifier is not specified")
        if message_id is None:
            raise bad_request("message identifier is not specified")
        message = self._chats.get(user.id, _Chat()).messages.get(message_id)
        if message is None or message.deleted:
            raise bad_request(not_found)
        if isinstance(message, UserMessage):
            raise bad_request("message can't be edited")
        if user.blocked:
            raise ApiError(403, BLOCKED)
        return message

    def _apply_edit(
        self,
        message: SentMessage,
        text: str | None,
        formatted: Formatted,
        markup: dict[str, Any] | None,
    ) -> dict[str, Any]:
        plain, entities, parse_mode = formatted
        if (
            plain == message.plain_text
            and entities == message.entities
            and _inline(markup) == _inline(message.reply_markup)
        ):
            raise ApiError(400, NOT_MODIFIED)
        message.edits.append(
            Edit(
                message.edit_date or message.date,
                message.text,
                message.plain_text,
                message.parse_mode,
                message.reply_markup,
            )
        )
        message.text, message.plain_text, message.entities = text, plain, entities
        message.parse_mode, message.reply_markup = parse_mode, markup
        message.edit_date = int(self.wall_clock())
        return self._message_json(message)

    # ------------------------------------------------------------------ Bot API methods

    @api_method("getMe")
    def _get_me(self, request: Request) -> dict[str, Any]:
        return self.me()

    @api_method("logOut")
    def _log_out(self, request: Request) -> bool:
        return True

    @api_method("close")
    def _close(self, request: Request) -> bool:
        return True

    @api_method("getUpdates")
    async def _get_updates(self, request: Request) -> list[dict[str, Any]]:
        if self.webhook is not None:
            raise ApiError(409, WEBHOOK_CONFLICT)
        offset = request.get_int("offset", 0) or 0
        limit = min(max(request.get_int("limit", 100) or 100, 1), 100)
        timeout = max(request.get_float("timeout", 0.0), 0.0)
        allowed = request.get_json("allowed_updates")
        if allowed is not None:
            self._allowed_updates = frozenset(allowed) if allowed else DEFAULT_UPDATE_TYPES
        self._confirm(offset)

        self._poll_seq += 1
        seq, interrupts = self._poll_seq, self._poll_interrupts
        self._update_pulse.notify()  # an older long poll is now answered 409, as Telegram does
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            if seq != self._poll_seq:
                raise ApiError(409, POLL_CONFLICT)
            batch = self._collect(limit)
            remaining = deadline - asyncio.get_running_loop().time()
            if batch or remaining <= 0 or interrupts != self._poll_interrupts:
                return batch
            await self._update_pulse.wait(remaining)

    def _confirm(self, offset: int) -> None:
        if offset > 0:
            while self._updates and self._updates[0]["update_id"] < offset:
                self._updates.popleft()
        elif offset < 0:
            while len(self._updates) > -offset:
                self._updates.popleft()

    def _collect(self, limit: int) -> list[dict[str, Any]]:
        """Up to ``limit`` pending updates of allowed types; updates of other types are dropped."""
        kept: deque[dict[str, Any]] = deque()
        batch: list[dict[str, Any]] = []
        for update in self._updates:
            if _update_type(update) not in self._allowed_updates:
                continue
            kept.append(update)
            if len(batch) < limit:
                batch.append(update)
        self._updates = kept
        return batch

    @api_method("sendMessage")
    def _send_message(self, request: Request) -> dict[str, Any]:
        user = self._send_target(request)
        text = request.get_str("text") or ""
        if not text.strip():
            raise bad_request("message text is empty")
        formatted = self._format(request, text)
        if not formatted[0]:
            raise bad_request("message text is empty")
        if len(formatted[0]) > MAX_TEXT:
            raise bad_request("message is too long")
        return self._deliver(request, user, "text", text, formatted, self._markup(request))

    def _send_media(self, request: Request, kind: MessageKind) -> dict[str, Any]:
        user = self._send_target(request)
        caption = request.get_str("caption") or ""
        formatted = self._format(request, caption, "caption_") if caption else ("", [], None)
        if len(formatted[0]) > MAX_CAPTION:
            raise bad_request("message caption is too long")
        markup = self._markup(request)
        file = self._input_file(request, kind)
        return self._deliver(request, user, kind, caption or None, formatted, markup, file)

    @api_method("sendPhoto")
    def _send_photo(self, request: Request) -> dict[str, Any]:
        return self._send_media(request, "photo")

    @api_method("sendDocument")
    def _send_document(self, request: Request) -> dict[str, Any]:
        return self._send_media(request, "document")

    @api_method("sendChatAction")
    def _send_chat_action(self, request: Request) -> bool:
        user = self._user(self._chat_id(request))
        self._reachable(user)
        action = request.get_str("action")
        if action not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        self.chat_actions.append((user.id, action))
        return True

    @api_method("editMessageText")
    def _edit_message_text(self, request: Request) -> dict[str, Any]:
        message = self._bot_message(request, "message to edit not found")
        if message.kind != "text":
            raise bad_request("there is no text in the message to edit")
        text = request.get_str("text") or ""
        formatted = self._format(request, text)
        if not formatted[0]:
            raise bad_request("message text is empty")
        if len(formatted[0]) > MAX_TEXT:
            raise bad_request("message is too long")
        return self._apply_edit(message, text, formatted, self._markup(request, inline_only=True))

    @api_method("editMessageCaption")
    def _edit_message_caption(self, request: Request) -> dict[str, Any]:
        message = self._bot_message(request, "message to edit not found")
        if message.kind == "text":
            raise bad_request("there is no caption in the message to edit")
        caption = request.get_str("caption") or ""
        formatted = self._format(request, caption, "caption_") if caption else ("", [], None)
        if len(formatted[0]) > MAX_CAPTION:
            raise bad_request("message caption is too long")
        return self._apply_edit(message, caption or None, formatted, self._markup(request, inline_only=True))

    @api_method("editMessageReplyMarkup")
    def _edit_message_reply_markup(self, request: Request) -> dict[str, Any]:
        message = self._bot_message(request, "message to edit not found")
        formatted = (message.plain_text, message.entities, message.parse_mode)
        return self._apply_edit(message, message.text, formatted, self._markup(request, inline_only=True))

    @api_method("deleteMessage")
    def _delete_message(self, request: Request) -> bool:
        user = self._user(self._chat_id(request))
        message_id = request.get_int("message_id", error="message identifier is not specified")
        message = self._chats.get(user.id, _Chat()).messages.get(message_id or 0)
        if message is None or message.deleted:
            raise bad_request("message to delete not found")
        message.deleted = True
        return True

    @api_method("deleteMessages")
    def _delete_messages(self, request: Request) -> bool:
        user = self._user(self._chat_id(request))
        ids = request.get_json("message_ids") or []
        chat = self._chats.get(user.id, _Chat())
        for message_id in ids:
            message = chat.messages.get(int(message_id))
            if message is not None:
                message.deleted = True
        return True

    @api_method("answerCallbackQuery")
    def _answer_callback_query(self, request: Request) -> bool:
        query = self.callback_queries.get(request.get_str("callback_query_id") or "")
        if query is None or query.answered:
            raise ApiError(400, QUERY_TOO_OLD)
        text = request.get_str("text")
        if text is not None and len(text) > MAX_CALLBACK_ANSWER:
            raise bad_request("MESSAGE_TOO_LONG")
        query.answered = True
        self.callback_answers.append(
            CallbackAnswer(
                query.id,
                text,
                request.get_bool("show_alert"),
                request.get_str("url"),
                request.get_int("cache_time", 0) or 0,
            )
        )
        return True

    def _commands_key(self, request: Request) -> tuple[str, str]:
        scope = request.get_json("scope") or {"type": "default"}
        if not isinstance(scope, dict) or "type" not in scope:
            raise bad_request("can't parse BotCommandScope JSON object")
        if scope["type"] in ("chat", "chat_administrators", "chat_member"):
            try:
                scope = {**scope, "chat_id": int(scope.get("chat_id", 0))}
            except (TypeError, ValueError):
                raise ApiError(400, CHAT_NOT_FOUND) from None
            self._user(scope["chat_id"])
        return json.dumps(scope, sort_keys=True), request.get_str("language_code") or ""

    @api_method("setMyCommands")
    def _set_my_commands(self, request: Request) -> bool:
        commands = request.get_json("commands") or []
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("BOT_COMMANDS_TOO_MUCH")
        for command in commands:
            name = str(command.get("command", "")).removeprefix("/")
            if not 1 <= len(name) <= 32 or not all(c in _COMMAND_CHARS for c in name):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", "")).strip()) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        key = self._commands_key(request)
        stored = [
            {"command": str(c["command"]).removeprefix("/"), "description": c["description"]}
            for c in commands
        ]
        if stored:
            self.commands[key] = stored
        else:
            self.commands.pop(key, None)
        return True

    @api_method("getMyCommands")
    def _get_my_commands(self, request: Request) -> list[dict[str, Any]]:
        return list(self.commands.get(self._commands_key(request), []))

    @api_method("deleteMyCommands")
    def _delete_my_commands(self, request: Request) -> bool:
        self.commands.pop(self._commands_key(request), None)
        return True

    def _profile_text(self, request: Request) -> tuple[str, str]:
        """The profile text a setMy…/getMy… method names, and its key in ``profile`` (one a language)."""
        field = PROFILE_TEXTS[request.method.removeprefix("setMy").removeprefix("getMy")]
        return field, f"{field}:{request.get_str('language_code') or ''}"

    @api_method("setMyDescription")
    @api_method("setMyShortDescription")
    @api_method("setMyName")
    def _set_profile_text(self, request: Request) -> bool:
        """An empty or absent text removes the language's own (the Bot API: "pass an empty string to
        remove"), so reading it gives the default again."""
        field, key = self._profile_text(request)
        if text := request.get_str(field):
            self.profile[key] = text
        else:
            self.profile.pop(key, None)
        return True

    @api_method("getMyDescription")
    @api_method("getMyShortDescription")
    @api_method("getMyName")
    def _get_profile_text(self, request: Request) -> dict[str, Any]:
        field, key = self._profile_text(request)
        return {field: self.profile.get(key, self.bot_name if field == "name" else "")}

    @api_method("setChatMenuButton")
    def _set_chat_menu_button(self, request: Request) -> bool:
        button = request.get_json("menu_button") or {"type": "default"}
        self.profile[f"menu_button:{request.get_str('chat_id') or ''}"] = button
        return True

    @api_method("getChatMenuButton")
    def _get_chat_menu_button(self, request: Request) -> dict[str, Any]:
        return dict(self.profile.get(f"menu_button:{request.get_str('chat_id') or ''}", {"type": "commands"}))

    @api_method("getChat")
    def _get_chat(self, request: Request) -> dict[str, Any]:
        user = self._user(self._chat_id(request))
        return {
            **user.chat(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": True,
                "limited_gifts": True,
                "unique_gifts": True,
                "premium_subscription": True,
                "gifts_from_channels": True,
            },
        }

    @api_method("getFile")
    def _get_file(self, request: Request) -> dict[str, Any]:
        stored = self.files.get(request.get_str("file_id") or "")
        if stored is None:
            raise bad_request("invalid file_id")
        if stored.size > MAX_DOWNLOAD:
            raise bad_request("file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.size,
            "file_path": stored.path,
        }

    @api_method("setWebhook")
    def _set_webhook(self, request: Request) -> bool:
        url = request.get_str("url") or ""
        if not url:
            return self._delete_webhook(request)
        if not url.startswith("https://"):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        if request.get_bool("drop_pending_updates"):
            self._updates.clear()
        self.webhook = {
            "url": url,
            "allowed_updates": request.get_json("allowed_updates"),
            "max_connections": request.get_int("max_connections", 40),
            "secret_token": request.get_str("secret_token"),
        }
        request.description = "Webhook was set"
        return True

    @api_method("deleteWebhook")
    def _delete_webhook(self, request: Request) -> bool:
        if request.get_bool("drop_pending_updates"):
            self._updates.clear()
        request.description = "Webhook was deleted" if self.webhook else "Webhook is already deleted"
        self.webhook = None
        return True

    @api_method("getWebhookInfo")
    def _get_webhook_info(self, request: Request) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self.webhook:
            info["url"] = self.webhook["url"]
            info["max_connections"] = self.webhook["max_connections"]
            if self.webhook["allowed_updates"]:
                info["allowed_updates"] = self.webhook["allowed_updates"]
        return info

    # ------------------------------------------------------------------ control API: users' side

    def add_user(
        self,
        user_id: int,
        first_name: str = "User",
        username: str | None = None,
        language_code: str | None = "ru",
        *,
        last_name: str | None = None,
        started: bool = False,
    ) -> User:
        """Create (or update) a user. Until they write (or ``started=True``) the bot cannot message them."""
        user = self.users.get(user_id)
        if user is None:
            user = User(user_id, first_name, username, language_code, last_name, started)
            self.users[user_id] = user
        else:
            user.first_name, user.username, user.language_code = first_name, username, language_code
            user.last_name, user.started = last_name, user.started or started
        self._chats.setdefault(user_id, _Chat())
        return user

    def _active_user(self, user_id: int) -> User:
        user = self.users.get(user_id)
        if user is None:
            raise EmulatorError(f"unknown user {user_id}: call add_user() first")
        if user.blocked:
            raise EmulatorError(f"user {user_id} has blocked the bot: call unblock() first")
        return user

    def _push_update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": next(self._update_ids), kind: payload}
        self._updates.append(update)
        self._update_pulse.notify()
        self._activity.notify()
        return update

    def send_message(self, user_id: int, fields: dict[str, Any]) -> dict[str, Any]:
        """A message from the user with the given content fields; returns the update."""
        user = self._active_user(user_id)
        user.started = True
        chat, message_id = self._next_message_id(user_id)
        message = {
            "message_id": message_id,
            "from": user.to_api(),
            "chat": user.chat(),
            "date": int(self.wall_clock()),
            **fields,
        }
        stored = UserMessage(user_id, message_id, message)
        chat.messages[message_id] = stored
        self.received.append(stored)
        return self._push_update("message", message)

    def send_text(self, user_id: int, text: str) -> dict[str, Any]:
        """The user sends ``text``; a leading ``/command`` gets its ``bot_command`` entity."""
        fields: dict[str, Any] = {"text": text}
        if entities := command_entities(text):
            fields["entities"] = entities
        return self.send_message(user_id, fields)

    def send_contact(self, user_id: int, phone_number: str, first_name: str | None = None) -> dict[str, Any]:
        """The user shares their own contact (as a ``request_contact`` button does)."""
        user = self._active_user(user_id)
        contact = {
            "phone_number": phone_number,
            "first_name": first_name or user.first_name,
            "user_id": user_id,
        }
        return self.send_message(user_id, {"contact": contact})

    def send_document(
        self,
        user_id: int,
        data: bytes,
        filename: str,
        caption: str | None = None,
        mime_type: str | None = None,
    ) -> dict[str, Any]:
        """The user uploads a file; the bot can getFile and download it."""
        self._active_user(user_id)
        stored = self._store_file(data, filename, "document", mime_type)
        document = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": filename,
            "mime_type": stored.mime_type,
            "file_size": stored.size,
        }
        fields: dict[str, Any] = {"document": document}
        if caption:
            fields["caption"] = caption
        return self.send_message(user_id, fields)

    def press(
        self, user_id: int, message_id: int, data: str, *, chat_id: int | None = None, strict: bool = True
    ) -> str:
        """The user presses an inline button with ``data`` on a bot message; returns the callback query id.

        The message is looked up in ``chat_id`` (default: the user's own chat), so a press on a message of
        another chat (a forwarded keyboard) can be simulated. ``strict`` checks that the button exists,
        as Telegram does; ``strict=False`` simulates forged data.
        """
        user = self._active_user(user_id)
        target_chat = user_id if chat_id is None else chat_id
        message = self._chats.get(target_chat, _Chat()).messages.get(message_id)
        if not isinstance(message, SentMessage) or message.deleted:
            raise EmulatorError(f"no message {message_id} of the bot in chat {target_chat}")
        if strict and data not in [b.get("callback_data") for b in message.buttons]:
            raise EmulatorError(f"message {message_id} has no button with data {data!r}")
        query_id = str(next(self._query_ids))
        self.callback_queries[query_id] = CallbackQuery(query_id, user_id, target_chat, message_id, data)
        self._push_update(
            "callback_query",
            {
                "id": query_id,
                "from": user.to_api(),
                "message": self._message_json(message),
                "chat_instance": str(-(abs(target_chat) * 7919 + self.bot_id) % 10**18),
                "data": data,
            },
        )
        return query_id

    def press_button(
        self, user_id: int, label: str, *, message_id: int | None = None, chat_id: int | None = None
    ) -> str:
        """Press the button whose text contains ``label``, on ``message_id`` or the latest message with it."""
        target_chat = user_id if chat_id is None else chat_id
        candidates = [m for m in reversed(self.sent(target_chat)) if not m.deleted]
        if message_id is not None:
            candidates = [m for m in candidates if m.message_id == message_id]
        for message in candidates:
            try:
                button = message.button(label)
            except LookupError:
                continue
            if "callback_data" not in button:
                raise EmulatorError(f"button {button.get('text')!r} has no callback_data")
            return self.press(user_id, message.message_id, button["callback_data"], chat_id=chat_id)
        raise EmulatorError(f"no button with {label!r} in chat {target_chat}")

    def _member_update(self, user: User, old: str, new: str) -> None:
        def member(status: str) -> dict[str, Any]:
            data: dict[str, Any] = {"user": self._bot_user(), "status": status}
            if status == "kicked":
                data["until_date"] = 0
            return data

        self._push_update(
            "my_chat_member",
            {
                "chat": user.chat(),
                "from": user.to_api(),
                "date": int(self.wall_clock()),
                "old_chat_member": member(old),
                "new_chat_member": member(new),
            },
        )

    def block(self, user_id: int) -> None:
        """The user blocks the bot: sends answer 403 and a ``my_chat_member`` update is queued."""
        user = self._active_user(user_id)
        user.blocked = True
        self._member_update(user, "member", "kicked")

    def unblock(self, user_id: int) -> None:
        user = self.users.get(user_id)
        if user is None or not user.blocked:
            raise EmulatorError(f"user {user_id} has not blocked the bot")
        user.blocked = False
        self._member_update(user, "kicked", "member")

    # ------------------------------------------------------------------ control API: inspection

    def sent(self, chat_id: int | None = None) -> list[SentMessage]:
        """The bot's messages in sending order (deleted ones included, flagged), optionally for one chat."""
        return [m for m in self._sent if chat_id is None or m.chat_id == chat_id]

    def last(self, chat_id: int) -> SentMessage | None:
        """The bot's latest message to ``chat_id``."""
        return next((m for m in reversed(self._sent) if m.chat_id == chat_id), None)

    def unanswered_callbacks(self) -> list[CallbackQuery]:
        return [q for q in self.callback_queries.values() if not q.answered]

    def answer_for(self, query_id: str) -> CallbackAnswer | None:
        return next((a for a in self.callback_answers if a.query_id == query_id), None)

    def pending_updates(self) -> int:
        """Updates not yet confirmed by a getUpdates offset."""
        return len(self._updates)

    def take_updates(self) -> list[dict[str, Any]]:
        """Remove and return every pending update, as an in-process dispatcher consumes them."""
        taken = list(self._updates)
        self._updates.clear()
        return taken

    def calls_of(self, method: str) -> list[ApiCall]:
        return [c for c in self.calls if c.method.lower() == method.lower()]

    def file_by_path(self, path: str) -> StoredFile | None:
        return next((f for f in self.files.values() if f.path == path), None)

    def interrupt_polls(self) -> None:
        """Answer waiting long polls with no updates now (used when the HTTP server shuts down)."""
        self._poll_interrupts += 1
        self._update_pulse.notify()

    async def wait_for(self, predicate: Callable[[], T | None], timeout: float = 10.0) -> T:  # noqa: ASYNC109
        """Wait until ``predicate()`` is truthy, re-checking on every API call and user action."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = predicate()
            if result:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"condition not met in {timeout} s; last calls: {self._recent_calls()}")
            await self._activity.wait(remaining)

    async def wait_for_message(
        self,
        chat_id: int,
        contains: str | None = None,
        after_count: int = 0,
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> SentMessage:
        """The first bot message to ``chat_id`` after the first ``after_count``, containing ``contains``."""

        def find() -> SentMessage | None:
            for message in self.sent(chat_id)[after_count:]:
                if contains is None or message.contains(contains):
                    return message
            return None

        try:
            return await self.wait_for(find, timeout)
        except TimeoutError:
            texts = [m.plain_text[:80] for m in self.sent(chat_id)[-5:]]
            raise TimeoutError(
                f"no message to {chat_id} containing {contains!r} after #{after_count} in {timeout} s; "
                f"last ones: {texts}; last calls: {self._recent_calls()}"
            ) from None

    def _recent_calls(self) -> list[str]:
        return [f"{c.method}->{c.status}" for c in self.calls[-8:]]


def _as_upload(name: str, value: Any) -> Upload:
    if isinstance(value, Upload):
        return value
    if isinstance(value, bytes | bytearray):
        return Upload(bytes(value), name)
    if isinstance(value, tuple) and len(value) == 2:
        return Upload(bytes(value[1]), str(value[0]))
    raise TypeError(f"file {name!r}: expected Upload, bytes or (filename, bytes), got {type(value).__name__}")


def _update_type(update: dict[str, Any]) -> str:
    return next(key for key in update if key != "update_id")


def _inline(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    """The inline keyboard part of a markup, None when there is none (reply keyboards are not returned)."""
    if not markup or not markup.get("inline_keyboard"):
        return None
    if not any(markup["inline_keyboard"]):
        return None
    return {"inline_keyboard": markup["inline_keyboard"]}


def _check_inline_keyboard(rows: Any) -> None:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request("can't parse inline keyboard markup JSON object")
    for row in rows:
        for button in row:
            if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                raise bad_request('can\'t parse inline keyboard button: Field "text" must be of type String')
            actions = [key for key in _BUTTON_ACTIONS if key in button]
            if not actions:
                raise bad_request(
                    "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
                )
            if "callback_data" in button:
                data = button["callback_data"]
                if not isinstance(data, str) or not data or len(data.encode("utf-8")) > MAX_CALLBACK_DATA:
                    raise bad_request("BUTTON_DATA_INVALID")
            if "url" in button and not str(button["url"]).startswith(("http://", "https://", "tg://")):
                raise bad_request("BUTTON_URL_INVALID")


def dumps(body: dict[str, Any]) -> str:
    """JSON text of an answer, as sent over the wire."""
    return json.dumps(body, ensure_ascii=False)
