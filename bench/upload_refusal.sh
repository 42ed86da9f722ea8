#!/usr/bin/env bash
# The cost of refusing a 512 MiB evidence upload (docs/operations.md): starts this checkout's
# ASGI server (uvicorn, as bin/run does) on an empty SQLite database in a temporary directory,
# POSTs a 512 MiB multipart upload to the evidence address once anonymously and once with a
# logged-in session, and prints the answer, the time to it and the peak size of the temporary
# files the server held open (unlinked files: du does not see them, /proc/PID/fd does).
#
#   bench/upload_refusal.sh [PORT]        # default port 8051
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${1:-8051}
PY=$PWD/.venv/bin/python
work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
export DJANGO_SETTINGS_MODULE=fengqiao.settings.base FENGQIAO_DATA_DIR=$work/data TMPDIR=$work/tmp
mkdir -p "$TMPDIR"
$PY manage.py migrate --no-input -v0
session=$($PY manage.py shell -c "
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
user, _ = get_user_model().objects.get_or_create(username='measure')
s = SessionStore()
s['_auth_user_id'] = str(user.pk)
s['_auth_user_backend'] = 'django.contrib.auth.backends.ModelBackend'
s['_auth_user_hash'] = user.get_session_auth_hash()
s.create()
print(s.session_key)" | tail -1)
.venv/bin/uvicorn fengqiao.asgi:application --host 127.0.0.1 --port "$PORT" --no-access-log \
  >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz" && break; sleep 0.2; done

body=$work/upload.bin   # sparse: the client spends no disk on it
printf -- '--x\r\nContent-Disposition: form-data; name="evidence-file"; filename="a.jpg"\r\n' >"$body"
printf -- 'Content-Type: image/jpeg\r\n\r\n' >>"$body"
truncate -s +512M "$body"
printf -- '\r\n--x--\r\n' >>"$body"

for who in anonymous logged-in; do
  cookie=""; [ "$who" = logged-in ] && cookie="sessionid=$session"
  rm -f "$work/stop"; echo 0 >"$work/peak"
  (
    max=0
    while [ ! -e "$work/stop" ]; do
      n=0
      for fd in /proc/$server/fd/*; do
        case "$(readlink "$fd")" in "$TMPDIR"/*) n=$((n + $(stat -L -c %s "$fd" 2>/dev/null || echo 0))) ;; esac
      done
      if [ "$n" -gt "$max" ]; then max=$n; echo "$max" >"$work/peak"; fi
      sleep 0.02
    done
  ) &
  watcher=$!
  curl -s -o "$work/answer" -w "$who: HTTP %{http_code} after %{time_total} s; the client sent %{size_upload} bytes\n" \
    -X POST -H 'Expect:' -H "Cookie: $cookie" -H 'Content-Type: multipart/form-data; boundary=x' \
    -T "$body" --request-target /mediation/cases/1/evidence/ "http://127.0.0.1:$PORT/" || true
  sleep 1; touch "$work/stop"; wait $watcher
  echo "  peak temporary files held by the server: $(( $(cat "$work/peak") / 1048576 )) MiB"
  echo "  answer: $(sed 's/<[^>]*>/ /g' "$work/answer" | tr -s ' \n' ' ' | head -c 200)"
done
