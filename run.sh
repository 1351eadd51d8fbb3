#!/usr/bin/env bash
# Runs the whole system on this machine: finds or starts RabbitMQ, then starts the worker and the gateway.
# Ctrl-C stops everything this script started. Settings pass through the environment, e.g.
#   Inference__MaxConcurrency=4 ./run.sh
set -euo pipefail
cd "$(dirname "$0")"
source scripts/rabbitmq.sh

GATEWAY_URL=${GATEWAY_URL:-http://127.0.0.1:5080}
RUN_DIR=.run
mkdir -p "$RUN_DIR/data"
children=()

cleanup() {
    trap - INT TERM EXIT
    echo
    echo "Stopping..."
    for pid in "${children[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${children[@]}"; do wait "$pid" 2>/dev/null || true; done
    stop_private_rabbitmq
    echo "Stopped."
}
trap cleanup INT TERM EXIT

# 1. A broker: the one named in RABBITMQ_URL, one already on localhost:5672, or a private node we start.
if [ -n "${RABBITMQ_URL:-}" ]; then
    broker=$RABBITMQ_URL
    ui=${RABBITMQ_MANAGEMENT_URL:-"(the management UI of $RABBITMQ_URL)"}
    echo "Using the broker in RABBITMQ_URL."
elif port_open 5672; then
    broker=amqp://guest:guest@127.0.0.1:5672/
    ui=http://127.0.0.1:15672/
    echo "Using the RabbitMQ already listening on 127.0.0.1:5672."
else
    ensure_rabbitmq_installed
    echo "Starting a local RabbitMQ node (data in $RUN_DIR/rabbitmq)..."
    start_private_rabbitmq "$RUN_DIR/rabbitmq" 5672 15672
    broker=amqp://guest:guest@127.0.0.1:5672/
    ui=http://127.0.0.1:15672/
fi

# 2. Our services, built once, run from their build output and configured through the environment.
echo "Building..."
dotnet build src/Worker -c Release -v quiet -nologo >/dev/null
dotnet build src/Gateway -c Release -v quiet -nologo >/dev/null

export ConnectionStrings__RabbitMq=$broker
# Two models out of the box (docs/models.md): requests naming none get doubling:1; the worker also serves every
# catalog model's latest version (doubling:2, item-scorer:1). The gateway and the worker must agree on the default.
# Model__Backend set (one model described by Model__*, no catalog) leaves the catalog off.
if [ -z "${Model__Backend:-}" ] || [ -n "${Models__Default:-}" ]; then
    export Models__Default=${Models__Default:-doubling:1}
    models="$Models__Default (the default), and the latest version of every catalog model"
else
    models="the one Model__* describes"
fi
ConnectionStrings__Audit="Data Source=$PWD/$RUN_DIR/data/audit.db" \
    dotnet src/Worker/bin/Release/net10.0/Predictions.Worker.dll > >(sed -u 's/^/[worker]  /') 2>&1 &
children+=($!)
ConnectionStrings__Results="Data Source=$PWD/$RUN_DIR/data/results.db" \
    dotnet src/Gateway/bin/Release/net10.0/Predictions.Gateway.dll --urls "$GATEWAY_URL" > >(sed -u 's/^/[gateway] /') 2>&1 &
children+=($!)

for _ in $(seq 1 120); do
    curl -fs "$GATEWAY_URL/health/ready" >/dev/null 2>&1 && break
    sleep 0.5
done
curl -fs "$GATEWAY_URL/health/ready" >/dev/null || { echo "The gateway did not become ready; see its output above." >&2; exit 1; }

cat <<MSG

  Ready.
  Gateway      $GATEWAY_URL        (POST /predictions, GET /predictions/{id})
  RabbitMQ UI  $ui   (user guest, password guest on a local node)
  Audit rows   $RUN_DIR/data/audit.db, table prediction_audit

  Models       $models   (docs/models.md)

  Try:  curl -s -X POST $GATEWAY_URL/predictions -H 'Content-Type: application/json' -d '{"itemId": 123, "featureValue": 5.0, "model": "item-scorer"}'
  Ctrl-C stops everything.

MSG
wait
