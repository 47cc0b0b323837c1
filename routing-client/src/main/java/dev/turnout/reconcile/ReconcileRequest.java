package dev.turnout.reconcile;

import dev.turnout.authority.AuthorityMap;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;

/**
 * What to reconcile: the target-only records of one rule (optionally of one slice) routed under an inclusive range
 * of epochs, with the authority documents of those epochs. Immutable; build one with {@link #forRule(String)}:
 *
 * <pre>{@code
 * ReconcileRequest request = ReconcileRequest.forRule("orders")
 *     .slice("s10")                    // optional: default every slice of the rule
 *     .epochs(12, 15)
 *     .documents(List.of(epoch12, epoch15))
 *     .build();
 * }</pre>
 */
public final class ReconcileRequest {

  /** Offsets {@code [from, to)} of one target partition. */
  public record TargetRange(long from, long to) {
    /** @throws IllegalArgumentException unless {@code 0 <= from <= to} */
    public TargetRange {
      if (from < 0 || to < from) {
        throw new IllegalArgumentException("not an offset range [" + from + ", " + to + "): need 0 <= from <= to");
      }
    }
  }

  private final String rule;
  private final String slice;
  private final long fromEpoch;
  private final long toEpoch;
  private final List<AuthorityMap> documents;
  private final Map<TopicPartition, TargetRange> targetOffsets;
  private final Map<TopicPartition, Long> targetOffsetsBelow;
  private final Instant since;

  private ReconcileRequest(Builder b) {
    this.rule = b.rule;
    this.slice = b.slice;
    this.fromEpoch = b.fromEpoch;
    this.toEpoch = b.toEpoch;
    this.documents = List.copyOf(b.documents);
    this.targetOffsets = Collections.unmodifiableMap(new LinkedHashMap<>(b.targetOffsets));
    this.targetOffsetsBelow = Collections.unmodifiableMap(new LinkedHashMap<>(b.targetOffsetsBelow));
    this.since = b.since;
  }

  /** A builder for the target-only records of rule {@code rule}. */
  public static Builder forRule(String rule) {
    return new Builder(rule);
  }

  /** The rule's name. */
  public String rule() {
    return rule;
  }

  /** The one slice to reconcile; empty for every slice of the rule. */
  public Optional<String> slice() {
    return Optional.ofNullable(slice);
  }

  /** The first epoch of the range (inclusive). */
  public long fromEpoch() {
    return fromEpoch;
  }

  /** The last epoch of the range (inclusive). */
  public long toEpoch() {
    return toEpoch;
  }

  /** The documents given, in the order given. */
  public List<AuthorityMap> documents() {
    return documents;
  }

  /** The given target ranges; empty when the ranges are derived. */
  public Map<TopicPartition, TargetRange> targetOffsets() {
    return targetOffsets;
  }

  /** The upper bounds given with {@link Builder#targetOffsetsBelow}; empty when none. */
  public Map<TopicPartition, Long> targetOffsetsBelow() {
    return targetOffsetsBelow;
  }

  /** Where derived ranges start their scan; empty for the log start. */
  public Optional<Instant> since() {
    return Optional.ofNullable(since);
  }

  @Override
  public String toString() {
    return "ReconcileRequest{rule=" + rule + (slice == null ? "" : ", slice=" + slice) + ", epochs=" + fromEpoch
        + ".." + toEpoch + (targetOffsets.isEmpty() ? "" : ", targetOffsets=" + targetOffsets)
        + (targetOffsetsBelow.isEmpty() ? "" : ", targetOffsetsBelow=" + targetOffsetsBelow) + '}';
  }

  /** Builds a {@link ReconcileRequest}; {@link #epochs} and {@link #documents} are required. */
  public static final class Builder {
    private final String rule;
    private String slice;
    private long fromEpoch = -1;
    private long toEpoch = -1;
    private final List<AuthorityMap> documents = new ArrayList<>();
    private final Map<TopicPartition, TargetRange> targetOffsets = new LinkedHashMap<>();
    private final Map<TopicPartition, Long> targetOffsetsBelow = new LinkedHashMap<>();
    private Instant since;

    private Builder(String rule) {
      this.rule = requireName(rule, "rule");
    }

    /** Only the records of this slice (by their {@code turnout.route}); default every slice of the rule. */
    public Builder slice(String slice) {
      this.slice = requireName(slice, "slice");
      return this;
    }

    /** The inclusive range of epochs whose target-only records to reconcile. */
    public Builder epochs(long fromEpoch, long toEpoch) {
      if (fromEpoch < 0 || toEpoch < fromEpoch) {
        throw new IllegalArgumentException("not an epoch range: " + fromEpoch + ".." + toEpoch
            + " (need 0 <= from <= to)");
      }
      this.fromEpoch = fromEpoch;
      this.toEpoch = toEpoch;
      return this;
    }

    /**
     * The authority documents of the epochs in range (at least the one in force at the first epoch). A record is
     * checked against the document of its epoch, or of the nearest lower epoch given.
     */
    public Builder documents(List<AuthorityMap> documents) {
      Objects.requireNonNull(documents, "documents").forEach(d -> Objects.requireNonNull(d, "document"));
      this.documents.clear();
      this.documents.addAll(documents);
      return this;
    }

    /**
     * Reconciles offsets {@code [from, to)} of this target partition. Once one range is given, only the
     * partitions given are reconciled; without any, every partition of the rule's topics is, over the range
     * that holds records routed to the target under the epochs.
     */
    public Builder targetOffsets(TopicPartition partition, long from, long to) {
      targetOffsets.put(Objects.requireNonNull(partition, "partition"), new TargetRange(from, to));
      return this;
    }

    /**
     * Reconciles this target partition only below offset {@code below} (exclusive): its range is derived as without
     * bounds (from the log start, or {@link #since}), but the scan stops at {@code below}; no lower bound is
     * assumed. Once a partition is named here or in {@link #targetOffsets}, only the partitions named are
     * reconciled; a partition named in both uses its {@link #targetOffsets} range.
     *
     * @throws IllegalArgumentException when {@code below} is negative
     */
    public Builder targetOffsetsBelow(TopicPartition partition, long below) {
      Objects.requireNonNull(partition, "partition");
      if (below < 0) {
        throw new IllegalArgumentException("not an offset bound: " + below + " (need 0 <= below)");
      }
      targetOffsetsBelow.put(partition, below);
      return this;
    }

    /**
     * Derived ranges scan each target partition from the first offset at or after this time instead of from the
     * log start: cheaper on long logs, but records before it are not looked at. Ignored for given ranges.
     */
    public Builder since(Instant since) {
      this.since = Objects.requireNonNull(since, "since");
      return this;
    }

    /** @throws IllegalArgumentException when the epochs or the documents are missing */
    public ReconcileRequest build() {
      if (fromEpoch < 0) {
        throw new IllegalArgumentException("epochs(from, to) is required: the epochs whose target-only records of "
            + "rule '" + rule + "' to reconcile");
      }
      if (documents.isEmpty()) {
        throw new IllegalArgumentException("documents(...) is required: the authority documents of epochs "
            + fromEpoch + ".." + toEpoch + " (at least the one in force at epoch " + fromEpoch + ")");
      }
      return new ReconcileRequest(this);
    }

    private static String requireName(String name, String what) {
      Objects.requireNonNull(name, what);
      if (name.isBlank() || name.contains("/")) {
        throw new IllegalArgumentException("not a " + what + " name: '" + name + "'");
      }
      return name;
    }
  }
}
