package dev.turnout.benchmarks.micro;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.authority.Route;
import dev.turnout.benchmarks.report.TargetCheck;
import java.util.List;
import org.junit.jupiter.api.Test;

class DocumentsTest {

  @Test
  void everyBenchmarkInputIsRoutableAndHitsTheIntendedKindOfDecision() {
    for (Documents.Match match : Documents.Match.values()) {
      for (Documents.Decision decision : Documents.Decision.values()) {
        AuthorityMap map = Documents.map(1000, match, decision);
        assertThat(map.rules()).hasSize(1000);
        String[] topics = Documents.topics(1000, match, 64, 1);
        byte[][] keys = Documents.keys(64, 2);
        for (int i = 0; i < topics.length; i++) {
          byte[] key = decision == Documents.Decision.NULL_KEY ? null : keys[i];
          Route route = map.route(topics[i], key);
          assertThat(route.routable()).isTrue();
          assertThat(route.rule().prefixes().isEmpty()).isEqualTo(match == Documents.Match.EXACT);
          switch (decision) {
            case UNSLICED -> assertThat(route.slice()).isNull();
            case SLICED -> assertThat(route.slice()).isIn("a", "b");
            case NULL_KEY -> assertThat(route.slice()).isEqualTo("null-key");
            default -> throw new AssertionError(decision);
          }
        }
      }
    }
  }

  @Test
  void freshTopicsAreDistinctAndMatchTheirPrefixRule() {
    AuthorityMap map = Documents.map(50, Documents.Match.PREFIX, Documents.Decision.UNSLICED);
    String[] topics = Documents.freshPrefixTopics(50, 200, 3);
    assertThat(topics).doesNotHaveDuplicates();
    for (String topic : topics) {
      assertThat(topic).startsWith(map.ruleFor(topic).prefixes().iterator().next());
    }
  }

  @Test
  void decisionTargetsUseTheSlowestCaseAtTenThousandRulesAndAnyAllocation() {
    MicroSuite.Results fast = new MicroSuite.Results(List.of(
        new MicroSuite.Decision(10_000, "exact", "sliced", 30, 1, 29, 0.001),
        new MicroSuite.Decision(10_000, "prefix", "unsliced", 8, 1, 7, 0.0),
        new MicroSuite.Decision(10, "exact", "sliced", 90, 1, 95, 0.0)), List.of(), List.of(), List.of());
    List<TargetCheck> checks = MicroSuite.targets(fast);
    assertThat(checks).extracting(TargetCheck::status).containsExactly(TargetCheck.Status.MET, TargetCheck.Status.MET);
    assertThat(checks.get(0).measured()).contains("exact/sliced").contains("29.0");

    MicroSuite.Results slow = new MicroSuite.Results(List.of(
        new MicroSuite.Decision(10_000, "prefix", "sliced", 70, 1, 64, 24)), List.of(), List.of(), List.of());
    List<TargetCheck> missed = MicroSuite.targets(slow);
    assertThat(missed).extracting(TargetCheck::status)
        .containsExactly(TargetCheck.Status.MISSED, TargetCheck.Status.MISSED);
    assertThat(missed.get(0).gap()).isEqualTo("14.0 ns/op over");
    assertThat(MicroSuite.decisionTable(slow)).contains("| prefix | sliced | 10,000 | 64.0 | 70.0 +- 1.0 | 24 |");
  }

  @Test
  void provenanceBytesPerRecordMatchTheHeaderFormat() {
    assertThat(MicroSuite.provenanceBytesPerRecord()).isEqualTo((1 + 13 + 1 + 32) + (1 + 10 + 1 + 16));
  }

  @Test
  void recordCostTableShowsEachSideAgainstNoHeaders() {
    MicroSuite.Results results = new MicroSuite.Results(List.of(), List.of(), List.of(), List.of(
        new MicroSuite.RecordCost("client", "none", 100, 2, 150),
        new MicroSuite.RecordCost("client", "two-headers", 160.5, 3, 300),
        new MicroSuite.RecordCost("broker", "none", 40, 1, 0.2),
        new MicroSuite.RecordCost("broker", "two-headers", 75, 1, 96)));
    String table = MicroSuite.recordCostTable(results);
    assertThat(table).contains("| client: build, size, append | two-headers | 160.5 +- 3.0 | +60.5 ns | 300 |")
        .contains("| broker: CRC and parse | none | 40.0 +- 1.0 | - | 0 |")
        .contains("| broker: CRC and parse | two-headers | 75.0 +- 1.0 | +35.0 ns | 96 |");
  }
}
