# Brings up the services the platform needs on this machine, using what is
# already running and starting only what is missing. Sourced by deploy/dev.
#
# PostgreSQL: DATABASE_URL if it answers; else a local cluster under
#   .local/pg (Debian's postgresql package is installed if missing).
# Redis: REDIS_URL if it answers; else redis-server on 127.0.0.1 (Debian's
#   redis-server package is installed if missing).
# What this starts is recorded in STARTED_PIDS/STARTED_CLUSTERS and stopped
# by stop_started_services (deploy/dev calls it on exit).

ROOT=${ROOT:?}
STATE="$ROOT/.local"
mkdir -p "$STATE"
STARTED_CLUSTERS=()
STARTED_PIDS=()

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else die "need root to run: $* (install it yourself, or run as root)"
  fi
}

apt_updated=""
apt_install() {
  command -v apt-get >/dev/null 2>&1 || die "$1 is missing and apt-get is not available; install $* yourself"
  if [ -z "$apt_updated" ]; then
    say "apt-get update"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null || die "apt-get update failed"
    apt_updated=1
  fi
  say "installing $* from Debian packages"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null \
    || die "apt-get install $* failed"
}

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

free_port() {
  local p
  for p in "$@"; do port_open 127.0.0.1 "$p" || { echo "$p"; return; }; done
  die "no free port among $*"
}

# --- PostgreSQL -------------------------------------------------------------

pg_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && { echo "$d"; return; }; done
}

start_local_postgres() {
  local bin data port run_as=()
  bin=$(pg_bin)
  if [ -z "$bin" ]; then apt_install postgresql postgresql-contrib; bin=$(pg_bin); fi
  [ -n "$bin" ] || die "PostgreSQL server binaries not found after install"
  data="$STATE/pg/data"
  if [ "$(id -u)" = 0 ]; then
    # initdb and postgres refuse to run as root: the cluster belongs to postgres.
    id postgres >/dev/null 2>&1 || die "user 'postgres' is missing (install the postgresql package)"
    run_as=(runuser -u postgres --)
    mkdir -p "$STATE/pg" && chown postgres "$STATE/pg"
  fi
  if [ ! -f "$data/PG_VERSION" ]; then
    say "creating a local PostgreSQL cluster in $data"
    "${run_as[@]}" "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null \
      || die "initdb failed"
  fi
  port=$(free_port 5432 55432 55433 55434)
  mkdir -p "$STATE/pg/sock" && [ "$(id -u)" = 0 ] && chown postgres "$STATE/pg/sock"
  say "starting PostgreSQL on 127.0.0.1:$port"
  "${run_as[@]}" "$bin/pg_ctl" -D "$data" -l "$STATE/pg/server.log" -w -t 60 \
    -o "-p $port -c listen_addresses=127.0.0.1 -k $STATE/pg/sock" start >/dev/null \
    || die "PostgreSQL did not start; see $STATE/pg/server.log"
  STARTED_CLUSTERS+=("${run_as[*]}|$bin|$data")
  PG_PORT=$port
}

ensure_postgres() {
  command -v psql >/dev/null 2>&1 || apt_install postgresql-client
  local url=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/soi}
  local server=${url%/*}
  if psql "$server/postgres" -qtAc 'select 1' >/dev/null 2>&1; then
    say "PostgreSQL answers at ${server##*@}"
  else
    start_local_postgres
    server="postgres://postgres@127.0.0.1:$PG_PORT"
    url="$server/${url##*/}"
  fi
  export DATABASE_URL=$url
  export SOI_TEST_DATABASE_URL=${SOI_TEST_DATABASE_URL:-$server/postgres}
  export SOI_BENCH_DATABASE_URL=${SOI_BENCH_DATABASE_URL:-$server/postgres}
  PG_SERVER=$server
}

# The application database (for `up`); tests make their own.
ensure_database() {
  local name=${DATABASE_URL##*/}
  name=${name%%\?*}
  if ! psql "$PG_SERVER/postgres" -qtAc "select 1 from pg_database where datname = '$name'" | grep -q 1; then
    say "creating database $name"
    psql "$PG_SERVER/postgres" -qc "create database \"$name\"" >/dev/null || die "cannot create database $name"
  fi
}

# --- Redis --------------------------------------------------------------------

ensure_redis() {
  local url=${REDIS_URL:-redis://127.0.0.1:6379}
  local hostport=${url#*://}; hostport=${hostport#*@}; hostport=${hostport%%/*}
  local host=${hostport%:*} port=${hostport##*:}
  if port_open "$host" "$port" && { ! command -v redis-cli >/dev/null || redis-cli -h "$host" -p "$port" ping 2>/dev/null | grep -q PONG; }; then
    say "Redis answers at $host:$port"
  else
    command -v redis-server >/dev/null 2>&1 || apt_install redis-server
    port=$(free_port 6379 56379 56380)
    say "starting Redis on 127.0.0.1:$port"
    redis-server --bind 127.0.0.1 --port "$port" --save "" --appendonly no --daemonize yes \
      --dir "$STATE" --pidfile "$STATE/redis.pid" --logfile "$STATE/redis.log" >/dev/null || die "Redis did not start"
    for _ in $(seq 50); do [ -s "$STATE/redis.pid" ] && break; sleep 0.1; done
    STARTED_PIDS+=("$(cat "$STATE/redis.pid")")
    url="redis://127.0.0.1:$port"
  fi
  export REDIS_URL=$url
}

stop_started_services() {
  local entry pid
  for pid in "${STARTED_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for entry in "${STARTED_CLUSTERS[@]}"; do
    IFS='|' read -r run_as bin data <<<"$entry"
    # shellcheck disable=SC2086
    $run_as "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
  done
}
