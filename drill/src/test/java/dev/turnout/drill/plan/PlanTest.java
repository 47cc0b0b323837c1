package dev.turnout.drill.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.authority.MigrationState;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Steps, the default plan's rollback, and the documents of each step as a client validates them. */
class PlanTest {

  private final Documents docs = new Documents("orders", "src", "tgt");

  @Test
  void stepsParseAndTheDefaultPlanRollsBackOnce() {
    assertThat(Step.parse(" write_promotion  10% ")).isEqualTo(new Step(MigrationState.WRITE_PROMOTION, 10));
    assertThat(Step.parse("TARGET_AUTHORITY")).isEqualTo(new Step(MigrationState.TARGET_AUTHORITY, 100));
    Plan plan = Plan.standard();
    assertThat(plan.steps()).hasSize(7);
    assertThat(plan.flips()).isEqualTo(6);
    for (int i = 0; i < 7; i++) {
      assertThat(plan.rollbackAt(i)).as("step %d", i).isEqualTo(i == 4);
    }
  }

  @Test
  void malformedStepsAreRefusedWithWhatIsAccepted() {
    assertThatThrownBy(() -> Step.parse("PROMOTED")).hasMessageContaining("Unknown step 'PROMOTED'");
    assertThatThrownBy(() -> Step.parse("WRITE_PROMOTION")).hasMessageContaining("WRITE_PROMOTION <n>%");
    assertThatThrownBy(() -> Step.parse("WRITE_PROMOTION 0%")).hasMessageContaining("1% to 100%");
    assertThatThrownBy(() -> Step.parse("MIRROR 10%")).hasMessageContaining("Malformed step");
  }

  @Test
  void aPromotionSplitsTheBucketsAndLeavingTargetAuthoritySaysSo() {
    Map<String, String> ten = docs.document(new Step(MigrationState.WRITE_PROMOTION, 10), 3, null);
    assertThat(ten).containsEntry("rule.drill.slice.promoted.keys", "0-999")
        .containsEntry("rule.drill.slice.promoted.owner", "tgt").containsEntry("rule.drill.slice.rest.keys",
            "1000-9999");
    AuthorityMap map = docs.map(ten);
    assertThat(map.epoch()).isEqualTo(3);
    assertThat(docs.document(new Step(MigrationState.WRITE_PROMOTION, 100), 4, null))
        .containsEntry("rule.drill.slice.promoted.keys", "0-9999").doesNotContainKey("rule.drill.slice.rest.keys");
    Map<String, String> back = docs.document(Step.of(MigrationState.DUAL_READ), 5,
        Step.of(MigrationState.TARGET_AUTHORITY));
    assertThat(back).containsEntry("rule.drill.rollback.allowed", "true");
    assertThat(Documents.text(back)).startsWith("epoch=5\nsource=src\ntarget=tgt\n");
    assertThat(docs.document(Step.of(MigrationState.DUAL_READ), 5, Step.of(MigrationState.MIRROR)))
        .doesNotContainKey("rule.drill.rollback.allowed");
  }

  @Test
  void aControlRecordsEpochIsReadFromItsTextAndIsMinusOneWithoutOne() {
    assertThat(Documents.epochOf(Documents.text(docs.document(Step.of(MigrationState.MIRROR), 42, null))))
        .isEqualTo(42);
    assertThat(Documents.epochOf("source=a\n epoch = 7 \n")).isEqualTo(-1);
    assertThat(Documents.epochOf("source=a\n  epoch=7\n")).isEqualTo(7);
    assertThat(Documents.epochOf("epoch=seven\n")).isEqualTo(-1);
    assertThat(Documents.epochOf("source=a\n")).isEqualTo(-1);
    assertThat(Documents.epochOf(null)).isEqualTo(-1);
  }
}
