package dev.turnout.drill;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.testkit.InProcessMirrorMaker;
import dev.turnout.testkit.TwoClusters;
import dev.turnout.testkit.TwoKafkaClusters;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The drill against clusters it did not start ({@code --source-bootstrap}/{@code --target-bootstrap}), with the
 * replication the operator runs: here two clusters and MirrorMaker 2 the test starts itself.
 */
@TwoKafkaClusters
class ExternalDrillIT {

  @TempDir
  Path dir;

  private record Run(int exit, List<String> lines, String text) {
    String last() {
      return lines.get(lines.size() - 1);
    }
  }

  private static Run drill(String... args) {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    ByteArrayOutputStream errors = new ByteArrayOutputStream();
    int exit = DrillMain.run(new PrintStream(buffer, true, StandardCharsets.UTF_8),
        new PrintStream(errors, true, StandardCharsets.UTF_8), args);
    String text = buffer.toString(StandardCharsets.UTF_8);
    System.out.print(text);
    System.err.print(errors.toString(StandardCharsets.UTF_8));
    return new Run(exit, text.lines().filter(l -> !l.isBlank()).toList(),
        text + errors.toString(StandardCharsets.UTF_8));
  }

  @Test
  void theDrillRunsAgainstTheOperatorsClustersAndReplicationThenRefusesTheUsedTopic(TwoClusters clusters)
      throws Exception {
    Path plan = dir.resolve("plan.txt");
    Files.writeString(plan, "MIRROR\nDUAL_READ\nWRITE_PROMOTION 50%\nTARGET_AUTHORITY\n");
    Path targetConfig = dir.resolve("target.properties");
    Files.writeString(targetConfig, "bootstrap.servers=" + clusters.target().bootstrapServers()
        + "\nssl.key.password=hunter2\n");
    try (InProcessMirrorMaker mirror = InProcessMirrorMaker.builder(clusters).topics("ext-orders")
        .groups("drill-group.*").start()) {
      Path first = dir.resolve("first");
      Run run = drill("--source-bootstrap", clusters.source().bootstrapServers(), "--target-config",
          targetConfig.toString(), "--topic", "ext-orders", "--plan", plan.toString(), "--duration", "20",
          "--keys", "100", "--rate", "100", "--out", first.toString());

      assertThat(run.last()).startsWith("ALL INVARIANTS HELD");
      assertThat(run.exit()).isZero();
      assertThat(run.lines()).anyMatch(l -> l.startsWith("Replication of ext-orders checked"));
      assertThat(run.text()).doesNotContain("hunter2");
      String md = Files.readString(first.resolve("report.md"));
      assertThat(md).contains("| source cluster | " + clusters.source().bootstrapServers() + " |",
          "ssl.key.password=[redacted]", "| TARGET_AUTHORITY | 4 |").doesNotContain("hunter2");

      // Again on the same topic: refused, the first run's records are there.
      Run again = drill("--source-bootstrap", clusters.source().bootstrapServers(), "--target-config",
          targetConfig.toString(), "--topic", "ext-orders", "--duration", "10", "--out",
          dir.resolve("again").toString());
      assertThat(again.exit()).isEqualTo(DrillMain.USAGE);
      assertThat(again.last()).startsWith("Cannot run the drill: topic ext-orders on the source cluster holds ")
          .contains("not the drill's replication probes", "delete ext-orders, ext-orders-authority and "
              + "ext-orders-status on both clusters, or pass another --topic");
    }
  }

  @Test
  void withoutReplicationTheDrillRefusesToStartNamingWhatToConfigure(TwoClusters clusters) {
    Run run = drill("--source-bootstrap", clusters.source().bootstrapServers(), "--target-bootstrap",
        clusters.target().bootstrapServers(), "--topic", "unreplicated-orders", "--replication-timeout", "3",
        "--duration", "10", "--out", dir.resolve("none").toString());

    assertThat(run.exit()).isEqualTo(DrillMain.USAGE);
    assertThat(run.last()).startsWith("Cannot run the drill: records written to topic unreplicated-orders on the "
        + "source cluster").contains("within 3 s", "IdentityReplicationPolicy", "--replication-timeout");
    assertThat(dir.resolve("none")).doesNotExist();
  }

  @Test
  void aTopicWithAnotherPartitionCountIsRefused(TwoClusters clusters) {
    clusters.source().createTopic("odd-orders", 2);
    Run run = drill("--source-bootstrap", clusters.source().bootstrapServers(), "--target-bootstrap",
        clusters.target().bootstrapServers(), "--topic", "odd-orders", "--partitions", "3", "--duration", "10");

    assertThat(run.exit()).isEqualTo(DrillMain.USAGE);
    assertThat(run.last()).isEqualTo("Cannot run the drill: topic odd-orders exists on the source cluster with 2 "
        + "partitions, the drill runs with --partitions 3: pass --partitions 2, or another --topic");
  }
}
