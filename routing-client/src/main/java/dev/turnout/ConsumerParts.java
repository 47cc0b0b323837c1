package dev.turnout;

import dev.turnout.authority.Rule;
import dev.turnout.internal.cluster.ClusterClients;
import dev.turnout.internal.consumer.DelegateSet;
import dev.turnout.internal.consumer.PartitionBook;
import dev.turnout.internal.consumer.Subscription;
import dev.turnout.internal.consumer.SwitchWorker;
import dev.turnout.internal.consumer.ThreadGuard;
import dev.turnout.internal.consumer.WakeupGuard;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The parts of one {@link RoutingConsumer}, built from its configuration and wired together: the settings
 * checked, one client per cluster (supplied by the application, or a {@code KafkaConsumer}), the switch
 * worker, and each machine of the consumer. {@link #start()} loads the first authority map.
 */
final class ConsumerParts<K, V> {

  private static final Logger log = LoggerFactory.getLogger(RoutingConsumer.class);
  private static final AtomicInteger CLIENT_SEQUENCE = new AtomicInteger();

  final ThreadGuard guard = new ThreadGuard("RoutingConsumer");
  final ConsumerContext<K, V> ctx;
  final Resolutions<K, V> resolutions;
  final ReadRouting<K, V> routing;
  final StampedCommits<K, V> commits;
  final RebalanceBridge<K, V> bridge;
  final Fencing<K, V> fencing;
  final RecordMerger<K, V> merger;
  final ClusterMetadata<K, V> metadata;
  final FleetStatus fleet;
  private final Set<String> supplied;

  /**
   * @param supplied the clients the application supplied, by alias (those clusters need no bootstrap servers)
   */
  ConsumerParts(Map<String, Object> configs, Deserializer<K> keyDeserializer, Deserializer<V> valueDeserializer,
      Map<String, Consumer<K, V>> supplied) {
    Objects.requireNonNull(configs, "configs");
    this.supplied = supplied.keySet();
    TurnoutSettings settings = TurnoutSettings.parse(configs, "turnout-consumer-" + CLIENT_SEQUENCE.incrementAndGet(),
        supplied.keySet());
    requireDeclared(supplied.keySet(), settings.clusters);
    this.fleet = FleetStatus.plan(settings);
    TurnoutSettings.ConsumerOptions options = settings.consumerOptions();
    if (supplied.size() < settings.clusters.size()) {
      requireDeserializer(settings, keyDeserializer, ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG);
      requireDeserializer(settings, valueDeserializer, ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG);
    }
    ConsumerKafkaSettings kafka = ConsumerKafkaSettings.parse(settings.base, options.validation());
    ClusterClients<Consumer<K, V>> clients = new ClusterClients<>(settings.clusters, delegateConfigs(settings, kafka),
        (index, config) -> {
          Consumer<K, V> given = supplied.get(settings.clusters.get(index));
          return given != null ? given : new KafkaConsumer<>(config, keyDeserializer, valueDeserializer);
        });
    ConsumerCore core = new ConsumerCore(settings);
    PartitionBook book = new PartitionBook();
    WakeupGuard wakeups = new WakeupGuard();
    this.ctx = new ConsumerContext<>(settings, options, kafka, core, new ConsumerMetrics(core.metrics(), book),
        new DelegateSet<>(clients, wakeups), book, new Subscription(kafka.patternRefresh().toMillis()), wakeups,
        new ConcurrentLinkedDeque<>(), new ConsumerStatusView(settings.clientId, core.instanceId(), options.validation(), kafka.group(),
            settings.clusters, core.refresher(), core.metrics(), core.listeners()));
    this.resolutions = new Resolutions<>(ctx, this::epoch, this::ruleInForce);
    this.routing = new ReadRouting<>(ctx, new Handover<>(ctx), resolutions, this::clusterListener);
    this.commits = new StampedCommits<>(ctx, routing);
    this.bridge = new RebalanceBridge<>(ctx, routing, resolutions, commits, guard);
    this.fencing = new Fencing<>(ctx, routing, resolutions::worker);
    this.merger = new RecordMerger<>(ctx);
    this.metadata = new ClusterMetadata<>(ctx, routing);
    resolutions.worker(new SwitchWorker(settings.clientId, new SwitchWorker.Settings(kafka.group(),
        options.boundaryTimeoutMillis(), options.rewind(), options.translation(), options.mm2SourceAlias(),
        options.dedupeWindow()),
        alias -> clients.config(settings.clusters.indexOf(alias)), routing::epoch, core::refresh, resolutions));
  }

  /** Loads the first authority map (closing what was opened if that fails). */
  void start() {
    ctx.core().start();
    TurnoutSettings.ConsumerOptions options = ctx.options();
    log.info("[{}] RoutingConsumer started for clusters {} (group {}, role {}, translation {}, unverified boundary: {}) "
        + "with authority from {}{}", ctx.clientId(), ctx.settings().clusters, ctx.group(),
        options.validation() ? TurnoutConfig.CONSUMER_ROLE_VALIDATION : TurnoutConfig.CONSUMER_ROLE_PRODUCTION,
        options.translation().configValue(), options.rewind() ? "rewind" : "fail", ctx.core().sourceDescription(),
        supplied.isEmpty() ? "" : "; supplied clients for " + supplied);
    if (fleet != null) {
      ConsumerStatusView view = ctx.status();
      fleet.start(ctx.core().instanceId(), ctx.core().listeners(), view::snapshot, view::changeSignature);
    }
  }

  private long epoch() {
    return routing.epoch();
  }

  private Rule ruleInForce(String topic) {
    return routing.applied().ruleFor(topic);
  }

  private ConsumerRebalanceListener clusterListener(int cluster) {
    return bridge.listener(cluster);
  }

  private static void requireDeclared(Set<String> supplied, List<String> clusters) {
    for (String alias : supplied) {
      if (!clusters.contains(alias)) {
        throw new ConfigException(TurnoutConfig.CLUSTERS, clusters, "a client was supplied for cluster '" + alias
            + "', which is not declared: declare it in " + TurnoutConfig.CLUSTERS + " or supply clients for " + clusters);
      }
    }
  }

  private static void requireDeserializer(TurnoutSettings settings, Deserializer<?> instance, String key) {
    if (instance == null && settings.base.get(key) == null) {
      throw new ConfigException(key, null, "Missing required configuration \"" + key + "\" which has no default value.");
    }
  }

  /** Each cluster's client configuration: the group id on every cluster, and no auto-commit (Turnout commits). */
  private static List<Map<String, Object>> delegateConfigs(TurnoutSettings settings, ConsumerKafkaSettings kafka) {
    List<Map<String, Object>> configs = new ArrayList<>();
    for (Map<String, Object> clusterConfig : settings.clusterConfigs) {
      Map<String, Object> config = new HashMap<>(clusterConfig);
      if (kafka.group() == null) {
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
      } else {
        config.put(ConsumerConfig.GROUP_ID_CONFIG, kafka.group());
      }
      config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
      configs.add(config);
    }
    return configs;
  }
}
