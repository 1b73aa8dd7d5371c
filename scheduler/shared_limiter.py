"""The send limiter shared by every process of one bot through Redis (used when ``REDIS_URL`` is set).

Several webhook processes each drain the outbox; with a limiter each, N processes would send N times
``SEND_RATE`` and a chat could get N bursts. :class:`RedisSendLimiter` keeps the rules of
:mod:`scheduler.limiter` (global spacing ``1 / rate``, paid spacing ``1 / paid_rate``, the one-second cap
on ordinary sends after a paid burst, a GCRA bucket per chat with ``JITTER_MARGIN``, groups one per three
seconds, pauses) but holds the state in Redis:

* Each ``acquire`` is one Lua script, so reading and reserving are atomic across processes. The clock
  is Redis's ``TIME`` (the processes' monotonic clocks differ); the script answers either "the chat may
  receive in N s" (nothing reserved: the process sleeps and asks again, so a busy chat holds no global
  slot) or "your slot is in N s" (reserved: the process sleeps until it).
* Keys: ``<prefix>:{<bot id>}:send`` (a hash: last slots, global pause), ``…:window`` (the slots of the
  last second) and ``…:chat:<id>`` (the chat's theoretical arrival time). Every key expires once its
  value no longer matters, so nothing piles up. The ``{bot id}`` hash tag keeps them in one cluster slot.
* ``pause_chat`` and ``pause_all`` stay synchronous (as the deliverer calls them): they are recorded in
  the in-process state at once and written to Redis by a task that the next ``acquire`` waits for.
* **Redis unreachable:** a warning is logged once, and this process paces its sends with the in-process
  limiter (the parent class) for ``retry_after`` seconds before trying Redis again. While that lasts,
  several processes together may exceed the rate (each keeps to it alone); delivery never fails for it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

from scheduler.limiter import SendLimiter

log = logging.getLogger(__name__)

#: Seconds the in-process limiter stands in after Redis failed, before Redis is tried again.
RETRY_REDIS_AFTER = 30.0
#: Seconds to wait for Redis to connect or answer (then the in-process limiter stands in).
REDIS_TIMEOUT = 2.0

_FMT = """
local function fmt(x) return string.format('%.6f', x) end
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
"""

# KEYS: state hash, window zset, chat key. ARGV: chat interval, chat tolerance, paid (1/0),
# ordinary spacing, paid spacing, ordinary sends allowed in one second.
ACQUIRE = (
    _FMT
    + """
local interval, tolerance = tonumber(ARGV[1]), tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[3]))
if tat and tat - tolerance > now then
  return {'chat', fmt(tat - tolerance - now)}
end
local s = redis.call('HMGET', KEYS[1], 'last_free', 'last', 'paused')
local last_free = tonumber(s[1]) or 0
local last = tonumber(s[2]) or 0
local paused = tonumber(s[3]) or 0
local slot = math.max(now, paused, last)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', fmt(slot - 1))
if ARGV[3] == '1' then
  slot = math.max(slot, last + tonumber(ARGV[5]))
else
  slot = math.max(slot, last_free + tonumber(ARGV[4]))
  local cap = tonumber(ARGV[6])
  if redis.call('ZCARD', KEYS[2]) >= cap then
    local r = redis.call('ZRANGE', KEYS[2], -cap, -cap, 'WITHSCORES')
    slot = math.max(slot, tonumber(r[2]) + 1)
  end
  last_free = slot
end
local n = redis.call('HINCRBY', KEYS[1], 'n', 1)
redis.call('HSET', KEYS[1], 'last_free', fmt(last_free), 'last', fmt(slot))
redis.call('ZADD', KEYS[2], fmt(slot), fmt(slot) .. '#' .. n)
local ttl = math.ceil((math.max(slot, paused) - now + 2) * 1000)
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('PEXPIRE', KEYS[2], ttl)
local new_tat = math.max(tat or slot, slot) + interval
redis.call('SET', KEYS[3], fmt(new_tat), 'PX', math.ceil((new_tat - now) * 1000) + 1000)
return {'slot', fmt(slot - now)}
"""
)

# KEYS: chat key. ARGV: seconds, chat tolerance.
PAUSE_CHAT = (
    _FMT
    + """
local ends = now + tonumber(ARGV[1]) + tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]))
if not tat or tat < ends then
  redis.call('SET', KEYS[1], fmt(ends), 'PX', math.ceil((ends - now) * 1000) + 1000)
end
return 1
"""
)

# KEYS: state hash, window zset. ARGV: seconds.
PAUSE_ALL = (
    _FMT
    + """
local s = redis.call('HMGET', KEYS[1], 'last', 'paused')
local paused = math.max(tonumber(s[2]) or 0, now + tonumber(ARGV[1]))
redis.call('HSET', KEYS[1], 'paused', fmt(paused))
local ttl = math.ceil((math.max(paused, tonumber(s[1]) or 0) - now + 2) * 1000)
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('PEXPIRE', KEYS[2], ttl)
return 1
"""
)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


class RedisSendLimiter(SendLimiter):
    """A :class:`SendLimiter` whose state is in Redis, shared by every process of the bot ``bot_id``."""

    def __init__(
        self,
        redis: Redis,
        bot_id: int,
        rate: float = 28.0,
        *,
        chat_rate: float = 1.0,
        chat_burst: int = 3,
        paid_rate: float = 900.0,
        prefix: str = "rop:limit",
        retry_after: float = RETRY_REDIS_AFTER,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        super().__init__(
            rate,
            chat_rate=chat_rate,
            chat_burst=chat_burst,
            paid_rate=paid_rate,
            monotonic=monotonic,
            sleep=sleep,
        )
        self.redis, self.retry_after = redis, retry_after
        base = f"{prefix}:{{{bot_id}}}"
        self._state, self._window, self._chat_key = f"{base}:send", f"{base}:window", f"{base}:chat:"
        self._acquire = redis.register_script(ACQUIRE)
        self._pause_chat = redis.register_script(PAUSE_CHAT)
        self._pause_all = redis.register_script(PAUSE_ALL)
        self._down_until: float | None = None  # monotonic instant to try Redis again; None: Redis is up
        self._pending: set[asyncio.Task[None]] = set()
        self.fallbacks = 0  # sends paced by the in-process limiter because Redis failed

    @classmethod
    def from_url(cls, url: str, bot_id: int, rate: float = 28.0, **knobs: Any) -> RedisSendLimiter:
        client = Redis.from_url(url, socket_timeout=REDIS_TIMEOUT, socket_connect_timeout=REDIS_TIMEOUT)
        return cls(client, bot_id, rate, **knobs)

    @property
    def shared(self) -> bool:
        """True while the pacing is shared through Redis (False: the in-process limiter stands in)."""
        return self._down_until is None or self.monotonic() >= self._down_until

    # ------------------------------------------------------------------ Redis up or down

    def _failed(self, exc: BaseException) -> None:
        if self._down_until is None:
            log.warning(
                "Redis unreachable for the send limiter (%s): this process paces its sends alone, "
                "trying Redis again in %g s",
                exc,
                self.retry_after,
            )
        self._down_until = self.monotonic() + self.retry_after

    def _succeeded(self) -> None:
        if self._down_until is not None:
            log.info("Redis is back: the send limiter is shared again")
            self._down_until = None

    async def _call(self, script: Any, keys: list[str], args: list[Any]) -> Any:
        """The script's answer, or None when Redis failed (then the in-process limiter stands in)."""
        try:
            answer = await script(keys=keys, args=args)
        except (RedisError, OSError) as exc:
            self._failed(exc)
            return None
        self._succeeded()
        return answer

    # ------------------------------------------------------------------ pauses

    def _spawn(self, work: Coroutine[Any, Any, Any]) -> None:
        try:
            task = asyncio.get_running_loop().create_task(work)
        except RuntimeError:  # no event loop: the pause stays in this process
            work.close()
            return
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    def pause_chat(self, chat_id: int, seconds: float) -> None:
        super().pause_chat(chat_id, seconds)
        if self.shared:
            tolerance = self._chat_params(chat_id)[1]
            self._spawn(self._call(self._pause_chat, [self._chat_key + str(chat_id)], [seconds, tolerance]))

    def pause_all(self, seconds: float) -> None:
        super().pause_all(seconds)
        if self.shared:
            self._spawn(self._call(self._pause_all, [self._state, self._window], [seconds]))

    # ------------------------------------------------------------------ acquiring

    async def flush(self) -> None:
        """Wait until the pauses asked for so far have reached Redis (or failed to)."""
        if self._pending:
            await asyncio.wait(list(self._pending))

    async def acquire(self, chat_id: int, paid: bool = False) -> None:
        await self.flush()  # pauses asked for before this send count for it
        interval, tolerance = self._chat_params(chat_id)
        keys = [self._state, self._window, self._chat_key + str(chat_id)]
        args = [interval, tolerance, int(paid), 1.0 / self.rate, 1.0 / self.paid_rate, self._cap]
        while self.shared:
            answer = await self._call(self._acquire, keys, args)
            if answer is None:
                break
            what, seconds = _text(answer[0]), float(_text(answer[1]))
            if what == "slot":
                self.reserved += 1
                if seconds > 0:
                    await self.sleep(seconds)
                if not paid:
                    await self._under_cap()  # this process's late wake-ups, as in SendLimiter
                return
            await self.sleep(seconds)  # the chat must wait; no global slot is held meanwhile
        self.fallbacks += 1
        await super().acquire(chat_id, paid)

    async def aclose(self) -> None:
        """Let the pauses in flight reach Redis, then close the client."""
        if self._pending:
            await asyncio.wait(list(self._pending), timeout=REDIS_TIMEOUT)
        await self.redis.aclose()
