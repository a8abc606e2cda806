// Kafka's own Java producer (KafkaProducer 4.1.1, its defaults) driven exactly as child.ts drives
// the Node clients: a warm-up, a fixed time of producing with at most `window` records
// unacknowledged, then records paced one at a time. Prints one `RESULT {json}` line with the
// figures of child.ts's ChildResult. Compiled with javac by bench/producer/java-client.ts.
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

public final class ProducerBench {
  /** Latencies kept per phase (of the timed records): far above what one phase produces on any machine here. */
  private static final int MAX_RECORDS = 8 << 20;
  /** One record in this many is timed, as child.ts times the Node clients' records (LATENCY_SAMPLE_EVERY). */
  private static final int LATENCY_SAMPLE_EVERY = 16;

  public static void main(String[] args) throws Exception {
    if (args.length != 9) {
      System.err.println("usage: ProducerBench <bootstrap> <topic> <acks> <valueBytes> <warmupSeconds> <seconds> <window> <pacedRecords> <pacedRate>");
      System.exit(2);
    }
    Properties props = new Properties();
    props.put("bootstrap.servers", args[0]);
    props.put("acks", args[2]);
    props.put("client.id", "bench-java");
    props.put("key.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer");
    props.put("value.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer");
    String topic = args[1];
    int valueBytes = Integer.parseInt(args[3]);
    double warmupSeconds = Double.parseDouble(args[4]);
    double seconds = Double.parseDouble(args[5]);
    int window = Integer.parseInt(args[6]);
    int pacedRecords = Integer.parseInt(args[7]);
    int pacedRate = Integer.parseInt(args[8]);
    byte[][] values = new byte[256][valueBytes];
    Random random = new Random();
    for (byte[] v : values) random.nextBytes(v);

    com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
      producer.partitionsFor(topic); // metadata before the clock starts, as the Node clients connect first
      drive(producer, topic, values, window, warmupSeconds, new int[MAX_RECORDS]);
      int[] latencyUs = new int[MAX_RECORDS];
      long cpu0 = os.getProcessCpuTime();
      long t0 = System.nanoTime();
      int records = drive(producer, topic, values, window, seconds, latencyUs);
      double elapsedMs = (System.nanoTime() - t0) / 1e6;
      double cpuUs = (os.getProcessCpuTime() - cpu0) / 1e3;
      double rssMb = rssKiB() / 1024.0;
      int[] paced = paced(producer, topic, values, pacedRecords, pacedRate);
      int[] measured = Arrays.copyOf(latencyUs, (records + LATENCY_SAMPLE_EVERY - 1) / LATENCY_SAMPLE_EVERY);
      Arrays.sort(measured);
      Arrays.sort(paced);
      System.out.printf(
          "RESULT {\"records\":%d,\"elapsedMs\":%.3f,\"recordsPerSec\":%.1f,\"mbPerSec\":%.3f,\"p50Ms\":%.3f,\"p99Ms\":%.3f,"
              + "\"cpuUsPerRecord\":%.4f,\"rssMb\":%.1f,\"pacedP50Ms\":%.3f,\"pacedP99Ms\":%.3f}%n",
          records, elapsedMs, records * 1000.0 / elapsedMs, records * (double) valueBytes / elapsedMs / 1000,
          pct(measured, 50), pct(measured, 99), cpuUs / records, rssMb, pct(paced, 50), pct(paced, 99));
    }
    System.exit(0);
  }

  /**
   * Produces for `seconds` with at most `window` records unacknowledged; the send-to-ack latency in
   * µs of record i, every LATENCY_SAMPLE_EVERY-th, goes to latencyUs[i / LATENCY_SAMPLE_EVERY].
   * Returns the records produced, once all are acknowledged.
   */
  private static int drive(KafkaProducer<byte[], byte[]> producer, String topic, byte[][] values, int window, double seconds, int[] latencyUs) throws Exception {
    Semaphore slots = new Semaphore(window);
    AtomicReference<Exception> failure = new AtomicReference<>();
    Callback untimed = (md, err) -> {
      if (err != null) failure.compareAndSet(null, err);
      slots.release();
    };
    long deadline = System.nanoTime() + (long) (seconds * 1e9);
    int n = 0;
    while (System.nanoTime() < deadline && n / LATENCY_SAMPLE_EVERY < latencyUs.length && failure.get() == null) {
      slots.acquire();
      final int i = n++;
      if (i % LATENCY_SAMPLE_EVERY != 0) {
        producer.send(new ProducerRecord<>(topic, values[i & 255]), untimed);
        continue;
      }
      final long sent = System.nanoTime();
      producer.send(new ProducerRecord<>(topic, values[i & 255]), (md, err) -> {
        if (err != null) failure.compareAndSet(null, err);
        latencyUs[i / LATENCY_SAMPLE_EVERY] = (int) ((System.nanoTime() - sent) / 1000);
        slots.release();
      });
    }
    slots.acquire(window); // every record acknowledged
    if (failure.get() != null) throw failure.get();
    return n;
  }

  /** Sends `count` records one at a time at `rate` records/s; returns their latencies in µs. */
  private static int[] paced(KafkaProducer<byte[], byte[]> producer, String topic, byte[][] values, int count, int rate) throws Exception {
    int[] latencyUs = new int[count];
    Semaphore done = new Semaphore(0);
    AtomicReference<Exception> failure = new AtomicReference<>();
    long t0 = System.nanoTime();
    for (int i = 0; i < count; i++) {
      long due = t0 + i * 1_000_000_000L / rate;
      while (System.nanoTime() < due) LockSupport.parkNanos(due - System.nanoTime());
      final int n = i;
      final long sent = System.nanoTime();
      producer.send(new ProducerRecord<>(topic, values[i & 255]), (md, err) -> {
        if (err != null) failure.compareAndSet(null, err);
        latencyUs[n] = (int) ((System.nanoTime() - sent) / 1000);
        done.release();
      });
    }
    done.acquire(count);
    if (failure.get() != null) throw failure.get();
    return latencyUs;
  }

  private static double pct(int[] sortedUs, int p) {
    if (sortedUs.length == 0) return 0;
    return sortedUs[Math.min(sortedUs.length - 1, (int) ((long) sortedUs.length * p / 100))] / 1000.0;
  }

  private static long rssKiB() throws Exception {
    for (String line : Files.readAllLines(Paths.get("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
    }
    return 0;
  }
}
