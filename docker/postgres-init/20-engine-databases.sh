#!/bin/sh
# Runs once, after 10-evolution-role.sh, on the first start of an empty data directory. Each further
# engine (docker-compose.scale.yml: evolution-2) gets a database of its own, owned by the engine role:
# two engines on one database would both claim the same instances.
# EVOLUTION_EXTRA_DATABASES: space- or comma-separated names, e.g. "evolution_engine_2"; unset = none.
set -eu
for db in $(echo "${EVOLUTION_EXTRA_DATABASES:-}" | tr ',' ' '); do
  case "$db" in
    *[!a-z0-9_]*) echo "20-engine-databases: skipping invalid name '$db'" >&2; continue ;;
  esac
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -c "CREATE DATABASE $db OWNER evolution"
done
