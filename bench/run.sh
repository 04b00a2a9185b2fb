#!/usr/bin/env bash
# make bench [BENCH_SMOKE=1]: the benchmark harness (see bench/README.md).
# Installs wrk when missing, points Django at bench.settings and a PostgreSQL
# database of its own, then runs bench/harness.py.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v wrk >/dev/null; then
  echo "Installing wrk (apt)…"
  apt-get install -y -qq wrk >/dev/null 2>&1 || {
    apt-get update -qq && apt-get install -y -qq wrk >/dev/null
  }
fi
[ -x /usr/bin/time ] || apt-get install -y -qq time >/dev/null

smoke=${BENCH_SMOKE:-}
if [ -n "$smoke" ] && [ "$smoke" != 0 ]; then
  default_db=langnghe_bench_smoke
else
  default_db=langnghe_bench
fi
pg=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
export DATABASE_URL="${BENCH_DATABASE_URL:-$pg/${BENCH_DB:-$default_db}}"
export DJANGO_SETTINGS_MODULE=bench.settings
export BENCH_WORK="${BENCH_WORK:-$PWD/var/bench}"
export LANGNGHE_VAR_DIR="${LANGNGHE_VAR_DIR:-$BENCH_WORK/var}"
mkdir -p "$BENCH_WORK" "$LANGNGHE_VAR_DIR"
echo "DATABASE_URL=$DATABASE_URL"
exec .venv/bin/python bench/harness.py
