#!/usr/bin/env bash
# Downloads Apache Kafka's jars (broker classes, CLI tools, log4j2 backend) from Maven Central
# into .cache/kafka/lib for the end-to-end tests. Idempotent: fetches again only when the pom changed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
pom="$root/tools/kafka/pom.xml"
lib="$root/.cache/kafka/lib"
stamp="$root/.cache/kafka/pom.sha256"

want="$(sha256sum "$pom" | cut -d' ' -f1)"
# The fetch is skipped when the pom is unchanged; the main-class check below runs every time.
fetch() {
  # javac too: the benchmark suite compiles bench/suite/java/SuiteClients.java against the jars.
  if ! command -v java >/dev/null 2>&1 || ! command -v javac >/dev/null 2>&1 || ! command -v mvn >/dev/null 2>&1; then
    if [[ "$(id -u)" == "0" ]] && command -v apt-get >/dev/null 2>&1; then
      echo "setup-kafka: installing a JDK and Maven from Debian" >&2
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jdk-headless maven >/dev/null
    else
      echo "setup-kafka: java, javac and mvn are required (apt-get install default-jdk-headless maven)" >&2
      exit 1
    fi
  fi

  echo "setup-kafka: fetching Kafka jars into .cache/kafka/lib" >&2
  rm -rf "$lib"
  mkdir -p "$lib"
  mvn -q -B -Dstyle.color=never -f "$pom" dependency:copy-dependencies -DoutputDirectory="$lib" </dev/null
}
if ! [[ -f "$stamp" && "$(cat "$stamp")" == "$want" && -f "$lib/kafka-tools-4.1.1.jar" ]]; then
  fetch
fi

# The tests and the benchmark suite (bench/suite) run these main classes; fail early if a jar lacks one.
classes=(
  kafka/tools/DumpLogSegments
  kafka/admin/ConfigCommand
  org/apache/kafka/tools/TopicCommand
  org/apache/kafka/tools/ConsoleProducer
  org/apache/kafka/tools/consumer/ConsoleConsumer
  org/apache/kafka/tools/GetOffsetShell
  org/apache/kafka/tools/DeleteRecordsCommand
  org/apache/kafka/tools/LogDirsCommand
  org/apache/kafka/tools/BrokerApiVersionsCommand
  org/apache/kafka/tools/ProducerPerformance
  org/apache/kafka/tools/ConsumerPerformance
  org/apache/kafka/tools/EndToEndLatency
  kafka/Kafka
  kafka/tools/StorageTool
)
listing="$(for j in "$lib"/kafka_2.13-*.jar "$lib"/kafka-tools-*.jar; do unzip -Z1 "$j"; done)"
for c in "${classes[@]}"; do
  if ! grep -qx "$c.class" <<<"$listing"; then
    echo "setup-kafka: main class $c not found in the Kafka jars" >&2
    exit 1
  fi
done
echo "$want" > "$stamp"
