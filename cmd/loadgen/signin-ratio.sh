#!/usr/bin/env bash
# signin-ratio.sh GATEHOUSE_BINARY sqlite|pg [LABEL]
#
# One round of README "Load" (g) against raw argon2id measured right before
# and right after it in the same minute: starts the binary on a fresh
# database, creates the account with a 3 s warm-up, runs
# BenchmarkArgon2idParallel, signs in at 16 connections for 20 s, runs the
# benchmark again, and prints one line with both rates (raw argon2id as
# the mean of its two runs, which are shown too: a machine whose speed
# drifts within the minute shows there), the ratio, the CPU per sign-in of
# Gatehouse and of its PostgreSQL backends, the share of the cores left
# idle during the sign-ins, and the load average. With a binary built with -tags pprof it also
# prints the collector's share of Gatehouse's CPU (runtime/metrics) and,
# with PROFILE=15, saves a 15 s CPU profile of the run as
# signin-LABEL-DB.pb.gz. Alternate two binaries to compare them:
#
#	go build -tags pprof -o /tmp/gh ./cmd/gatehouse && go build -o /tmp/loadgen ./cmd/loadgen
#	go test -c -o /tmp/password.test ./internal/password/
#	for i in 1 2 3; do cmd/loadgen/signin-ratio.sh /tmp/gh-before sqlite before; cmd/loadgen/signin-ratio.sh /tmp/gh sqlite after; done
#
# LOADGEN and PASSWORD_TEST name the other two binaries (/tmp/loadgen and
# /tmp/password.test by default); PostgreSQL is postgres@127.0.0.1:5432.
# Gatehouse listens on PORT (18080), the fake Resend API on PORT+10 and the
# metrics on PORT+1010; the profiles of -tags pprof are on 127.0.0.1:6060.
set -u
bin=$1 db=$2 label=${3:-run}
port=${PORT:-18080}
loadgen=${LOADGEN:-/tmp/loadgen} ptest=${PASSWORD_TEST:-/tmp/password.test}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
name=signin_ratio_$$
limits='RATE_LIMIT_EMAIL_PER_IP=1000000/1h RATE_LIMIT_LOGIN_PER_IP=1000000/1m RATE_LIMIT_EMAIL_PER_ADDRESS=100/1h TOKEN_ATTEMPTS_PER_IP=1000000'
if [ "$db" = pg ]; then
  psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $name" >/dev/null
  url="postgres://postgres@127.0.0.1:5432/$name?sslmode=disable"
else
  url=$work/gh.db
fi
env $limits ADDR=127.0.0.1:$port METRICS_ADDR=127.0.0.1:$((port + 1010)) BASE_URL=http://127.0.0.1:$port LOG_LEVEL=warn \
  DATABASE_URL="$url" RESEND_API_KEY=x RESEND_BASE_URL=http://127.0.0.1:$((port + 10))/ "$bin" >"$work/gh.log" 2>&1 &
gh=$!
dropdb() { [ "$db" != pg ] || psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE $name WITH (FORCE)" >/dev/null; }
cpu() { awk '{print ($14 + $15) / 100}' "/proc/$1/stat"; }
pgcpu() { # the backends serving this database
  local t=0 p
  for p in $(pgrep -f "postgres: .*postgres $name "); do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0))); done
  echo "$t / 100" | bc -l
}
lg=("$loadgen" -target "http://127.0.0.1:$port" -resend-listen "127.0.0.1:$((port + 10))" -signin -conns 16)
"${lg[@]}" -duration 3s >"$work/warm.txt" 2>&1
account=$(awk '/^account:/ {print $2}' "$work/warm.txt")
if [ -z "$account" ]; then
  echo "signin-ratio: the warm-up made no account:" >&2
  cat "$work/warm.txt" >&2
  tail -20 "$work/gh.log" >&2
  kill $gh
  dropdb
  exit 1
fi
rawbench() { "$ptest" -test.run '^$' -test.bench Argon2idParallel -test.benchtime 200x 2>/dev/null | awk '/Argon2idParallel/ {print 1e9 / $3}'; }
idle() { awk '/^cpu / {print $5 + $6, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9}' /proc/stat; }
raw0=$(rawbench)
curl -sf http://127.0.0.1:6060/debug/cpu-classes >"$work/cc0" 2>/dev/null
g0=$(cpu $gh) p0=$(pgcpu) l0=$(cut -d' ' -f1 /proc/loadavg) i0=$(idle)
if [ "${PROFILE:-0}" != 0 ]; then
  curl -sf -o "signin-$label-$db.pb.gz" "http://127.0.0.1:6060/debug/pprof/profile?seconds=$PROFILE" &
fi
"${lg[@]}" -email "$account" -password 'violet tractor umbrella seventeen harbour' -duration 20s >"$work/run.txt" 2>&1
g1=$(cpu $gh) p1=$(pgcpu) i1=$(idle)
curl -sf http://127.0.0.1:6060/debug/cpu-classes >"$work/cc1" 2>/dev/null
others=$(jobs -p | grep -vx "$gh") # the profile, if one was taken; a bare wait would wait for Gatehouse too
[ -n "$others" ] && wait $others 2>/dev/null
kill $gh
wait $gh 2>/dev/null
raw1=$(rawbench)
raw=$(echo "($raw0 + $raw1) / 2" | bc -l)
idlepct=$(echo "$i0 $i1" | awk '{printf "%.1f", 100 * ($3 - $1) / ($4 - $2)}')
l1=$(cut -d' ' -f1 /proc/loadavg)
rate=$(awk '/^sign-ins\/s:/ {print $2}' "$work/run.txt")
ok=$(awk '/ ok, / {print $8}' "$work/run.txt")
if [ "${ok:-0}" = 0 ]; then
  echo "signin-ratio: no sign-in succeeded:" >&2
  cat "$work/run.txt" >&2
  tail -20 "$work/gh.log" >&2
  dropdb
  exit 1
fi
gc=""
if [ -s "$work/cc1" ]; then
  gc=$(join <(sort "$work/cc0") <(sort "$work/cc1") | awk '
    $1 == "/cpu/classes/gc/total:cpu-seconds" {g = $3 - $2}
    $1 == "/cpu/classes/total:cpu-seconds" {t = $3 - $2}
    $1 == "/gc/cycles/total:gc-cycles" {c = $3 - $2}
    END {printf ", collector %.1f %% of Gatehouse CPU, %d collections", 100 * g / t, c}')
fi
dropdb
printf '%s %s %s: %s sign-ins/s (%s), raw argon2id %.1f/s (%.1f, %.1f), ratio %.3f; CPU per sign-in: Gatehouse %.1f ms, PostgreSQL %.1f ms%s; idle %s %%; load %s -> %s\n' \
  "$(date -u +%H:%M)" "$label" "$db" "$rate" "$ok" "$raw" "$raw0" "$raw1" "$(echo "$rate / $raw" | bc -l)" \
  "$(echo "($g1 - $g0) * 1000 / $ok" | bc -l)" "$(echo "($p1 - $p0) * 1000 / $ok" | bc -l)" "$gc" "$idlepct" "$l0" "$l1"
