# РОП-ассистент: one image for polling (`run`), webhook (`webhook`) and the command line.
# Build: docker build -t rop-assistant .   Run: see compose.yaml and the README's "Deploy" section.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATABASE_URL=sqlite+aiosqlite:////app/data/rop.sqlite3

WORKDIR /app
RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin rop

# the pinned dependencies first (exact versions and hashes), so code changes reuse this layer
COPY requirements.lock ./
RUN pip install --require-hashes --no-deps -r requirements.lock

COPY pyproject.toml README.md ./
COPY bot ./bot
COPY botapi_emulator ./botapi_emulator
COPY crm ./crm
COPY crm_fakes ./crm_fakes
COPY domain ./domain
COPY handlers ./handlers
COPY importer ./importer
COPY reports ./reports
COPY scheduler ./scheduler
COPY storage ./storage
COPY locales ./locales
RUN pip install --no-deps --no-build-isolation . \
    && mkdir -p /app/data && chown rop /app/data

USER 10001
VOLUME ["/app/data"]
# the webhook, or /healthz and /metrics with HEALTH_PORT=8080 when polling
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('HEALTH_PORT', '8080') + '/healthz', timeout=4)"]

ENTRYPOINT ["python", "-m", "bot"]
CMD ["run"]
