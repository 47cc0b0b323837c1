package dev.turnout.benchmarks.e2e;

import dev.turnout.benchmarks.workload.Payloads;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.function.LongFunction;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/** The two producer measurements: saturated throughput, and latency at a fixed offered rate. */
final class Measurements {

  /** Name prefix of the application threads that call {@code send}, followed by the client id. */
  static final String SENDER_PREFIX = "bench-send-";

  private Measurements() {}

  /**
   * Throughput of one producer over a window.
   *
   * @param recordsPerSecond records acknowledged per second over the window
   * @param clientCpuMicros CPU microseconds per record in client threads (sender, network thread, refresher)
   * @param appCpuMicros the part of {@code clientCpuMicros} spent in the application thread that calls {@code send}
   * @param brokerCpuMicros CPU microseconds per record in all other Java threads (the co-located broker)
   * @param unattributedCpuMicros process CPU per record not in any live Java thread (GC, JIT)
   * @param gcMillisPerSecond GC time per second of window
   * @param compressionRate the producer's {@code compression-rate-avg} (compressed/uncompressed; 1 without)
   * @param failures records that failed (must be 0 for a valid result)
   */
  record Throughput(double recordsPerSecond, double clientCpuMicros, double appCpuMicros, double brokerCpuMicros,
      double unattributedCpuMicros, double gcMillisPerSecond, double compressionRate, long failures) {

    /** CPU microseconds per record in the client's other threads (its I/O thread, a refresher). */
    double ioCpuMicros() {
      return clientCpuMicros - appCpuMicros;
    }

    /** Process CPU microseconds per record: client, broker and unattributed (GC, JIT). */
    double processCpuMicros() {
      return clientCpuMicros + brokerCpuMicros + unattributedCpuMicros;
    }
  }

  /** One producer of an interleaved measurement, with the records its application thread sends. */
  record Contender(Producer<byte[], byte[]> producer, String clientId,
      LongFunction<ProducerRecord<byte[], byte[]>> records) {}

  /**
   * Saturated throughput of several producers measured in alternating slices, so that a slow spell of the
   * machine (the co-located broker's background work, a GC, another process) falls on every producer alike
   * instead of on whichever one was running: each producer has its own application thread, which sends only
   * during its turn. After {@code warmup} (turns of {@code slice} each), {@code cycles} cycles give every
   * producer one turn each, in the order of {@link #turnOrder}; a turn is {@code settle} (the previous producer's
   * last acknowledgements arrive, the new one's pipeline fills; not counted) and then a measured {@code slice}.
   * Returns each producer's acknowledgements and CPU time summed over its measured slices.
   */
  static List<Throughput> interleavedThroughput(List<Contender> contenders, Duration warmup, Duration settle,
      Duration slice, int cycles) {
    int n = contenders.size();
    AtomicInteger turn = new AtomicInteger(-1);
    LongAdder[] acked = new LongAdder[n];
    Senders senders = new Senders();
    for (int i = 0; i < n; i++) {
      int me = i;
      LongAdder mine = new LongAdder();
      acked[i] = mine;
      Contender c = contenders.get(i);
      Callback callback = (metadata, e) -> {
        if (e == null) {
          mine.increment();
        } else {
          senders.failed(e);
        }
      };
      senders.start(c, () -> {
        long seq = 0;
        while (senders.running()) {
          if (turn.get() != me) {
            LockSupport.parkNanos(100_000);
            continue;
          }
          c.producer().send(c.records().apply(seq++), callback);
        }
      });
    }
    long[] count = new long[n];
    long[] nanos = new long[n];
    long[] clientCpu = new long[n];
    long[] appCpu = new long[n];
    long[] otherCpu = new long[n];
    long[] unattributed = new long[n];
    long[] gcMillis = new long[n];
    try {
      long warmEnd = System.nanoTime() + warmup.toNanos();
      for (int k = 0; System.nanoTime() < warmEnd; k++) {
        turn.set(k % n);
        BenchBroker.sleep(slice);
      }
      for (int cycle = 0; cycle < cycles; cycle++) {
        for (int j = 0; j < n; j++) {
          int i = turnOrder(n, cycle, j);
          String clientId = contenders.get(i).clientId();
          turn.set(i);
          BenchBroker.sleep(settle);
          ThreadCpu cpuBefore = ThreadCpu.snapshot();
          long ackedBefore = acked[i].sum();
          long start = System.nanoTime();
          BenchBroker.sleep(slice);
          long ackedAfter = acked[i].sum();
          long end = System.nanoTime();
          ThreadCpu cpuAfter = ThreadCpu.snapshot();
          ThreadCpu.Split cpu = cpuAfter.since(cpuBefore, name -> isClientThread(name, clientId));
          String appThread = SENDER_PREFIX + clientId;
          ThreadCpu.Split app = cpuAfter.since(cpuBefore, appThread::equals);
          count[i] += ackedAfter - ackedBefore;
          nanos[i] += end - start;
          clientCpu[i] += cpu.clientNanos();
          appCpu[i] += app.clientNanos();
          otherCpu[i] += cpu.otherThreadNanos();
          unattributed[i] += cpu.unattributedNanos();
          gcMillis[i] += cpu.gcMillis();
        }
      }
    } finally {
      senders.stop();
    }
    senders.check(contenders, "the throughput run");
    List<Throughput> results = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      double seconds = nanos[i] / 1e9;
      double perRecord = Math.max(1, count[i]) * 1000.0;
      results.add(new Throughput(count[i] / seconds, clientCpu[i] / perRecord, appCpu[i] / perRecord,
          otherCpu[i] / perRecord,
          unattributed[i] / perRecord, gcMillis[i] / seconds, compressionRate(contenders.get(i).producer()), 0));
    }
    return results;
  }

  /**
   * One round of an interleaved throughput measurement: a new producer (with {@code compression}) and a new
   * topic of {@code partitions} per variant, measured by {@link #interleavedThroughput}, then closed and
   * deleted; results in the order of {@code variants}, client ids {@code clientPrefix + (firstClient + i)}.
   */
  static List<Throughput> interleavedRound(BenchBroker broker, List<Variant> variants, String compression,
      Payloads payloads, int partitions, String clientPrefix, int firstClient, Duration warmup, Duration settle,
      Duration slice, int cycles) {
    return withContenders(broker, variants, compression, payloads, partitions, clientPrefix, firstClient,
        contenders -> interleavedThroughput(contenders, warmup, settle, slice, cycles));
  }

  /**
   * Runs {@code measurement} on a new producer (with {@code compression}) and a new topic of {@code partitions}
   * per variant, in the order of {@code variants}, client ids {@code clientPrefix + (firstClient + i)}; closes
   * the producers and deletes the topics afterwards.
   */
  static <T> T withContenders(BenchBroker broker, List<Variant> variants, String compression, Payloads payloads,
      int partitions, String clientPrefix, int firstClient, Function<List<Contender>, T> measurement) {
    List<String> topics = new ArrayList<>();
    List<Producer<byte[], byte[]>> producers = new ArrayList<>();
    try {
      List<Contender> contenders = new ArrayList<>();
      for (int v = 0; v < variants.size(); v++) {
        Variant variant = variants.get(v);
        String clientId = clientPrefix + (firstClient + v);
        String topic = broker.newTopic("producer", partitions);
        topics.add(topic);
        Producer<byte[], byte[]> producer = variant.create(clientId, compression);
        producers.add(producer);
        contenders.add(new Contender(producer, clientId, i -> variant.record(topic, payloads, i)));
      }
      return measurement.apply(contenders);
    } finally {
      producers.forEach(Producer::close);
      topics.forEach(broker::deleteTopic);
    }
  }

  /** The application threads of an interleaved measurement, and what went wrong in them. */
  private static final class Senders {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final LongAdder failed = new LongAdder();
    private final AtomicReference<Exception> firstFailure = new AtomicReference<>();
    private final AtomicReference<Throwable> threadFailure = new AtomicReference<>();
    private final List<Thread> threads = new ArrayList<>();

    /** Starts the application thread of {@code contender}, named after its client id. */
    void start(Contender contender, Runnable loop) {
      Thread thread = new Thread(loop, SENDER_PREFIX + contender.clientId());
      thread.setUncaughtExceptionHandler((t, e) -> threadFailure.set(e));
      threads.add(thread);
      thread.start();
    }

    /** Whether the threads should keep running. */
    boolean running() {
      return running.get();
    }

    /** Notes a record that failed (from its callback). */
    void failed(Exception e) {
      failed.increment();
      firstFailure.compareAndSet(null, e);
    }

    /** Stops the threads and waits for them. */
    void stop() {
      running.set(false);
      awaitThreads();
    }

    /** Waits for the threads to finish by themselves. */
    void awaitThreads() {
      threads.forEach(Measurements::join);
    }

    /** Flushes every producer, then fails if a thread threw or a record failed. */
    void check(List<Contender> contenders, String run) {
      for (Contender c : contenders) {
        c.producer().flush();
      }
      if (threadFailure.get() != null) {
        throw new IllegalStateException("send() threw in " + run, threadFailure.get());
      }
      if (failed.sum() > 0) {
        throw new IllegalStateException(failed.sum() + " record(s) failed in " + run + "; first failure",
            firstFailure.get());
      }
    }
  }

  /**
   * The producer taking turn {@code j} of cycle {@code cycle} among {@code n}: rotated by one per cycle, and in
   * reverse order every other cycle, so that each producer follows each other one equally often (whatever the
   * previous turn leaves behind, such as its garbage or the broker's work on its last batches, is not always
   * charged to the same producer).
   */
  static int turnOrder(int n, int cycle, int j) {
    int position = cycle % 2 == 0 ? j : n - 1 - j;
    return (position + cycle / 2) % n;
  }

  /**
   * Latency from the moment a record was due to its acknowledgement, at a fixed offered rate (open loop: a
   * slow send delays later sends, and their latency counts from when they were due, so stalls are not
   * hidden), of several producers sending at the same time, each from its own application thread at
   * {@code ratePerSecond}. Sending at the same time, rather than in turns as in {@link #interleavedThroughput},
   * is what makes their tail latencies comparable: a p99 is decided by the few stalls (a GC pause, the
   * co-located broker's background work) that fall into the window, and concurrent producers all sit through
   * the same ones. Records due in the first {@code warmup} are sent but not counted; the window then lasts
   * {@code window}. Returns, per producer, the latencies in nanoseconds of the records due within the window.
   */
  static List<long[]> concurrentLatencies(List<Contender> contenders, double ratePerSecond, Duration warmup,
      Duration window) {
    int n = contenders.size();
    long interval = Math.max(1, Math.round(1e9 / ratePerSecond));
    Senders senders = new Senders();
    int capacity = (int) Math.min(Integer.MAX_VALUE - 8, window.toNanos() / interval + 16);
    long[][] samples = new long[n][capacity];
    AtomicInteger[] counts = new AtomicInteger[n];
    // Due times are counted from a common start a little ahead, so that every thread is running by then.
    long start = System.nanoTime() + Duration.ofMillis(50).toNanos();
    long measureFrom = start + warmup.toNanos();
    long measureTo = measureFrom + window.toNanos();
    for (int c = 0; c < n; c++) {
      int me = c;
      counts[c] = new AtomicInteger();
      Contender contender = contenders.get(c);
      // Staggered by a fraction of the interval, so that the producers do not all send at the same instant.
      long offset = interval * c / n;
      senders.start(contender, () -> {
        long seq = 0;
        while (senders.running()) {
          long due = start + offset + seq * interval;
          if (due >= measureTo) {
            return;
          }
          long now = System.nanoTime();
          if (now < due) {
            LockSupport.parkNanos(Math.min(due - now, 100_000));
            continue;
          }
          boolean measured = due >= measureFrom;
          contender.producer().send(contender.records().apply(seq++), (metadata, e) -> {
            if (e != null) {
              senders.failed(e);
            } else if (measured) {
              int slot = counts[me].getAndIncrement();
              if (slot < samples[me].length) {
                samples[me][slot] = System.nanoTime() - due;
              }
            }
          });
        }
      });
    }
    try {
      senders.awaitThreads();
    } finally {
      senders.stop();
    }
    senders.check(contenders, "the latency run");
    List<long[]> results = new ArrayList<>(n);
    for (int c = 0; c < n; c++) {
      int count = Math.min(counts[c].get(), capacity);
      long[] mine = new long[count];
      System.arraycopy(samples[c], 0, mine, 0, count);
      results.add(mine);
    }
    return results;
  }

  /** The producer's {@code compression-rate-avg}, or NaN when it does not report one. */
  static double compressionRate(Producer<?, ?> producer) {
    for (Map.Entry<MetricName, ? extends Metric> e : producer.metrics().entrySet()) {
      MetricName name = e.getKey();
      if (name.name().equals("compression-rate-avg") && name.group().equals("producer-metrics")) {
        Object value = e.getValue().metricValue();
        if (value instanceof Number n && !Double.isNaN(n.doubleValue())) {
          return n.doubleValue();
        }
      }
    }
    return Double.NaN;
  }

  /**
   * Whether a thread belongs to the client {@code clientId}: the application thread sending for it, its
   * producer's network thread (for a RoutingProducer, each cluster's client {@code <clientId>-<alias>}), and
   * a RoutingProducer's authority refresher.
   */
  static boolean isClientThread(String threadName, String clientId) {
    String network = "kafka-producer-network-thread | " + clientId;
    return threadName.equals(SENDER_PREFIX + clientId) || threadName.equals(network)
        || threadName.startsWith(network + "-") || threadName.equals("turnout-authority-refresh-" + clientId);
  }

  static void join(Thread thread) {
    try {
      thread.join(Duration.ofMinutes(2).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
    if (thread.isAlive()) {
      throw new IllegalStateException(thread.getName() + " did not stop within 2 minutes");
    }
  }
}
