#!/usr/bin/env bash
# Installs (from Debian packages, when absent) and starts a local PostgreSQL, then makes sure the
# role and databases Prime Directive uses exist. Idempotent: safe to run again at any time.
#
# Environment (all optional):
#   PD_PG_PORT      port of the local cluster (default: the Debian cluster's own, normally 5432)
#   PD_PG_USER      role to create (default prime_directive)
#   PD_PG_PASSWORD  its password (default prime_directive)
#   PD_PG_DATABASES space-separated databases to create (default: prime_directive pd_eu pd_us pd_ap pd_keys)
#   PD_PG_MAX_CONNECTIONS  the least max_connections the server must allow (default 300; raised with a restart)
# Prints the base connection string on its last line.
set -euo pipefail

user=${PD_PG_USER:-prime_directive}
password=${PD_PG_PASSWORD:-prime_directive}
databases=${PD_PG_DATABASES:-prime_directive pd_eu pd_us pd_ap pd_keys}

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  echo "postgres.sh: installing PostgreSQL from Debian packages" >&2
  as_root apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends postgresql >&2
fi

version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
if ! pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main"' | grep -q .; then
  as_root pg_createcluster "$version" main >&2
fi
if ! pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" && $4=="online"' | grep -q .; then
  as_root pg_ctlcluster "$version" main start >&2
fi
port=${PD_PG_PORT:-$(pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $3}')}

psql_admin() { as_root runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$port" "$@"; }

# Wait until the server accepts connections (it may still be starting).
for _ in $(seq 1 60); do
  if psql_admin -d postgres -c 'select 1' >/dev/null 2>&1; then break; fi
  sleep 0.5
done

# Test runs start many silos and gateways at once, each with its own connection pools: 100 slots are not enough.
min_connections=${PD_PG_MAX_CONNECTIONS:-300}
if [ "$(psql_admin -d postgres -tAc 'show max_connections')" -lt "$min_connections" ]; then
  echo "postgres.sh: raising max_connections to $min_connections (restarts PostgreSQL)" >&2
  psql_admin -d postgres -c "alter system set max_connections = $min_connections" >&2
  as_root pg_ctlcluster "$version" main restart >&2
  for _ in $(seq 1 60); do
    if psql_admin -d postgres -c 'select 1' >/dev/null 2>&1; then break; fi
    sleep 0.5
  done
fi

psql_admin -d postgres >&2 <<SQL
do \$\$
begin
  if not exists (select from pg_roles where rolname = '${user}') then
    create role ${user} login createdb password '${password}';
  else
    alter role ${user} login createdb password '${password}';
  end if;
end
\$\$;
SQL
for db in $databases; do
  if ! psql_admin -d postgres -tAc "select 1 from pg_database where datname = '${db}'" | grep -q 1; then
    psql_admin -d postgres -c "create database ${db} owner ${user}" >&2
  fi
done

echo "Host=127.0.0.1;Port=${port};Username=${user};Password=${password}"
