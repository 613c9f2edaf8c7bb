# TAGUATO-SEND on Deno: the gateway image.
FROM denoland/deno:2.9.6

WORKDIR /app
# pg_dump/pg_restore for backups (lib/ops/backups.ts); Debian's client matches the compose file's postgres:15.
RUN apt-get update && apt-get install -y --no-install-recommends postgresql-client \
  && rm -rf /var/lib/apt/lists/*
# Dependencies first so they are cached across source changes.
COPY deno.json deno.lock ./
RUN deno install --frozen

COPY . .
RUN deno task build && deno cache main.ts

ENV PORT=8000 DATA_DIR=/app/data BACKUP_DIR=/backups
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD deno eval "const r = await fetch('http://127.0.0.1:8000/health'); Deno.exit(r.ok ? 0 : 1)"
CMD ["deno", "run", "-A", "main.ts"]
