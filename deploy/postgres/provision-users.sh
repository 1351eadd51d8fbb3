#!/bin/sh
# Creates the roles the services connect as, each owning only its own store's tables (docs/scaling.md), in the
# one database both stores share. Safe to re-run: roles, passwords and grants are set, not added, so it is also
# how to rotate a password (change it in the environment, re-run, restart that service).
#
# Each role gets a schema of its own name. PostgreSQL's default search_path is "$user", public, so a store's
# unqualified table names land in its role's schema: the gateway's results tables in schema gateway, the
# worker's audit tables in schema worker, each with its own schema_migrations. Neither role may read, write
# or create anything in the other's schema, nor create anything in public.
#
# Everything comes from the environment; passwords never appear on a command line (psql reads them with \getenv):
#   PGHOST, PGPORT, PGUSER, PGPASSWORD  a superuser to do this as (psql's own variables)
#   POSTGRES_DB                         the database both stores share (default predictions, created by the image)
#   POSTGRES_GATEWAY_PASSWORD           for role gateway (results store)
#   POSTGRES_WORKER_PASSWORD            for role worker (audit store)
# Needs only sh and psql 15+ (the postgres image in docker-compose.yml).
set -eu

for required in PGPASSWORD POSTGRES_GATEWAY_PASSWORD POSTGRES_WORKER_PASSWORD; do
    eval "value=\${$required:-}"
    [ -n "$value" ] || { echo "$required is not set." >&2; exit 2; }
done
database=${POSTGRES_DB:-predictions}

# The server may still be starting (the image runs its own initialisation before it listens on TCP).
tries=0
until pg_isready -q -d "$database"; do
    tries=$((tries + 1))
    [ "$tries" -lt 60 ] || { echo "PostgreSQL at ${PGHOST:-localhost} did not answer within a minute." >&2; exit 1; }
    sleep 1
done

psql -v ON_ERROR_STOP=1 -v database="$database" -d "$database" -q <<'SQL'
\getenv gateway_password POSTGRES_GATEWAY_PASSWORD
\getenv worker_password POSTGRES_WORKER_PASSWORD

SELECT format('CREATE ROLE %I', name) FROM (VALUES ('gateway'), ('worker')) AS wanted(name)
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = name) \gexec
ALTER ROLE gateway WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT PASSWORD :'gateway_password';
ALTER ROLE worker WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT PASSWORD :'worker_password';

-- Only these two roles (and superusers) may connect; nobody creates tables in public.
REVOKE ALL ON DATABASE :"database" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"database" TO gateway, worker;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

CREATE SCHEMA IF NOT EXISTS gateway AUTHORIZATION gateway;
CREATE SCHEMA IF NOT EXISTS worker AUTHORIZATION worker;
ALTER SCHEMA gateway OWNER TO gateway;
ALTER SCHEMA worker OWNER TO worker;
REVOKE ALL ON SCHEMA gateway FROM PUBLIC;
REVOKE ALL ON SCHEMA worker FROM PUBLIC;
SQL
echo "Roles gateway (schema gateway) and worker (schema worker) on database $database."
