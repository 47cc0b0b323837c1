package dev.turnout.cli.gate;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.authority.MigrationState;
import dev.turnout.authority.Rule;
import dev.turnout.fleet.FleetView;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListGroupsOptions;

/**
 * What the checks read: the document in force and the rule, the state it moves to, both clusters, the fleet as
 * the status topic shows it (when given), Kafka Connect (when given), the thresholds and the other options.
 */
public final class GateContext {

  private final AuthorityMap document;
  private final Rule rule;
  private final MigrationState next;
  private final String slice;
  private final Cluster source;
  private final Cluster target;
  private final Fleet fleet;
  private final URI connect;
  private final Thresholds thresholds;
  private final List<String> groups;
  private final OptionalLong sinceEpoch;
  private final List<AuthorityMap> history;
  private final Instant now;
  private List<String> topics;
  private List<String> consumerGroups;

  /**
   * The fleet: the view read from the status topic, or why there is none.
   *
   * @param view the fleet, or {@code null}
   * @param missing why there is no view ({@code null} when there is one)
   * @param failed whether it is missing because reading failed (rather than not asked for)
   */
  public record Fleet(FleetView view, String missing, boolean failed) {
    public static Fleet of(FleetView view) {
      return new Fleet(view, null, false);
    }

    public static Fleet notGiven() {
      return new Fleet(null, "no --status-topic given", false);
    }

    public static Fleet unreadable(String why) {
      return new Fleet(null, "the status topic could not be read: " + why, true);
    }
  }

  private GateContext(Builder b) {
    this.document = b.document;
    this.rule = b.rule;
    this.next = b.next;
    this.slice = b.slice;
    this.source = b.source;
    this.target = b.target;
    this.fleet = b.fleet;
    this.connect = b.connect;
    this.thresholds = b.thresholds;
    this.groups = List.copyOf(b.groups);
    this.sinceEpoch = b.sinceEpoch;
    this.history = List.copyOf(b.history);
    this.now = b.now;
  }

  public static Builder builder(AuthorityMap document, Rule rule, MigrationState next) {
    return new Builder(document, rule, next);
  }

  public AuthorityMap document() {
    return document;
  }

  public Rule rule() {
    return rule;
  }

  /** The state the rule moves to. */
  public MigrationState next() {
    return next;
  }

  /** The slice the move concerns, or empty for the whole rule. */
  public Optional<String> slice() {
    return Optional.ofNullable(slice);
  }

  public Cluster source() {
    return source;
  }

  public Cluster target() {
    return target;
  }

  public Fleet fleet() {
    return fleet;
  }

  /** The Kafka Connect REST URL, or empty. */
  public Optional<URI> connect() {
    return Optional.ofNullable(connect);
  }

  public Thresholds thresholds() {
    return thresholds;
  }

  /** The consumer groups given with {@code --group}; empty to discover them. */
  public List<String> groups() {
    return groups;
  }

  public OptionalLong sinceEpoch() {
    return sinceEpoch;
  }

  /** Earlier documents of the rule's history ({@code --history}), for the reconciliation plan. */
  public List<AuthorityMap> history() {
    return history;
  }

  /** When the gate was run. */
  public Instant now() {
    return now;
  }

  /**
   * The rule's topics: its exact topics, and the source's topics that the rule governs through a prefix (topics
   * another rule wins are left out). Read once.
   */
  public List<String> topics() throws Exception {
    if (topics == null) {
      Set<String> found = new TreeSet<>(rule.topics());
      if (!rule.prefixes().isEmpty()) {
        for (String topic : source.get(source.admin().listTopics().names())) {
          if (document.ruleFor(topic) == rule) {
            found.add(topic);
          }
        }
      }
      topics = new ArrayList<>(found);
    }
    return topics;
  }

  /**
   * The rule's consumer groups: those given with {@code --group}, or else the groups (validation groups and
   * Kafka Connect's {@code connect-*} groups aside) that committed offsets of the rule's topics on either
   * cluster. Read once.
   */
  public List<String> consumerGroups() throws Exception {
    if (consumerGroups == null) {
      if (!groups.isEmpty()) {
        consumerGroups = groups;
      } else {
        Set<String> ruleTopics = Set.copyOf(topics());
        Set<String> found = new TreeSet<>();
        for (Cluster cluster : List.of(source, target)) {
          for (GroupListing g : cluster.get(cluster.admin().listGroups(ListGroupsOptions.forConsumerGroups())
              .all())) {
            String id = g.groupId();
            if (!id.endsWith(OffsetsCheck.VALIDATION_SUFFIX) && !id.startsWith("connect-") && !found.contains(id)
                && !OffsetsCheck.committed(cluster, id, ruleTopics).isEmpty()) {
              found.add(id);
            }
          }
        }
        consumerGroups = List.copyOf(found);
      }
    }
    return consumerGroups;
  }

  /** Builds a {@link GateContext}; the clusters are required. */
  public static final class Builder {
    private final AuthorityMap document;
    private final Rule rule;
    private final MigrationState next;
    private String slice;
    private Cluster source;
    private Cluster target;
    private Fleet fleet = Fleet.notGiven();
    private URI connect;
    private Thresholds thresholds = Thresholds.defaults();
    private List<String> groups = List.of();
    private OptionalLong sinceEpoch = OptionalLong.empty();
    private List<AuthorityMap> history = List.of();
    private Instant now = Instant.now();

    private Builder(AuthorityMap document, Rule rule, MigrationState next) {
      this.document = document;
      this.rule = rule;
      this.next = next;
    }

    public Builder slice(String slice) {
      this.slice = slice;
      return this;
    }

    public Builder clusters(Cluster source, Cluster target) {
      this.source = source;
      this.target = target;
      return this;
    }

    public Builder fleet(Fleet fleet) {
      this.fleet = fleet;
      return this;
    }

    public Builder connect(URI connect) {
      this.connect = connect;
      return this;
    }

    public Builder thresholds(Thresholds thresholds) {
      this.thresholds = thresholds;
      return this;
    }

    public Builder groups(List<String> groups) {
      this.groups = groups;
      return this;
    }

    public Builder sinceEpoch(OptionalLong sinceEpoch) {
      this.sinceEpoch = sinceEpoch;
      return this;
    }

    public Builder history(List<AuthorityMap> history) {
      this.history = history;
      return this;
    }

    public Builder now(Instant now) {
      this.now = now;
      return this;
    }

    public GateContext build() {
      if (source == null || target == null) {
        throw new IllegalStateException("clusters(source, target) is required");
      }
      return new GateContext(this);
    }
  }
}
