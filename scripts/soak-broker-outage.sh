#!/usr/bin/env bash
# Runs the broker-outage fault test N times in a row and counts the failures; each failed run's output is
# kept. With --busy, a busy loop per core competes with the test for the CPU, as on a loaded machine.
#   scripts/soak-broker-outage.sh [--runs N] [--busy] [--filter TEST]
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/rabbitmq.sh

runs=20
busy=false
filter="FullyQualifiedName~A_broker_outage_under_load"
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) runs=$2; shift 2 ;;
        --busy) busy=true; shift ;;
        --filter) filter=$2; shift 2 ;;
        *) echo "usage: $0 [--runs N] [--busy] [--filter TEST]" >&2; exit 2 ;;
    esac
done

ensure_rabbitmq_installed || exit 1
dotnet build tests/Integration.Tests -v quiet -nologo >/dev/null || { echo "The build failed." >&2; exit 1; }

spinners=()
stop_spinners() { for pid in "${spinners[@]}"; do kill "$pid" 2>/dev/null; done; }
trap stop_spinners EXIT
if $busy; then
    for _ in $(seq 1 "$(nproc)"); do
        (while :; do :; done) &
        spinners+=($!)
    done
    echo "A busy loop runs on each of $(nproc) cores."
fi

logs=$(mktemp -d -t soak-XXXX)
failed=0
started=$SECONDS
for run in $(seq 1 "$runs"); do
    log="$logs/run-$run.log"
    if dotnet test tests/Integration.Tests --no-build --filter "$filter" >"$log" 2>&1 && grep -q "Passed!" "$log"; then
        echo "run $run/$runs: passed ($((SECONDS - started)) s so far)"
        rm -f "$log"
    else
        failed=$((failed + 1))
        echo "run $run/$runs: FAILED, output in $log"
    fi
done

echo "$((runs - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
