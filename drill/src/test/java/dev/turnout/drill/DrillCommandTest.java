package dev.turnout.drill;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * {@code turnout drill}: the drill registers with the operator CLI, and the drill's jar answers both
 * {@code [options]} and {@code drill [options]} (and the CLI's other commands).
 */
class DrillCommandTest {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return DrillMain.run(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), args);
  }

  private String printed() {
    return out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void theCliFindsTheDrillAndGivesItItsOptions() {
    assertThat(run("drill", "--help")).isZero();
    assertThat(printed()).contains("Usage: turnout drill", "--gate-strict", "--source-bootstrap", "--topic");
  }

  @Test
  void badOptionsThroughTheCliExitWithTwoAndSayWhy() {
    assertThat(run("drill", "--reconcile", "sometimes")).isEqualTo(DrillMain.USAGE);
    assertThat(printed()).contains("--reconcile must be manual, auto or none, got 'sometimes'");
    assertThat(run("drill", "--colour", "blue")).isEqualTo(DrillMain.USAGE);
    assertThat(printed()).contains("Unknown options: '--colour', 'blue'", "turnout drill --help");
  }

  @Test
  void theDrillsJarAlsoAnswersTheCliAndItsOwnOptions() {
    assertThat(run("--help")).isZero();
    assertThat(printed()).contains("Usage: turnout-drill");
    out.reset();
    assertThat(run("--help")).isZero();
    assertThat(run("help")).isZero();
    assertThat(printed()).contains("Usage: turnout ", "drill", "gate", "validate");
  }
}
