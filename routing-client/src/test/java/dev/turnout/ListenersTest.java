package dev.turnout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.status.Refusal;
import dev.turnout.status.TurnoutListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class ListenersTest {

  @Test
  void aFailingListenerDoesNotKeepTheOthersFromTheEventAndAnEpochIsAnnouncedOnce() {
    Listeners listeners = new Listeners("c-1");
    List<String> heard = new CopyOnWriteArrayList<>();
    listeners.add(new TurnoutListener() {
      @Override
      public void onEpochApplied(String clientId, long previousEpoch, long epoch) {
        throw new IllegalStateException("listener bug");
      }

      @Override
      public void onRefusal(String clientId, Refusal refusal) {
        throw new IllegalStateException("listener bug");
      }
    });
    listeners.add(new TurnoutListener() {
      @Override
      public void onEpochApplied(String clientId, long previousEpoch, long epoch) {
        heard.add(clientId + " " + previousEpoch + "->" + epoch);
      }

      @Override
      public void onRefusal(String clientId, Refusal refusal) {
        heard.add(clientId + " " + refusal.reason());
      }
    });
    assertThat(listeners.epochSince()).isNull();
    listeners.epochApplied(3);
    listeners.epochApplied(3);
    listeners.epochApplied(4);
    listeners.refused("CLUSTER_UNAVAILABLE", "orders", 4, "open breaker");
    listeners.refused("CLUSTER_UNAVAILABLE", "orders", 4, "open breaker again");
    listeners.refused("NO_MATCHING_RULE", "x", 4, "no rule");

    assertThat(heard).containsExactly("c-1 -1->3", "c-1 3->4", "c-1 CLUSTER_UNAVAILABLE", "c-1 CLUSTER_UNAVAILABLE",
        "c-1 NO_MATCHING_RULE");
    assertThat(listeners.epochSince()).isNotNull();
    assertThat(listeners.recentRefusals()).extracting(Refusal::reason)
        .containsExactlyInAnyOrder("NO_MATCHING_RULE", "CLUSTER_UNAVAILABLE");
    assertThat(listeners.recentRefusals()).extracting(Refusal::message).contains("open breaker again");
  }
}
