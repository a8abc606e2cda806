#!/usr/bin/env bash
# Runs one of Kafka's CLI tools by main class from the jars fetched by setup-kafka.sh, e.g.
#   scripts/kafka-tool.sh org.apache.kafka.tools.TopicCommand --bootstrap-server 127.0.0.1:9092 --list
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ $# -lt 1 ]]; then
  echo "usage: $0 <MainClass> [args...]" >&2
  exit 2
fi
main="$1"
shift
exec java -Xms64m -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
  -Dlog4j2.configurationFile="$root/tools/kafka/log4j2-tools.properties" \
  -cp "$root/.cache/kafka/lib/*" "$main" "$@"
