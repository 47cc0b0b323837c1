package dev.turnout.internal.cutover;

import static dev.turnout.internal.cutover.Maps.CLOUD;
import static dev.turnout.internal.cutover.Maps.ONPREM;
import static dev.turnout.internal.cutover.Maps.map;
import static dev.turnout.internal.cutover.Maps.split;
import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.authority.Rule;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TopicMovesTest {

  @Test
  void theSameOwnersMoveNothing() {
    TopicMoves moves = TopicMoves.compute(split(1, 3000), split(2, 3000), "t");
    assertThat(moves.none()).isTrue();
    assertThat(moves.needsBucket()).isFalse();
    assertThat(moves.moved(0)).isFalse();
    assertThat(moves.moved(TopicMoves.NULL_KEY)).isFalse();
  }

  @Test
  void aWholeTopicMoveNeedsNoBucket() {
    TopicMoves moves = TopicMoves.compute(split(1, 0), split(2, AuthorityMap.BUCKETS), "t");
    assertThat(moves.needsBucket()).isFalse();
    assertThat(moves.moved(-2)).isTrue();
    assertThat(moves.moved(TopicMoves.NULL_KEY)).as("null keys moved with the topic").isTrue();
    assertThat(moves.pairs()).containsExactly(List.of(ONPREM, CLOUD));
    assertThat(moves.bucketCount()).isEqualTo(AuthorityMap.BUCKETS);
  }

  @Test
  void aGrowingSliceMovesExactlyTheNewBuckets() {
    TopicMoves moves = TopicMoves.compute(split(1, 1000), split(2, 2000), "t");
    assertThat(moves.needsBucket()).isTrue();
    assertThat(moves.moved(999)).isFalse();
    assertThat(moves.moved(1000)).isTrue();
    assertThat(moves.moved(1999)).isTrue();
    assertThat(moves.moved(2000)).isFalse();
    assertThat(moves.bucketCount()).isEqualTo(1000);
    assertThat(moves.pairs()).containsExactly(List.of(ONPREM, CLOUD));
  }

  @Test
  void aShrinkingSliceMovesBackToTheSource() {
    TopicMoves moves = TopicMoves.compute(split(1, 2000), split(2, 1000), "t");
    assertThat(moves.moved(1500)).isTrue();
    assertThat(moves.moved(500)).isFalse();
    assertThat(moves.pairs()).containsExactly(List.of(CLOUD, ONPREM));
  }

  @Test
  void aChangedNullKeyOwnerMovesOnlyNullKeys() {
    String base = "source=onprem\ntarget=cloud\nrule.r.topics=t\nrule.r.state=WRITE_PROMOTION\n"
        + "rule.r.slice.a.keys=0-9999\nrule.r.slice.a.owner=onprem\n";
    TopicMoves moves = TopicMoves.compute(map("epoch=1\n" + base + "rule.r.null-key-owner=onprem\n"),
        map("epoch=2\n" + base + "rule.r.null-key-owner=cloud\n"), "t");
    assertThat(moves.none()).isFalse();
    assertThat(moves.needsBucket()).isTrue();
    assertThat(moves.moved(TopicMoves.NULL_KEY)).isTrue();
    assertThat(moves.moved(17)).isFalse();
    assertThat(moves.nullKeyMoved()).isTrue();
  }

  @Test
  void nullKeysThatWereRefusedBeforeDidNotMove() {
    TopicMoves moves = TopicMoves.compute(split(1, 5000), split(2, AuthorityMap.BUCKETS), "t");
    assertThat(moves.moved(TopicMoves.NULL_KEY)).isFalse();
    assertThat(moves.moved(7000)).isTrue();
  }

  @Test
  void aTopicWithoutARuleOnEitherSideMovesNothing() {
    AuthorityMap other = map("epoch=2\nsource=onprem\ntarget=cloud\nrule.o.topics=other\nrule.o.state=TARGET_AUTHORITY\n");
    assertThat(TopicMoves.compute(split(1, 0), other, "t").none()).isTrue();
    assertThat(TopicMoves.compute(other, split(3, 0), "t").none()).isTrue();
  }

  @Test
  void topicsMatchedByPrefixAreResolvedPerTopic() {
    AuthorityMap before = map("epoch=1\nsource=onprem\ntarget=cloud\nrule.a.topic-prefix=audit.\nrule.a.state=MIRROR\n"
        + "rule.d.topic-prefix=audit.deep.\nrule.d.state=MIRROR\n");
    AuthorityMap after = map("epoch=2\nsource=onprem\ntarget=cloud\nrule.a.topic-prefix=audit.\nrule.a.state=MIRROR\n"
        + "rule.d.topic-prefix=audit.deep.\nrule.d.state=TARGET_AUTHORITY\n");
    assertThat(TopicMoves.compute(before, after, "audit.x").none()).isTrue();
    assertThat(TopicMoves.compute(before, after, "audit.deep.x").pairs()).containsExactly(List.of(ONPREM, CLOUD));
  }

  /** For random slice layouts on both sides, a bucket moved exactly when its owner differs. */
  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
  void movedIsExactlyAnOwnerChange(long seed) {
    Random random = new Random(seed);
    AuthorityMap before = randomSlices(1, random);
    AuthorityMap after = randomSlices(2, random);
    TopicMoves moves = TopicMoves.compute(before, after, "t");
    Rule b = before.ruleFor("t");
    Rule a = after.ruleFor("t");
    int moved = 0;
    for (int bucket = 0; bucket < AuthorityMap.BUCKETS; bucket++) {
      boolean changed = b.routeForBucket(bucket).ownerIndex() != a.routeForBucket(bucket).ownerIndex();
      assertThat(moves.moved(bucket)).as("bucket %d, %s", bucket, moves).isEqualTo(changed);
      moved += changed ? 1 : 0;
    }
    assertThat(moves.bucketCount()).isEqualTo(moved);
    // No null-key owner on either side: null keys never move, so any move depends on the bucket.
    assertThat(moves.nullKeyMoved()).isFalse();
    assertThat(moves.needsBucket()).isEqualTo(moved > 0);
  }

  private static AuthorityMap randomSlices(long epoch, Random random) {
    Set<Integer> cutSet = new java.util.TreeSet<>();
    int cuts = 1 + random.nextInt(12);
    while (cutSet.size() < cuts) {
      cutSet.add(1 + random.nextInt(AuthorityMap.BUCKETS - 1));
    }
    List<Integer> starts = new ArrayList<>();
    starts.add(0);
    starts.addAll(cutSet);
    StringBuilder doc = new StringBuilder("epoch=" + epoch + "\nsource=onprem\ntarget=cloud\nrule.r.topics=t\n"
        + "rule.r.state=WRITE_PROMOTION\n");
    StringBuilder onprem = new StringBuilder();
    StringBuilder cloud = new StringBuilder();
    for (int i = 0; i < starts.size(); i++) {
      int from = starts.get(i);
      int to = i + 1 < starts.size() ? starts.get(i + 1) - 1 : AuthorityMap.BUCKETS - 1;
      StringBuilder target = random.nextBoolean() ? onprem : cloud;
      target.append(target.length() == 0 ? "" : ",").append(from).append('-').append(to);
    }
    if (onprem.length() > 0) {
      doc.append("rule.r.slice.o.keys=").append(onprem).append("\nrule.r.slice.o.owner=onprem\n");
    }
    if (cloud.length() > 0) {
      doc.append("rule.r.slice.c.keys=").append(cloud).append("\nrule.r.slice.c.owner=cloud\n");
    }
    return map(doc.toString());
  }

  @Test
  void movesCompareWithTheLastMapThatRoutedTheTopicHoweverManyEpochsLieBetween() {
    AuthorityMap unrouted = map("epoch=2\nsource=onprem\ntarget=cloud\nrule.o.topics=other\nrule.o.state=MIRROR\n");
    RoutingHistory history = RoutingHistory.of(split(1, 0)).then(unrouted);
    TopicMoves moves = TopicMoves.compute(history, split(3, AuthorityMap.BUCKETS), "t");
    assertThat(moves.pairs()).containsExactly(List.of(ONPREM, CLOUD));
    assertThat(moves.nullKeyMoved()).isTrue();
    assertThat(TopicMoves.compute(history, split(3, 0), "t").none()).as("back on its last owner").isTrue();
  }

  @Test
  void nullKeysCompareWithTheLastMapThatRoutedThem() {
    String head = "source=onprem\ntarget=cloud\nrule.r.topics=t\nrule.r.state=WRITE_PROMOTION\n"
        + "rule.r.slice.a.keys=0-9999\nrule.r.slice.a.owner=onprem\n";
    AuthorityMap onprem = map("epoch=1\n" + head + "rule.r.null-key-owner=onprem\n");
    AuthorityMap none = map("epoch=2\n" + head);
    AuthorityMap cloud = map("epoch=3\n" + head + "rule.r.null-key-owner=cloud\n");
    TopicMoves moves = TopicMoves.compute(RoutingHistory.of(onprem).then(none), cloud, "t");
    assertThat(moves.nullKeyMoved()).isTrue();
    assertThat(moves.moved(TopicMoves.NULL_KEY)).isTrue();
    assertThat(moves.moved(5)).isFalse();
  }

  @Test
  void theHistoryDropsMapsANewerOneShadows() {
    RoutingHistory history = RoutingHistory.of(split(1, 500)).then(split(2, 600)).then(split(3, 900));
    assertThat(history.size()).isEqualTo(1);
    AuthorityMap unrouted = map("epoch=4\nsource=onprem\ntarget=cloud\nrule.o.topics=other\nrule.o.state=MIRROR\n");
    assertThat(history.then(unrouted).size()).isEqualTo(2);
  }
}
