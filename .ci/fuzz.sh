#!/usr/bin/env bash
# The API contract fuzzer: Schemathesis against /api/v1/openapi.json, as a member and as the
# district admin, on a fresh SQLite database and (when FUZZ_PG_URL is set) on PostgreSQL.
#
#   bash .ci/fuzz.sh                     # SQLite only
#   FUZZ_PG_URL=postgresql://postgres@127.0.0.1:5432/tt_fuzz bash .ci/fuzz.sh
#
# FUZZ_PG_URL names a database that this script EMPTIES (its public schema is dropped).
# Gating checks (must report 0 failures): not_a_server_error, response_schema_conformance,
# status_code_conformance, content_type_conformance. Every other check runs and is reported.
# Settings: FUZZ_MAX_EXAMPLES (default 8), FUZZ_SEED (default 20261201), FUZZ_WORKERS (2),
# FUZZ_DIR (where reports go; default a fresh temporary folder), FUZZ_DATABASES (sqlite,postgres),
# FUZZ_EXTRA_ARGS (more `schemathesis run` options, for exploring by hand; CI passes none).
set -euo pipefail
exec </dev/null

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
MAX_EXAMPLES=${FUZZ_MAX_EXAMPLES:-8}
SEED=${FUZZ_SEED:-20261201}
WORKERS=${FUZZ_WORKERS:-2}
DATABASES=${FUZZ_DATABASES:-sqlite,postgres}
OUT=${FUZZ_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/tongtong-fuzz.XXXXXX")}
mkdir -p "$OUT"
GATING=not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance
# Operations that end the fuzzer's own credentials (or move its member elsewhere).
EXCLUDE_OPERATIONS=(
  "DELETE /api/v1/auth/token"
  "POST /api/v1/auth/logout-all"
  "POST /api/v1/auth/password"
)
EXCLUDE_PATH_REGEX='^/api/v1/(auth/(reset|password-reset|forgot)|me/move)'
DEMO_PASSWORD=Tongtong2026
MEMBER_PHONE=13800000001
ADMIN_PHONE=13900000000
SERVER_PID=
FAILED=0
SUMMARIES=()

stop_server() {
  if [[ -n $SERVER_PID ]]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
  fi
}
trap stop_server EXIT

free_port() {
  python - <<'PY'
import socket
with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1])
PY
}

token_for() {  # phone port -> bearer token
  python - "$1" "$2" "$DEMO_PASSWORD" <<'PY'
import json, sys, urllib.request
phone, port, password = sys.argv[1:]
req = urllib.request.Request(
    f"http://127.0.0.1:{port}/api/v1/auth/token", method="POST",
    data=json.dumps({"phone": phone, "password": password}).encode(),
    headers={"Content-Type": "application/json"})
with urllib.request.urlopen(req, timeout=30) as response:
    print(json.load(response)["token"])
PY
}

# Prepare a fresh database with the demo district, then serve it on a free port.
serve() {
  local kind=$1 url=$2
  export SECRET_KEY=fuzz-not-secret DATABASE_URL=$url
  export VOLUNTEER_INSTANCE_PATH="$OUT/instance-$kind"
  # Let the fuzzer reach past the per-IP throttles of the public endpoints (they still answer).
  export VOLUNTEER_REQUEST_LIMIT_PER_IP=100000 VOLUNTEER_TRACK_MAX_FAILURES_PER_IP=100000
  # cheap password hashes: the fuzzer creates many accounts, and CI has two cores
  export VOLUNTEER_PASSWORD_TIME_COST=1 VOLUNTEER_PASSWORD_MEMORY_COST=8192
  mkdir -p "$VOLUNTEER_INSTANCE_PATH"
  if [[ $kind == postgres ]]; then
    psql -q "$url" -c 'DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;'
  fi
  volunteer db upgrade >"$OUT/$kind-setup.log" 2>&1
  volunteer demo --no-serve >>"$OUT/$kind-setup.log" 2>&1
  PORT=$(free_port)
  gunicorn --bind "127.0.0.1:$PORT" --workers 2 --threads 4 --timeout 60 \
    --access-logfile /dev/null --error-logfile "$OUT/$kind-server.log" wsgi:app &
  SERVER_PID=$!
  for _ in $(seq 60); do
    if curl -fs -o /dev/null "http://127.0.0.1:$PORT/api/v1/openapi.json"; then
      return 0
    fi
    sleep 1
  done
  echo "the app did not start; see $OUT/$kind-server.log" >&2
  return 1
}

fuzz() {
  local kind=$1 who=$2 token=$3 name="$1-$2"
  local excludes=()
  for op in "${EXCLUDE_OPERATIONS[@]}"; do
    excludes+=(--exclude-name "$op")
  done
  echo
  echo "==== schemathesis on $kind as $who (max-examples $MAX_EXAMPLES, seed $SEED)"
  # Schemathesis' own exit code says "some check failed"; fuzz_gate.py decides instead.
  schemathesis --config-file "$OUT/$kind.toml" run \
    "http://127.0.0.1:$PORT/api/v1/openapi.json" \
    --checks all --max-examples "$MAX_EXAMPLES" --seed "$SEED" --generation-database none \
    --workers "$WORKERS" --header "Authorization: Bearer $token" \
    "${excludes[@]}" --exclude-path-regex "$EXCLUDE_PATH_REGEX" \
    --request-timeout 30 --no-color --report ndjson --report-dir "$OUT/$name" \
    ${FUZZ_EXTRA_ARGS:-} \
    >"$OUT/$name.log" 2>&1 || true
  sed -n '/= SUMMARY =/,$p' "$OUT/$name.log"
  SUMMARIES+=("$name: $(tail -n 1 "$OUT/$name.log" | tr -d '=' | xargs)")
  if ! python "$ROOT/.ci/fuzz_gate.py" "$OUT/$name"/*.ndjson "$GATING" "$name"; then
    FAILED=1
  fi
}

for kind in ${DATABASES//,/ }; do
  case $kind in
    sqlite) url="sqlite:///$OUT/fuzz.sqlite3" ;;
    postgres)
      if [[ -z ${FUZZ_PG_URL:-} ]]; then
        echo "FUZZ_PG_URL is not set: skipping PostgreSQL"
        continue
      fi
      url=$FUZZ_PG_URL ;;
    *) echo "unknown database kind $kind" >&2; exit 2 ;;
  esac
  echo "==== $kind: fresh database, the demo district, gunicorn"
  serve "$kind" "$url"
  python "$ROOT/.ci/fuzz_config.py" "$OUT/$kind.toml"
  member=$(token_for "$MEMBER_PHONE" "$PORT")
  admin=$(token_for "$ADMIN_PHONE" "$PORT")
  fuzz "$kind" member "$member"
  fuzz "$kind" admin "$admin"
  stop_server
done

echo
echo "==== fuzzer summaries (reports in $OUT)"
printf '%s\n' "${SUMMARIES[@]}"
exit $FAILED
