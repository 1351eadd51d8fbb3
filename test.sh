#!/usr/bin/env bash
# Runs every test. Integration tests need a real RabbitMQ: RABBITMQ_URL, a Docker engine, or a local
# rabbitmq-server (installed here when missing and run as root); the tests start their own private node.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/rabbitmq.sh

if [ -z "${RABBITMQ_URL:-}" ] && ! docker info >/dev/null 2>&1; then
    ensure_rabbitmq_installed
fi

# The examples in docs/amqp.md are tested as written: they need Python's pika and Debian's amqp-tools.
ensure_debian_packages python3-pika amqp-tools ||
    echo "python3-pika or amqp-tools is missing: the docs/amqp.md example tests will fail (apt-get install python3-pika amqp-tools)." >&2

dotnet test Worker.sln "$@"
