package dev.turnout.benchmarks.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.authority.Route;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The cutover benchmark's documents move exactly one range per cutover, and its schedule is what it says. */
class CutoverPlanTest {

  private static final List<String> CLUSTERS = List.of("source", "target");
  private static final String TOPIC = "cutover.bench";

  private static AuthorityMap parse(String document) throws Exception {
    Properties p = new Properties();
    p.load(new StringReader(document));
    Map<String, String> doc = new HashMap<>();
    p.stringPropertyNames().forEach(k -> doc.put(k, p.getProperty(k)));
    return AuthorityMap.parse(doc, CLUSTERS);
  }

  private static byte[] key(int k) {
    return ("customer-" + k).getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void everyCutoverMovesExactlyItsRangeFromSourceToTargetUnderItsOwnSliceName() throws Exception {
    CutoverPlan plan = new CutoverPlan(TOPIC, 13);
    assertThat(plan.step()).isEqualTo(10_000 / 14);
    AuthorityMap previous = parse(plan.initialDocument());
    assertThat(previous.epoch()).isEqualTo(1);
    for (int k = 1; k <= plan.cutovers(); k++) {
      AuthorityMap map = parse(plan.document(k));
      assertThat(map.epoch()).isEqualTo(CutoverPlan.epochOf(k)).isEqualTo(k + 1);
      assertThat(plan.movedFrom(k)).isEqualTo(k == 1 ? 0 : plan.movedTo(k - 1) + 1);
      for (int i = 0; i < 20_000; i++) {
        byte[] key = key(i);
        int bucket = AuthorityMap.bucket(key);
        Route before = previous.route(TOPIC, key);
        Route now = map.route(TOPIC, key);
        boolean moved = bucket >= plan.movedFrom(k) && bucket <= plan.movedTo(k);
        assertThat(now.owner()).isEqualTo(bucket <= plan.movedTo(k) ? "target" : "source");
        assertThat(!now.owner().equals(before.owner())).as("bucket %d changes owner at cutover %d", bucket, k)
            .isEqualTo(moved);
        if (moved) {
          assertThat(now.slice()).isEqualTo(CutoverPlan.MOVED_SLICE_PREFIX + k);
          assertThat(plan.cutoverMoving(bucket)).isEqualTo(k);
        } else if (bucket > plan.movedTo(k)) {
          assertThat(now.slice()).isEqualTo(CutoverPlan.REST_SLICE);
        }
      }
      previous = map;
    }
    // The source keeps a range to the end, so the last cutover is a slice move like the others.
    assertThat(plan.movedTo(plan.cutovers())).isLessThan(AuthorityMap.BUCKETS - 1);
    assertThat(plan.cutoverMoving(AuthorityMap.BUCKETS - 1)).isZero();
  }

  @Test
  void badCutoverNumbersAreRefused() {
    CutoverPlan plan = new CutoverPlan(TOPIC, 4);
    assertThatThrownBy(() -> plan.document(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> plan.movedFrom(5)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new CutoverPlan(TOPIC, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new CutoverPlan(TOPIC, AuthorityMap.BUCKETS)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void scheduleStartsAfterTheLeadAndSpacesCutoversByTheIntervalPlusJitter() {
    long lead = 2_000_000_000L;
    long interval = 2_500_000_000L;
    long jitter = 1_000_000_000L;
    long[] at = CutoverPlan.schedule(200, lead, interval, jitter, 42);
    assertThat(at).hasSize(200);
    assertThat(at[0]).isEqualTo(lead);
    long smallest = Long.MAX_VALUE;
    long largest = 0;
    for (int k = 1; k < at.length; k++) {
      long gap = at[k] - at[k - 1];
      assertThat(gap).isBetween(interval, interval + jitter - 1);
      smallest = Math.min(smallest, gap);
      largest = Math.max(largest, gap);
    }
    // The random part covers the jitter range, so cutovers land at every phase of a fetch cycle of that length.
    assertThat(smallest - interval).isLessThan(jitter / 10);
    assertThat(largest - interval).isGreaterThan(jitter * 9 / 10);
    assertThat(CutoverPlan.schedule(200, lead, interval, jitter, 42)).containsExactly(at);
    assertThat(CutoverPlan.schedule(200, lead, interval, jitter, 43)).isNotEqualTo(at);
    assertThat(CutoverPlan.schedule(3, 0, 5, 0, 1)).containsExactly(0, 5, 10);
    assertThatThrownBy(() -> CutoverPlan.schedule(3, 0, 0, 0, 1)).isInstanceOf(IllegalArgumentException.class);
  }
}
