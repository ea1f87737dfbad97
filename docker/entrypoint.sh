#!/bin/sh
# The container's entry point. `serve` (the default): check the configuration's basics,
# apply the database migrations, then become the server (exec, so SIGTERM reaches it and
# a graceful stop finishes the turns in progress). Anything else runs as an idesluss command
# (`docker run idesluss export --since 2026-01-01`, `… doctor`, `… outbox --failed`).
set -eu

IDESLUSS="${IDESLUSS_BIN:-idesluss}"

if [ "${1:-serve}" = "serve" ]; then
    [ "$#" -gt 0 ] && shift
    if [ -z "${DATABASE_URL:-}" ]; then
        echo "idesluss-entrypoint: DATABASE_URL is not set (e.g. postgresql://idesluss:secret@db:5432/idesluss)" >&2
        exit 2
    fi
    # Migrations first, in their own process: a failure stops the start with its reason,
    # before the port opens and before the load balancer sees a healthy replica.
    echo "idesluss-entrypoint: applying database migrations" >&2
    "$IDESLUSS" db upgrade
    exec "$IDESLUSS" serve --host "${HOST:-0.0.0.0}" --port "${PORT:-3978}" "$@"
fi

exec "$IDESLUSS" "$@"
