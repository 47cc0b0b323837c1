package dev.turnout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiffCommandTest {

  @TempDir
  Path dir;

  private Path doc(String name, long epoch, String state, String... more) {
    String[] head = {"epoch=" + epoch, "source=onprem", "target=cloud", "rule.orders.topics=orders",
        "rule.orders.state=" + state};
    String[] lines = new String[head.length + more.length];
    System.arraycopy(head, 0, lines, 0, head.length);
    System.arraycopy(more, 0, lines, head.length, more.length);
    return Cli.write(dir, name, lines);
  }

  private static String[] split(int canaryTo, String canaryOwner) {
    return new String[] {"rule.orders.slice.canary.keys=0-" + canaryTo, "rule.orders.slice.canary.owner=" + canaryOwner,
        "rule.orders.slice.rest.keys=" + (canaryTo + 1) + "-9999", "rule.orders.slice.rest.owner=onprem"};
  }

  @Test
  void aForwardStepSaysTheStateAndTheReadMove() {
    Cli result = Cli.run("diff", doc("old", 1, "DUAL_READ").toString(),
        doc("new", 2, "WRITE_PROMOTION", split(999, "cloud")).toString());

    assertThat(result.status()).as(result.toString()).isEqualTo(ExitCodes.OK);
    assertThat(result.out()).contains("epoch 1 -> 2").contains("rule orders: DUAL_READ -> WRITE_PROMOTION\n")
        .contains("consumers move their reads from onprem to cloud");
  }

  @Test
  void writesMovingForwardNeedTheBarrierWithTheirKeysAndSlice() {
    Cli result = Cli.run("diff", doc("old", 3, "WRITE_PROMOTION", split(999, "cloud")).toString(),
        doc("new", 4, "WRITE_PROMOTION", split(4999, "cloud")).toString());

    assertThat(result.status()).as(result.toString()).isEqualTo(ExitCodes.OK);
    assertThat(result.out()).contains("[barrier]").contains("rule orders keys 1000-4999 (slice canary): writes move "
        + "from onprem to cloud").contains("wait at the cutover barrier");
  }

  @Test
  void writesMovingBackFromTargetToSourceAreARollbackNeedingReconciliation() {
    Cli result = Cli.run("diff", doc("old", 4, "WRITE_PROMOTION", split(4999, "cloud")).toString(),
        doc("new", 5, "WRITE_PROMOTION", split(999, "cloud")).toString());

    assertThat(result.out()).contains("[reconcile]").contains("rule orders keys 1000-4999 (slice rest): writes move "
        + "from cloud to onprem: a rollback; reconcile the records written to cloud back to onprem first");
  }

  @Test
  void skippingAStateIsFlagged() {
    Cli result = Cli.run("diff", doc("old", 1, "MIRROR").toString(),
        doc("new", 2, "WRITE_PROMOTION", split(999, "cloud")).toString());

    assertThat(result.out()).contains("[skip]").contains("rule orders: MIRROR -> WRITE_PROMOTION skips DUAL_READ");
  }

  @Test
  void leavingTargetAuthorityWithoutRollbackAllowedIsRefused() {
    Path old = doc("old", 7, "TARGET_AUTHORITY");

    Cli refused = Cli.run("diff", old.toString(), doc("new", 8, "DUAL_READ").toString());
    Cli allowed = Cli.run("diff", old.toString(),
        doc("allowed", 8, "DUAL_READ", "rule.orders.rollback.allowed=true").toString());

    assertThat(refused.status()).isEqualTo(ExitCodes.RED);
    assertThat(refused.out()).contains("[REFUSED]").contains("TARGET_AUTHORITY -> DUAL_READ leaves TARGET_AUTHORITY")
        .contains("rule.orders.rollback.allowed=true");
    assertThat(allowed.status()).as(allowed.toString()).isEqualTo(ExitCodes.OK);
    assertThat(allowed.out()).contains("[rollback]").contains("allowed by rule.orders.rollback.allowed=true")
        .contains("writes move from cloud to onprem: a rollback");
  }

  @Test
  void anEpochNotAboveTheOldOneIsRefused() {
    Cli result = Cli.run("diff", doc("old", 5, "MIRROR").toString(), doc("new", 5, "DUAL_READ").toString());

    assertThat(result.status()).isEqualTo(ExitCodes.RED);
    assertThat(result.out()).contains("epoch 5 is not above 5").contains("EPOCH_CONFLICT").contains("raise it to 6");
  }

  @Test
  void rulesAddedRemovedAndTopicsChangedAreNamed() {
    Path old = doc("old", 1, "MIRROR", "rule.payments.topics=payments", "rule.payments.state=MIRROR");
    Path now = Cli.write(dir, "new", "epoch=2", "source=onprem", "target=cloud", "rule.orders.topics=orders,orders.v2",
        "rule.orders.state=MIRROR", "rule.audit.topic-prefix=audit.", "rule.audit.state=MIRROR");

    Cli result = Cli.run("diff", old.toString(), now.toString());

    assertThat(result.out()).contains("rule audit added: topics audit.* in MIRROR, writes to onprem, reads from onprem")
        .contains("rule payments removed: topics payments no longer governed")
        .contains("rule orders now governs topics orders,orders.v2 (was topics orders)");
  }

  @Test
  void onlyTheEpochChanging() {
    Cli result = Cli.run("diff", doc("old", 1, "MIRROR").toString(), doc("new", 2, "MIRROR").toString());

    assertThat(result.out()).contains("nothing moves: only the epoch changes");
  }

  @Test
  void jsonCarriesTypedChanges() {
    Cli result = Cli.run("diff", "--json", doc("old", 1, "MIRROR").toString(),
        doc("new", 2, "WRITE_PROMOTION", split(999, "cloud")).toString());

    JsonNode json = result.json();
    assertThat(json.get("skipsState").asBoolean()).isTrue();
    assertThat(json.get("needsBarrier").asBoolean()).isTrue();
    assertThat(json.get("changes").findValuesAsText("kind")).contains("EPOCH", "STATE_SKIPPED", "WRITES_MOVE",
        "READS_MOVE");
  }

  @Test
  void anInvalidDocumentIsRefusedOnOneLine() {
    Cli result = Cli.run("diff", doc("old", 1, "MIRROR").toString(), Cli.write(dir, "bad", "epoch=two").toString());

    assertThat(result.status()).isEqualTo(ExitCodes.RED);
    assertThat(result.err()).startsWith("error: ").contains("is invalid").contains("turnout validate");
  }
}
