package dev.turnout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.authority.DocumentProblem;
import dev.turnout.source.AuthorityListener;
import dev.turnout.source.AuthoritySource;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class AuthorityMonitorTest {

  private static final Map<String, String> EPOCH_1 = Map.of("epoch", "1", "source", "onprem", "target", "cloud",
      "rule.o.topics", "orders", "rule.o.state", "MIRROR");

  /** A source whose document the test sets; {@code null} makes reads fail. */
  private final AtomicReference<Map<String, String>> document = new AtomicReference<>();
  private final AuthoritySource source = new AuthoritySource() {
    @Override
    public Map<String, String> read() throws Exception {
      Map<String, String> d = document.get();
      if (d == null) {
        throw new IOException("document unavailable");
      }
      return d;
    }

    @Override
    public String description() {
      return "test source";
    }
  };

  @Test
  void showsTheMapInForceItsAgeTheLastReadErrorAndTheRejectionProblems() {
    try (AuthorityMonitor monitor = new AuthorityMonitor(source, List.of("onprem", "cloud"), Duration.ofMinutes(1),
        Duration.ofMinutes(5))) {
      assertThat(monitor.map()).isNull();
      assertThat(monitor.epoch()).isEqualTo(-1);
      assertThat(monitor.ageMillis()).isEqualTo(-1);
      assertThat(monitor.isStale()).isTrue();
      assertThat(monitor.failingClosedReason()).contains("no valid authority map").contains("test source");

      assertThat(monitor.refresh()).isFalse();
      assertThat(monitor.lastReadError()).contains("document unavailable");
      assertThat(monitor.readFailureCount()).isEqualTo(1);

      document.set(EPOCH_1);
      assertThat(monitor.refresh()).isTrue();
      assertThat(monitor.epoch()).isEqualTo(1);
      assertThat(monitor.isStale()).isFalse();
      assertThat(monitor.failingClosedReason()).isNull();
      assertThat(monitor.lastReadError()).isNull();
      assertThat(monitor.ageMillis()).isBetween(0L, 60_000L);
      assertThat(monitor.refreshCount()).isEqualTo(1);
      assertThat(monitor.source().description()).isEqualTo("test source");

      document.set(Map.of("epoch", "2", "source", "onprem", "target", "elsewhere", "rule.o.topics", "orders",
          "rule.o.state", "MIRROR"));
      assertThat(monitor.refresh()).isFalse();
      assertThat(monitor.epoch()).as("the map in force stays").isEqualTo(1);
      assertThat(monitor.rejectionProblems()).extracting(DocumentProblem::kind)
          .contains(DocumentProblem.Kind.UNKNOWN_CLUSTER);
      assertThat(monitor.lastRejection()).isNotNull();
      assertThat(monitor.rejectionCount(DocumentProblem.Kind.UNKNOWN_CLUSTER)).isEqualTo(1);
      assertThat(monitor.lastRejection().getMessage()).contains("elsewhere");
      assertThat(monitor.lastReadError()).as("the source was read").isNull();
    }
  }

  @Test
  void openStartsReadingAndListenersHearEachInstall() {
    document.set(EPOCH_1);
    List<Long> installed = new CopyOnWriteArrayList<>();
    try (AuthorityMonitor monitor = AuthorityMonitor.open(source, List.of("onprem", "cloud"), Duration.ofMillis(50),
        Duration.ofMinutes(5))) {
      assertThat(monitor.epoch()).isEqualTo(1);
      monitor.addListener(new AuthorityListener() {
        @Override
        public void onInstalled(AuthorityMap previous, AuthorityMap current) {
          installed.add(current.epoch());
        }
      });
      Map<String, String> next = new java.util.HashMap<>(EPOCH_1);
      next.put("epoch", "2");
      document.set(next);
      await().atMost(Duration.ofSeconds(10)).until(() -> installed.contains(2L));
      assertThat(monitor.epoch()).isEqualTo(2);
    }
  }

  @Test
  void badIntervalsAreRefusedWithTheReason() {
    assertThatThrownBy(() -> new AuthorityMonitor(source, List.of("onprem"), Duration.ZERO, Duration.ofMinutes(5)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("refreshInterval must be at least 1 ms");
    assertThatThrownBy(() -> new AuthorityMonitor(source, List.of("onprem"), Duration.ofSeconds(5),
        Duration.ofSeconds(5)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxStaleness (5000 ms) must be longer than refreshInterval (5000 ms)");
  }
}
