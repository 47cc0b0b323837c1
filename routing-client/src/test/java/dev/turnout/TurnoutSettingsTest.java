package dev.turnout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.turnout.source.AuthoritySource;
import dev.turnout.source.FileAuthoritySource;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.Configurable;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

public class TurnoutSettingsTest {

  private static final String DEFAULT_ID = "turnout-producer-1";
  private static final String JAAS =
      "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"svc\" password=\"s3cr3t\";";

  /** A minimal valid configuration: two clusters with their bootstrap servers, and an authority file. */
  static Map<String, Object> valid() {
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("turnout.clusters", "onprem,cloud");
    config.put("turnout.cluster.onprem.bootstrap.servers", "onprem-1:9092");
    config.put("turnout.cluster.cloud.bootstrap.servers", "cloud-1:9092");
    config.put("turnout.authority.file", "/etc/turnout/authority.properties");
    return config;
  }

  static Map<String, Object> with(Map<String, Object> base, Object... keysAndValues) {
    Map<String, Object> config = new LinkedHashMap<>(base);
    for (int i = 0; i < keysAndValues.length; i += 2) {
      if (keysAndValues[i + 1] == null) {
        config.remove((String) keysAndValues[i]);
      } else {
        config.put((String) keysAndValues[i], keysAndValues[i + 1]);
      }
    }
    return config;
  }

  static TurnoutSettings parse(Map<?, ?> config) {
    return TurnoutSettings.parse(config, DEFAULT_ID);
  }

  static ConfigException rejected(Map<?, ?> config) {
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> parse(config));
    assertThat(e).as("expected a ConfigException for %s", config).isNotNull();
    return e;
  }

  private static Map<String, Object> clusterConfig(TurnoutSettings settings, String alias) {
    return settings.clusterConfigs.get(settings.clusters.indexOf(alias));
  }

  // ---------------------------------------------------------------------------------------------------

  @Nested
  class Rejections {

    @Test
    void missingClusters() {
      ConfigException e = rejected(with(valid(), "turnout.clusters", null));
      assertThat(e).hasMessageContaining("turnout.clusters");
    }

    @ParameterizedTest
    @ValueSource(strings = {"onprem,on prem", "onprem,cloud.eu", "onprem,,cloud", "", " ", "onprem,clöud"})
    void invalidAlias(String clusters) {
      ConfigException e = rejected(with(valid(), "turnout.clusters", clusters));
      assertThat(e).hasMessageContaining("turnout.clusters");
    }

    @Test
    void emptyClusterList() {
      ConfigException e = rejected(with(valid(), "turnout.clusters", List.of()));
      assertThat(e).hasMessageContaining("turnout.clusters");
    }

    @Test
    void duplicateAlias() {
      ConfigException e = rejected(with(valid(), "turnout.clusters", "onprem,cloud, onprem"));
      assertThat(e).hasMessageContaining("turnout.clusters").hasMessageContaining("onprem");
    }

    @Test
    void duplicateAliasInAList() {
      ConfigException e = rejected(with(valid(), "turnout.clusters", List.of("onprem", "cloud", "cloud")));
      assertThat(e).hasMessageContaining("turnout.clusters").hasMessageContaining("cloud");
    }

    @ParameterizedTest
    @ValueSource(strings = {"turnout.authority.fle", "turnout.cluster", "turnout.authority.refresh", "turnout.foo"})
    void unknownTurnoutKey(String key) {
      ConfigException e = rejected(with(valid(), key, "x"));
      assertThat(e).hasMessageContaining(key);
    }

    @Test
    void undeclaredClusterAlias() {
      ConfigException e = rejected(with(valid(), "turnout.cluster.dr.bootstrap.servers", "dr-1:9092"));
      assertThat(e).hasMessageContaining("turnout.cluster.dr.bootstrap.servers");
    }

    @ParameterizedTest
    @ValueSource(strings = {"turnout.cluster.onprem", "turnout.cluster.onprem.", "turnout.cluster..acks"})
    void malformedPerClusterKey(String key) {
      ConfigException e = rejected(with(valid(), key, "x"));
      assertThat(e).hasMessageContaining(key);
    }

    @Test
    void declaredAliasWithoutBootstrapServers() {
      ConfigException e = rejected(with(valid(), "turnout.cluster.cloud.bootstrap.servers", null));
      assertThat(e).hasMessageContaining("turnout.cluster.cloud.bootstrap.servers");
    }

    @Test
    void declaredAliasWithBlankBootstrapServers() {
      ConfigException e = rejected(with(valid(), "turnout.cluster.cloud.bootstrap.servers", "  "));
      assertThat(e).hasMessageContaining("turnout.cluster.cloud.bootstrap.servers");
    }

    @Test
    void aTopLevelBootstrapServersDoesNotStandInForAClustersOwn() {
      ConfigException e = rejected(with(valid(),
          "bootstrap.servers", "shared:9092",
          "turnout.cluster.cloud.bootstrap.servers", null));
      assertThat(e).hasMessageContaining("turnout.cluster.cloud.bootstrap.servers");
    }

    @Test
    void neitherAuthorityFileNorSource() {
      ConfigException e = rejected(with(valid(), "turnout.authority.file", null));
      assertThat(e).hasMessageContaining("turnout.authority.file").hasMessageContaining("turnout.authority.source");
    }

    @Test
    void bothAuthorityFileAndSource() {
      ConfigException e = rejected(with(valid(), "turnout.authority.source", RecordingSource.class.getName()));
      assertThat(e).hasMessageContaining("turnout.authority.file").hasMessageContaining("turnout.authority.source");
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "0", "-5", "1.5s", ""})
    void invalidRefresh(String value) {
      ConfigException e = rejected(with(valid(), "turnout.authority.refresh.ms", value));
      assertThat(e).hasMessageContaining("turnout.authority.refresh.ms");
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "0", "-5", "5 minutes"})
    void invalidStaleness(String value) {
      ConfigException e = rejected(with(valid(), "turnout.authority.max.staleness.ms", value));
      assertThat(e).hasMessageContaining("turnout.authority.max.staleness.ms");
    }

    @Test
    void nonPositiveNumbersGivenAsNumbers() {
      assertThat(rejected(with(valid(), "turnout.authority.refresh.ms", 0)))
          .hasMessageContaining("turnout.authority.refresh.ms");
      assertThat(rejected(with(valid(), "turnout.authority.max.staleness.ms", -1L)))
          .hasMessageContaining("turnout.authority.max.staleness.ms");
    }

    @Test
    void stalenessEqualToRefresh() {
      ConfigException e = rejected(with(valid(),
          "turnout.authority.refresh.ms", "1000", "turnout.authority.max.staleness.ms", "1000"));
      assertThat(e).hasMessageContaining("turnout.authority.max.staleness.ms");
    }

    @Test
    void stalenessBelowRefresh() {
      ConfigException e = rejected(with(valid(),
          "turnout.authority.refresh.ms", 5000, "turnout.authority.max.staleness.ms", 2000));
      assertThat(e).hasMessageContaining("turnout.authority.max.staleness.ms");
    }

    @Test
    void stalenessBelowTheDefaultRefresh() {
      ConfigException e = rejected(with(valid(), "turnout.authority.max.staleness.ms", "999"));
      assertThat(e).hasMessageContaining("turnout.authority.max.staleness.ms");
    }

    @Test
    void aNonStringKey() {
      Map<Object, Object> config = new HashMap<>(valid());
      config.put(42, "x");
      assertThat(rejected(config)).hasMessageContaining("42");
    }
  }

  // ---------------------------------------------------------------------------------------------------

  /** What a mistyped or invalid key says: the key, the closest known key, the known keys in sorted order. */
  @Nested
  class Messages {

    private static final String KNOWN = "The turnout.* settings are turnout.authority.archaius.prefix, "
        + "turnout.authority.cache.file, turnout.authority.file, "
        + "turnout.authority.max.staleness.ms, turnout.authority.refresh.ms, turnout.authority.required, turnout.authority.source, "
        + "turnout.authority.topic, turnout.authority.topic.bootstrap.servers, turnout.authority.topic.cluster, "
        + "turnout.authority.trusted.keys, "
        + "turnout.breaker.enabled, turnout.breaker.failure.rate.threshold, turnout.breaker.half.open.calls, "
        + "turnout.breaker.minimum.calls, turnout.breaker.open.wait.ms, turnout.breaker.window.size, "
        + "turnout.clusters, turnout.consumer.boundary.timeout.ms, turnout.consumer.dedupe.window, "
        + "turnout.consumer.offset.translation, "
        + "turnout.consumer.offset.translation.mm2.source.alias, turnout.consumer.role, turnout.consumer.unverified, "
        + "turnout.cutover.barrier, turnout.cutover.buffer.bytes, turnout.cutover.max.pause.ms, "
        + "turnout.rollback.max.pause.ms, turnout.rollback.reconcile, "
        + "turnout.service.name, turnout.status.interval.ms, turnout.status.topic, turnout.status.topic.cluster, and "
        + "turnout.cluster.<alias>.<Kafka client setting> for each alias of turnout.clusters.";

    @Test
    void aTypoSuggestsTheClosestKeyAndListsTheKnownOnesSorted() {
      ConfigException e = rejected(with(valid(), "turnout.authority.flie", "/etc/turnout/authority.properties"));

      assertThat(e).isInstanceOf(TurnoutConfigException.class).hasMessage(
          "Unknown setting turnout.authority.flie: did you mean turnout.authority.file? " + KNOWN);
      assertThat(((TurnoutConfigException) e).key()).isEqualTo("turnout.authority.flie");
    }

    @ParameterizedTest
    @ValueSource(strings = {"turnout.cutover.max.pause", "turnout.cutover.maxpause.ms", "turnout.cutovr.max.pause.ms",
        "turnout.cutover.max.pauze.ms"})
    void nearMissesOfOneKeySuggestIt(String key) {
      assertThat(rejected(with(valid(), key, "1000")))
          .hasMessageStartingWith("Unknown setting " + key + ": did you mean turnout.cutover.max.pause.ms? ");
    }

    @Test
    void aMistypedPerClusterPrefixSuggestsThePerClusterKey() {
      ConfigException e = rejected(with(valid(), "turnout.clusters.cloud.acks", "all"));

      assertThat(e).hasMessageStartingWith(
          "Unknown setting turnout.clusters.cloud.acks: did you mean turnout.cluster.cloud.acks? ");
    }

    @Test
    void aKeyFarFromEveryKnownOneGetsNoSuggestion() {
      assertThat(rejected(with(valid(), "turnout.foo", "x"))).hasMessage("Unknown setting turnout.foo. " + KNOWN);
    }

    @Test
    void anInvalidValueNamesTheKeyTheValueAndWhatIsExpected() {
      ConfigException e = rejected(with(valid(), "turnout.cutover.max.pause.ms", "0"));

      assertThat(e).isInstanceOf(TurnoutConfigException.class).hasMessage(
          "Invalid value 0 for configuration turnout.cutover.max.pause.ms: must be a positive number of milliseconds");
      assertThat(((TurnoutConfigException) e).key()).isEqualTo("turnout.cutover.max.pause.ms");
      assertThat(((TurnoutConfigException) e).reason()).isEqualTo("must be a positive number of milliseconds");
    }

    @Test
    void aValueOfTheWrongTypeSaysWhatIsExpected() {
      assertThat(rejected(with(valid(), "turnout.breaker.window.size", "many"))).hasMessage(
          "Invalid value many for configuration turnout.breaker.window.size: must be a positive number of sends");
    }

    @Test
    void aMissingRequiredKeySaysWhatToSet() {
      assertThat(rejected(with(valid(), "turnout.clusters", null))).hasMessage(
          "Invalid configuration turnout.clusters: required: Comma-separated aliases of the clusters this client may "
              + "ever talk to (letters, digits, `_` and `-`).");
    }

    @Test
    void anUnknownChoiceListsTheValidOnes() {
      assertThat(rejected(with(valid(), "turnout.cutover.barrier", "fast"))).hasMessage(
          "Invalid value fast for configuration turnout.cutover.barrier: must be replicated (wait until the records "
              + "sent to the old owner are visible on the new owner) or drained (wait for their acknowledgements only)");
    }

    @Test
    void aPerClusterGroupSettingShowsItsValue() {
      TurnoutConfigException e = catchThrowableOfType(TurnoutConfigException.class,
          () -> parse(with(valid(), "turnout.cluster.cloud.group.id", "other")).consumerOptions());

      assertThat(e).hasMessage("Invalid value other for configuration turnout.cluster.cloud.group.id: group.id must be "
          + "the same on every cluster: the group moves between them. Set it once, without the turnout.cluster.<alias>. "
          + "prefix");
      assertThat(e.key()).isEqualTo("turnout.cluster.cloud.group.id");
      assertThat(e.value()).isEqualTo("other");
    }

    @Test
    void aLongIsAcceptedForAnIntegerKeyAsBefore() {
      assertThat(parse(with(valid(), "turnout.breaker.window.size", 10L)).breaker.windowSize()).isEqualTo(10);
    }

    @Test
    void anIntegerKeyBeyondTheIntRangeIsRejected() {
      assertThat(rejected(with(valid(), "turnout.breaker.window.size", 1L << 40)))
          .hasMessageContaining("turnout.breaker.window.size");
    }
  }

  /** The public values of the settings and what the internal code receives for them. */
  @Nested
  class PublicValues {

    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(TurnoutConfig.CutoverBarrier.class)
    void everyBarrierReachesTheCutoverAsTheSameMode(TurnoutConfig.CutoverBarrier barrier) {
      assertThat(parse(with(valid(), "turnout.cutover.barrier", barrier.configValue())).barrierMode.configValue())
          .isEqualTo(barrier.configValue());
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(TurnoutConfig.OffsetTranslation.class)
    void everyTranslationReachesTheConsumerAsTheSameTranslation(TurnoutConfig.OffsetTranslation translation) {
      assertThat(parse(with(valid(), "turnout.consumer.offset.translation", translation.configValue()))
          .consumerOptions().translation().configValue()).isEqualTo(translation.configValue());
    }

    @Test
    void theMirrorClientClassIsTheOneTheTranslatorLoads() {
      assertThat(TurnoutConfig.OffsetTranslation.MIRROR_CLIENT_CLASS)
          .isEqualTo(dev.turnout.internal.consumer.OffsetTranslation.MM2_CLIENT_CLASS);
    }

    @Test
    void theEnumValuesAreTheDocumentedConstants() {
      assertThat(TurnoutConfig.CutoverBarrier.REPLICATED.configValue()).isEqualTo(TurnoutConfig.DEFAULT_CUTOVER_BARRIER);
      assertThat(TurnoutConfig.ConsumerRole.PRODUCTION.configValue()).isEqualTo(TurnoutConfig.CONSUMER_ROLE_PRODUCTION);
      assertThat(TurnoutConfig.ConsumerRole.VALIDATION.configValue()).isEqualTo(TurnoutConfig.CONSUMER_ROLE_VALIDATION);
      assertThat(TurnoutConfig.OffsetTranslation.TIMESTAMP.configValue())
          .isEqualTo(TurnoutConfig.DEFAULT_CONSUMER_OFFSET_TRANSLATION);
      assertThat(TurnoutConfig.UnverifiedBoundary.FAIL.configValue()).isEqualTo(TurnoutConfig.CONSUMER_UNVERIFIED_FAIL);
      assertThat(TurnoutConfig.UnverifiedBoundary.REWIND.configValue())
          .isEqualTo(TurnoutConfig.CONSUMER_UNVERIFIED_REWIND);
    }

    @Test
    void validateChecksAConfigurationWithoutCreatingTheSource() {
      assertThatCode(() -> TurnoutConfig.validateProducerConfig(with(valid(), "turnout.authority.file", null,
          "turnout.authority.source", NeedsArgumentSource.class))).doesNotThrowAnyException();
      assertThat(catchThrowableOfType(TurnoutConfigException.class, () -> TurnoutConfig.validateConsumerConfig(
          with(valid(), "turnout.consumer.role", "observer"))).key()).isEqualTo("turnout.consumer.role");
      assertThat(catchThrowableOfType(TurnoutConfigException.class, () -> TurnoutConfig.validateProducerConfig(
          with(valid(), "turnout.breaker.window.size", "0"))).key()).isEqualTo("turnout.breaker.window.size");
    }
  }

  /** The Kafka producer settings Turnout reads, parsed by ProducerConfig's definitions. */
  @Nested
  class ProducerSettings {

    @Test
    void theTransactionalIdAndSerializerClassesAreRead() {
      TurnoutSettings s = parse(with(valid(), "transactional.id", "tx-1",
          "key.serializer", "org.apache.kafka.common.serialization.StringSerializer",
          "value.serializer", org.apache.kafka.common.serialization.ByteArraySerializer.class));

      assertThat(s.transactionalId).isEqualTo("tx-1");
      assertThat(s.keySerializerClass).isEqualTo(org.apache.kafka.common.serialization.StringSerializer.class);
      assertThat(s.valueSerializerClass).isEqualTo(org.apache.kafka.common.serialization.ByteArraySerializer.class);
      assertThat(clusterConfig(s, "cloud")).containsEntry("transactional.id", "tx-1");
    }

    @Test
    void unsetOnesAreNull() {
      TurnoutSettings s = parse(valid());

      assertThat(s.transactionalId).isNull();
      assertThat(s.keySerializerClass).isNull();
      assertThat(s.valueSerializerClass).isNull();
    }

    @Test
    void aSerializerClassThatCannotBeLoadedIsRejectedAsKafkaProducerWould() {
      assertThat(rejected(with(valid(), "key.serializer", "com.example.NoSuchSerializer")))
          .hasMessageContaining("key.serializer").hasMessageContaining("com.example.NoSuchSerializer");
    }

    @Test
    void anEmptyTransactionalIdIsRejectedAsKafkaProducerWould() {
      assertThat(rejected(with(valid(), "transactional.id", ""))).hasMessageContaining("transactional.id");
    }
  }

  // ---------------------------------------------------------------------------------------------------

  @Nested
  class Secrets {

    @Test
    void undeclaredAliasDoesNotLeakItsJaasConfig() {
      ConfigException e = rejected(with(valid(), "turnout.cluster.dr.sasl.jaas.config", JAAS));
      assertThat(e).hasMessageContaining("turnout.cluster.dr.sasl.jaas.config");
      assertThat(e.getMessage()).doesNotContain("s3cr3t");
    }

    @Test
    void malformedPerClusterKeyDoesNotLeakItsValue() {
      ConfigException e = rejected(with(valid(), "turnout.cluster.sasl", JAAS));
      assertThat(e.getMessage()).doesNotContain("s3cr3t");
    }

    /**
     * A typo in the per-cluster prefix (turnout.clusters. instead of turnout.cluster.) makes the key an unknown
     * Turnout setting; its value is a JAAS configuration and must not end up in the exception message.
     */
    @ParameterizedTest
    @ValueSource(strings = {"turnout.clusters.onprem.sasl.jaas.config", "turnout.sasl.jaas.config",
        "turnout.custer.onprem.ssl.key.password"})
    void unknownTurnoutKeyDoesNotLeakASecretValue(String key) {
      ConfigException e = rejected(with(valid(), key, JAAS));
      assertThat(e).hasMessageContaining(key);
      assertThat(e.getMessage()).doesNotContain("s3cr3t");
    }

    @Test
    void missingBootstrapDoesNotLeakSecretsOfTheSameCluster() {
      ConfigException e = rejected(with(valid(),
          "turnout.cluster.cloud.bootstrap.servers", null,
          "turnout.cluster.cloud.sasl.jaas.config", JAAS,
          "sasl.jaas.config", JAAS));
      assertThat(e.getMessage()).doesNotContain("s3cr3t");
    }
  }

  // ---------------------------------------------------------------------------------------------------

  @Nested
  class ClusterConfigs {

    @Test
    void declaredClustersKeepTheirOrder() {
      TurnoutSettings s = parse(with(valid(), "turnout.clusters", " cloud , onprem "));

      assertThat(s.clusters).containsExactly("cloud", "onprem");
      assertThat(s.clusterConfigs).hasSize(2);
      assertThat(s.clusterConfigs.get(0)).containsEntry("bootstrap.servers", "cloud-1:9092");
      assertThat(s.clusterConfigs.get(1)).containsEntry("bootstrap.servers", "onprem-1:9092");
    }

    @Test
    void clustersMayBeGivenAsAList() {
      TurnoutSettings s = parse(with(valid(), "turnout.clusters", List.of("onprem", " cloud")));

      assertThat(s.clusters).containsExactly("onprem", "cloud");
      assertThat(clusterConfig(s, "cloud")).containsEntry("bootstrap.servers", "cloud-1:9092");
    }

    @Test
    void aTrailingCommaIsTolerated() {
      TurnoutSettings s = parse(with(valid(), "turnout.clusters", "onprem,cloud,"));

      assertThat(s.clusters).containsExactly("onprem", "cloud");
    }

    @Test
    void nonTurnoutKeysGoToEveryCluster() {
      TurnoutSettings s = parse(with(valid(),
          "acks", "all",
          "linger.ms", 5,
          "key.serializer", "org.apache.kafka.common.serialization.StringSerializer"));

      for (String alias : List.of("onprem", "cloud")) {
        assertThat(clusterConfig(s, alias))
            .containsEntry("acks", "all")
            .containsEntry("linger.ms", 5)
            .containsEntry("key.serializer", "org.apache.kafka.common.serialization.StringSerializer");
      }
      assertThat(s.base).containsEntry("acks", "all").doesNotContainKey("turnout.clusters");
    }

    @Test
    void perClusterSettingsWinOverTopLevelOnesForThatClusterOnly() {
      TurnoutSettings s = parse(with(valid(),
          "acks", "all",
          "security.protocol", "PLAINTEXT",
          "turnout.cluster.cloud.acks", "1",
          "turnout.cluster.cloud.security.protocol", "SASL_SSL",
          "turnout.cluster.cloud.sasl.jaas.config", JAAS));

      assertThat(clusterConfig(s, "cloud"))
          .containsEntry("acks", "1")
          .containsEntry("security.protocol", "SASL_SSL")
          .containsEntry("sasl.jaas.config", JAAS);
      assertThat(clusterConfig(s, "onprem"))
          .containsEntry("acks", "all")
          .containsEntry("security.protocol", "PLAINTEXT")
          .doesNotContainKey("sasl.jaas.config");
    }

    @Test
    void eachClusterUsesItsOwnBootstrapServersEvenWithATopLevelOne() {
      TurnoutSettings s = parse(with(valid(), "bootstrap.servers", "shared:9092"));

      assertThat(clusterConfig(s, "onprem")).containsEntry("bootstrap.servers", "onprem-1:9092");
      assertThat(clusterConfig(s, "cloud")).containsEntry("bootstrap.servers", "cloud-1:9092");
    }

    @Test
    void clientIdIsSuffixedWithTheAlias() {
      TurnoutSettings s = parse(with(valid(), "client.id", "orders-svc"));

      assertThat(s.clientId).isEqualTo("orders-svc");
      assertThat(clusterConfig(s, "onprem")).containsEntry("client.id", "orders-svc-onprem");
      assertThat(clusterConfig(s, "cloud")).containsEntry("client.id", "orders-svc-cloud");
    }

    @Test
    void theDefaultClientIdIsUsedWhenNoneIsGiven() {
      TurnoutSettings s = parse(valid());

      assertThat(s.clientId).isEqualTo(DEFAULT_ID);
      assertThat(clusterConfig(s, "onprem")).containsEntry("client.id", DEFAULT_ID + "-onprem");
      assertThat(clusterConfig(s, "cloud")).containsEntry("client.id", DEFAULT_ID + "-cloud");
    }

    @Test
    void aBlankClientIdCountsAsNone() {
      TurnoutSettings s = parse(with(valid(), "client.id", "  "));

      assertThat(s.clientId).isEqualTo(DEFAULT_ID);
      assertThat(clusterConfig(s, "cloud")).containsEntry("client.id", DEFAULT_ID + "-cloud");
    }

    @Test
    void turnoutKeysNeverAppearInClusterConfigs() {
      TurnoutSettings s = parse(with(valid(),
          "acks", "all",
          "turnout.authority.refresh.ms", "500",
          "turnout.authority.max.staleness.ms", "60000",
          "turnout.cluster.cloud.acks", "1"));

      for (Map<String, Object> config : s.clusterConfigs) {
        assertThat(config.keySet()).noneMatch(k -> k.startsWith("turnout."));
        assertThat(config).containsKeys("bootstrap.servers", "client.id", "acks");
      }
      assertThat(s.base.keySet()).noneMatch(k -> k.startsWith("turnout."));
    }

    @Test
    void theListOfClusterConfigsIsUnmodifiable() {
      TurnoutSettings s = parse(valid());

      assertThat(catchThrowableOfType(UnsupportedOperationException.class,
          () -> s.clusterConfigs.add(Map.of()))).isNotNull();
      assertThat(catchThrowableOfType(UnsupportedOperationException.class,
          () -> s.clusters.add("dr"))).isNotNull();
    }

    @Test
    void propertiesAreAcceptedAsConfiguration() {
      Properties props = new Properties();
      props.putAll(valid());
      props.setProperty("acks", "all");

      TurnoutSettings s = parse(props);

      assertThat(s.clusters).containsExactly("onprem", "cloud");
      assertThat(clusterConfig(s, "cloud")).containsEntry("acks", "all");
    }

    /**
     * KafkaProducer accepts null values in its configuration map (for settings whose default is null, such as
     * transactional.id); a drop-in replacement should not fail with a NullPointerException from Map.copyOf.
     */
    @Test
    void aNullValueForAKafkaSettingDoesNotThrowNullPointerException() {
      Map<String, Object> config = new HashMap<>(valid());
      config.put("transactional.id", null);

      assertThatCode(() -> parse(config)).doesNotThrowAnyException();
    }
  }

  // ---------------------------------------------------------------------------------------------------

  @Nested
  class Timing {

    @Test
    void defaults() {
      TurnoutSettings s = parse(valid());

      assertThat(s.refreshMillis).isEqualTo(TurnoutConfig.DEFAULT_AUTHORITY_REFRESH_MS);
      assertThat(s.maxStalenessMillis).isEqualTo(TurnoutConfig.DEFAULT_AUTHORITY_MAX_STALENESS_MS);
    }

    @Test
    void givenAsStringsWithWhitespace() {
      TurnoutSettings s = parse(with(valid(),
          "turnout.authority.refresh.ms", " 250 ", "turnout.authority.max.staleness.ms", "30000"));

      assertThat(s.refreshMillis).isEqualTo(250);
      assertThat(s.maxStalenessMillis).isEqualTo(30_000);
    }

    @Test
    void givenAsNumbers() {
      TurnoutSettings s = parse(with(valid(),
          "turnout.authority.refresh.ms", 100, "turnout.authority.max.staleness.ms", 101L));

      assertThat(s.refreshMillis).isEqualTo(100);
      assertThat(s.maxStalenessMillis).isEqualTo(101);
    }

    @Test
    void authorityRequiredDefaultsToFalseAndTakesABooleanOrItsText() {
      assertThat(parse(valid()).authorityRequired).isFalse();
      assertThat(parse(with(valid(), TurnoutConfig.AUTHORITY_REQUIRED, true)).authorityRequired).isTrue();
      assertThat(parse(with(valid(), TurnoutConfig.AUTHORITY_REQUIRED, " TRUE ")).authorityRequired).isTrue();
      assertThatThrownBy(() -> parse(with(valid(), TurnoutConfig.AUTHORITY_REQUIRED, "yes")))
          .isInstanceOf(ConfigException.class)
          .hasMessage("Invalid value yes for configuration turnout.authority.required: must be true or false");
    }
  }

  // ---------------------------------------------------------------------------------------------------

  @Nested
  class Sources {

    @Test
    void aFileSettingGivesAFileSource() {
      TurnoutSettings s = parse(with(valid(), "turnout.authority.file", " /etc/turnout/authority.properties "));

      AuthoritySource source = s.createSource();

      assertThat(source).isInstanceOf(FileAuthoritySource.class);
      assertThat(((FileAuthoritySource) source).path()).isEqualTo(Path.of("/etc/turnout/authority.properties"));
    }

    @Test
    void aPathIsAcceptedAsFileSetting() {
      Path path = Path.of("/var/lib/turnout/authority.properties");
      TurnoutSettings s = parse(with(valid(), "turnout.authority.file", path));

      assertThat(((FileAuthoritySource) s.createSource()).path()).isEqualTo(path);
    }

    @Test
    void aClassNameIsInstantiatedAndConfigured() {
      TurnoutSettings s = parse(with(valid(),
          "turnout.authority.file", null,
          "turnout.authority.source", RecordingSource.class.getName(),
          "authority.endpoint", "https://authority.internal/doc"));

      AuthoritySource source = s.createSource();

      assertThat(source).isInstanceOf(RecordingSource.class);
      RecordingSource recording = (RecordingSource) source;
      assertThat(recording.configured).isNotNull();
      assertThat(recording.configured)
          .containsEntry("authority.endpoint", "https://authority.internal/doc")
          .containsEntry("turnout.clusters", "onprem,cloud");
      assertThat(s.createSource()).as("a new instance per call").isNotSameAs(source);
    }

    @Test
    void aClassIsInstantiatedAndConfigured() {
      TurnoutSettings s = parse(with(valid(),
          "turnout.authority.file", null,
          "turnout.authority.source", RecordingSource.class));

      AuthoritySource source = s.createSource();

      assertThat(source).isInstanceOf(RecordingSource.class);
      assertThat(((RecordingSource) source).configured).containsKey("turnout.authority.source");
    }

    @Test
    void aNonConfigurableClassIsInstantiated() {
      TurnoutSettings s = parse(with(valid(),
          "turnout.authority.file", null,
          "turnout.authority.source", PlainSource.class.getName()));

      assertThat(s.createSource()).isInstanceOf(PlainSource.class);
    }

    @Test
    void anInstanceIsUsedAsIs() {
      PlainSource instance = new PlainSource();
      TurnoutSettings s = parse(with(valid(), "turnout.authority.file", null, "turnout.authority.source", instance));

      assertThat(s.createSource()).isSameAs(instance);
    }

    @Test
    void anUnknownClassNameIsRejectedAtParse() {
      ConfigException e = rejected(with(valid(),
          "turnout.authority.file", null, "turnout.authority.source", "com.example.NoSuchSource"));
      assertThat(e).hasMessage("Invalid value com.example.NoSuchSource for configuration turnout.authority.source: "
          + "must name a class that can be loaded, implementing dev.turnout.source.AuthoritySource with a public "
          + "no-argument constructor");
    }

    @Test
    void aClassThatIsNotAnAuthoritySourceIsRejectedAtParse() {
      assertThat(rejected(with(valid(), "turnout.authority.file", null, "turnout.authority.source",
          String.class.getName()))).hasMessageContaining("turnout.authority.source")
          .hasMessageContaining("must name a class implementing dev.turnout.source.AuthoritySource");
      assertThat(rejected(with(valid(), "turnout.authority.file", null, "turnout.authority.source", String.class)))
          .hasMessageContaining("turnout.authority.source");
    }

    @Test
    void aClassWithoutANoArgumentConstructorIsAConfigException() {
      TurnoutSettings s = parse(with(valid(),
          "turnout.authority.file", null, "turnout.authority.source", NeedsArgumentSource.class));

      assertThat(catchThrowableOfType(ConfigException.class, s::createSource))
          .isNotNull().hasMessageContaining("turnout.authority.source");
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // Custom sources (public, with public no-argument constructors, so that reflection can build them)

  public static class RecordingSource implements AuthoritySource, Configurable {
    public Map<String, Object> configured;

    public RecordingSource() {}

    @Override
    public void configure(Map<String, ?> configs) {
      configured = new HashMap<>(configs);
    }

    @Override
    public Map<String, String> read() {
      return Map.of("epoch", "1");
    }

    @Override
    public String description() {
      return "recording";
    }
  }

  public static class PlainSource implements AuthoritySource {
    public PlainSource() {}

    @Override
    public Map<String, String> read() {
      return Map.of("epoch", "1");
    }

    @Override
    public String description() {
      return "plain";
    }
  }

  public static class NeedsArgumentSource implements AuthoritySource {
    public NeedsArgumentSource(String endpoint) {}

    @Override
    public Map<String, String> read() {
      return Map.of();
    }

    @Override
    public String description() {
      return "needs an argument";
    }
  }

  @Nested
  class CutoverBreakerAndIdentity {

    @Test
    void defaults() {
      TurnoutSettings settings = parse(valid());
      assertThat(settings.barrierMode).isEqualTo(dev.turnout.internal.cutover.BarrierMode.REPLICATED);
      assertThat(settings.maxPauseMillis).isEqualTo(30_000);
      assertThat(settings.cutoverBufferBytes).isEqualTo(32L * 1024 * 1024);
      assertThat(settings.maxBlockMillis).isEqualTo(60_000);
      assertThat(settings.expectedClusterIds).containsExactly(null, null);
      assertThat(settings.breaker).isEqualTo(new dev.turnout.internal.cluster.BreakerSettings(true, 50, 100, 20,
          java.time.Duration.ofSeconds(10), 10));
    }

    @Test
    void givenValues() {
      TurnoutSettings settings = parse(with(valid(), "turnout.cutover.barrier", " Drained ",
          "turnout.cutover.max.pause.ms", "1500", "turnout.cutover.buffer.bytes", 4096, "max.block.ms", "2500",
          "turnout.breaker.enabled", "false", "turnout.breaker.failure.rate.threshold", "25",
          "turnout.breaker.window.size", 10, "turnout.breaker.minimum.calls", "5", "turnout.breaker.open.wait.ms", "750",
          "turnout.breaker.half.open.calls", "3"));
      assertThat(settings.barrierMode).isEqualTo(dev.turnout.internal.cutover.BarrierMode.DRAINED);
      assertThat(settings.maxPauseMillis).isEqualTo(1_500);
      assertThat(settings.cutoverBufferBytes).isEqualTo(4_096);
      assertThat(settings.maxBlockMillis).isEqualTo(2_500);
      assertThat(settings.breaker).isEqualTo(new dev.turnout.internal.cluster.BreakerSettings(false, 25, 10, 5,
          java.time.Duration.ofMillis(750), 3));
    }

    @ParameterizedTest
    @ValueSource(strings = {"fast", "", "replicated,drained"})
    void anUnknownBarrier(String value) {
      assertThat(rejected(with(valid(), "turnout.cutover.barrier", value)))
          .hasMessageContaining("turnout.cutover.barrier").hasMessageContaining("drained");
    }

    @ParameterizedTest
    @ValueSource(strings = {"turnout.cutover.max.pause.ms", "turnout.cutover.buffer.bytes",
        "turnout.breaker.window.size", "turnout.breaker.minimum.calls", "turnout.breaker.open.wait.ms",
        "turnout.breaker.half.open.calls", "turnout.breaker.failure.rate.threshold"})
    void nonPositiveNumbers(String key) {
      assertThat(rejected(with(valid(), key, "0"))).hasMessageContaining(key);
      assertThat(rejected(with(valid(), key, "-5"))).hasMessageContaining(key);
      assertThat(rejected(with(valid(), key, "many"))).hasMessageContaining(key);
    }

    @Test
    void aFailureRateAbove100() {
      assertThat(rejected(with(valid(), "turnout.breaker.failure.rate.threshold", "101")))
          .hasMessageContaining("percentage");
    }

    @Test
    void aBreakerSwitchThatIsNotABoolean() {
      assertThat(rejected(with(valid(), "turnout.breaker.enabled", "maybe"))).hasMessageContaining("true or false");
    }

    @Test
    void aNegativeMaxBlock() {
      assertThat(rejected(with(valid(), "max.block.ms", "-1"))).hasMessageContaining("max.block.ms");
    }

    @Test
    void theExpectedClusterIdIsATurnoutSettingAndNeverReachesTheKafkaClient() {
      TurnoutSettings settings = parse(with(valid(), "turnout.cluster.cloud.expected.cluster.id", " Xk3-cloud-id "));
      assertThat(settings.expectedClusterIds).containsExactly(null, "Xk3-cloud-id");
      assertThat(clusterConfig(settings, "cloud")).doesNotContainKey("expected.cluster.id");
      assertThat(clusterConfig(settings, "onprem")).doesNotContainKey("expected.cluster.id");
    }

    @Test
    void aBlankExpectedClusterId() {
      assertThat(rejected(with(valid(), "turnout.cluster.cloud.expected.cluster.id", " ")))
          .hasMessageContaining("turnout.cluster.cloud.expected.cluster.id");
    }

    @Test
    void anExpectedClusterIdForAnUndeclaredAlias() {
      assertThat(rejected(with(valid(), "turnout.cluster.dr.expected.cluster.id", "x"))).hasMessageContaining("'dr'");
    }
  }
}
