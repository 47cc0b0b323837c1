package dev.turnout.internal.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** {@link MirrorMakerTranslator}: MirrorMaker 2's checkpoints as a starting point for the boundary search. */
class MirrorMakerTranslatorTest {

  private static final TopicPartition P0 = new TopicPartition("orders", 0);
  private static final TopicPartition P1 = new TopicPartition("orders", 1);
  private static final Map<String, Map<String, Object>> CONFIGS = Map.of(
      "onprem", Map.of("bootstrap.servers", "onprem:9092"),
      "cloud", Map.of("bootstrap.servers", "cloud:9092", "security.protocol", "SASL_SSL", "sasl.jaas.config", "secret",
          "group.id", "billing", "key.deserializer", "x"));

  private final List<String> reads = new ArrayList<>();

  private MirrorMakerTranslator translator(String group, String mm2Alias, Map<TopicPartition, OffsetAndMetadata> found) {
    return new MirrorMakerTranslator(group, mm2Alias, CONFIGS::get, (config, remote, g, timeout) -> {
      reads.add(remote + "@" + config.get("bootstrap.servers") + "/" + g);
      return found;
    });
  }

  @Test
  void aPartialTranslationAnswersOnlyThePartitionsMirrorMakerCheckpointed() {
    MirrorMakerTranslator translator = translator("billing", null, Map.of(P0, new OffsetAndMetadata(120)));
    assertThat(translator.translate(P0, 130, null, "onprem", "cloud", true, null)).hasValue(120);
    assertThat(translator.translate(P1, 40, null, "onprem", "cloud", true, null)).isEmpty();
    assertThat(reads).as("one read serves both partitions").containsExactly("onprem@cloud:9092/billing");
  }

  @Test
  void mirrorMakersAliasOfTheSourceIsUsedWhenConfigured() {
    translator("billing", "dc1", Map.of(P0, new OffsetAndMetadata(7))).translate(P0, 9, null, "onprem", "cloud", true,
        null);
    assertThat(reads).containsExactly("dc1@cloud:9092/billing");
  }

  @Test
  void nothingIsTranslatedAgainstTheReplicationDirectionOrWithoutAGroup() {
    assertThat(translator("billing", null, Map.of(P0, new OffsetAndMetadata(1)))
        .translate(P0, 5, null, "cloud", "onprem", false, null)).isEmpty();
    assertThat(translator(null, null, Map.of(P0, new OffsetAndMetadata(1)))
        .translate(P0, 5, null, "onprem", "cloud", true, null)).isEmpty();
    assertThat(reads).isEmpty();
  }

  @Test
  void unreadableCheckpointsTranslateNothing() {
    MirrorMakerTranslator translator = new MirrorMakerTranslator("billing", null, CONFIGS::get,
        (config, remote, group, timeout) -> {
          throw new org.apache.kafka.common.errors.TimeoutException("no answer");
        });
    assertThat(translator.translate(P0, 5, null, "onprem", "cloud", true, null)).isEmpty();
  }

  @Test
  void theMirrorClientGetsConnectionAndSecuritySettingsAndTheIdentityPolicy() {
    assertThat(MirrorMakerTranslator.mirrorClientConfig(CONFIGS.get("cloud")))
        .containsOnlyKeys("bootstrap.servers", "security.protocol", "sasl.jaas.config", "replication.policy.class")
        .containsEntry("replication.policy.class", "org.apache.kafka.connect.mirror.IdentityReplicationPolicy");
  }
}
