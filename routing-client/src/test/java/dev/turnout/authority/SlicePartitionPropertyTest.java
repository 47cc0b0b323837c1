package dev.turnout.authority;

import static dev.turnout.authority.AuthorityDocs.CLUSTERS;
import static dev.turnout.authority.AuthorityDocs.kinds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.turnout.authority.DocumentProblem.Kind;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;

/**
 * Property-style tests: random partitions of the key buckets into slices must parse and route every key to
 * the slice containing its bucket; random single mutations of a valid partition must be rejected with the
 * matching kind. Each iteration has its own seed, printed in every assertion message; rerun one with
 * {@code -Dturnout.test.seed=<seed> -Dturnout.test.iterations=1}.
 */
class SlicePartitionPropertyTest {

  private static final long BASE_SEED = Long.getLong("turnout.test.seed", 0x7E57_5EEDL);
  private static final int ITERATIONS = Integer.getInteger("turnout.test.iterations", 200);
  private static final String NAME_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-";

  /** A generated partition: ranges sorted by {@code from}, each assigned to one slice. */
  private record Partition(String rule, List<Slice.KeyRange> ranges, List<Integer> sliceOf, List<String> sliceNames,
      List<String> owners) {

    int sliceIndexOfBucket(int bucket) {
      int lo = 0;
      int hi = ranges.size() - 1;
      while (lo <= hi) {
        int mid = (lo + hi) >>> 1;
        Slice.KeyRange r = ranges.get(mid);
        if (bucket < r.from()) {
          hi = mid - 1;
        } else if (bucket > r.to()) {
          lo = mid + 1;
        } else {
          return sliceOf.get(mid);
        }
      }
      throw new AssertionError("bucket " + bucket + " not in partition " + ranges);
    }

    Map<String, String> document(Random random, List<Slice.KeyRange> rangesToWrite) {
      Map<String, String> doc = new LinkedHashMap<>();
      doc.put("epoch", String.valueOf(random.nextInt(1_000_000)));
      doc.put("source", "onprem");
      doc.put("target", "cloud");
      String p = "rule." + rule + ".";
      doc.put(p + "topics", "topic-a,topic.b");
      doc.put(p + "state", "WRITE_PROMOTION");
      for (int s = 0; s < sliceNames.size(); s++) {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < rangesToWrite.size(); i++) {
          if (sliceOf.get(i) == s && rangesToWrite.get(i) != null) {
            Slice.KeyRange r = rangesToWrite.get(i);
            parts.add(pad(random) + r.from() + pad(random) + "-" + pad(random) + r.to() + pad(random));
          }
        }
        if (parts.isEmpty()) {
          continue; // slice dropped entirely
        }
        Collections.shuffle(parts, random);
        doc.put(p + "slice." + sliceNames.get(s) + ".keys", String.join(",", parts));
        doc.put(p + "slice." + sliceNames.get(s) + ".owner", owners.get(s));
      }
      // Shuffle key order: the document is a map, order must not matter.
      List<Map.Entry<String, String>> entries = new ArrayList<>(doc.entrySet());
      Collections.shuffle(entries, random);
      Map<String, String> shuffled = new LinkedHashMap<>();
      entries.forEach(e -> shuffled.put(e.getKey(), e.getValue()));
      return shuffled;
    }
  }

  private static String pad(Random random) {
    return random.nextInt(4) == 0 ? " " : "";
  }

  private static String name(Random random, Set<String> taken) {
    while (true) {
      StringBuilder sb = new StringBuilder();
      int len = 1 + random.nextInt(8);
      for (int i = 0; i < len; i++) {
        sb.append(NAME_CHARS.charAt(random.nextInt(NAME_CHARS.length())));
      }
      if (taken.add(sb.toString())) {
        return sb.toString();
      }
    }
  }

  private static Partition partition(Random random, int minRanges) {
    int rangeCount = minRanges + random.nextInt(random.nextBoolean() ? 4 : 40);
    TreeSet<Integer> cuts = new TreeSet<>();
    while (cuts.size() < rangeCount - 1) {
      cuts.add(1 + random.nextInt(AuthorityMap.BUCKETS - 1));
    }
    List<Slice.KeyRange> ranges = new ArrayList<>();
    int from = 0;
    for (int cut : cuts) {
      ranges.add(new Slice.KeyRange(from, cut - 1));
      from = cut;
    }
    ranges.add(new Slice.KeyRange(from, AuthorityMap.BUCKETS - 1));

    int sliceCount = 1 + random.nextInt(Math.min(ranges.size(), 6));
    List<Integer> sliceOf = new ArrayList<>();
    for (int i = 0; i < ranges.size(); i++) {
      sliceOf.add(i < sliceCount ? i : random.nextInt(sliceCount)); // every slice gets at least one range
    }
    Collections.shuffle(sliceOf, random);
    Set<String> taken = new LinkedHashSet<>();
    String rule = name(random, taken);
    List<String> sliceNames = new ArrayList<>();
    List<String> owners = new ArrayList<>();
    for (int s = 0; s < sliceCount; s++) {
      sliceNames.add(name(random, taken));
      owners.add(random.nextBoolean() ? "onprem" : "cloud");
    }
    return new Partition(rule, ranges, sliceOf, sliceNames, owners);
  }

  private static long seed(int iteration) {
    return BASE_SEED + iteration * 0x9E3779B97F4A7C15L;
  }

  @Test
  void randomPartitionsParseAndRouteEveryKeyToTheSliceContainingItsBucket() {
    for (int it = 0; it < ITERATIONS; it++) {
      long seed = seed(it);
      String ctx = "seed=" + seed;
      Random random = new Random(seed);
      Partition part = partition(random, 1);
      Map<String, String> doc = part.document(random, part.ranges());

      AuthorityMap map;
      try {
        map = AuthorityMap.parse(doc, CLUSTERS);
      } catch (InvalidAuthorityDocumentException e) {
        throw new AssertionError(ctx + ": valid partition rejected: " + doc + ": " + e.problems(), e);
      }
      Rule rule = map.ruleFor("topic-a");
      assertThat(rule).as(ctx).isNotNull();
      assertThat(rule.name()).as(ctx).isEqualTo(part.rule());
      assertThat(rule.slices()).as(ctx).extracting(Slice::name).containsExactlyInAnyOrderElementsOf(part.sliceNames());
      assertThat(rule.slices().stream().mapToInt(Slice::bucketCount).sum()).as(ctx).isEqualTo(AuthorityMap.BUCKETS);
      assertThat(rule.routes()).as(ctx).hasSize(part.sliceNames().size());

      // Every key routes to the slice whose ranges contain its bucket.
      for (int k = 0; k < 300; k++) {
        byte[] key = new byte[random.nextInt(24)];
        random.nextBytes(key);
        int bucket = Utils.toPositive(Utils.murmur2(key)) % 10_000;
        int s = part.sliceIndexOfBucket(bucket);
        Route route = map.route(random.nextBoolean() ? "topic-a" : "topic.b", key);
        assertThat(route.routable()).as("%s bucket %d", ctx, bucket).isTrue();
        assertThat(route.slice()).as("%s bucket %d", ctx, bucket).isEqualTo(part.sliceNames().get(s));
        assertThat(route.owner()).as("%s bucket %d", ctx, bucket).isEqualTo(part.owners().get(s));
        assertThat(route.epoch()).as(ctx).isEqualTo(map.epoch());
      }
      // Every range boundary, where an off-by-one would show.
      for (Slice.KeyRange r : part.ranges()) {
        for (int b : new int[] {r.from(), r.to()}) {
          int s = part.sliceIndexOfBucket(b);
          assertThat(rule.routeForBucket(b).slice()).as("%s boundary bucket %d", ctx, b)
              .isEqualTo(part.sliceNames().get(s));
        }
      }
    }
  }

  @Test
  void droppingOrShrinkingARangeIsRejectedAsAGap() {
    for (int it = 0; it < ITERATIONS; it++) {
      long seed = seed(it);
      Random random = new Random(seed);
      Partition part = partition(random, 2);
      List<Slice.KeyRange> mutated = new ArrayList<>(part.ranges());
      int i = random.nextInt(mutated.size());
      Slice.KeyRange r = mutated.get(i);
      Slice.KeyRange missing;
      String mutation;
      if (r.size() > 1 && random.nextBoolean()) {
        int cut = 1 + random.nextInt(r.size() - 1);
        if (random.nextBoolean()) {
          mutated.set(i, new Slice.KeyRange(r.from() + cut, r.to()));
          missing = new Slice.KeyRange(r.from(), r.from() + cut - 1);
        } else {
          mutated.set(i, new Slice.KeyRange(r.from(), r.to() - cut));
          missing = new Slice.KeyRange(r.to() - cut + 1, r.to());
        }
        mutation = "shrink " + r + " to " + mutated.get(i);
      } else {
        mutated.set(i, null);
        missing = r;
        mutation = "drop " + r;
      }
      Map<String, String> doc = part.document(random, mutated);
      String ctx = "seed=" + seed + " " + mutation + " of " + part.ranges();

      List<DocumentProblem> problems = rejected(doc, ctx);
      assertThat(kinds(problems)).as("%s: %s", ctx, problems).containsExactly(Kind.SLICE_GAP);
      assertThat(problems.get(0).detail()).as(ctx)
          .contains("'" + part.rule() + "'")
          .contains(missing.from() + "-" + missing.to());
    }
  }

  @Test
  void extendingARangeIntoItsNeighbourIsRejectedAsAnOverlap() {
    for (int it = 0; it < ITERATIONS; it++) {
      long seed = seed(it);
      Random random = new Random(seed);
      Partition part = partition(random, 2);
      List<Slice.KeyRange> mutated = new ArrayList<>(part.ranges());
      int i = random.nextInt(mutated.size());
      Slice.KeyRange r = mutated.get(i);
      int neighbour;
      boolean up = i == 0 || (i < mutated.size() - 1 && random.nextBoolean());
      if (up) {
        neighbour = i + 1;
        // Reach into the neighbour only, so the neighbour is the one overlapped.
        int reach = 1 + random.nextInt(part.ranges().get(neighbour).size());
        mutated.set(i, new Slice.KeyRange(r.from(), r.to() + reach));
      } else {
        neighbour = i - 1;
        int reach = 1 + random.nextInt(part.ranges().get(neighbour).size());
        mutated.set(i, new Slice.KeyRange(r.from() - reach, r.to()));
      }
      Map<String, String> doc = part.document(random, mutated);
      String ctx = "seed=" + seed + " extend " + r + " to " + mutated.get(i) + " of " + part.ranges();

      List<DocumentProblem> problems = rejected(doc, ctx);
      assertThat(kinds(problems)).as("%s: %s", ctx, problems).containsExactly(Kind.SLICE_OVERLAP);
      assertThat(problems.get(0).detail()).as(ctx)
          .contains("'" + part.rule() + "'")
          .contains("'" + part.sliceNames().get(part.sliceOf().get(i)) + "'")
          .contains("'" + part.sliceNames().get(part.sliceOf().get(neighbour)) + "'");
    }
  }

  @Test
  void outOfBoundsOrReversedRangeIsRejectedAsInvalidRange() {
    for (int it = 0; it < ITERATIONS; it++) {
      long seed = seed(it);
      Random random = new Random(seed);
      Partition part = partition(random, 2);
      List<Slice.KeyRange> mutated = new ArrayList<>(part.ranges());
      int i = random.nextInt(mutated.size());
      Slice.KeyRange r = mutated.get(i);
      Slice.KeyRange bad = switch (random.nextInt(2)) {
        case 0 -> new Slice.KeyRange(r.from(), AuthorityMap.BUCKETS + random.nextInt(100_000));
        default -> new Slice.KeyRange(r.to() + 1 + random.nextInt(50), r.from());
      };
      mutated.set(i, bad);
      Map<String, String> doc = part.document(random, mutated);
      String ctx = "seed=" + seed + " replace " + r + " with " + bad + " of " + part.ranges();

      List<DocumentProblem> problems = rejected(doc, ctx);
      assertThat(problems).as("%s: %s", ctx, problems)
          .anySatisfy(p -> {
            assertThat(p.kind()).isEqualTo(Kind.INVALID_RANGE);
            assertThat(p.detail()).containsPattern("'" + bad.from() + " ?- ?" + bad.to() + "'")
                .contains("rule." + part.rule() + ".slice.");
          });
    }
  }

  private static List<DocumentProblem> rejected(Map<String, String> doc, String ctx) {
    InvalidAuthorityDocumentException e = catchThrowableOfType(InvalidAuthorityDocumentException.class,
        () -> AuthorityMap.parse(doc, CLUSTERS));
    assertThat(e).as("%s: must be rejected: %s", ctx, doc).isNotNull();
    return e.problems();
  }
}
