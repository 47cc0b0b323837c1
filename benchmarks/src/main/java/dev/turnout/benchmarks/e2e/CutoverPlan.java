package dev.turnout.benchmarks.e2e;

import dev.turnout.authority.AuthorityMap;
import java.util.Random;

/**
 * The authority documents and the schedule of the cutover benchmark. Epoch 1 puts the topic in {@code MIRROR}
 * (every key written to the source). Cutover {@code k} (1-based) installs epoch {@code k + 1}, a
 * {@code WRITE_PROMOTION} map in which slices {@code m1} to {@code mk} are owned by the target, each one
 * {@link #step()} buckets wide, and slice {@code rest} (the remaining buckets) by the source: every cutover
 * moves exactly one more range of buckets, {@link #movedFrom(int)} to {@link #movedTo(int)}, from source to
 * target, and records of that range carry the slice name {@code mk} in their route header.
 */
final class CutoverPlan {

  /** Slice names of moved ranges start with this. */
  static final String MOVED_SLICE_PREFIX = "m";
  /** Name of the slice the source keeps. */
  static final String REST_SLICE = "rest";

  private final String topic;
  private final int cutovers;
  private final int step;

  /**
   * @param topic the one topic of the rule
   * @param cutovers how many cutovers the run makes (the warm-up included); the source keeps at least one range
   */
  CutoverPlan(String topic, int cutovers) {
    if (cutovers < 1 || cutovers >= AuthorityMap.BUCKETS) {
      throw new IllegalArgumentException("cutovers must be within 1-" + (AuthorityMap.BUCKETS - 1) + ": " + cutovers);
    }
    this.topic = topic;
    this.cutovers = cutovers;
    this.step = AuthorityMap.BUCKETS / (cutovers + 1);
  }

  /** Number of cutovers. */
  int cutovers() {
    return cutovers;
  }

  /** Buckets moved by each cutover. */
  int step() {
    return step;
  }

  /** The epoch cutover {@code k} installs. */
  static long epochOf(int cutover) {
    return cutover + 1L;
  }

  /** First bucket moved by cutover {@code k} (1-based). */
  int movedFrom(int cutover) {
    checkCutover(cutover);
    return (cutover - 1) * step;
  }

  /** Last bucket (inclusive) moved by cutover {@code k} (1-based). */
  int movedTo(int cutover) {
    checkCutover(cutover);
    return cutover * step - 1;
  }

  /** The cutover that moved {@code bucket} to the target, or 0 when it stays with the source to the end. */
  int cutoverMoving(int bucket) {
    int k = bucket / step + 1;
    return k <= cutovers ? k : 0;
  }

  /** The document before the first cutover: the topic in {@code MIRROR}, written to the source. */
  String initialDocument() {
    return head(1) + "rule.orders.state=MIRROR\n";
  }

  /** The document cutover {@code k} installs. */
  String document(int cutover) {
    checkCutover(cutover);
    StringBuilder doc = new StringBuilder(head(epochOf(cutover))).append("rule.orders.state=WRITE_PROMOTION\n");
    for (int j = 1; j <= cutover; j++) {
      String slice = "rule.orders.slice." + MOVED_SLICE_PREFIX + j;
      doc.append(slice).append(".keys=").append(movedFrom(j)).append('-').append(movedTo(j)).append('\n')
          .append(slice).append(".owner=target\n");
    }
    return doc.append("rule.orders.slice.").append(REST_SLICE).append(".keys=").append(movedTo(cutover) + 1)
        .append('-').append(AuthorityMap.BUCKETS - 1).append('\n')
        .append("rule.orders.slice.").append(REST_SLICE).append(".owner=source\n").toString();
  }

  private String head(long epoch) {
    return "epoch=" + epoch + "\nsource=source\ntarget=target\nrule.orders.topics=" + topic + "\n";
  }

  private void checkCutover(int cutover) {
    if (cutover < 1 || cutover > cutovers) {
      throw new IllegalArgumentException("cutover must be within 1-" + cutovers + ": " + cutover);
    }
  }

  /**
   * When each cutover's document is written, in nanoseconds from the start of sending: the first after
   * {@code leadNanos}, each next one {@code intervalNanos} plus a uniformly random part of {@code jitterNanos}
   * later. The random part spreads the cutovers over the phases of MirrorMaker's fetch cycle (with an emulated
   * lag it fetches once per lag period), so that they sample the replication delay as individual records do.
   */
  static long[] schedule(int cutovers, long leadNanos, long intervalNanos, long jitterNanos, long seed) {
    if (intervalNanos <= 0 || jitterNanos < 0 || leadNanos < 0) {
      throw new IllegalArgumentException("lead and jitter must not be negative and the interval must be positive");
    }
    Random random = new Random(seed);
    long[] at = new long[cutovers];
    long t = leadNanos;
    for (int k = 0; k < cutovers; k++) {
      at[k] = t;
      t += intervalNanos + (jitterNanos == 0 ? 0 : (long) (random.nextDouble() * jitterNanos));
    }
    return at;
  }
}
