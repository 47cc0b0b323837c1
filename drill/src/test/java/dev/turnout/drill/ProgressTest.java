package dev.turnout.drill;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The progress line as a pure function of what it shows: plain lines off a terminal, a redrawn bar on one. */
class ProgressTest {

  private static Progress.Snapshot snapshot(double stepShare) {
    return new Progress.Snapshot(37.21, 5, 7, "DUAL_READ", 5, 100, 3300, 3290, 12, 2, 40, 0, 4, stepShare);
  }

  @Test
  void offATerminalTheLineIsPlainAndUnchanged() {
    assertThat(Progress.render(snapshot(0.4), false)).isEqualTo("[ 37.2s] step 5/7 DUAL_READ            epoch 5 |  "
        + "100 acks/s | acknowledged 3300 | processed 3290 | refused 12 | barriers 2 waiting (40 records), 0 failed "
        + "| consumer switches 4");
  }

  @Test
  void onATerminalTheLineIsRedrawnInPlaceWithTheStepsElapsedShare() {
    String line = Progress.render(snapshot(0.4), true);

    assertThat(line).startsWith("\r[ 37.2s] step 5/7 DUAL_READ            [########............]  40% epoch 5 |")
        .endsWith("consumer switches 4\u001b[K").doesNotContain("\n");
  }

  @Test
  void theBarIsClampedToTheStep() {
    assertThat(Progress.bar(0, 10)).isEqualTo("[..........]   0%");
    assertThat(Progress.bar(-0.3, 4)).isEqualTo("[....]   0%");
    assertThat(Progress.bar(0.5, 10)).isEqualTo("[#####.....]  50%");
    assertThat(Progress.bar(1.7, 10)).isEqualTo("[##########] 100%");
    assertThat(Progress.bar(Double.NaN, 4)).isEqualTo("[....]   0%");
  }
}
