package dev.turnout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.internal.consumer.PartitionBook;
import dev.turnout.internal.consumer.Resolution;
import dev.turnout.internal.consumer.Withholding;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link StampedCommits}: an explicit commit of a partition that withholds copies of records processed on the
 * other cluster keeps the withholding (the position does not move); a seek ends it.
 */
class StampedCommitsTest {

  private static final TopicPartition ORDERS = new TopicPartition("orders", 0);

  @TempDir
  Path dir;

  private final MockConsumer<String, String> onprem = new MockConsumer<>("earliest");
  private ConsumerParts<String, String> parts;
  private PartitionBook book;
  private Withholding withholding;

  @BeforeEach
  void start() throws Exception {
    Path authority = Files.writeString(dir.resolve("authority.properties"),
        "epoch=3\nsource=onprem\ntarget=cloud\nrule.orders.topics=orders\nrule.orders.state=MIRROR\n");
    Map<String, Object> config = new HashMap<>();
    config.put(TurnoutConfig.CLUSTERS, "onprem,cloud");
    config.put(TurnoutConfig.AUTHORITY_FILE, authority.toString());
    config.put("group.id", "billing");
    parts = new ConsumerParts<>(config, null, null,
        Map.<String, Consumer<String, String>>of("onprem", onprem, "cloud", new MockConsumer<>("earliest")));
    parts.start();
    parts.ctx.subscription().assign(List.of(ORDERS));
    parts.routing.apply();
    book = parts.ctx.book();
    assertThat(book.ownedOn(ORDERS, 0)).as("assigned on onprem").isTrue();
    // A partition resumed after a switch, withholding the copies below offset 10 of records processed on cloud.
    withholding = new Resolution(ORDERS, Resolution.Kind.SEEK, Resolution.Outcome.VERIFIED, null, 5, "cloud", 7, 5,
        0, 10, "onprem", System.currentTimeMillis(), "test").withholding();
    book.suppress(ORDERS, withholding);
  }

  @AfterEach
  void stop() {
    parts.resolutions.worker().close();
    parts.ctx.core().close();
  }

  @Test
  void committingWhatWasProcessedKeepsWithholdingTheCopiesOfRecordsProcessedOnTheOtherCluster() {
    parts.commits.commit(Map.of(ORDERS, new OffsetAndMetadata(6)), Duration.ofSeconds(5));
    assertThat(onprem.committed(Set.of(ORDERS)).get(ORDERS).offset()).isEqualTo(6);
    assertThat(book.suppression(ORDERS)).isSameAs(withholding);

    parts.commits.commitAsync(Map.of(ORDERS, new OffsetAndMetadata(7)), (offsets, e) -> { });
    assertThat(book.suppression(ORDERS)).isSameAs(withholding);
  }

  @Test
  void aSeekEndsTheWithholding() {
    parts.commits.takeOver(ORDERS);
    assertThat(book.suppression(ORDERS)).isNull();
  }
}
