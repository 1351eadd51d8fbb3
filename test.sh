#!/usr/bin/env bash
# Runs every test. Integration tests need real RabbitMQ brokers of two series: 4.x for all of them (RABBITMQ_URL, a
# Docker engine, or Debian 13's rabbitmq-server in a Debian 13 root, made here when missing and run as root) and 3.x
# for those that prove what a version changes (RABBITMQ3_URL, a Docker engine, or Debian 12's rabbitmq-server, installed
# here likewise); the tests start private nodes of their own.
# The store tests also need PostgreSQL: POSTGRES_URL, a Docker engine, or a local postgresql package (likewise).
set -euo pipefail
cd "$(dirname "$0")"
source scripts/rabbitmq.sh
source scripts/rabbitmq4.sh

docker_engine=false
docker info >/dev/null 2>&1 && docker_engine=true
if [ -z "${RABBITMQ_URL:-}" ] && ! $docker_engine; then
    ensure_rabbitmq4_root
fi
if [ -z "${RABBITMQ3_URL:-}" ] && ! $docker_engine; then
    ensure_rabbitmq_installed
fi

# The store tests run on PostgreSQL too: POSTGRES_URL, a Docker engine, or Debian's postgresql package, from
# which they start a private server of their own (nothing is started here).
if [ -z "${POSTGRES_URL:-}" ] && ! $docker_engine && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    ensure_debian_packages postgresql ||
        echo "PostgreSQL is missing: the PostgreSQL store tests will fail (apt-get install postgresql, or set POSTGRES_URL)." >&2
fi

# The examples in docs/amqp.md are tested as written: they need Python's pika and Debian's amqp-tools.
ensure_debian_packages python3-pika amqp-tools ||
    echo "python3-pika or amqp-tools is missing: the docs/amqp.md example tests will fail (apt-get install python3-pika amqp-tools)." >&2

dotnet test Worker.sln "$@"
