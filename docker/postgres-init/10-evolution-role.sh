#!/bin/sh
# Runs once, when the postgres container initialises an empty data directory (docker-entrypoint-initdb.d).
# The engine gets its own login role and its own database: it can neither connect to the gateway's database
# nor read schema taguato (sessions, API keys, the sealed app secret), whatever the engine is made to do.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v engine_password="$EVOLUTION_DB_PASSWORD" -v gateway_db="$POSTGRES_DB" <<'SQL'
CREATE ROLE evolution LOGIN PASSWORD :'engine_password';
CREATE DATABASE evolution_engine OWNER evolution;
REVOKE ALL ON DATABASE :"gateway_db" FROM PUBLIC;
SQL
