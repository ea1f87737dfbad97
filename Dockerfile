# syntax=docker/dockerfile:1
# Idésluss: `docker build -t idesluss .` then see docker-compose.yml and DEPLOYMENT.md.
# Configuration comes only from environment variables (DATABASE_URL, SLACK_*, MICROSOFT_APP_*, …).

# ── builder: a virtual environment with Idésluss and its runtime dependencies ─────────────
FROM python:3.11-slim-bookworm AS builder

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

WORKDIR /src
RUN python -m venv /opt/idesluss
COPY pyproject.toml setup.py README.md ./
COPY bot ./bot
COPY adapters ./adapters
COPY storage ./storage
COPY conversations ./conversations
# A wheel first, then only that wheel (and its runtime dependencies) into the venv:
# no dev extras, no sources, no build tools in the final image.
RUN /opt/idesluss/bin/pip wheel --no-deps --wheel-dir /wheels . \
    && /opt/idesluss/bin/pip install /wheels/idesluss-*.whl

# ── runtime: slim Python, the venv, a non-root user ──────────────────────────────────────
FROM python:3.11-slim-bookworm

ENV PATH=/opt/idesluss/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    IDESLUSS_LOG_FORMAT=json \
    PORT=3978

RUN groupadd --system --gid 10001 idesluss \
    && useradd --system --uid 10001 --gid idesluss --home-dir /home/idesluss --create-home idesluss

COPY --from=builder /opt/idesluss /opt/idesluss
COPY --chmod=0755 docker/entrypoint.sh /usr/local/bin/idesluss-entrypoint

USER 10001:10001
WORKDIR /home/idesluss
EXPOSE 3978

# /healthz answers 200 when the database answers (no curl in a slim image: Python's urllib).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '3978'), timeout=4).status == 200 else 1)"]

# SIGTERM goes straight to the server (exec in the entry script): turns in progress finish.
STOPSIGNAL SIGTERM
ENTRYPOINT ["idesluss-entrypoint"]
CMD ["serve"]
