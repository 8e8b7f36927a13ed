#!/usr/bin/env bash
# Starts N OrleansKb silos on this host (localhost clustering) and stops them all on Ctrl+C.
# Usage: deploy/run-local-cluster.sh [N]   (default 2)
# The silos keep their spaces in memory (Store=Memory): a data directory belongs to one silo, and a
# space activated on another silo after a restart would not find it there. A durable cluster of
# several silos needs a store they share (docs/durability.md).
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-2}
dotnet build silo -c Release -v quiet -nologo
pids=()
trap 'kill -TERM "${pids[@]}" 2>/dev/null; wait' INT TERM EXIT
for ((i = 0; i < count; i++)); do
  args=(--SiloPort $((11111 + i)) --GatewayPort $((30000 + i)) --Store Memory)
  if ((i > 0)); then args+=(--PrimarySiloPort 11111); fi
  dotnet silo/bin/Release/net10.0/orleanskb-silo.dll "${args[@]}" &
  pids+=($!)
  if ((i == 0)); then sleep 3; fi
done
wait
