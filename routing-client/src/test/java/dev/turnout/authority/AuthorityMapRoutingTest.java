package dev.turnout.authority;

import static dev.turnout.authority.AuthorityDocs.CLUSTERS;
import static dev.turnout.authority.AuthorityDocs.doc;
import static dev.turnout.authority.AuthorityDocs.example;
import static dev.turnout.authority.AuthorityDocs.parse;
import static dev.turnout.authority.AuthorityDocs.with;
import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.internal.provenance.ProvenanceHeaders;
import dev.turnout.internal.provenance.ProvenanceHeaders.RouteStamp;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.serialization.LongSerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AuthorityMapRoutingTest {

  private static final long EPOCH = 7;

  /** One rule per state, plus exact/prefix rules for matching tests. Clusters: onprem, cloud, dr. */
  private static Map<String, String> statesDoc() {
    return doc(
        "epoch", String.valueOf(EPOCH),
        "source", "onprem",
        "target", "cloud",
        "rule.mirror.topics", "m",
        "rule.mirror.state", "MIRROR",
        "rule.dual.topics", "d",
        "rule.dual.state", "DUAL_READ",
        "rule.promo.topics", "w,w2",
        "rule.promo.state", "WRITE_PROMOTION",
        "rule.promo.slice.low.keys", "0-2499,7500-9999",
        "rule.promo.slice.low.owner", "cloud",
        "rule.promo.slice.high.keys", "2500-7499",
        "rule.promo.slice.high.owner", "onprem",
        "rule.target.topics", "t",
        "rule.target.state", "TARGET_AUTHORITY");
  }

  private static final AuthorityMap MAP = parse(statesDoc());

  private static Rule rule(AuthorityMap map, String name) {
    return map.rules().stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
  }

  /** The slice of {@code rule} whose ranges contain {@code bucket}, from the parsed model (not the router). */
  private static Slice sliceContaining(Rule rule, int bucket) {
    Slice found = null;
    for (Slice s : rule.slices()) {
      for (Slice.KeyRange r : s.ranges()) {
        if (r.from() <= bucket && bucket <= r.to()) {
          assertThat(found).as("bucket %d in two slices", bucket).isNull();
          found = s;
        }
      }
    }
    assertThat(found).as("bucket %d in no slice", bucket).isNotNull();
    return found;
  }

  @ParameterizedTest(name = "{0} writes to {2}, reads {3}")
  @CsvSource({
      "mirror, MIRROR,           onprem, onprem",
      "dual,   DUAL_READ,        onprem, onprem",
      "target, TARGET_AUTHORITY, cloud,  cloud"})
  void unslicedStatesRouteEveryWriteToOneOwner(String ruleName, MigrationState state, String owner, String reads) {
    Rule rule = rule(MAP, ruleName);
    assertThat(rule.state()).isEqualTo(state);
    String topic = rule.topics().iterator().next();
    Route route = MAP.route(topic, "k".getBytes(StandardCharsets.UTF_8));

    assertThat(route.routable()).isTrue();
    assertThat(route.refusal()).isNull();
    assertThat(route.owner()).isEqualTo(owner);
    assertThat(route.ownerIndex()).isEqualTo(CLUSTERS.indexOf(owner));
    assertThat(route.epoch()).isEqualTo(EPOCH);
    assertThat(route.rule()).isSameAs(rule);
    assertThat(route.slice()).isNull();
    assertThat(rule.unslicedRoute()).isSameAs(route);
    assertThat(rule.routes()).containsExactly(route);
    assertThat(rule.readCluster()).isEqualTo(reads);
    assertThat(rule.writeOwners()).containsExactly(owner);
    assertThat(rule.sliced()).isFalse();
  }

  @Test
  void unslicedRuleIgnoresTheKeyIncludingNull() {
    for (String topic : List.of("m", "d", "t")) {
      Route withNull = MAP.route(topic, null);
      assertThat(withNull.routable()).as(topic).isTrue();
      Random random = new Random(topic.hashCode());
      for (int i = 0; i < 100; i++) {
        byte[] key = new byte[random.nextInt(20)];
        random.nextBytes(key);
        assertThat(MAP.route(topic, key)).as(topic).isSameAs(withNull);
      }
      Rule rule = MAP.ruleFor(topic);
      assertThat(rule.routeForBucket(0)).isSameAs(withNull);
      assertThat(rule.routeForBucket(9999)).isSameAs(withNull);
    }
  }

  @Test
  void writePromotionRoutesEachSliceToItsOwner() {
    Rule promo = rule(MAP, "promo");
    assertThat(promo.state()).isEqualTo(MigrationState.WRITE_PROMOTION);
    assertThat(promo.sliced()).isTrue();
    assertThat(promo.unslicedRoute()).isNull();
    assertThat(promo.readCluster()).isEqualTo("cloud");
    assertThat(promo.writeOwners()).containsExactlyInAnyOrder("cloud", "onprem");

    int[][] expectations = {{0, 0}, {2499, 0}, {2500, 1}, {5000, 1}, {7499, 1}, {7500, 0}, {9999, 0}};
    String[] names = {"low", "high"};
    String[] owners = {"cloud", "onprem"};
    for (int[] e : expectations) {
      Route route = promo.routeForBucket(e[0]);
      assertThat(route.slice()).as("bucket %d", e[0]).isEqualTo(names[e[1]]);
      assertThat(route.owner()).as("bucket %d", e[0]).isEqualTo(owners[e[1]]);
      assertThat(route.ownerIndex()).as("bucket %d", e[0]).isEqualTo(CLUSTERS.indexOf(owners[e[1]]));
      assertThat(route.rule()).isSameAs(promo);
      assertThat(route.epoch()).isEqualTo(EPOCH);
    }
    assertThat(promo.routes()).hasSize(2).extracting(Route::slice).containsExactlyInAnyOrder("low", "high");
  }

  @Test
  void everyBucketRoutesToTheSliceWhoseRangeContainsIt() {
    for (Rule rule : List.of(rule(MAP, "promo"), rule(parse(example()), "orders"))) {
      for (int b = 0; b < AuthorityMap.BUCKETS; b++) {
        Slice expected = sliceContaining(rule, b);
        Route route = rule.routeForBucket(b);
        assertThat(route.slice()).as("%s bucket %d", rule.name(), b).isEqualTo(expected.name());
        assertThat(route.owner()).as("%s bucket %d", rule.name(), b).isEqualTo(expected.owner());
      }
    }
  }

  @Test
  void bucketIsKafkasDefaultPartitionerHashModuloTenThousand() {
    Random random = new Random(42);
    for (int i = 0; i < 5_000; i++) {
      byte[] key = new byte[random.nextInt(64)];
      random.nextBytes(key);
      int bucket = AuthorityMap.bucket(key);
      assertThat(bucket).isEqualTo(Utils.toPositive(Utils.murmur2(key)) % 10_000);
      // Independent check: Kafka's own keyed partitioner with 10000 partitions.
      assertThat(bucket).isEqualTo(BuiltInPartitioner.partitionForKey(key, 10_000));
      assertThat(bucket).isBetween(0, AuthorityMap.BUCKETS - 1);
    }
    assertThat(AuthorityMap.BUCKETS).isEqualTo(10_000);
  }

  @Test
  void keyRoutesToTheSliceContainingItsBucket() {
    Rule promo = rule(MAP, "promo");
    try (StringSerializer strings = new StringSerializer(); LongSerializer longs = new LongSerializer()) {
      List<byte[]> keys = new ArrayList<>();
      for (int i = 0; i < 2_000; i++) {
        keys.add(strings.serialize("w", "customer-" + i));
        keys.add(longs.serialize("w", (long) i * 7919));
      }
      int[] hits = new int[2];
      for (byte[] key : keys) {
        int bucket = Utils.toPositive(Utils.murmur2(key)) % 10_000;
        Slice expected = sliceContaining(promo, bucket);
        for (String topic : List.of("w", "w2")) {
          Route route = MAP.route(topic, key);
          assertThat(route.slice()).as("key bucket %d", bucket).isEqualTo(expected.name());
          assertThat(route.owner()).as("key bucket %d", bucket).isEqualTo(expected.owner());
        }
        hits[expected.name().equals("low") ? 0 : 1]++;
      }
      assertThat(hits[0]).as("low slice exercised").isPositive();
      assertThat(hits[1]).as("high slice exercised").isPositive();
    }
  }

  @Test
  void nullKeyInSlicedRuleWithoutNullKeyOwnerIsRefused() {
    Route route = MAP.route("w", null);
    assertThat(route.routable()).isFalse();
    assertThat(route.refusal()).isEqualTo(Route.Refusal.NULL_KEY_NOT_ROUTABLE);
    assertThat(route.owner()).isNull();
    assertThat(route.ownerIndex()).isEqualTo(-1);
    assertThat(route.routeHeader()).isNull();
    assertThat(route.rule()).isSameAs(rule(MAP, "promo"));
    assertThat(route.epoch()).isEqualTo(EPOCH);
    assertThat(rule(MAP, "promo").nullKeyOwner()).isNull();
    assertThat(rule(MAP, "promo").routes()).doesNotContain(route);
  }

  @Test
  void nullKeyInSlicedRuleGoesToNullKeyOwner() {
    AuthorityMap map = parse(with(statesDoc(), "rule.promo.null-key-owner", "onprem"));
    Route route = map.route("w", null);
    assertThat(route.routable()).isTrue();
    assertThat(route.owner()).isEqualTo("onprem");
    assertThat(route.ownerIndex()).isEqualTo(CLUSTERS.indexOf("onprem"));
    assertThat(route.rule().name()).isEqualTo("promo");
    assertThat(route.epoch()).isEqualTo(EPOCH);
    assertThat(route).isSameAs(map.route("w", null)).isSameAs(map.route("w2", null));
    RouteStamp stamp = ProvenanceHeaders.parseRoute(route.routeHeader().value());
    assertThat(stamp.origin()).isEqualTo("onprem");
    assertThat(stamp.epoch()).isEqualTo(EPOCH);
    assertThat(stamp.rule()).isEqualTo("promo");
  }

  @Test
  void noMatchingRuleIsRefused() {
    for (String topic : List.of("unknown", "ww", "m2", "mm", "audit", "", "W")) {
      Route route = MAP.route(topic, "k".getBytes(StandardCharsets.UTF_8));
      assertThat(route.refusal()).as(topic).isEqualTo(Route.Refusal.NO_MATCHING_RULE);
      assertThat(route.routable()).isFalse();
      assertThat(route.owner()).isNull();
      assertThat(route.ownerIndex()).isEqualTo(-1);
      assertThat(route.rule()).isNull();
      assertThat(route.routeHeader()).isNull();
      assertThat(route.epoch()).isEqualTo(EPOCH);
      assertThat(MAP.ruleFor(topic)).isNull();
      assertThat(MAP.route(topic, null).refusal()).isEqualTo(Route.Refusal.NO_MATCHING_RULE);
    }
  }

  @Test
  void exactTopicBeatsPrefix() {
    AuthorityMap map = parse(doc(
        "epoch", "1", "source", "onprem", "target", "cloud",
        "rule.all-audit.topic-prefix", "audit.",
        "rule.all-audit.state", "MIRROR",
        "rule.special.topics", "audit.special,audit.",
        "rule.special.state", "TARGET_AUTHORITY",
        "rule.long.topic-prefix", "audit.special.",
        "rule.long.state", "DUAL_READ"));
    assertThat(map.ruleFor("audit.special").name()).isEqualTo("special");
    assertThat(map.route("audit.special", null).owner()).isEqualTo("cloud");
    // The exact topic equal to a prefix string still wins over that prefix.
    assertThat(map.ruleFor("audit.").name()).isEqualTo("special");
    assertThat(map.ruleFor("audit.other").name()).isEqualTo("all-audit");
    assertThat(map.route("audit.other", null).owner()).isEqualTo("onprem");
    assertThat(map.ruleFor("audit.special.x").name()).isEqualTo("long");
    assertThat(map.ruleFor("audit.specialx").name()).isEqualTo("all-audit");
  }

  @Test
  void longestPrefixWinsWhateverTheRuleNames() {
    AuthorityMap map = parse(doc(
        "epoch", "1", "source", "onprem", "target", "cloud",
        "rule.z.topic-prefix", "a.",
        "rule.z.state", "MIRROR",
        "rule.a.topic-prefix", "a.b.c.",
        "rule.a.state", "TARGET_AUTHORITY",
        "rule.m.topic-prefix", "a.b.,x.",
        "rule.m.state", "DUAL_READ"));
    // Repeat to exercise any lookup caching: answers must not change.
    for (int round = 0; round < 3; round++) {
      assertThat(map.ruleFor("a.b.c.d").name()).isEqualTo("a");
      assertThat(map.ruleFor("a.b.c.").name()).isEqualTo("a");
      assertThat(map.ruleFor("a.b.c").name()).isEqualTo("m");
      assertThat(map.ruleFor("a.b.x").name()).isEqualTo("m");
      assertThat(map.ruleFor("x.anything").name()).isEqualTo("m");
      assertThat(map.ruleFor("a.x").name()).isEqualTo("z");
      assertThat(map.ruleFor("a.").name()).isEqualTo("z");
      assertThat(map.ruleFor("a")).isNull();
      assertThat(map.ruleFor("b.a.b.c.d")).isNull();
    }
    assertThat(map.route("a.b.c.d", null).owner()).isEqualTo("cloud");
    assertThat(map.route("a.b.x", null).owner()).isEqualTo("onprem");
  }

  @Test
  void precomputedRoutesAreTheSameInstanceAcrossCalls() {
    Random random = new Random(7);
    Rule promo = rule(MAP, "promo");
    for (int i = 0; i < 1_000; i++) {
      byte[] key = new byte[1 + random.nextInt(16)];
      random.nextBytes(key);
      Route first = MAP.route("w", key);
      assertThat(MAP.route("w", key)).isSameAs(first);
      assertThat(MAP.route("w2", key)).isSameAs(first);
      assertThat(promo.routes()).containsOnlyOnce(first);
      assertThat(first.routeHeader()).isSameAs(MAP.route("w", key).routeHeader());
    }
    assertThat(MAP.route("m", null)).isSameAs(MAP.route("m", new byte[] {1}));
    assertThat(MAP.route("m", null).routeHeader()).isSameAs(MAP.route("m", null).routeHeader());
    assertThat(MAP.route("w", null)).isSameAs(MAP.route("w2", null));
    assertThat(MAP.route("nope", null)).isSameAs(MAP.route("other", null));
  }

  @Test
  void routingIsConsistentAcrossThreads() throws Exception {
    AuthorityMap map = parse(with(statesDoc(), "rule.pre.topic-prefix", "p.", "rule.pre.state", "MIRROR"));
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Callable<Void>> tasks = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int seed = t;
        tasks.add(() -> {
          Random random = new Random(seed);
          for (int i = 0; i < 5_000; i++) {
            String topic = "p." + random.nextInt(500);
            assertThat(map.ruleFor(topic).name()).isEqualTo("pre");
            assertThat(map.ruleFor("q." + random.nextInt(500))).isNull();
          }
          return null;
        });
      }
      for (Future<Void> f : pool.invokeAll(tasks)) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void routeHeaderIsOwnerEpochRuleSliceInUtf8() {
    Rule promo = rule(MAP, "promo");
    for (int b : new int[] {0, 5000}) {
      Route route = promo.routeForBucket(b);
      String expected = route.owner() + "/" + EPOCH + "/promo/" + route.slice();
      assertThat(route.routeHeader().key()).isEqualTo(ProvenanceHeaders.ROUTE).isEqualTo("turnout.route");
      assertThat(route.routeHeader().value()).isEqualTo(expected.getBytes(StandardCharsets.UTF_8));
    }
    assertThat(promo.routeForBucket(0).routeHeader().value())
        .isEqualTo("cloud/7/promo/low".getBytes(StandardCharsets.UTF_8));
    assertThat(promo.routeForBucket(5000).routeHeader().value())
        .isEqualTo("onprem/7/promo/high".getBytes(StandardCharsets.UTF_8));
    assertThat(MAP.route("m", null).routeHeader().value())
        .isEqualTo("onprem/7/mirror/-".getBytes(StandardCharsets.UTF_8));
    assertThat(MAP.route("t", null).routeHeader().value())
        .isEqualTo("cloud/7/target/-".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void routeHeaderUsesUtf8ForNonAsciiAliases() {
    List<String> clusters = List.of("zürich", "genève");
    AuthorityMap map = AuthorityMap.parse(doc("epoch", "3", "source", "zürich", "target", "genève",
        "rule.r.topics", "x", "rule.r.state", "MIRROR"), clusters);
    Route route = map.route("x", null);
    assertThat(route.ownerIndex()).isZero();
    assertThat(route.routeHeader().value()).isEqualTo("zürich/3/r/-".getBytes(StandardCharsets.UTF_8));
    assertThat(ProvenanceHeaders.parseRoute(route.routeHeader().value()).origin()).isEqualTo("zürich");
  }

  @Test
  void everyRouteHeaderParsesBackToItsRoute() {
    AuthorityMap map = parse(with(example(), "epoch", "123456789012"));
    for (Rule rule : map.rules()) {
      for (Route route : rule.routes()) {
        RouteStamp stamp = ProvenanceHeaders.parseRoute(route.routeHeader().value());
        assertThat(stamp).isEqualTo(new RouteStamp(route.owner(), 123456789012L, rule.name(), route.slice()));
      }
    }
  }

  @Test
  void ownerIndexFollowsTheDeclaredClusterOrder() {
    AuthorityMap map = AuthorityMap.parse(statesDoc(), List.of("dr", "cloud", "onprem"));
    assertThat(map.route("m", null).ownerIndex()).isEqualTo(2);
    assertThat(map.route("t", null).ownerIndex()).isEqualTo(1);
    assertThat(map.clusters().get(map.route("t", null).ownerIndex())).isEqualTo("cloud");
  }

  @Test
  void readClusterPerStateFollowsTheRulesOwnSourceAndTarget() {
    Map<String, String> doc = doc("epoch", "1");
    for (MigrationState state : MigrationState.values()) {
      String n = state.name().toLowerCase().replace('_', '-');
      doc.put("rule." + n + ".topics", n);
      doc.put("rule." + n + ".state", state.name());
      doc.put("rule." + n + ".source", "dr");
      doc.put("rule." + n + ".target", "onprem");
      if (state.sliced()) {
        doc.put("rule." + n + ".slice.all.keys", "0-9999");
        doc.put("rule." + n + ".slice.all.owner", "dr");
      }
    }
    AuthorityMap map = parse(doc);
    assertThat(map.ruleFor("mirror").readCluster()).isEqualTo("dr");
    assertThat(map.ruleFor("dual-read").readCluster()).isEqualTo("dr");
    assertThat(map.ruleFor("write-promotion").readCluster()).isEqualTo("onprem");
    assertThat(map.ruleFor("target-authority").readCluster()).isEqualTo("onprem");
    assertThat(MigrationState.WRITE_PROMOTION.readsTarget()).isTrue();
    assertThat(MigrationState.TARGET_AUTHORITY.readsTarget()).isTrue();
    assertThat(MigrationState.MIRROR.readsTarget()).isFalse();
    assertThat(MigrationState.DUAL_READ.readsTarget()).isFalse();
    assertThat(MigrationState.values()).filteredOn(MigrationState::sliced)
        .containsExactly(MigrationState.WRITE_PROMOTION);
    // During write promotion all slices may still be owned by the source while reads are on the target.
    assertThat(map.ruleFor("write-promotion").writeOwners()).containsExactly("dr");
  }

  @Test
  void writeOwnersOfAWritePromotionRuleWithOneOwner() {
    AuthorityMap map = parse(with(statesDoc(), "rule.promo.slice.high.owner", "cloud"));
    assertThat(rule(map, "promo").writeOwners()).containsExactly("cloud");
  }

  /**
   * Null-key records of a sliced rule with {@code null-key-owner} are written to that owner, so it is one of
   * the clusters the rule writes to.
   */
  @Test
  void writeOwnersIncludeTheNullKeyOwner() {
    AuthorityMap map = parse(with(statesDoc(),
        "rule.promo.slice.high.owner", "cloud",
        "rule.promo.null-key-owner", "onprem"));
    Rule promo = rule(map, "promo");
    assertThat(map.route("w", null).owner()).isEqualTo("onprem");
    assertThat(promo.writeOwners()).as("clusters promo writes to").containsExactlyInAnyOrder("cloud", "onprem");
  }

  @Test
  void routesCarryTheEpochOfTheirMap() {
    AuthorityMap next = parse(with(statesDoc(), "epoch", String.valueOf(EPOCH + 1)));
    assertThat(next.route("m", null).epoch()).isEqualTo(EPOCH + 1);
    assertThat(next.route("m", null)).isNotSameAs(MAP.route("m", null));
    assertThat(next.route("nope", null).epoch()).isEqualTo(EPOCH + 1);
    assertThat(new String(next.route("w", new byte[] {1}).routeHeader().value(), StandardCharsets.UTF_8))
        .contains("/" + (EPOCH + 1) + "/");
    assertThat(MAP.route("m", null).epoch()).isEqualTo(EPOCH);
  }
}
