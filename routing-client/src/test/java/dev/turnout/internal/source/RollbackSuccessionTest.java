package dev.turnout.internal.source;

import static dev.turnout.internal.source.AuthorityRefresherTest.doc;
import static dev.turnout.internal.source.AuthorityRefresherTest.with;
import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.authority.DocumentProblem;
import dev.turnout.authority.DocumentProblem.Kind;
import dev.turnout.authority.MigrationState;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Leaving TARGET_AUTHORITY: a document that moves a rule back to an earlier state is installed only when it says
 * {@code rule.<name>.rollback.allowed=true}; otherwise the map in force stays and the rejection says which key to add.
 */
class RollbackSuccessionTest {

  private final AuthorityRefresherTest.FakeSource source = new AuthorityRefresherTest.FakeSource();
  private AuthorityRefresher refresher;

  @AfterEach
  void close() {
    if (refresher != null) {
      refresher.close();
    }
  }

  private AuthorityRefresher refresher() {
    refresher = new AuthorityRefresher(source, List.of("onprem", "cloud"), 1_000, 10_000, "test-client",
        new AuthorityRefresherTest.FakeClock(5_000_000_000L));
    return refresher;
  }

  private static Map<String, String> targetAuthority(long epoch) {
    return with(doc(epoch), "rule.orders.state", "TARGET_AUTHORITY");
  }

  private static Map<String, String> rolledBack(long epoch) {
    return with(doc(epoch), "rule.orders.state", "WRITE_PROMOTION", "rule.orders.slice.all.keys", "0-9999",
        "rule.orders.slice.all.owner", "onprem");
  }

  @Test
  void aRollbackFromTargetAuthorityWithoutTheKeyIsRejectedAndTheMapInForceStays() {
    AuthorityRefresher r = refresher();
    source.serve(targetAuthority(7));
    assertThat(r.refresh()).isTrue();
    AuthorityMap inForce = r.map();

    source.serve(rolledBack(8));
    assertThat(r.refresh()).isFalse();

    assertThat(r.map()).isSameAs(inForce);
    assertThat(r.rejectionCount(Kind.ROLLBACK_NOT_ALLOWED)).isEqualTo(1);
    assertThat(r.lastRejectionProblems()).singleElement().satisfies(p -> {
      assertThat(p.kind()).isEqualTo(Kind.ROLLBACK_NOT_ALLOWED);
      assertThat(p.detail()).contains("rule 'orders'", "TARGET_AUTHORITY", "WRITE_PROMOTION",
          "rule.orders.rollback.allowed=true", "epoch 7 stays in force");
    });

    source.serve(with(doc(8), "rule.orders.state", "MIRROR"));
    assertThat(r.refresh()).as("MIRROR is an earlier state too").isFalse();
    assertThat(r.map()).isSameAs(inForce);
  }

  @Test
  void aRollbackFromTargetAuthorityWithTheKeyIsInstalled() {
    AuthorityRefresher r = refresher();
    source.serve(targetAuthority(7));
    assertThat(r.refresh()).isTrue();

    source.serve(with(rolledBack(8), "rule.orders.rollback.allowed", "true"));
    assertThat(r.refresh()).isTrue();

    assertThat(r.map().epoch()).isEqualTo(8);
    assertThat(r.map().rules()).singleElement().satisfies(rule -> {
      assertThat(rule.state()).isEqualTo(MigrationState.WRITE_PROMOTION);
      assertThat(rule.rollbackAllowed()).isTrue();
    });
  }

  @Test
  void movesThatDoNotLeaveTargetAuthorityNeedNoKey() {
    AuthorityRefresher r = refresher();
    source.serve(rolledBack(7));
    assertThat(r.refresh()).isTrue();
    source.serve(doc(8)); // WRITE_PROMOTION back to MIRROR
    assertThat(r.refresh()).isTrue();
    source.serve(targetAuthority(9));
    assertThat(r.refresh()).isTrue();
    source.serve(targetAuthority(10)); // stays in TARGET_AUTHORITY
    assertThat(r.refresh()).isTrue();
    assertThat(r.map().epoch()).isEqualTo(10);
  }

  @Test
  void theCheckNamesEveryRuleThatLeavesTargetAuthority() {
    AuthorityMap before = AuthorityMap.parse(with(targetAuthority(3), "rule.pay.topics", "pay",
        "rule.pay.state", "TARGET_AUTHORITY"), List.of("onprem", "cloud"));
    AuthorityMap after = AuthorityMap.parse(with(doc(4), "rule.pay.topics", "pay", "rule.pay.state", "DUAL_READ"),
        List.of("onprem", "cloud"));
    assertThat(Succession.unallowedRollbacks(before, after)).extracting(DocumentProblem::detail)
        .hasSize(2).anySatisfy(d -> assertThat(d).contains("rule.orders.rollback.allowed=true"))
        .anySatisfy(d -> assertThat(d).contains("rule.pay.rollback.allowed=true"));
  }
}
