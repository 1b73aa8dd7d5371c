"""Local fakes of the CRMs the bot works with, for tests, the demo and the benchmark.

Each is an aiohttp server that speaks its CRM's documented shapes, paging, limits and errors, with a
control API (Python methods, and ``/_control/…`` over HTTP for another process) through which tests act as
the CRM's users. Not thread-safe: use one from the event loop that serves it.
"""

from crm_fakes.amocrm import FakeAmoCrm
from crm_fakes.server import FakeServer

__all__ = ["FakeAmoCrm", "FakeServer"]
