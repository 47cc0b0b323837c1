package dev.turnout.authority;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * One rule of an authority map: the topics it governs (exact names and prefixes), its state, its source
 * and target, and for WRITE_PROMOTION its slices. Immutable.
 */
public final class Rule {

  /** Slice name in the provenance of null-key records routed by {@code null-key-owner}; reserved. */
  public static final String NULL_KEY_SLICE = "null-key";

  private final String name;
  private final Set<String> topics;
  private final Set<String> prefixes;
  private final MigrationState state;
  private final String source;
  private final String target;
  private final List<Slice> slices;
  private final String nullKeyOwner;
  private final boolean rollbackAllowed;

  // Decisions, precomputed per epoch.
  private Route unsliced;
  private Route nullKey;
  private int[] rangeStarts;
  private Route[] rangeRoutes;
  private List<Route> routes;

  Rule(String name, Set<String> topics, Set<String> prefixes, MigrationState state, String source,
      String target, List<Slice> slices, String nullKeyOwner) {
    this(name, topics, prefixes, state, source, target, slices, nullKeyOwner, false);
  }

  Rule(String name, Set<String> topics, Set<String> prefixes, MigrationState state, String source,
      String target, List<Slice> slices, String nullKeyOwner, boolean rollbackAllowed) {
    this.name = name;
    this.topics = Set.copyOf(topics);
    this.prefixes = Set.copyOf(prefixes);
    this.state = state;
    this.source = source;
    this.target = target;
    this.slices = List.copyOf(slices);
    this.nullKeyOwner = nullKeyOwner;
    this.rollbackAllowed = rollbackAllowed;
  }

  void precompute(long epoch, List<String> clusters) {
    if (!state.sliced()) {
      String owner = state == MigrationState.TARGET_AUTHORITY ? target : source;
      unsliced = Route.to(owner, clusters.indexOf(owner), epoch, this, null);
      routes = List.of(unsliced);
      return;
    }
    int rangeCount = slices.stream().mapToInt(s -> s.ranges().size()).sum();
    Slice.KeyRange[] ranges = new Slice.KeyRange[rangeCount];
    Route[] byRange = new Route[rangeCount];
    Route[] sliceRoutes = new Route[slices.size()];
    int i = 0;
    for (int s = 0; s < slices.size(); s++) {
      Slice slice = slices.get(s);
      sliceRoutes[s] = Route.to(slice.owner(), clusters.indexOf(slice.owner()), epoch, this, slice.name());
      for (Slice.KeyRange range : slice.ranges()) {
        ranges[i] = range;
        byRange[i] = sliceRoutes[s];
        i++;
      }
    }
    Integer[] order = new Integer[rangeCount];
    for (int k = 0; k < rangeCount; k++) {
      order[k] = k;
    }
    Arrays.sort(order, (a, b) -> Integer.compare(ranges[a].from(), ranges[b].from()));
    rangeStarts = new int[rangeCount];
    rangeRoutes = new Route[rangeCount];
    for (int k = 0; k < rangeCount; k++) {
      rangeStarts[k] = ranges[order[k]].from();
      rangeRoutes[k] = byRange[order[k]];
    }
    nullKey = nullKeyOwner == null
        ? Route.refused(Route.Refusal.NULL_KEY_NOT_ROUTABLE, epoch, this)
        : Route.to(nullKeyOwner, clusters.indexOf(nullKeyOwner), epoch, this, NULL_KEY_SLICE);
    routes = List.copyOf(Arrays.asList(sliceRoutes));
  }

  /** The rule name. */
  public String name() {
    return name;
  }

  /** Exact topic names this rule governs. */
  public Set<String> topics() {
    return topics;
  }

  /** Topic prefixes this rule governs. */
  public Set<String> prefixes() {
    return prefixes;
  }

  /** The migration state. */
  public MigrationState state() {
    return state;
  }

  /** The source cluster alias. */
  public String source() {
    return source;
  }

  /** The target cluster alias. */
  public String target() {
    return target;
  }

  /** Slices in document order; empty unless the state is WRITE_PROMOTION. */
  public List<Slice> slices() {
    return slices;
  }

  /** Owner of null-key writes in a sliced rule; {@code null} when such writes are refused. */
  public String nullKeyOwner() {
    return nullKeyOwner;
  }

  /**
   * Whether this document allows the rule to leave {@code TARGET_AUTHORITY} for an earlier state
   * ({@code rule.<name>.rollback.allowed=true}). A document that moves a rule out of {@code TARGET_AUTHORITY}
   * without it is rejected by the client with {@link DocumentProblem.Kind#ROLLBACK_NOT_ALLOWED}, and the map in
   * force stays. Defaults to {@code false}; it has no effect on a rule that was not in {@code TARGET_AUTHORITY}.
   */
  public boolean rollbackAllowed() {
    return rollbackAllowed;
  }

  /** Whether writes must be divided by key bucket. */
  public boolean sliced() {
    return state.sliced();
  }

  /** The cluster production consumers read in this rule's state. */
  public String readCluster() {
    return state.readsTarget() ? target : source;
  }

  /** The decision for every write of an unsliced rule; {@code null} for a sliced rule. */
  public Route unslicedRoute() {
    return unsliced;
  }

  /** The decision for a null key in a sliced rule (a refusal unless {@code null-key-owner} is set). */
  public Route nullKeyRoute() {
    return nullKey;
  }

  /** The decision for a key bucket (0-9999). */
  public Route routeForBucket(int bucket) {
    if (unsliced != null) {
      return unsliced;
    }
    int idx = Arrays.binarySearch(rangeStarts, bucket);
    if (idx < 0) {
      idx = -idx - 2;
    }
    return rangeRoutes[idx];
  }

  /** Every distinct routable decision of this rule (one per slice, or the single unsliced one). */
  public List<Route> routes() {
    return routes;
  }

  /** The clusters this rule writes to at this epoch, null-key owner included (two for a split WRITE_PROMOTION). */
  public Set<String> writeOwners() {
    if (unsliced != null) {
      return Set.of(unsliced.owner());
    }
    java.util.LinkedHashSet<String> owners = new java.util.LinkedHashSet<>();
    for (Slice s : slices) {
      owners.add(s.owner());
    }
    if (nullKeyOwner != null) {
      owners.add(nullKeyOwner);
    }
    return owners;
  }

  @Override
  public String toString() {
    return "Rule{" + name + ", " + state + ", " + source + "->" + target + '}';
  }
}
