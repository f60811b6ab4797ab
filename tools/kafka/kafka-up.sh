#!/usr/bin/env bash
# Starts a single-node Apache Kafka broker (KRaft, combined broker+controller) on
# 127.0.0.1:9092, from jars resolved by Maven into ~/.m2. State lives in .kafka/.
# Env: KAFKA_HEAP (default "-Xmx512m -Xms256m"), KAFKA_READY_TIMEOUT (seconds, default 90).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TOOLS="$ROOT/tools/kafka"
STATE="$ROOT/.kafka"
DATA="$STATE/data"
PIDFILE="$STATE/kafka.pid"
LOG="$STATE/kafka.log"
CP_FILE="$STATE/classpath.txt"
BROKER=127.0.0.1:9092
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
READY_TIMEOUT="${KAFKA_READY_TIMEOUT:-90}"

broker_ready() { node "$TOOLS/wait-for-broker.js" "$BROKER"; }
pid_alive() { [[ -f "$PIDFILE" ]] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

if broker_ready; then
  echo "kafka: a broker already answers on $BROKER; nothing to do."
  exit 0
fi

mkdir -p "$DATA"

# --- classpath (cached; re-resolved when the pom changes or a jar left ~/.m2) ---
classpath_ok() {
  [[ -s "$CP_FILE" && "$CP_FILE" -nt "$TOOLS/pom.xml" ]] || return 1
  local jar jars
  IFS=: read -ra jars < "$CP_FILE" || true  # the file has no trailing newline
  for jar in "${jars[@]}"; do [[ -f "$jar" ]] || return 1; done
}
if ! classpath_ok; then
  echo "kafka: resolving broker jars with Maven (first run downloads up to ~70 MB into ~/.m2)..."
  start=$SECONDS
  set +e
  mvn -B -f "$TOOLS/pom.xml" dependency:build-classpath -Dmdep.outputFile="$CP_FILE" \
    > "$STATE/maven.log" 2>&1 &
  mvn_pid=$!
  while kill -0 "$mvn_pid" 2>/dev/null; do
    sleep 5
    kill -0 "$mvn_pid" 2>/dev/null &&
      echo "kafka:   ... $((SECONDS - start))s, $(grep -c 'Downloaded from' "$STATE/maven.log") files downloaded"
  done
  wait "$mvn_pid"; rc=$?
  set -e
  if (( rc != 0 )); then
    tail -n 30 "$STATE/maven.log" >&2
    echo "kafka: Maven failed (full output in $STATE/maven.log)" >&2
    rm -f "$CP_FILE"
    exit 1
  fi
  touch "$CP_FILE"  # the plugin leaves an unchanged file untouched, keeping it older than the pom
  echo "kafka: classpath resolved in $((SECONDS - start))s ($(tr ':' '\n' < "$CP_FILE" | wc -l) jars)"
fi
CP="$(cat "$CP_FILE")"

# --- config (rewritten every start so edits here take effect) ---
cat > "$STATE/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:9093
listeners=PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093
advertised.listeners=PLAINTEXT://127.0.0.1:9092
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$DATA
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
auto.create.topics.enable=false
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
# Fewer internal partitions than the default 50: quicker first group join / transaction on one node.
offsets.topic.num.partitions=10
transaction.state.log.num.partitions=10
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=4
# Compacted topics are used; the default 128 MB dedupe buffer is oversized for a test heap.
log.cleaner.enable=true
log.cleaner.threads=1
log.cleaner.dedupe.buffer.size=16777216
log.retention.hours=168
EOF

cat > "$STATE/log4j.properties" <<EOF
log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.RollingFileAppender
log4j.appender.file.File=$LOG
log4j.appender.file.MaxFileSize=20MB
log4j.appender.file.MaxBackupIndex=2
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.state.change.logger=WARN
log4j.logger.org.apache.kafka.clients=WARN
EOF

JAVA_OPTS=(${KAFKA_HEAP:--Xmx512m -Xms256m} -XX:+UseG1GC -XX:MaxGCPauseMillis=20
  -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true -Djava.net.preferIPv4Stack=true
  -Dlog4j.configuration="file:$STATE/log4j.properties" -Dkafka.logs.dir="$STATE")

# --- format storage once (cluster id generated once and kept in .kafka/cluster.id) ---
if [[ ! -f "$DATA/meta.properties" ]]; then
  [[ -s "$STATE/cluster.id" ]] ||
    "$JAVA" "${JAVA_OPTS[@]}" -cp "$CP" kafka.tools.StorageTool random-uuid > "$STATE/cluster.id"
  echo "kafka: formatting $DATA (cluster id $(cat "$STATE/cluster.id"))"
  "$JAVA" "${JAVA_OPTS[@]}" -cp "$CP" kafka.tools.StorageTool format --ignore-formatted \
    -t "$(cat "$STATE/cluster.id")" -c "$STATE/server.properties" > "$STATE/format.out" 2>&1 ||
    { cat "$STATE/format.out" >&2; exit 1; }
fi

# --- start (unless a broker we started is still booting) ---
if pid_alive; then
  echo "kafka: broker pid $(cat "$PIDFILE") is running but not ready yet; waiting for it."
  start=$SECONDS
else
  echo "kafka: starting broker on $BROKER (log: $LOG)"
  start=$SECONDS
  # setsid + nohup: the JVM leaves npm's process group and survives the shell. No JMX port is
  # opened: that only happens with -Dcom.sun.management.jmxremote.port, which is not set.
  setsid nohup "$JAVA" "${JAVA_OPTS[@]}" -cp "$CP" kafka.Kafka "$STATE/server.properties" \
    > "$STATE/kafka.out" 2>&1 < /dev/null &
  echo $! > "$PIDFILE"
fi

until broker_ready; do
  if ! pid_alive; then
    echo "kafka: broker process exited during startup:" >&2
    tail -n 40 "$LOG" "$STATE/kafka.out" >&2 2>/dev/null || true
    rm -f "$PIDFILE"
    exit 1
  fi
  if (( SECONDS - start >= READY_TIMEOUT )); then
    echo "kafka: broker not ready after ${READY_TIMEOUT}s (pid $(cat "$PIDFILE"), stop it with npm run kafka:down); log tail:" >&2
    tail -n 40 "$LOG" "$STATE/kafka.out" >&2 2>/dev/null || true
    exit 1
  fi
  sleep 1
done
echo "kafka: broker ready on $BROKER after $((SECONDS - start))s (pid $(cat "$PIDFILE"))"
