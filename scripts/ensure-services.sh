#!/usr/bin/env bash
# Makes sure PostgreSQL and Redis answer on 127.0.0.1 (ports 5432 and 6379): uses running servers,
# starts installed ones, installs them with apt-get (Debian) when missing. Used by .ci/run and the demo.
# Postgres gets trust auth on loopback for the postgres role only when this script initialises it.
set -euo pipefail

PG_PORT=${PG_PORT:-5432}
REDIS_PORT=${REDIS_PORT:-6379}
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

say() { printf 'ensure-services: %s\n' "$*" >&2; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && exec 3>&- 3<&-; }

wait_port() {
  for _ in $(seq 1 60); do port_open "$1" && return 0; sleep 0.5; done
  return 1
}

apt_install() {
  if ! command -v apt-get >/dev/null 2>&1; then
    say "apt-get is not available: install $* yourself, or run \`docker compose up -d postgres redis\`"
    exit 1
  fi
  if [ -z "${APT_UPDATED:-}" ]; then
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    APT_UPDATED=1
  fi
  say "installing $* with apt-get"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2
}

ensure_redis() {
  if port_open "$REDIS_PORT"; then say "redis answers on 127.0.0.1:$REDIS_PORT"; return; fi
  command -v redis-server >/dev/null 2>&1 || apt_install redis-server
  say "starting redis-server on 127.0.0.1:$REDIS_PORT"
  local dir=/var/lib/redis
  [ -w "$dir" ] 2>/dev/null || dir=$(mktemp -d)
  redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
    --dir "$dir" --maxmemory-policy noeviction >&2
  wait_port "$REDIS_PORT" || { say "redis did not start"; exit 1; }
}

ensure_postgres() {
  if port_open "$PG_PORT"; then say "postgres answers on 127.0.0.1:$PG_PORT"; return; fi
  if ! command -v pg_ctlcluster >/dev/null 2>&1; then apt_install postgresql; fi
  local version
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$version" ]; then
    version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
    $SUDO pg_createcluster "$version" main >&2
  fi
  local hba="/etc/postgresql/$version/main/pg_hba.conf"
  # Tests and the demo connect as postgres over loopback without a password.
  if [ -f "$hba" ] && ! grep -q 'lrs-relay: trust loopback' "$hba"; then
    $SUDO sed -i '1i # lrs-relay: trust loopback\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
  fi
  say "starting postgres $version"
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2 || $SUDO pg_ctlcluster "$version" main start >&2
  wait_port "$PG_PORT" || { say "postgres did not start"; exit 1; }
}

ensure_redis
ensure_postgres
