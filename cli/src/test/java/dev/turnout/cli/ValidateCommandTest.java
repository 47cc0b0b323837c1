package dev.turnout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ValidateCommandTest {

  @TempDir
  Path dir;

  static final String[] VALID = {"epoch=3", "source=onprem", "target=cloud", "rule.orders.topics=orders",
      "rule.orders.state=WRITE_PROMOTION", "rule.orders.slice.canary.keys=0-999",
      "rule.orders.slice.canary.owner=cloud", "rule.orders.slice.rest.keys=1000-9999",
      "rule.orders.slice.rest.owner=onprem"};

  @Test
  void aValidDocumentIsGreenWithItsEpochAndRules() {
    Path file = Cli.write(dir, "a.properties", VALID);

    Cli result = Cli.run("validate", file.toString());

    assertThat(result.status()).as(result.toString()).isEqualTo(ExitCodes.OK);
    assertThat(result.out()).contains("valid").contains("epoch 3, 1 rule(s), unsigned");
  }

  @Test
  void everyProblemIsListedWithItsKeyAndTheStatusIsRed() {
    Path good = Cli.write(dir, "good.properties", VALID);
    Path bad = Cli.write(dir, "bad.properties", "epoch=4", "source=onprem", "target=cloud",
        "rule.orders.topics=orders", "rule.orders.state=WRITE_PROMOTION", "rule.orders.slice.canary.keys=0-999",
        "rule.orders.slice.canary.owner=cloud", "rule.orders.colour=blue");

    Cli result = Cli.run("validate", good.toString(), bad.toString());

    assertThat(result.status()).as(result.toString()).isEqualTo(ExitCodes.RED);
    assertThat(result.out()).contains("invalid " + bad + ": 2 problem(s)")
        .contains("SLICE_GAP").contains("UNKNOWN_KEY").contains("rule.orders.colour");
  }

  @Test
  void clustersCheckTheAliasesAgainstTheClientsDeclaredOnes() {
    Path file = Cli.write(dir, "a.properties", VALID);

    Cli withoutCloud = Cli.run("validate", "--clusters", "onprem,azure", file.toString());
    Cli declared = Cli.run("validate", "--clusters", "onprem,cloud", file.toString());

    assertThat(withoutCloud.status()).isEqualTo(ExitCodes.RED);
    assertThat(withoutCloud.out()).contains("UNKNOWN_CLUSTER").contains("'target'").contains("cloud");
    assertThat(declared.status()).as(declared.toString()).isEqualTo(ExitCodes.OK);
  }

  @Test
  void jsonListsEachDocumentWithItsProblems() {
    Path bad = Cli.write(dir, "bad.properties", "epoch=x");

    Cli result = Cli.run("validate", "--json", bad.toString());

    JsonNode json = result.json();
    assertThat(result.status()).isEqualTo(ExitCodes.RED);
    assertThat(json.get("valid").asBoolean()).isFalse();
    JsonNode problems = json.get("documents").get(0).get("problems");
    assertThat(problems.findValuesAsText("kind")).contains("MALFORMED_NUMBER");
    assertThat(problems.get(0).get("detail").asText()).contains("'epoch'");
  }

  @Test
  void aMissingFileIsAUsageErrorOnOneLine() {
    Cli result = Cli.run("validate", dir.resolve("nope.properties").toString());

    assertThat(result.status()).isEqualTo(ExitCodes.USAGE);
    assertThat(result.err().strip()).startsWith("error: cannot read").contains("no such file").doesNotContain("\n");
  }
}
