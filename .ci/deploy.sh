#!/usr/bin/env bash
# docs/deployment.md's "A fresh Debian 12 server, step by step", followed for real on a machine
# without systemd as PID 1: every step of the document in a temporary root standing for /, with
# the processes the systemd units would start (tongtong-web, tongtong-scheduler, nginx) started
# directly, exactly as the units' ExecStart lines say. Then, through nginx over HTTPS:
# /healthz, /readyz (database, migrations, the scheduler's heartbeat), the login page, a static
# file served by nginx, /metrics refused through nginx but served by gunicorn on 127.0.0.1, the
# tracking path kept out of the access log; `volunteer backup` (mode 0600) and `logrotate -d`.
#
# What stands in for what (and why), see also docs/deployment.md:
#   /srv/tongtong, /etc/tongtong, /etc/ssl/tongtong, /var/log/nginx, /run/tongtong-web
#       -> folders of the temporary root (nothing outside it is written)
#   adduser tongtong, `sudo -u tongtong`      -> the current user (no account is added)
#   createuser tongtong / createdb -O tongtong -> a throw-away role and database of unique names
#   git clone                                 -> a copy of the files git tracks or would track
#   systemctl enable --now / reload            -> the units' ExecStart run in the background
#   ports 80, 443, 8000                        -> free ports of 127.0.0.1 (the [::] lines dropped)
#   a real certificate                         -> a self-signed one made with openssl
# The virtualenv is a plain one and pip installs the copy and every dependency into it from the
# package registry, as on the server (about 30 s here).
#
# Cleans up everything it made on exit, failure included. Run from anywhere: `bash .ci/deploy.sh`.
# Settings: PYTHON (interpreter, default python3), PGHOST/PGPORT/PGUSER (default
# 127.0.0.1/5432/postgres; trust authentication), KEEP_WORK=1 keeps the temporary root.
set -euo pipefail
exec </dev/null

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
PYTHON=${PYTHON:-python3}
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 PYTHONDONTWRITEBYTECODE=1
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
LOGROTATE=$(command -v logrotate || echo /usr/sbin/logrotate)
UNIQUE="tt_deploy_$(date +%Y%m%d%H%M%S)_$$"
T=$(mktemp -d "${TMPDIR:-/tmp}/tongtong-deploy.XXXXXX")
PIDS=()
MADE_DB=""
MADE_ROLE=""
STARTED=$SECONDS

step() { printf '\n---- [%ss] %s\n' "$((SECONDS - STARTED))" "$*"; }
fail() { printf '\nDEPLOY CHECK FAILED: %s\n' "$*" >&2; exit 1; }

cleanup() {
  local rc=$? pid
  set +e
  if [[ $rc -ne 0 ]]; then
    for log in "$T"/log/*.log "$T"/log/nginx/*.log; do
      [[ -s $log ]] && { echo "==== last lines of $log" >&2; tail -n 25 "$log" >&2; }
    done
  fi
  # each process was started in a session of its own: stop the whole group (workers too)
  for pid in "${PIDS[@]+"${PIDS[@]}"}"; do kill -TERM -- "-$pid" 2>/dev/null; done
  for pid in "${PIDS[@]+"${PIDS[@]}"}"; do
    for _ in $(seq 50); do kill -0 -- "-$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  [[ -n $MADE_DB ]] && { dropdb --if-exists --force "$MADE_DB" \
    || echo "warning: could not drop database $MADE_DB" >&2; }
  [[ -n $MADE_ROLE ]] && { dropuser --if-exists "$MADE_ROLE" \
    || echo "warning: could not drop role $MADE_ROLE" >&2; }
  if [[ ${KEEP_WORK:-} == 1 ]]; then echo "kept $T" >&2; else rm -rf "$T"; fi
  printf '%s after %ss\n' "$([[ $rc -eq 0 ]] && echo 'deploy check passed' || echo 'deploy check failed')" \
    "$((SECONDS - STARTED))"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start NAME COMMAND...: in the background with the service's environment (as_service), in a
# session of its own (stopped as a group: gunicorn's workers too), output to log/NAME.log
start() {
  local name=$1
  shift
  (set -a; . "$ETC/env"; set +a; cd "$SRV/app"; exec setsid env -u PYTHONPATH "$@") \
    >"$T/log/$name.log" 2>&1 &
  PIDS+=("$!")
  echo "started $name (pid $!): $*"
}

free_port() {
  "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_for URL CODE SECONDS [curl options...]: until URL answers CODE (and the processes live)
wait_for() {
  local url=$1 code=$2 seconds=$3 got pid
  shift 3
  for _ in $(seq $((seconds * 5))); do
    for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null || fail "process $pid has exited"; done
    got=$(curl -s -o /dev/null -w '%{http_code}' "$@" "$url" || true)
    [[ $got == "$code" ]] && return 0
    sleep 0.2
  done
  fail "$url answered $got, not $code, within ${seconds}s"
}

# expect CODE URL [curl options...]: one request; prints and keeps the body in $T/body
expect() {
  local code=$1 url=$2 got
  shift 2
  got=$(curl -s -o "$T/body" -w '%{http_code}' "$@" "$url") || fail "curl $url failed"
  [[ $got == "$code" ]] || { head -c 600 "$T/body" >&2; fail "$url answered $got, not $code"; }
  echo "$url -> $got"
}

for tool in "$NGINX" openssl curl pg_isready createdb createuser pg_dump; do
  command -v "$tool" >/dev/null || fail "$tool is not installed (.ci/run installs it)"
done
pg_isready -q || fail "PostgreSQL does not answer on $PGHOST:$PGPORT"

# the temporary root stands for /; readable by nginx's workers (www-data) like /srv is
chmod 0755 "$T"
SRV=$T/srv/tongtong ETC=$T/etc/tongtong SSL=$T/etc/ssl/tongtong LOGS=$T/log/nginx
RUN=$T/run/tongtong-web NGINX_DIR=$T/nginx
mkdir -p "$SRV" "$ETC" "$SSL" "$LOGS" "$RUN" "$NGINX_DIR" "$T/www/letsencrypt" "$T/backups"
HTTP_PORT=$(free_port) HTTPS_PORT=$(free_port) APP_PORT=$(free_port)
HOST=tongtong.example.gov.cn
SITE="https://$HOST:$HTTPS_PORT"
# curl reaches the site under its real name, on 127.0.0.1; -k: the certificate is self-signed
CURL_SITE=(-k --resolve "$HOST:$HTTPS_PORT:127.0.0.1")
echo "temporary root $T; ports: http $HTTP_PORT, https $HTTPS_PORT, gunicorn $APP_PORT"

step "the database: createuser $UNIQUE && createdb -O $UNIQUE $UNIQUE (for tongtong/tongtong)"
createuser "$UNIQUE"
MADE_ROLE=$UNIQUE
createdb -O "$UNIQUE" "$UNIQUE"
MADE_DB=$UNIQUE
install -d "$SRV/instance"

step "git clone <the repository> /srv/tongtong/app (a copy of what git tracks or would track)"
mkdir -p "$SRV/app"
git -C "$ROOT" ls-files -z --cached --others --exclude-standard \
  | (cd "$ROOT" && xargs -0 cp --parents -t "$SRV/app" --)
echo "$(find "$SRV/app" -type f | wc -l) files"

step "python3 -m venv /srv/tongtong/venv && /srv/tongtong/venv/bin/pip install -e /srv/tongtong/app"
"$PYTHON" -m venv "$SRV/venv"
"$SRV/venv/bin/pip" install --quiet -e "$SRV/app" >"$T/pip.log" 2>&1 \
  || { tail -n 30 "$T/pip.log"; fail "pip install -e failed"; }
# the virtualenv must run the copy, not another install of the package the interpreter has
(cd "$T" && env -u PYTHONPATH "$SRV/venv/bin/python" -c \
  'import sys, volunteer; print(volunteer.__file__); sys.exit(not volunteer.__file__.startswith(sys.argv[1]))' \
  "$SRV/app/") || fail "the virtualenv does not import the package from $SRV/app"

step "install -m 0640 deploy/env.example /etc/tongtong/env; editor /etc/tongtong/env"
install -d -m 0750 "$ETC"
install -m 0640 "$SRV/app/deploy/env.example" "$ETC/env"
secret=$("$PYTHON" -c 'import secrets; print(secrets.token_hex(32))')
sed -i -e "s|^DATABASE_URL=.*|DATABASE_URL=postgresql://$UNIQUE@$PGHOST:$PGPORT/$UNIQUE|" \
  -e "s|^SECRET_KEY=.*|SECRET_KEY=$secret|" \
  -e "s|^VOLUNTEER_INSTANCE_PATH=.*|VOLUNTEER_INSTANCE_PATH=$SRV/instance|" \
  -e "s|^VOLUNTEER_PUBLIC_URL=.*|VOLUNTEER_PUBLIC_URL=$SITE|" \
  -e "s|^GUNICORN_WORKERS=.*|GUNICORN_WORKERS=2|" "$ETC/env"
# gunicorn on a free port instead of 127.0.0.1:8000 (the setting gunicorn.conf.py reads)
echo "GUNICORN_BIND=127.0.0.1:$APP_PORT" >>"$ETC/env"
grep -v '^SECRET_KEY=' "$ETC/env" | grep -v '^#'
grep -q 'change-me' "$ETC/env" && fail "a placeholder is left in the env file"

# what `sudo -u tongtong bash -c 'set -a; . /etc/tongtong/env; cd /srv/tongtong/app; …'` does
as_service() { (set -a; . "$ETC/env"; set +a; cd "$SRV/app"; env -u PYTHONPATH "$@"); }

step "volunteer db upgrade"
as_service "$SRV/venv/bin/volunteer" db upgrade 2>&1 | tail -n 3

step "volunteer create-admin --phone 13900000000 --name 区委组织部 --password-stdin"
admin_password=$("$PYTHON" -c 'import secrets; print("Tt-" + secrets.token_urlsafe(12))')
printf '%s\n' "$admin_password" \
  | as_service "$SRV/venv/bin/volunteer" create-admin --phone 13900000000 --name 区委组织部 \
    --password-stdin

step "tongtong-web.service's ExecStart, started directly"
# the unit: Environment=PROMETHEUS_MULTIPROC_DIR=/run/tongtong-web/metrics, and systemd sets
# RUNTIME_DIRECTORY=/run/tongtong-web for RuntimeDirectory=tongtong-web
exec_start() {  # unit file -> its ExecStart with the temporary root's paths
  sed -n 's/^ExecStart=//p' "$SRV/app/deploy/systemd/$1" | sed "s|/srv/tongtong|$SRV|g"
}
read -ra web <<<"$(exec_start tongtong-web.service)"
echo "${web[*]}"
start web env PROMETHEUS_MULTIPROC_DIR="$RUN/metrics" RUNTIME_DIRECTORY="$RUN" "${web[@]}"
# plain HTTP on 127.0.0.1, as a probe asks: no redirect to HTTPS although FORCE_HTTPS is on
wait_for "http://127.0.0.1:$APP_PORT/healthz" 200 60
for _ in $(seq 50); do [[ -S $RUN/gunicorn.ctl ]] && break; sleep 0.2; done
[[ -S $RUN/gunicorn.ctl ]] || fail "gunicorn's control socket is not in its runtime directory"
ls "$RUN"

step "tongtong-scheduler.service's ExecStart, started directly"
read -ra scheduler <<<"$(exec_start tongtong-scheduler.service)"
echo "${scheduler[*]}"
start scheduler "${scheduler[@]}"

step "a certificate for /etc/ssl/tongtong (self-signed, openssl)"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=$HOST" \
  -addext "subjectAltName=DNS:$HOST" -keyout "$SSL/privkey.pem" -out "$SSL/fullchain.pem" \
  2>/dev/null
openssl x509 -in "$SSL/fullchain.pem" -noout -subject

step "deploy/nginx/tongtong.conf as the site, with the temporary paths and ports; nginx -t"
sed -e "s|listen 80;|listen 127.0.0.1:$HTTP_PORT;|" \
  -e "s|listen 443 ssl http2;|listen 127.0.0.1:$HTTPS_PORT ssl http2;|" \
  -e '/listen \[::\]/d' \
  -e "s|server 127.0.0.1:8000 |server 127.0.0.1:$APP_PORT |" \
  -e "s|/etc/ssl/tongtong/|$SSL/|g" -e "s|/var/log/nginx/|$LOGS/|g" \
  -e "s|/var/www/letsencrypt|$T/www/letsencrypt|g" -e "s|/srv/tongtong/|$SRV/|g" \
  "$SRV/app/deploy/nginx/tongtong.conf" >"$NGINX_DIR/tongtong.conf"
diff "$SRV/app/deploy/nginx/tongtong.conf" "$NGINX_DIR/tongtong.conf" || true
# the main nginx.conf Debian's package provides, reduced to what the site needs
nginx_user=""
[[ $(id -u) == 0 ]] && getent passwd www-data >/dev/null && nginx_user="user www-data;"
temp=""
for name in client_body proxy fastcgi uwsgi scgi; do
  temp+="    ${name}_temp_path $NGINX_DIR/$name;"$'\n'
done
cat >"$NGINX_DIR/nginx.conf" <<EOF
$nginx_user
daemon off;
worker_processes 2;
pid $NGINX_DIR/nginx.pid;
error_log $LOGS/error.log warn;
events { worker_connections 256; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    access_log $LOGS/access.log;
$temp    include $NGINX_DIR/tongtong.conf;
}
EOF
"$NGINX" -t -e "$LOGS/error.log" -p "$NGINX_DIR" -c "$NGINX_DIR/nginx.conf"

step "nginx started directly (for systemctl reload nginx)"
start nginx "$NGINX" -e "$LOGS/error.log" -p "$NGINX_DIR" -c "$NGINX_DIR/nginx.conf"
wait_for "$SITE/healthz" 200 30 "${CURL_SITE[@]}"

step "through nginx: http redirects to https; /healthz"
expect 301 "http://$HOST:$HTTP_PORT/login" --resolve "$HOST:$HTTP_PORT:127.0.0.1"
expect 200 "$SITE/healthz" "${CURL_SITE[@]}"
cat "$T/body"; echo

step "through nginx: /readyz (database ok, migrations ok, a scheduler heartbeat within 70 s)"
ready=""
for _ in $(seq 70); do
  expect 200 "$SITE/readyz" "${CURL_SITE[@]}" >/dev/null
  if "$PYTHON" -c '
import json, sys
body = json.load(open(sys.argv[1]))
assert body["database"] == "ok" and body["migrations"] == "ok", body
sys.exit(0 if body.get("scheduler") is not None else 3)' "$T/body"; then
    ready=1
    break
  else
    [[ $? == 3 ]] || fail "/readyz: $(cat "$T/body")"
  fi
  sleep 1
done
cat "$T/body"; echo
[[ -n $ready ]] || fail "no scheduler heartbeat within 70 s"

step "through nginx: the login page over HTTPS, a static file served by nginx"
expect 200 "$SITE/login" "${CURL_SITE[@]}"
grep -q '登录' "$T/body" || fail "the login page does not say 登录"
curl -s -o /dev/null -D "$T/headers" "${CURL_SITE[@]}" "$SITE/login"
grep -qi '^strict-transport-security:' "$T/headers" || fail "no HSTS header on the login page"
expect 200 "$SITE/static/app.css" "${CURL_SITE[@]}"
cmp -s "$T/body" "$SRV/app/volunteer/static/app.css" || fail "/static/app.css is not the file"
curl -s -o /dev/null -D "$T/headers" "${CURL_SITE[@]}" "$SITE/static/app.css"
grep -qi '^cache-control: .*public' "$T/headers" \
  || fail "/static/app.css was not served by nginx's /static/ location"

step "through nginx: the admin made by create-admin logs in over HTTPS (CSRF, a Secure cookie)"
jar=$T/cookies
curl -s -o "$T/body" -c "$jar" "${CURL_SITE[@]}" "$SITE/login"
csrf=$(sed -n 's/.*name="csrf_token" type="hidden" value="\([^"]*\)".*/\1/p; s/.*id="csrf_token" name="csrf_token" type="hidden" value="\([^"]*\)".*/\1/p' "$T/body" | head -n 1)
[[ -n $csrf ]] || fail "no csrf_token on the login page"
# nginx passes Host without the port (the site is on 443 in production): so does this Referer,
# which Flask-WTF compares with the host on HTTPS
expect 302 "$SITE/login" -b "$jar" -c "$jar" -D "$T/headers" -H "Referer: https://$HOST/login" \
  --data-urlencode "csrf_token=$csrf" --data-urlencode "phone=13900000000" \
  --data-urlencode "password=$admin_password" "${CURL_SITE[@]}"
grep -i '^set-cookie: tongtong_session=' "$T/headers" | grep -qi '; secure' \
  || fail "the session cookie is not Secure"
expect 200 "$SITE/" -L -b "$jar" "${CURL_SITE[@]}"
grep -q '区委组织部' "$T/body" || fail "the admin's home page does not name the admin"

step "/metrics: 404 through nginx, 200 from gunicorn on 127.0.0.1:$APP_PORT"
expect 404 "$SITE/metrics" "${CURL_SITE[@]}"
expect 200 "http://127.0.0.1:$APP_PORT/metrics"
grep -q '^tongtong_' "$T/body" || fail "/metrics has no tongtong_ metric"
grep -c '^tongtong_' "$T/body" | sed 's/$/ tongtong_ sample lines/'

step "the tracking path stays out of nginx's access log"
expect 200 "$SITE/login?marker=$UNIQUE" "${CURL_SITE[@]}"
curl -s -o /dev/null "${CURL_SITE[@]}" \
  "$SITE/api/v1/requests/track?code=TT$UNIQUE&phone=13812345678"
curl -s -o /dev/null "${CURL_SITE[@]}" "$SITE/requests/track?code=TT$UNIQUE&phone=13812345678"
# the link typed as http://: redirected by the port-80 server, not logged there either
expect 301 "http://$HOST:$HTTP_PORT/requests/track?code=TT$UNIQUE&phone=13812345678" \
  --resolve "$HOST:$HTTP_PORT:127.0.0.1"
sleep 1
access=$LOGS/tongtong.access.log
grep -q "marker=$UNIQUE" "$access" || fail "the access log has no line for the login page"
if grep -E "requests/track|13812345678" "$LOGS"/*.log; then
  fail "an nginx log holds the tracking request"
fi
if grep -h "13812345678" "$T/log/web.log"; then
  fail "the application's log holds the resident's phone"
fi
echo "$(wc -l <"$access") lines in the access log, none for the tracking path in any nginx log"

step "volunteer backup /var/backups/tongtong/<date>.dump: mode 0600"
dump="$T/backups/$(date +%F).dump"
# the nightly cron entry's start, in sh as cron runs it (without the PYTHONPATH of a checkout)
env -u PYTHONPATH sh -c "set -a && . '$ETC/env' && set +a && cd '$SRV/app' && \
  '$SRV/venv/bin/volunteer' backup '$dump'"
mode=$(stat -c %a "$dump")
[[ $mode == 600 ]] || fail "$dump has mode $mode, not 600"
echo "mode $mode, $(stat -c %s "$dump") bytes"

step "cp deploy/logrotate/tongtong /etc/logrotate.d/tongtong: logrotate -d -f (changes nothing)"
if [[ -x $LOGROTATE ]]; then
  sed -e "s|/var/log/nginx/|$LOGS/|g" -e "s|/run/nginx.pid|$NGINX_DIR/nginx.pid|g" \
    "$SRV/app/deploy/logrotate/tongtong" >"$T/logrotate.conf"
  # -d: debug, nothing is done; -f: show the rotation it would make today
  "$LOGROTATE" -d -f -s "$T/logrotate.state" "$T/logrotate.conf" 2>&1 | tee "$T/logrotate.out"
  if grep -qiE '^error' "$T/logrotate.out"; then fail "logrotate -d reports an error"; fi
  grep -q "renaming $LOGS/tongtong.access.log" "$T/logrotate.out" \
    || fail "logrotate would not rotate the site's access log"
  grep -q "running postrotate script" "$T/logrotate.out" || fail "no postrotate (nginx USR1)"
  [[ ! -e $LOGS/tongtong.access.log.1 && -z $(find "$LOGS" -name '*.gz') ]] \
    || fail "logrotate -d changed something"
else
  fail "logrotate is not installed (.ci/run installs it)"
fi

step "the processes are still running"
for pid in "${PIDS[@]}"; do
  kill -0 "$pid" 2>/dev/null || fail "process $pid has exited"
done
grep -h "调度器已启动" "$T/log/scheduler.log" | head -n 1
