#!/usr/bin/env bash
# verify-ratio.sh GATEHOUSE_BINARY sqlite|pg [ROUNDS]
#
# README "Load", the platform's hot paths: GET /auth/verify with a live
# session at 64 connections, beside the minimal Go server (loadgen
# -baseline) measured in the same minute. Starts the minimal server and
# Gatehouse on a fresh database, creates the account and signs it in
# once, then alternates ROUNDS (3) times 10 s of the minimal server and
# 10 s of /auth/verify, printing one line per round with both rates,
# their p99, the ratio and the load average:
#
#	go build -o /tmp/gh ./cmd/gatehouse && go build -o /tmp/loadgen ./cmd/loadgen
#	cmd/loadgen/verify-ratio.sh /tmp/gh sqlite; cmd/loadgen/verify-ratio.sh /tmp/gh pg
#
# LOADGEN names loadgen (/tmp/loadgen by default); PostgreSQL is
# postgres@127.0.0.1:5432. Gatehouse listens on PORT (18480), its fake
# Resend API on PORT+10, the minimal server on PORT+19 and the metrics
# on PORT+1010.
set -u
bin=$1 db=$2 rounds=${3:-3}
port=${PORT:-18480}
loadgen=${LOADGEN:-/tmp/loadgen}
work=$(mktemp -d)
name=verify_ratio_$$
limits='RATE_LIMIT_EMAIL_PER_IP=1000000/1h RATE_LIMIT_LOGIN_PER_IP=1000000/1m RATE_LIMIT_EMAIL_PER_ADDRESS=100/1h TOKEN_ATTEMPTS_PER_IP=1000000'
if [ "$db" = pg ]; then
  psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $name" >/dev/null
  url="postgres://postgres@127.0.0.1:5432/$name?sslmode=disable"
else
  url=$work/gh.db
fi
"$loadgen" -baseline 127.0.0.1:$((port + 19)) >"$work/base.log" 2>&1 &
base=$!
env $limits ADDR=127.0.0.1:$port METRICS_ADDR=127.0.0.1:$((port + 1010)) BASE_URL=http://127.0.0.1:$port LOG_LEVEL=warn \
  DATABASE_URL="$url" RESEND_API_KEY=x RESEND_BASE_URL=http://127.0.0.1:$((port + 10))/ "$bin" >"$work/gh.log" 2>&1 &
gh=$!
cleanup() {
  kill $gh $base 2>/dev/null
  wait $gh $base 2>/dev/null
  [ "$db" = pg ] && psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE $name WITH (FORCE)" >/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
# The first run creates the account through the fake Resend API (and warms up).
"$loadgen" -target "http://127.0.0.1:$port" -resend-listen "127.0.0.1:$((port + 10))" -run vr -verify -conns 64 -duration 3s >"$work/warm.txt" 2>&1 ||
  { cat "$work/warm.txt" "$work/gh.log"; exit 1; }
# field FILE PATH COLUMN: req/s (4) or p99 ms (7) of the step GET PATH.
field() { awk -v p="$2" -v c="$3" '$1 == "GET" && $2 == p && $3 ~ /^[0-9]+$/ {print $c}' "$1"; }
for r in $(seq "$rounds"); do
  "$loadgen" -target "http://127.0.0.1:$((port + 19))" -page / -conns 64 -duration 10s >"$work/b.txt" 2>&1
  l0=$(cut -d' ' -f1 /proc/loadavg)
  "$loadgen" -target "http://127.0.0.1:$port" -run vr -email lg-vr-signin@example.test -verify -conns 64 -duration 10s >"$work/v.txt" 2>&1
  b=$(field "$work/b.txt" / 4) v=$(field "$work/v.txt" /auth/verify 4)
  printf '%s %s round %d: /auth/verify %s req/s p99 %s ms, minimal server %s req/s p99 %s ms, ratio %.2f; load %s -> %s\n' \
    "$(date -u +%H:%M)" "$db" "$r" "$v" "$(field "$work/v.txt" /auth/verify 7)" "$b" "$(field "$work/b.txt" / 7)" \
    "$(echo "$v / $b" | bc -l)" "$l0" "$(cut -d' ' -f1 /proc/loadavg)"
done
