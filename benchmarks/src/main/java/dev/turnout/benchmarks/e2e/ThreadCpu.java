package dev.turnout.benchmarks.e2e;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * CPU time of this JVM's threads over a measurement window, split into client threads (those whose name
 * matches a predicate: the sending thread, the producer's network thread, its refresher) and the rest (the
 * co-located broker and controller), plus process CPU time (which also counts GC and JIT threads) and GC
 * pause time.
 */
final class ThreadCpu {

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  static {
    if (THREADS.isThreadCpuTimeSupported() && !THREADS.isThreadCpuTimeEnabled()) {
      THREADS.setThreadCpuTimeEnabled(true);
    }
  }

  /** CPU nanoseconds spent over a window. */
  record Split(long clientNanos, long otherThreadNanos, long processNanos, long gcMillis) {
    /** Process CPU not attributed to any live Java thread: GC workers, JIT compilers, exited threads. */
    long unattributedNanos() {
      return Math.max(0, processNanos - clientNanos - otherThreadNanos);
    }
  }

  private final Map<Long, Long> cpuByThread;
  private final Map<Long, String> names;
  private final long processNanos;
  private final long gcMillis;

  private ThreadCpu(Map<Long, Long> cpuByThread, Map<Long, String> names, long processNanos, long gcMillis) {
    this.cpuByThread = cpuByThread;
    this.names = names;
    this.processNanos = processNanos;
    this.gcMillis = gcMillis;
  }

  /** A snapshot of every live thread's CPU time now. */
  static ThreadCpu snapshot() {
    long[] ids = THREADS.getAllThreadIds();
    long[] cpu = THREADS.getThreadCpuTime(ids);
    Map<Long, Long> byThread = new HashMap<>(ids.length * 2);
    Map<Long, String> names = new HashMap<>(ids.length * 2);
    java.lang.management.ThreadInfo[] infos = THREADS.getThreadInfo(ids);
    for (int i = 0; i < ids.length; i++) {
      if (cpu[i] >= 0 && infos[i] != null) {
        byThread.put(ids[i], cpu[i]);
        names.put(ids[i], infos[i].getThreadName());
      }
    }
    long gc = 0;
    for (GarbageCollectorMXBean bean : ManagementFactory.getGarbageCollectorMXBeans()) {
      gc += Math.max(0, bean.getCollectionTime());
    }
    return new ThreadCpu(byThread, names, OS.getProcessCpuTime(), gc);
  }

  /** CPU spent between {@code start} and this snapshot, split by {@code client} on thread names. */
  Split since(ThreadCpu start, Predicate<String> client) {
    long clientNanos = 0;
    long other = 0;
    for (Map.Entry<Long, Long> e : cpuByThread.entrySet()) {
      Long before = start.cpuByThread.get(e.getKey());
      long spent = e.getValue() - (before == null ? 0 : before);
      if (client.test(names.get(e.getKey()))) {
        clientNanos += spent;
      } else {
        other += spent;
      }
    }
    return new Split(clientNanos, other, processNanos - start.processNanos, gcMillis - start.gcMillis);
  }
}
