#!/usr/bin/env bash
# Runs every test. Integration tests need a real RabbitMQ: RABBITMQ_URL, a Docker engine, or a local
# rabbitmq-server (installed here when missing and run as root); the tests start their own private node.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/rabbitmq.sh

if [ -z "${RABBITMQ_URL:-}" ] && ! docker info >/dev/null 2>&1; then
    ensure_rabbitmq_installed
fi

dotnet test Worker.sln "$@"
