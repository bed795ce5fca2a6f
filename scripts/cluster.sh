#!/usr/bin/env bash
# Runs Prime Directive as several processes on this machine: three silos (regions eu, us, ap) and the
# gateway as an Orleans client, all on loopback, on PostgreSQL (scripts/postgres.sh).
#
#   scripts/cluster.sh start               build, create this run's databases, start everything, wait until ready
#   scripts/cluster.sh stop                stop every process of the run (by the PIDs in the pid files)
#   scripts/cluster.sh status              which of the run's processes are alive; exit 3 when any is not
#   scripts/cluster.sh restart-silo REGION stop (if alive) and start again the silo of REGION, wait until it runs
#
# Environment (all optional):
#   PD_STATE_DIR        pid files, logs and the `env` file of the run (default: .cluster in the repository root)
#   PD_BASE_PORT        first port of the run (default 21000); silo i of eu/us/ap uses base+2i (silo-to-silo) and
#                       base+2i+1 (client gateway), the HTTP gateway base+10. Keep the block below Linux's ephemeral
#                       range (32768-60999): an outgoing connection can hold a port in it
#   PD_CLUSTER_ID       Orleans cluster id, also names the databases (default: random; [a-z0-9_], 1-32 chars)
#   PD_BUILD            1 (default): `dotnet build -c Release` the silo and the gateway once, into
#                       PD_ARTIFACTS (default: artifacts/cluster); 0: run what is already built there
#   PD_SILO_DLL, PD_GATEWAY_DLL  start only, both or neither: run these built dlls (e.g. the solution's own Release
#                       build, as the multi-process test does) instead of building into PD_ARTIFACTS
#   PD_FRESH_DATABASES  1 (default): fresh databases pdc_<id>_cluster, pdc_<id>_eu, ... for this run;
#                       0: the standing ones of scripts/postgres.sh (prime_directive, pd_eu, pd_us, pd_ap)
#   PD_DROP_DATABASES   stop only: 1 drops the run's databases (only fresh ones; never the standing ones)
#   PD_START_TIMEOUT    seconds to wait for the processes to be ready (default 120)
#   PD_STOP_TIMEOUT     seconds between TERM and KILL (default 20)
#
# The `env` file in PD_STATE_DIR is shell-sourceable (KEY='value' lines): PD_GATEWAY_URL, PD_CLUSTER_ID, the
# ports, PD_PSEUDONYM_KEY, PD_KEK (the key-encryption key, version 1), PD_SIGNING_KEY, PD_OUTBOX (the .eml outbox directory), the connection strings, PD_TLS (the
# directory of the run's Orleans certificates: an authority minted by openssl at start, whose key is then destroyed,
# a silo certificate and a gateway certificate). The processes run in the Development environment: plain HTTP on
# loopback (a Production gateway would demand TLS) and mutual TLS between them with the run's certificates. Processes are only ever stopped by the PIDs this script
# recorded, after checking that the PID still runs our program.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
state=$(realpath -m "${PD_STATE_DIR:-$repo/.cluster}")
envfile=$state/env
regions=(eu us ap)
silo_dll_name=PrimeDirective.Silo.dll
gateway_dll_name=PrimeDirective.Gateway.dll

say() { echo "cluster.sh: $*" >&2; }
die() { say "$*"; exit 1; }

usage() {
  sed -n '2,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

# ---- pids -------------------------------------------------------------------------------------------------------

# Prints the PID recorded for a process name (silo-eu, gateway, ...) if it is alive and still runs our program.
live_pid() {
  local name=$1 file=$state/$1.pid pid cmdline expected
  [ -f "$file" ] || return 1
  pid=$(tr -dc '0-9' <"$file")
  [ -n "$pid" ] || return 1
  [ -r "/proc/$pid/cmdline" ] || return 1
  case $name in
    gateway) expected=$gateway_dll_name ;;
    *) expected=$silo_dll_name ;;
  esac
  # A recycled PID that runs something else is not ours: never signal it.
  cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)
  case $cmdline in
    *"$expected"*) ;;
    *) return 1 ;;
  esac
  # A zombie is dead for our purposes.
  if [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || echo Z)" = Z ]; then return 1; fi
  echo "$pid"
}

# Stops the named processes: TERM, then KILL whatever is left after PD_STOP_TIMEOUT seconds.
stop_processes() {
  local timeout=${PD_STOP_TIMEOUT:-20} name pid pids=() names=() deadline remaining
  for name in "$@"; do
    if pid=$(live_pid "$name"); then
      pids+=("$pid")
      names+=("$name")
      kill -TERM "$pid" 2>/dev/null || true
    fi
  done
  if [ ${#pids[@]} -gt 0 ]; then
    say "stopping ${names[*]}"
    deadline=$((SECONDS + timeout))
    while :; do
      remaining=0
      for name in "${names[@]}"; do
        if live_pid "$name" >/dev/null; then remaining=1; fi
      done
      [ "$remaining" -eq 1 ] || break
      if [ "$SECONDS" -ge "$deadline" ]; then
        for name in "${names[@]}"; do
          if pid=$(live_pid "$name"); then
            say "$name ($pid) did not stop within ${timeout}s: KILL"
            kill -KILL "$pid" 2>/dev/null || true
          fi
        done
        break
      fi
      sleep 0.2
    done
    # After KILL the process is gone as soon as the kernel reaps it; wait for that, briefly and bounded.
    for _ in $(seq 1 50); do
      remaining=0
      for name in "${names[@]}"; do
        if live_pid "$name" >/dev/null; then remaining=1; fi
      done
      [ "$remaining" -eq 1 ] || break
      sleep 0.1
    done
  fi
  for name in "$@"; do
    if ! live_pid "$name" >/dev/null; then rm -f "$state/$name.pid"; fi
  done
}

all_names() {
  local region
  echo gateway
  for region in "${regions[@]}"; do echo "silo-$region"; done
}

# ---- env file ---------------------------------------------------------------------------------------------------

put() { printf "%s='%s'\n" "$1" "$2"; }

set_state() { sed -i "s/^PD_STATE=.*/PD_STATE='$1'/" "$envfile"; }

load_env() {
  [ -f "$envfile" ] || die "no run in $state (no env file); start one with: scripts/cluster.sh start"
  # shellcheck disable=SC1090
  . "$envfile"
}

# ---- processes --------------------------------------------------------------------------------------------------

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Starts one server process in the background with the given configuration (NAME=value arguments), records its PID.
# The process gets no terminal, its own log, and the directory of its dll as content root (for appsettings.json).
launch() {
  local name=$1 dll=$2 log=$state/$1.log pid
  shift 2
  if [ -f "$log" ]; then mv "$log" "$state/$name.$(date +%Y%m%dT%H%M%S%N).log"; fi
  (
    cd "$(dirname "$dll")"
    # Configuration from the caller's environment must not override the run's (the silo also reads PD_*).
    while read -r var; do unset "$var"; done < <(compgen -e | grep -E '^(PD_.*__|ConnectionStrings__|KeyStore__|Orleans__|Regions__|Privacy__|Auth__|Outbox__|Accounts__|Requests__|Gateway__|Management__|Secrets__|Kestrel__|ASPNETCORE_ENVIRONMENT$|DOTNET_ENVIRONMENT$)' || true)
    exec env "$@" dotnet "$dll"
  ) </dev/null >>"$log" 2>&1 &
  pid=$!
  # Not a job of this shell any more: no job notices, and the process outlives the script.
  disown "$pid"
  echo "$pid" >"$state/$name.pid"
  # Until the subshell has exec'd dotnet, the PID does not run our program yet (live_pid would call it dead).
  for _ in $(seq 1 100); do
    if live_pid "$name" >/dev/null || [ ! -e "/proc/$pid" ]; then break; fi
    sleep 0.05
  done
  say "started $name (pid $pid, log $log)"
}

silo_config() {
  local region=$1 index=$2
  echo "ConnectionStrings__PrimeDirective=$PD_CLUSTER_DATABASE"
  echo "Regions__Databases__eu=$PD_EU_DATABASE"
  echo "Regions__Databases__us=$PD_US_DATABASE"
  echo "Regions__Databases__ap=$PD_AP_DATABASE"
  echo "Privacy__PseudonymKey=$PD_PSEUDONYM_KEY"
  echo "ConnectionStrings__KeyStore=$PD_KEY_STORE"
  echo "KeyStore__Keks__1=$PD_KEK"
  echo "Outbox__Directory=$PD_OUTBOX"
  echo "Orleans__ClusterId=$PD_CLUSTER_ID"
  echo "Orleans__ServiceId=$PD_SERVICE_ID"
  echo "Orleans__SiloPort=$((PD_BASE_PORT + 2 * index))"
  echo "Orleans__GatewayPort=$((PD_BASE_PORT + 2 * index + 1))"
  echo "Orleans__AdvertisedIP=127.0.0.1"
  echo "Orleans__Metadata__region=$region"
  echo "Orleans__Tls__CertificatePath=$PD_TLS/silo.crt"
  echo "Orleans__Tls__KeyPath=$PD_TLS/silo.key"
  echo "Orleans__Tls__CaPath=$PD_TLS/ca.crt"
  echo "DOTNET_ENVIRONMENT=Development"
  # Loopback processes on one machine: a killed silo is declared dead in seconds (Orleans' defaults take ~13 s).
  echo "Orleans__Membership__ProbeTimeout=00:00:02"
  echo "Orleans__Membership__NumMissedProbesLimit=2"
  # The readiness wait below looks for the host's "Application started" line.
  echo "Logging__LogLevel__Microsoft.Hosting.Lifetime=Information"
}

start_silo() {
  local region=$1 index=$2 config=()
  mapfile -t config < <(silo_config "$region" "$index")
  launch "silo-$region" "$PD_SILO_DLL" "${config[@]}"
}

start_gateway() {
  launch gateway "$PD_GATEWAY_DLL" \
    "Orleans__Mode=client" \
    "ConnectionStrings__PrimeDirective=$PD_CLUSTER_DATABASE" \
    "Privacy__PseudonymKey=$PD_PSEUDONYM_KEY" \
    "Auth__SigningKey=$PD_SIGNING_KEY" \
    "Receipts__Keys__cluster=$PD_TLS/receipts.pem" \
    "Outbox__Directory=$PD_OUTBOX" \
    "Orleans__ClusterId=$PD_CLUSTER_ID" \
    "Orleans__ServiceId=$PD_SERVICE_ID" \
    "ASPNETCORE_URLS=$PD_GATEWAY_URL" \
    "ASPNETCORE_ENVIRONMENT=Development" \
    "Orleans__Tls__CertificatePath=$PD_TLS/gateway.crt" \
    "Orleans__Tls__KeyPath=$PD_TLS/gateway.key" \
    "Orleans__Tls__CaPath=$PD_TLS/ca.crt" \
    "Logging__LogLevel__Microsoft.Hosting.Lifetime=Information"
}

# Waits until every named silo has logged that its host started (the silo is then active in the cluster),
# failing fast when one of them exits.
wait_for_silos() {
  local deadline=$1 name pending
  shift
  while :; do
    pending=()
    for name in "$@"; do
      live_pid "$name" >/dev/null || { tail -n 40 "$state/$name.log" >&2 || true; die "$name exited while starting (log: $state/$name.log)"; }
      grep -q "Application started" "$state/$name.log" 2>/dev/null || pending+=("$name")
    done
    [ ${#pending[@]} -gt 0 ] || return 0
    [ "$SECONDS" -lt "$deadline" ] || die "not started within ${PD_START_TIMEOUT:-120}s: ${pending[*]} (logs in $state)"
    sleep 0.5
  done
}

wait_for_gateway() {
  local deadline=$1 code
  while :; do
    live_pid gateway >/dev/null || { tail -n 40 "$state/gateway.log" >&2 || true; die "the gateway exited while starting (log: $state/gateway.log)"; }
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$PD_GATEWAY_URL/health/ready" || true)
    [ "$code" = 200 ] && return 0
    [ "$SECONDS" -lt "$deadline" ] || die "the gateway was not ready within ${PD_START_TIMEOUT:-120}s (last /health/ready: $code; logs in $state)"
    sleep 0.5
  done
}

# ---- certificates ----------------------------------------------------------------------------------------------

# Mints the run's Orleans certificates into DIR: an authority, a silo certificate (server and client authentication)
# and a gateway certificate (client authentication only), then destroys the authority's key: nothing else can be issued.
mint_certificates() {
  local dir=$1 name usage serial
  command -v openssl >/dev/null 2>&1 || die "openssl is needed to mint the run's Orleans certificates (apt-get install openssl)"
  mkdir -p "$dir"
  chmod 700 "$dir"
  (
    cd "$dir"
    umask 077
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -keyout ca.key -out ca.crt \
      -subj "/CN=Prime Directive cluster.sh authority" -addext "basicConstraints=critical,CA:TRUE" \
      -addext "keyUsage=critical,keyCertSign" 2>/dev/null
    for name in silo gateway; do
      case $name in
        silo) usage=serverAuth,clientAuth ;;
        gateway) usage=clientAuth ;;
      esac
      serial=0x$(od -An -N8 -tx1 /dev/urandom | tr -dc '0-9a-f')
      openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$name.key" -out "$name.csr" \
        -subj "/CN=prime-directive-$name" 2>/dev/null
      openssl x509 -req -in "$name.csr" -CA ca.crt -CAkey ca.key -set_serial "$serial" -days 30 -out "$name.crt" \
        -extfile <(printf 'basicConstraints=CA:FALSE\nextendedKeyUsage=%s\nsubjectAltName=IP:127.0.0.1\n' "$usage") 2>/dev/null
      rm -f "$name.csr"
    done
    rm -f ca.key
    # The gateway's receipt-signing key (Ed25519): a durable gateway refuses to start without one.
    openssl genpkey -algorithm ed25519 -out receipts.pem 2>/dev/null
  ) || die "could not mint the run's certificates in $dir"
}

# ---- commands ---------------------------------------------------------------------------------------------------

cmd_start() {
  mkdir -p "$state"
  # The state directory ignores itself (it may sit inside the repository).
  [ -f "$state/.gitignore" ] || echo '*' >"$state/.gitignore"
  local name
  for name in $(all_names); do
    if live_pid "$name" >/dev/null; then die "$name of an earlier run is still alive in $state; run: scripts/cluster.sh stop"; fi
  done

  local id=${PD_CLUSTER_ID:-$(od -An -N5 -tx1 /dev/urandom | tr -dc '0-9a-f')}
  [[ $id =~ ^[a-z0-9_]{1,32}$ ]] || die "PD_CLUSTER_ID must be 1-32 characters of [a-z0-9_] (it names databases): $id"
  local base=${PD_BASE_PORT:-21000}
  [[ $base =~ ^[0-9]+$ ]] && [ "$base" -ge 1024 ] && [ "$base" -le 65525 ] || die "PD_BASE_PORT must be a port in 1024..65525: $base"
  local port
  for port in $(seq "$base" $((base + 5))) $((base + 10)); do
    case $port in
      11111 | 30000 | 11311 | 30311) die "PD_BASE_PORT $base would use port $port, a default Orleans port; choose another" ;;
    esac
    if port_in_use "$port"; then die "port $port (PD_BASE_PORT $base) is in use; choose another PD_BASE_PORT"; fi
  done
  local ephemeral
  ephemeral=$(awk '{print $1}' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
  if [ $((base + 10)) -ge "$ephemeral" ]; then
    say "warning: ports $base..$((base + 10)) reach into the ephemeral range (from $ephemeral); an outgoing connection may hold one"
  fi

  local fresh=${PD_FRESH_DATABASES:-1} databases
  if [ "$fresh" = 1 ]; then
    databases="pdc_${id}_cluster pdc_${id}_eu pdc_${id}_us pdc_${id}_ap pdc_${id}_keys"
  else
    databases="prime_directive pd_eu pd_us pd_ap pd_keys"
  fi
  # shellcheck disable=SC2086
  set -- $databases
  local db_cluster=$1 db_eu=$2 db_us=$3 db_ap=$4 db_keys=$5

  local artifacts=${PD_ARTIFACTS:-$repo/artifacts/cluster}
  local silo_dll=${PD_SILO_DLL:-$artifacts/bin/Silo/release/$silo_dll_name}
  local gateway_dll=${PD_GATEWAY_DLL:-$artifacts/bin/Gateway/release/$gateway_dll_name}
  if [ -n "${PD_SILO_DLL:-}" ] || [ -n "${PD_GATEWAY_DLL:-}" ]; then
    [ -n "${PD_SILO_DLL:-}" ] && [ -n "${PD_GATEWAY_DLL:-}" ] || die "PD_SILO_DLL and PD_GATEWAY_DLL go together"
    [ "$(basename "$silo_dll")" = "$silo_dll_name" ] && [ "$(basename "$gateway_dll")" = "$gateway_dll_name" ] \
      || die "PD_SILO_DLL must name $silo_dll_name and PD_GATEWAY_DLL $gateway_dll_name"
  fi

  # From here on, a failure stops whatever this start started.
  started=0
  trap 'on_start_exit' EXIT

  if [ "${PD_BUILD:-1}" = 1 ] && [ -z "${PD_SILO_DLL:-}" ]; then
    say "building the silo and the gateway (Release) into $artifacts (log: $state/build.log)"
    : >"$state/build.log"
    # Runs with other state directories share the build output: one build at a time.
    mkdir -p "$artifacts"
    exec 9>"$artifacts/.build.lock"
    flock -w 900 9 || die "another build into $artifacts did not finish within 900s"
    local project
    for project in src/Silo/Silo.csproj src/Gateway/Gateway.csproj; do
      # No build servers or reused nodes: nothing of the build outlives it (or holds the caller's output open).
      if ! (cd "$repo" && dotnet build "$project" -c Release --artifacts-path "$artifacts" -nologo -nodeReuse:false \
        -p:UseSharedCompilation=false) </dev/null >>"$state/build.log" 2>&1; then
        grep -E 'error|Error' "$state/build.log" | tail -n 20 >&2 || true
        die "build of $project failed (log: $state/build.log)"
      fi
    done
    # Release the lock (and do not hand the descriptor on to the servers).
    exec 9>&-
  fi
  [ -f "$silo_dll" ] && [ -f "$gateway_dll" ] || die "no built silo/gateway at $silo_dll and $gateway_dll (run with PD_BUILD=1)"

  say "PostgreSQL and databases: $databases"
  local pg
  pg=$(PD_PG_DATABASES="$databases" bash "$repo/scripts/postgres.sh" | tail -n 1)
  [ -n "$pg" ] || die "scripts/postgres.sh printed no connection string"
  if [ "$fresh" = 1 ]; then
    # Fresh means empty: a database left by an earlier run of the same id is not reused.
    local db
    for db in $databases; do
      if [ "$(pg_psql "$pg" "$db" -tAc "select count(*) from pg_stat_user_tables" 2>/dev/null || echo 0)" != 0 ]; then
        die "database $db already holds tables (an earlier run with PD_CLUSTER_ID=$id?); drop it or choose another id"
      fi
    done
  fi

  {
    put PD_STATE starting
    put PD_CLUSTER_ID "$id"
    put PD_SERVICE_ID "prime-directive-$id"
    put PD_BASE_PORT "$base"
    put PD_GATEWAY_PORT_HTTP $((base + 10))
    put PD_GATEWAY_URL "http://127.0.0.1:$((base + 10))"
    local index=0 region
    for region in "${regions[@]}"; do
      local upper
      upper=$(echo "$region" | tr '[:lower:]' '[:upper:]')
      put "PD_SILO_${upper}_SILO_PORT" $((base + 2 * index))
      put "PD_SILO_${upper}_GATEWAY_PORT" $((base + 2 * index + 1))
      index=$((index + 1))
    done
    put PD_PSEUDONYM_KEY "${PD_PSEUDONYM_KEY:-$(head -c 32 /dev/urandom | base64 -w0)}"
    put PD_KEK "${PD_KEK:-$(head -c 32 /dev/urandom | base64 -w0)}"
    put PD_SIGNING_KEY "${PD_SIGNING_KEY:-$(head -c 32 /dev/urandom | base64 -w0)}"
    put PD_OUTBOX "${PD_OUTBOX:-$state/outbox}"
    put PD_PG_BASE "$pg"
    put PD_DATABASES "$databases"
    put PD_DATABASES_FRESH "$fresh"
    put PD_CLUSTER_DATABASE "$pg;Database=$db_cluster"
    put PD_EU_DATABASE "$pg;Database=$db_eu"
    put PD_US_DATABASE "$pg;Database=$db_us"
    put PD_AP_DATABASE "$pg;Database=$db_ap"
    put PD_KEY_STORE "$pg;Database=$db_keys"
    put PD_SILO_DLL "$silo_dll"
    put PD_GATEWAY_DLL "$gateway_dll"
    put PD_TLS "$state/tls"
  } >"$envfile.tmp"
  mv "$envfile.tmp" "$envfile"
  load_env
  rm -rf "$PD_TLS"
  mint_certificates "$PD_TLS"

  local deadline=$((SECONDS + ${PD_START_TIMEOUT:-120})) index=0 region
  for region in "${regions[@]}"; do
    start_silo "$region" "$index"
    index=$((index + 1))
  done
  start_gateway
  wait_for_silos "$deadline" $(for region in "${regions[@]}"; do echo "silo-$region"; done)
  wait_for_gateway "$deadline"
  set_state running
  started=1
  say "ready: cluster $PD_CLUSTER_ID, state in $state"
  echo "$PD_GATEWAY_URL"
}

on_start_exit() {
  local code=$?
  if [ "${started:-0}" != 1 ]; then
    say "start failed: stopping what it started (logs stay in $state)"
    stop_processes $(all_names) || true
    if [ -f "$envfile" ]; then set_state failed; fi
  fi
  exit "$code"
}

# psql as the run's role over TCP: pg_psql BASE DATABASE [psql arguments...].
pg_psql() {
  local base=$1 database=$2 host port user password part
  shift 2
  IFS=';' read -ra parts <<<"$base"
  for part in "${parts[@]}"; do
    case ${part%%=*} in
      Host) host=${part#*=} ;;
      Port) port=${part#*=} ;;
      Username) user=${part#*=} ;;
      Password) password=${part#*=} ;;
    esac
  done
  PGPASSWORD=${password:-} PGCONNECT_TIMEOUT=10 psql -X -q -v ON_ERROR_STOP=1 -h "${host:-127.0.0.1}" -p "${port:-5432}" \
    -U "${user:-prime_directive}" -d "$database" "$@"
}

cmd_stop() {
  if [ ! -d "$state" ]; then
    say "nothing to stop ($state does not exist)"
    return 0
  fi
  stop_processes $(all_names)
  if [ "${PD_DROP_DATABASES:-0}" = 1 ] && [ -f "$envfile" ]; then
    load_env
    if [ "${PD_DATABASES_FRESH:-0}" = 1 ]; then
      local db
      for db in $PD_DATABASES; do
        say "dropping database $db"
        pg_psql "$PD_PG_BASE" postgres -c "drop database if exists \"$db\" with (force)" || say "could not drop $db"
      done
    else
      say "not dropping the standing databases ($PD_DATABASES): this run did not create them"
    fi
  fi
  if [ -f "$envfile" ]; then set_state stopped; fi
  say "stopped"
}

cmd_status() {
  local name pid down=0
  if [ -f "$envfile" ]; then
    load_env
    echo "cluster $PD_CLUSTER_ID ($PD_STATE), gateway $PD_GATEWAY_URL, state $state"
  else
    echo "no run in $state"
  fi
  for name in $(all_names); do
    if pid=$(live_pid "$name"); then
      echo "$name: alive (pid $pid)"
    elif [ -f "$state/$name.pid" ]; then
      echo "$name: dead (pid $(cat "$state/$name.pid"))"
      down=1
    else
      echo "$name: not running"
      down=1
    fi
  done
  if [ -f "$envfile" ] && live_pid gateway >/dev/null; then
    echo "gateway /health/ready: $(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$PD_GATEWAY_URL/health/ready" || true)"
  fi
  [ "$down" -eq 0 ] || exit 3
}

cmd_restart_silo() {
  local region=${1:-} index=-1 i
  for i in "${!regions[@]}"; do
    if [ "${regions[$i]}" = "$region" ]; then index=$i; fi
  done
  [ "$index" -ge 0 ] || die "restart-silo needs a region: ${regions[*]}"
  load_env
  [ "$PD_STATE" = running ] || die "the run in $state is $PD_STATE"
  stop_processes "silo-$region"
  start_silo "$region" "$index"
  wait_for_silos $((SECONDS + ${PD_START_TIMEOUT:-120})) "silo-$region"
  say "silo-$region is running again"
}

case ${1:-} in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  restart-silo) cmd_restart_silo "${2:-}" ;;
  *) usage ;;
esac
