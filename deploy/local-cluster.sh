#!/usr/bin/env bash
# An OrleansKb cluster on one machine, laid out as it would be on several hosts: PostgreSQL, Redis
# and three silos, each a separate process (deploy/README.md, "One machine").
#
#   deploy/local-cluster.sh start            services, then the silos (built first)
#   deploy/local-cluster.sh stop             silos, then services
#   deploy/local-cluster.sh status
#   deploy/local-cluster.sh services-start   PostgreSQL and Redis only (what the tests need)
#   deploy/local-cluster.sh services-stop
#   deploy/local-cluster.sh silos-start      the silos only (the services must be up)
#   deploy/local-cluster.sh silos-stop
#   deploy/local-cluster.sh env              the settings a silo or a test uses, as `export` lines
#   deploy/local-cluster.sh state            the folder it keeps everything in
#
# Each silo serves the HTTP API on 8080, 8081, … (https with the cluster's certificate when TLS is on),
# with the key kept in STATE/http-api-key, and the Orleans Dashboard at /dashboard.
#
# Everything is kept under LOCAL_CLUSTER_STATE and listens on loopback only. Processes are stopped by
# the process ids this script recorded, never by name.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if [[ $(id -u) == 0 ]]; then default_state=/var/lib/orleanskb-cluster; else default_state=${XDG_STATE_HOME:-$HOME/.local/state}/orleanskb-cluster; fi
state=${LOCAL_CLUSTER_STATE:-$default_state}
pg_port=${LOCAL_CLUSTER_PG_PORT:-55432}
redis_port=${LOCAL_CLUSTER_REDIS_PORT:-56379}
silos=${LOCAL_CLUSTER_SILOS:-3}
first_silo_port=${LOCAL_CLUSTER_FIRST_SILO_PORT:-11111}
first_gateway_port=${LOCAL_CLUSTER_FIRST_GATEWAY_PORT:-30000}
first_http_port=${LOCAL_CLUSTER_FIRST_HTTP_PORT:-8080}
tls=${LOCAL_CLUSTER_TLS:-on}
dashboard=${LOCAL_CLUSTER_DASHBOARD:-on}

postgres_connection="Host=127.0.0.1;Port=$pg_port;Username=orleanskb;Database=orleanskb"
redis_connection="127.0.0.1:$redis_port"

fail() { echo "local-cluster: $*" >&2; exit 1; }

pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [[ -n $dir ]] || dir=$(dirname "$(command -v pg_ctl 2>/dev/null || true)")
  [[ -x $dir/pg_ctl ]] || fail "PostgreSQL is not installed (apt-get install postgresql; .ci/run does it)"
  echo "$dir"
}

# PostgreSQL refuses to run as root: as root, its commands run as the postgres user.
as_pg() {
  if [[ $(id -u) == 0 ]]; then
    id postgres >/dev/null 2>&1 || fail "running as root needs the 'postgres' user (the Debian package creates it)"
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

services_start() {
  mkdir -p "$state"
  command -v redis-server >/dev/null || fail "Redis is not installed (apt-get install redis-server; .ci/run does it)"
  local bin data=$state/postgres
  bin=$(pg_bin)
  if [[ ! -f $data/PG_VERSION ]]; then
    mkdir -p "$data"
    [[ $(id -u) == 0 ]] && chown postgres: "$data" && chmod 700 "$data"
    # Local trust on loopback for the recipe; a shared database wants a password (deploy/README.md).
    as_pg "$bin/initdb" -D "$data" -U orleanskb --auth=trust -E UTF8 >"$state/initdb.log" 2>&1 \
      || fail "initdb failed: $(tail -n 5 "$state/initdb.log")"
  fi
  if ! as_pg "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    as_pg "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -c port=$pg_port -c unix_socket_directories=$data" start >/dev/null \
      || fail "PostgreSQL did not start: $(tail -n 5 "$data/server.log")"
  fi
  if ! as_pg "$bin/psql" -h 127.0.0.1 -p "$pg_port" -U orleanskb -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'orleanskb'" | grep -q 1; then
    as_pg "$bin/createdb" -h 127.0.0.1 -p "$pg_port" -U orleanskb orleanskb
  fi
  if ! redis-cli -h 127.0.0.1 -p "$redis_port" ping >/dev/null 2>&1; then
    # Membership only: nothing in Redis needs to survive it (silos write their entries again).
    redis-server --port "$redis_port" --bind 127.0.0.1 --daemonize yes --dir "$state" \
      --pidfile "$state/redis.pid" --logfile "$state/redis.log" --save '' --appendonly no
    for _ in $(seq 100); do redis-cli -h 127.0.0.1 -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
    redis-cli -h 127.0.0.1 -p "$redis_port" ping >/dev/null 2>&1 || fail "Redis did not start: $(tail -n 5 "$state/redis.log")"
  fi
  echo "PostgreSQL on 127.0.0.1:$pg_port, Redis on 127.0.0.1:$redis_port (state in $state)"
}

services_stop() {
  local data=$state/postgres
  if [[ -f $data/postmaster.pid ]]; then
    as_pg "$(pg_bin)/pg_ctl" -D "$data" -m fast -w stop >/dev/null || true
  fi
  stop_pid_file "$state/redis.pid"
}

# TERM, up to 15 s for a graceful stop, then KILL.
stop_pid_file() {
  local file=$1 pid
  [[ -f $file ]] || return 0
  pid=$(cat "$file")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
}

gateways() {
  local list=() i
  for ((i = 0; i < silos; i++)); do list+=("localhost:$((first_gateway_port + i))"); done
  (IFS=,; echo "${list[*]}")
}

print_env() {
  echo "export ORLEANSKB_CLUSTERING=Redis"
  echo "export ORLEANSKB_REDISCONNECTION='$redis_connection'"
  echo "export ORLEANSKB_STORE=Postgres"
  echo "export ORLEANSKB_POSTGRESCONNECTION='$postgres_connection'"
  [[ $tls == on ]] && echo "export ORLEANSKB_TLS__CERTIFICATEFILE='$state/cluster.pfx'"
  [[ -f $state/http-api-key ]] && echo "export ORLEANSKB_HTTPAPIKEY='$(cat "$state/http-api-key")'"
  [[ $dashboard == on ]] && echo "export ORLEANSKB_DASHBOARD=true"
  return 0
}

http_url() {
  if [[ $tls == on ]]; then echo "https://127.0.0.1:$((first_http_port + $1))"; else echo "http://127.0.0.1:$((first_http_port + $1))"; fi
}

silos_start() {
  local dll=${LOCAL_CLUSTER_SILO_DLL:-} i log
  if [[ -z $dll ]]; then
    dotnet build "$root/silo" -c Release -v quiet -nologo >/dev/null
    dll=$root/silo/bin/Release/net10.0/orleanskb-silo.dll
  fi
  [[ $tls == on ]] && "$root/deploy/make-certificate.sh" "$state"
  # The HTTP API's key: made once, kept in the state folder (readable by its owner only).
  [[ -f $state/http-api-key ]] || (umask 077; head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$state/http-api-key")
  for ((i = 0; i < silos; i++)); do
    [[ -f $state/silo-$i.pid ]] && kill -0 "$(cat "$state/silo-$i.pid")" 2>/dev/null && continue
    log=$state/silo-$i.log
    (
      eval "$(print_env)"
      export ORLEANSKB_SILOPORT=$((first_silo_port + i)) ORLEANSKB_GATEWAYPORT=$((first_gateway_port + i)) ORLEANSKB_HTTPPORT=$((first_http_port + i))
      exec setsid dotnet "$dll" </dev/null >"$log" 2>&1
    ) &
    echo $! >"$state/silo-$i.pid"
  done
  for ((i = 0; i < silos; i++)); do
    log=$state/silo-$i.log
    for _ in $(seq 900); do
      grep -q "silo ready" "$log" 2>/dev/null && break
      kill -0 "$(cat "$state/silo-$i.pid")" 2>/dev/null || fail "silo $i exited: $(tail -n 5 "$log")"
      sleep 0.1
    done
    grep -q "silo ready" "$log" || fail "silo $i did not start within 90 s: $(tail -n 5 "$log")"
  done
  local client="orleanskb --gateway $(gateways)"
  [[ $tls == on ]] && client+=" --tls-certificate $state/cluster.pfx"
  echo "$silos silos up (logs: $state/silo-N.log). Try: $client count"
  local curl="curl -H \"Authorization: Bearer \$(cat $state/http-api-key)\""
  [[ $tls == on ]] && curl+=" --cacert $state/cluster.crt"
  echo "HTTP API: $(http_url 0) … $(http_url $((silos - 1))) (key in $state/http-api-key). Try: $curl $(http_url 0)/spaces/default"
  [[ $dashboard == on ]] && echo "Orleans Dashboard: $(http_url 0)/dashboard"
  return 0
}

silos_stop() {
  local file
  for file in "$state"/silo-*.pid; do [[ -e $file ]] && stop_pid_file "$file"; done
  return 0
}

status() {
  local file
  for file in "$state"/silo-*.pid; do
    [[ -e $file ]] || continue
    if kill -0 "$(cat "$file")" 2>/dev/null; then echo "$(basename "$file" .pid): running, pid $(cat "$file")"; else echo "$(basename "$file" .pid): not running"; fi
  done
  redis-cli -h 127.0.0.1 -p "$redis_port" ping >/dev/null 2>&1 && echo "redis: running" || echo "redis: not running"
  [[ -f $state/postgres/postmaster.pid ]] && echo "postgres: running" || echo "postgres: not running"
}

case ${1:-} in
  start) services_start; silos_start ;;
  stop) silos_stop; services_stop ;;
  status) status ;;
  services-start) services_start ;;
  services-stop) services_stop ;;
  silos-start) silos_start ;;
  silos-stop) silos_stop ;;
  env) print_env ;;
  state) echo "$state" ;;
  *) fail "usage: $0 start|stop|status|services-start|services-stop|silos-start|silos-stop|env|state" ;;
esac
