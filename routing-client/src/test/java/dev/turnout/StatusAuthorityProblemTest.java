package dev.turnout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.turnout.status.ClientStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A rejected document shows in the status while the map in force keeps routing. */
class StatusAuthorityProblemTest {

  @Test
  void aLoweredEpochShowsInTheStatusWhileTheMapInForceStays(@TempDir Path dir) throws IOException {
    Path authority = dir.resolve("authority.properties");
    write(dir, authority, 2);
    Map<String, Object> configs = Map.of(
        "turnout.clusters", "onprem,cloud",
        "turnout.authority.file", authority.toString(),
        "turnout.authority.refresh.ms", "50",
        "turnout.cutover.barrier", "drained");
    try (RoutingProducer<String, String> producer = RoutingProducer.<String, String>builder(configs)
        .serializers(new StringSerializer(), new StringSerializer())
        .client("onprem", new MockProducer<>(true, null, new StringSerializer(), new StringSerializer()))
        .client("cloud", new MockProducer<>(true, null, new StringSerializer(), new StringSerializer()))
        .build()) {
      assertThat(producer.status().authorityProblem()).isNull();

      write(dir, authority, 1);
      await().atMost(Duration.ofSeconds(10)).until(() -> producer.status().authorityProblem() != null);

      ClientStatus status = producer.status();
      assertThat(status.authorityProblem()).contains("rejected").contains("EPOCH_REGRESSION");
      assertThat(status.epoch()).isEqualTo(2);
      assertThat(status.failingClosed()).isFalse();
    }
  }

  private static void write(Path dir, Path authority, long epoch) throws IOException {
    Path tmp = Files.writeString(dir.resolve("authority.tmp"), "epoch=" + epoch + "\nsource=onprem\ntarget=cloud\n"
        + "rule.orders.topics=orders\nrule.orders.state=MIRROR\n");
    Files.move(tmp, authority, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
