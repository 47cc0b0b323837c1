package dev.turnout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GateCommandTest {

  @TempDir
  Path dir;

  @Test
  void helpListsTheThresholdsWithTheirDefaults() {
    StringWriter out = new StringWriter();

    int status = TurnoutCli.run(new String[] {"gate", "--help"}, new PrintWriter(out, true),
        new PrintWriter(new StringWriter()));

    assertThat(status).isEqualTo(ExitCodes.OK);
    assertThat(out.toString()).contains("NEXT-STATE").contains("--max-lag-records").contains("(default: 1000)")
        .contains("--rollback-window").contains("(default: 7d)").contains("--status-topic").contains("--connect");
  }

  @Test
  void withoutAClusterItIsAUsageError() {
    StringWriter err = new StringWriter();

    int status = TurnoutCli.run(new String[] {"gate", "DUAL_READ", "--rule", "orders", "--document", "d.properties",
        "--target-bootstrap", "localhost:1"}, new PrintWriter(new StringWriter()), new PrintWriter(err, true));

    assertThat(status).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("--source-config").contains("--source-bootstrap");
  }

  @Test
  void aRuleTheDocumentLacksIsAUsageErrorNamingTheRulesItHas() throws Exception {
    Path document = dir.resolve("doc.properties");
    Files.writeString(document, "epoch=3\nsource=onprem\ntarget=cloud\nrule.audit.topics=audit\n"
        + "rule.audit.state=MIRROR\n");
    StringWriter err = new StringWriter();

    int status = TurnoutCli.run(new String[] {"gate", "DUAL_READ", "--rule", "orders", "--document",
        document.toString(), "--source-bootstrap", "localhost:1", "--target-bootstrap", "localhost:1"},
        new PrintWriter(new StringWriter()), new PrintWriter(err, true));

    assertThat(status).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("has no rule 'orders'").contains("[audit]");
  }

  @Test
  void anInvalidDocumentIsRed() throws Exception {
    Path document = dir.resolve("bad.properties");
    Files.writeString(document, "epoch=twelve\nsource=onprem\ntarget=cloud\n");
    StringWriter err = new StringWriter();

    int status = TurnoutCli.run(new String[] {"gate", "DUAL_READ", "--rule", "orders", "--document",
        document.toString(), "--source-bootstrap", "localhost:1", "--target-bootstrap", "localhost:1"},
        new PrintWriter(new StringWriter()), new PrintWriter(err, true));

    assertThat(status).isEqualTo(ExitCodes.RED);
    assertThat(err.toString()).contains("epoch");
  }
}
