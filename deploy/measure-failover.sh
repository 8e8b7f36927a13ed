#!/usr/bin/env bash
# Measures a failover on the one-machine recipe (deploy/local-cluster.sh start, default ports):
# kills the silo that holds SPACE with kill -9, then asks the other gateways for its count every
# 0.2 s until it is EXPECTED, and prints the time from the kill to that answer.
#   deploy/measure-failover.sh SPACE EXPECTED
# Afterwards, `deploy/local-cluster.sh start` brings the killed silo back.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
space=${1:?usage: $0 SPACE EXPECTED-COUNT} expected=${2:?usage: $0 SPACE EXPECTED-COUNT}
state=$("$root/deploy/local-cluster.sh" state)
first_silo_port=${LOCAL_CLUSTER_FIRST_SILO_PORT:-11111} first_gateway_port=${LOCAL_CLUSTER_FIRST_GATEWAY_PORT:-30000}
cli=(dotnet "$root/client/bin/Release/net10.0/orleanskb.dll")
[[ -f ${cli[1]} ]] || dotnet build "$root/client" -c Release -v quiet -nologo >/dev/null
tls=(); [[ -f $state/cluster.pfx ]] && tls=(--tls-certificate "$state/cluster.pfx")

all=$(for i in 0 1 2; do printf "localhost:%d," $((first_gateway_port + i)); done)
silo=$("${cli[@]}" --gateway "${all%,}" "${tls[@]}" --space "$space" info | sed 's/.*"silo":"[^"]*:\([0-9]*\)".*/\1/')
victim=$((silo - first_silo_port))
others=$(for i in 0 1 2; do if [[ $i != "$victim" ]]; then printf "localhost:%d," $((first_gateway_port + i)); fi; done)
kill -9 "$(cat "$state/silo-$victim.pid")"
start=$(date +%s.%N)
answer=""
for _ in $(seq 300); do
  answer=$("${cli[@]}" --gateway "${others%,}" "${tls[@]}" --space "$space" count 2>&1 || true)
  [[ $answer == "$expected" ]] && break
  sleep 0.2
done
[[ $answer == "$expected" ]] || { echo "no correct answer within the bound; last: $answer" >&2; exit 1; }
echo "killed silo $victim; first correct count ($answer) after $(echo "$(date +%s.%N) - $start" | bc) s"
"${cli[@]}" --gateway "${others%,}" "${tls[@]}" --space "$space" info
