# TAGUATO-SEND on Deno: the gateway image.
FROM denoland/deno:2.9.6

# why non-root: the gateway needs no privilege, so a compromise of the process cannot write the image or
# the host's mounts as root. The image's `deno` user owns the app, the dependency cache (DENO_DIR) and
# the data and backup folders; everything below runs as it.
WORKDIR /app
# pg_dump/pg_restore for backups (lib/ops/backups.ts); Debian's client matches the compose file's postgres:15.
RUN apt-get update && apt-get install -y --no-install-recommends postgresql-client \
  && rm -rf /var/lib/apt/lists/*
RUN mkdir -p /app/data /backups && chown -R deno:deno /app /backups
USER deno

# Dependencies first so they are cached across source changes.
COPY --chown=deno:deno deno.json deno.lock ./
RUN deno install --frozen

COPY --chown=deno:deno . .
RUN deno task build && deno cache main.ts tools/import_taguato.ts

ENV PORT=8000 DATA_DIR=/app/data BACKUP_DIR=/backups
EXPOSE 8000
# /health answers 200 while the process serves (503 when PostgreSQL is down); no curl in the image.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["deno", "eval", "const r = await fetch('http://127.0.0.1:8000/health'); Deno.exit(r.ok ? 0 : 1)"]
# The same V8 flags as `deno task start` (README, "Memory").
CMD ["deno", "run", "-A", "--v8-flags=--max-semi-space-size=16,--max-old-space-size=512", "main.ts"]
