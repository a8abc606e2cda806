// Two small clients on Kafka's own KafkaProducer/KafkaConsumer for what Kafka's perf tools cannot
// do: keyed records over many partitions (W6) and end-to-end latency at a fixed rate measured with
// one clock (W5). Compiled with javac by bench/suite/java-clients.ts; prints one JSON line.
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.time.Duration;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

public final class SuiteClients {
  public static void main(String[] args) throws Exception {
    if (args.length < 1) usage();
    Properties props = new Properties();
    String mode = args[0];
    List<String> rest = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      int eq = args[i].indexOf('=');
      if (args[i].startsWith("prop:") && eq > 0) props.put(args[i].substring(5, eq), args[i].substring(eq + 1));
      else rest.add(args[i]);
    }
    if (mode.equals("keyed") && rest.size() == 5) keyed(props, rest);
    else if (mode.equals("e2e") && rest.size() == 5) e2e(props, rest);
    else usage();
  }

  private static void usage() {
    System.err.println("usage: SuiteClients keyed <bootstrap> <topic> <records> <valueBytes> <distinctKeys> [prop:k=v...]");
    System.err.println("       SuiteClients e2e <bootstrap> <topic> <recordsPerSec> <seconds> <valueBytes> [prop:k=v...]");
    System.exit(2);
  }

  // Sends `records` records with keys key-0..key-(distinctKeys-1) as fast as the producer accepts
  // them; latency is send() to acknowledgement and MB/s counts value bytes, as ProducerPerformance
  // measures them.
  private static void keyed(Properties props, List<String> a) throws Exception {
    props.put("bootstrap.servers", a.get(0));
    props.put("key.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer");
    props.put("value.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer");
    String topic = a.get(1);
    int records = Integer.parseInt(a.get(2));
    int valueBytes = Integer.parseInt(a.get(3));
    int distinct = Integer.parseInt(a.get(4));
    byte[][] keys = new byte[distinct][];
    for (int i = 0; i < distinct; i++) keys[i] = ("key-" + i).getBytes("UTF-8");
    byte[] value = new byte[valueBytes];
    new Random(1).nextBytes(value);
    long[] latencyUs = new long[records];
    AtomicLong errors = new AtomicLong();
    long start = System.nanoTime();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
      for (int i = 0; i < records; i++) {
        final int n = i;
        final long sent = System.nanoTime();
        byte[] key = keys[i % distinct];
        producer.send(new ProducerRecord<>(topic, key, value), (md, err) -> {
          if (err != null) errors.incrementAndGet();
          latencyUs[n] = (System.nanoTime() - sent) / 1000;
        });
      }
      producer.flush();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    Arrays.sort(latencyUs);
    System.out.printf("{\"records\":%d,\"errors\":%d,\"seconds\":%.3f,\"recordsPerSec\":%.1f,\"mbPerSec\":%.3f,\"p50Ms\":%.3f,\"p99Ms\":%.3f}%n",
        records, errors.get(), seconds, records / seconds, records * (double) valueBytes / seconds / (1024 * 1024),
        pct(latencyUs, 0.5), pct(latencyUs, 0.99));
  }

  // A producer thread sends `recordsPerSec` records (the first 8 bytes of each value its
  // System.nanoTime) for `seconds`; a consumer in the same JVM reads them back and takes
  // now - sent for each, so both ends use one clock at nanosecond resolution. Records of the
  // first second (connections, metadata, JIT warm-up) are read but left out of the percentiles.
  private static void e2e(Properties props, List<String> a) throws Exception {
    String bootstrap = a.get(0);
    String topic = a.get(1);
    int rate = Integer.parseInt(a.get(2));
    double seconds = Double.parseDouble(a.get(3));
    int valueBytes = Math.max(8, Integer.parseInt(a.get(4)));
    int total = (int) Math.round(rate * seconds);
    Properties cp = new Properties();
    cp.put("bootstrap.servers", bootstrap);
    cp.put("key.deserializer", "org.apache.kafka.common.serialization.ByteArrayDeserializer");
    cp.put("value.deserializer", "org.apache.kafka.common.serialization.ByteArrayDeserializer");
    cp.put("enable.auto.commit", "false");
    cp.put("group.id", "suite-e2e-" + System.nanoTime());
    Properties pp = new Properties();
    pp.put("bootstrap.servers", bootstrap);
    pp.put("key.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer");
    pp.put("value.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer");
    for (String k : props.stringPropertyNames()) {
      if (k.startsWith("consumer.")) cp.put(k.substring(9), props.getProperty(k));
      else pp.put(k, props.getProperty(k));
    }
    KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(cp);
    List<TopicPartition> parts = new ArrayList<>();
    consumer.partitionsFor(topic).forEach(p -> parts.add(new TopicPartition(topic, p.partition())));
    consumer.assign(parts);
    consumer.seekToEnd(parts);
    for (TopicPartition tp : parts) consumer.position(tp);
    AtomicLong sendErrors = new AtomicLong();
    AtomicLong sendNanos = new AtomicLong();
    Thread producerThread = new Thread(() -> {
      byte[] value = new byte[valueBytes];
      new Random(2).nextBytes(value);
      try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pp)) {
        long start = System.nanoTime();
        for (int i = 0; i < total; i++) {
          long due = start + (long) (i * 1e9 / rate);
          long now;
          while ((now = System.nanoTime()) < due) {
            if (due - now > 200_000) LockSupport.parkNanos(100_000);
          }
          byte[] v = value.clone();
          long t = System.nanoTime();
          for (int b = 0; b < 8; b++) v[b] = (byte) (t >>> (56 - 8 * b));
          producer.send(new ProducerRecord<>(topic, v), (md, err) -> { if (err != null) sendErrors.incrementAndGet(); });
        }
        producer.flush();
        sendNanos.set(System.nanoTime() - start);
      }
    });
    long[] latencyUs = new long[total];
    int received = 0;
    producerThread.start();
    long deadline = System.nanoTime() + (long) ((seconds + 30) * 1e9);
    while (received < total && System.nanoTime() < deadline) {
      ConsumerRecords<byte[], byte[]> recs = consumer.poll(Duration.ofMillis(100));
      long now = System.nanoTime();
      for (ConsumerRecord<byte[], byte[]> r : recs) {
        byte[] v = r.value();
        long t = 0;
        for (int b = 0; b < 8; b++) t = (t << 8) | (v[b] & 0xff);
        if (received < total) latencyUs[received++] = (now - t) / 1000;
      }
    }
    producerThread.join();
    consumer.close();
    int warmup = Math.min(rate, received);
    long[] got = Arrays.copyOfRange(latencyUs, warmup, received);
    Arrays.sort(got);
    double sendSeconds = sendNanos.get() / 1e9;
    System.out.printf("{\"sent\":%d,\"received\":%d,\"measured\":%d,\"errors\":%d,\"seconds\":%.3f,\"recordsPerSec\":%.1f,\"p50Ms\":%.3f,\"p99Ms\":%.3f,\"p999Ms\":%.3f,\"maxMs\":%.3f}%n",
        total, received, got.length, sendErrors.get(), sendSeconds, total / sendSeconds, pct(got, 0.5), pct(got, 0.99), pct(got, 0.999),
        got.length == 0 ? 0.0 : got[got.length - 1] / 1000.0);
  }

  private static double pct(long[] sortedUs, double q) {
    if (sortedUs.length == 0) return 0;
    int i = (int) Math.min(sortedUs.length - 1, Math.ceil(q * sortedUs.length) - 1);
    return sortedUs[Math.max(0, i)] / 1000.0;
  }
}
