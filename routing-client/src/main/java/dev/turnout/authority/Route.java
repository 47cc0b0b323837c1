package dev.turnout.authority;

import dev.turnout.internal.provenance.ProvenanceHeaders;
import org.apache.kafka.common.header.Header;

/**
 * One precomputed routing decision of an epoch: the owner cluster of a rule (or of one slice of it), with
 * its provenance header, or a refusal. Instances are created when a map is built and shared by every
 * record the decision applies to, so routing allocates nothing.
 */
public final class Route {

  /** Why the authority map itself cannot attribute a write. */
  public enum Refusal {
    /** No rule matches the topic. */
    NO_MATCHING_RULE,
    /** The record has a null key, the rule is sliced and names no {@code null-key-owner}. */
    NULL_KEY_NOT_ROUTABLE
  }

  private final Refusal refusal;
  private final String owner;
  private final int ownerIndex;
  private final long epoch;
  private final Rule rule;
  private final String slice;
  private final Header routeHeader;

  private Route(Refusal refusal, String owner, int ownerIndex, long epoch, Rule rule, String slice) {
    this.refusal = refusal;
    this.owner = owner;
    this.ownerIndex = ownerIndex;
    this.epoch = epoch;
    this.rule = rule;
    this.slice = slice;
    this.routeHeader = refusal == null
        ? ProvenanceHeaders.routeHeader(owner, epoch, rule.name(), slice)
        : null;
  }

  static Route to(String owner, int ownerIndex, long epoch, Rule rule, String slice) {
    return new Route(null, owner, ownerIndex, epoch, rule, slice);
  }

  static Route refused(Refusal refusal, long epoch, Rule rule) {
    return new Route(refusal, null, -1, epoch, rule, null);
  }

  /** {@code null} when the write can be routed; otherwise why not. */
  public Refusal refusal() {
    return refusal;
  }

  /** Whether the write is attributed to exactly one owner. */
  public boolean routable() {
    return refusal == null;
  }

  /** The owner cluster alias; {@code null} for a refusal. */
  public String owner() {
    return owner;
  }

  /** Index of {@link #owner()} in the declared cluster list; -1 for a refusal. */
  public int ownerIndex() {
    return ownerIndex;
  }

  /** The epoch of the map this decision belongs to. */
  public long epoch() {
    return epoch;
  }

  /** The matching rule; {@code null} when no rule matched. */
  public Rule rule() {
    return rule;
  }

  /** The slice name; {@code null} for an unsliced rule or a refusal. */
  public String slice() {
    return slice;
  }

  /** The precomputed {@code turnout.route} header; {@code null} for a refusal. Never mutate it. */
  public Header routeHeader() {
    return routeHeader;
  }

  @Override
  public String toString() {
    if (refusal != null) {
      return "Route{refused=" + refusal + ", epoch=" + epoch + (rule == null ? "" : ", rule=" + rule.name()) + '}';
    }
    return "Route{" + owner + '/' + epoch + '/' + rule.name() + '/' + (slice == null ? "-" : slice) + '}';
  }
}
