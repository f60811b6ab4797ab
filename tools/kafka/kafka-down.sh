#!/usr/bin/env bash
# Stops the broker started by kafka-up.sh. Data is kept unless --clean is given
# (then .kafka/data is removed, and the next kafka:up formats fresh storage).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STATE="$ROOT/.kafka"
PIDFILE="$STATE/kafka.pid"
CLEAN=false
for arg in "$@"; do
  case "$arg" in
    --clean) CLEAN=true ;;
    *) echo "usage: kafka-down.sh [--clean]" >&2; exit 2 ;;
  esac
done

# Only signal the pid if it is still our broker (pids get reused after a reboot).
is_our_broker() { kill -0 "$1" 2>/dev/null && tr '\0' ' ' < "/proc/$1/cmdline" | grep -q 'kafka\.Kafka'; }

if [[ -f "$PIDFILE" ]] && is_our_broker "$(cat "$PIDFILE")"; then
  pid="$(cat "$PIDFILE")"
  echo "kafka: stopping broker pid $pid"
  kill -TERM "$pid"
  for _ in $(seq 1 60); do
    is_our_broker "$pid" || break
    sleep 0.5
  done
  if is_our_broker "$pid"; then
    echo "kafka: still running after 30s; sending SIGKILL"
    kill -KILL "$pid"
  fi
  echo "kafka: stopped"
else
  echo "kafka: no broker started by kafka:up is running."
fi
rm -f "$PIDFILE"

if $CLEAN; then
  echo "kafka: removing $STATE/data"
  rm -rf "$STATE/data"
fi
