package dev.turnout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class TurnoutCliTest {

  @Test
  void helpListsTheExitCodes() {
    StringWriter out = new StringWriter();
    int status = TurnoutCli.run(new String[] {"--help"}, new PrintWriter(out, true), new PrintWriter(new StringWriter()));

    assertThat(status).isEqualTo(ExitCodes.OK);
    assertThat(out.toString()).contains("Usage: turnout").contains("Exit codes:").contains("2   usage or connection error");
  }

  @Test
  void anUnknownOptionIsAUsageErrorOnOneLineWithTheWayToHelp() {
    StringWriter err = new StringWriter();
    int status = TurnoutCli.run(new String[] {"--frobnicate"}, new PrintWriter(new StringWriter()), new PrintWriter(err, true));

    assertThat(status).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).startsWith("error: Unknown option: '--frobnicate'").contains("turnout --help");
  }

  @Test
  void helpListsEverySubcommand() {
    Cli result = Cli.run("--help");

    assertThat(result.out()).contains("validate", "diff", "keygen", "sign", "publish", "status", "reconcile");
    for (String command : new String[] {"validate", "diff", "keygen", "sign", "publish", "status", "reconcile"}) {
      Cli help = Cli.run(command, "--help");
      assertThat(help.status()).as(command).isEqualTo(ExitCodes.OK);
      assertThat(help.out()).as(command).contains("Usage: turnout " + command).contains("Exit codes:");
    }
  }

  @Test
  void drillWithoutTheDrillOnTheClassPathNamesTheArtifactThatHasIt() {
    Cli result = Cli.run("drill", "--duration", "20", "--gate-strict");

    assertThat(result.status()).isEqualTo(ExitCodes.USAGE);
    assertThat(result.err()).contains("'turnout drill' runs the migration drill, which this jar does not hold",
        "dev.turnout:turnout-drill", "java -jar turnout-drill-", "-all.jar drill [options]");
    assertThat(Cli.run("--help").out()).contains("drill");
  }
}
