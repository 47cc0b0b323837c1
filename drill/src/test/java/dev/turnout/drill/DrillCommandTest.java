package dev.turnout.drill;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * {@code turnout drill}: the drill registers with the operator CLI, and the drill's jar answers both
 * {@code [options]} and {@code drill [options]} (and the CLI's other commands).
 */
class DrillCommandTest {

  private final DrillCli cli = new DrillCli();

  @Test
  void theCliFindsTheDrillAndGivesItItsOptions() {
    assertThat(cli.run("drill", "--help")).isZero();
    assertThat(cli.printed()).contains("Usage: turnout drill", "--gate-strict", "--source-bootstrap", "--topic");
  }

  @Test
  void badOptionsThroughTheCliExitWithTwoAndSayWhy() {
    assertThat(cli.run("drill", "--reconcile", "sometimes")).isEqualTo(DrillMain.USAGE);
    assertThat(cli.printed()).contains("--reconcile must be manual, auto or none, got 'sometimes'");
    assertThat(cli.run("drill", "--colour", "blue")).isEqualTo(DrillMain.USAGE);
    assertThat(cli.printed()).contains("Unknown options: '--colour', 'blue'", "turnout drill --help");
  }

  @Test
  void theDrillsJarAlsoAnswersTheCliAndItsOwnOptions() {
    assertThat(cli.run("--help")).isZero();
    assertThat(cli.printed()).contains("Usage: turnout-drill");
    cli.resetOut();
    assertThat(cli.run("--help")).isZero();
    assertThat(cli.run("help")).isZero();
    assertThat(cli.printed()).contains("Usage: turnout ", "drill", "gate", "validate");
  }
}
