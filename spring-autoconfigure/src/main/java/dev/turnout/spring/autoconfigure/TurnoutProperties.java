package dev.turnout.spring.autoconfigure;

import dev.turnout.TurnoutConfig.ConsumerRole;
import dev.turnout.TurnoutConfig.CutoverBarrier;
import dev.turnout.TurnoutConfig.RollbackReconcile;
import dev.turnout.TurnoutConfig.OffsetTranslation;
import dev.turnout.TurnoutConfig.UnverifiedBoundary;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Configuration properties of Turnout in a Spring Boot application ({@code turnout.*}).
 *
 * <p>Each cluster starts from Spring Boot's {@code spring.kafka.*} settings (serializers, acks, security...)
 * and overrides them under {@code turnout.clusters.<alias>.*}. The authority document is read from a file
 * ({@code turnout.authority.file}), from an {@link dev.turnout.source.AuthoritySource} bean, or from the
 * Spring Environment itself: {@code turnout.authority.epoch}, {@code .source}, {@code .target} and
 * {@code .rule.<name>.*}, in the structure of the authority document. The cutover ({@code turnout.cutover.*}),
 * circuit breaker ({@code turnout.breaker.*}) and consumer ({@code turnout.consumer.*}) settings map to the
 * routing client's keys of the same names ({@link dev.turnout.TurnoutConfig}); their defaults and values are the
 * client's, and the client validates them: an invalid value stops the application with an error naming the
 * property.
 */
@ConfigurationProperties("turnout")
public class TurnoutProperties {

  /**
   * Whether Turnout supplies the Kafka producer and consumer factories. When false, Spring Boot's own Kafka
   * autoconfiguration applies unchanged.
   */
  private boolean enabled = true;

  /**
   * The clusters clients may ever talk to, by alias (letters, digits, '_' and '-'). The aliases are the ones
   * the authority document names as source, target and slice owners. Each has bootstrap-servers (required),
   * expected-cluster-id, properties.*, producer.properties.* and consumer.properties.*.
   */
  private Map<String, Cluster> clusters = new LinkedHashMap<>();

  private final Authority authority = new Authority();

  private final Cutover cutover = new Cutover();

  private final Breaker breaker = new Breaker();

  private final Rollback rollback = new Rollback();

  private final Consumer consumer = new Consumer();

  private final Status status = new Status();

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public Map<String, Cluster> getClusters() {
    return clusters;
  }

  public void setClusters(Map<String, Cluster> clusters) {
    this.clusters = clusters;
  }

  public Authority getAuthority() {
    return authority;
  }

  public Cutover getCutover() {
    return cutover;
  }

  public Breaker getBreaker() {
    return breaker;
  }

  public Rollback getRollback() {
    return rollback;
  }

  public Consumer getConsumer() {
    return consumer;
  }

  public Status getStatus() {
    return status;
  }

  /** One cluster: its bootstrap servers and the Kafka settings that differ from {@code spring.kafka.*}. */
  public static class Cluster {

    /** Bootstrap servers of this cluster (host:port, comma-separated or a list). Required. */
    private List<String> bootstrapServers = new ArrayList<>();

    /**
     * Kafka client settings for this cluster, applied to producers and consumers and overriding every
     * spring.kafka.* setting of the same key, for example security.protocol, sasl.mechanism,
     * sasl.jaas.config, ssl.truststore.location.
     */
    private Map<String, String> properties = new LinkedHashMap<>();

    /**
     * The cluster id this alias must report. When the cluster behind the bootstrap servers reports another id
     * (a DNS or configuration mistake), every send to the alias is refused with CLUSTER_ID_MISMATCH. Checked
     * by producers before their first send to the alias, at every authority refresh and on every metadata
     * update. Unset: not checked.
     */
    private String expectedClusterId;

    private final Client producer = new Client();

    private final Client consumer = new Client();

    public List<String> getBootstrapServers() {
      return bootstrapServers;
    }

    public void setBootstrapServers(List<String> bootstrapServers) {
      this.bootstrapServers = bootstrapServers;
    }

    public Map<String, String> getProperties() {
      return properties;
    }

    public void setProperties(Map<String, String> properties) {
      this.properties = properties;
    }

    public String getExpectedClusterId() {
      return expectedClusterId;
    }

    public void setExpectedClusterId(String expectedClusterId) {
      this.expectedClusterId = expectedClusterId;
    }

    public Client getProducer() {
      return producer;
    }

    public Client getConsumer() {
      return consumer;
    }
  }

  /** Settings of one kind of client (producer or consumer) for one cluster. */
  public static class Client {

    /**
     * Kafka settings for this kind of client of this cluster only; they override the cluster's properties
     * and spring.kafka.*.
     */
    private Map<String, String> properties = new LinkedHashMap<>();

    public Map<String, String> getProperties() {
      return properties;
    }

    public void setProperties(Map<String, String> properties) {
      this.properties = properties;
    }
  }

  /**
   * Where the authority document comes from, how often it is re-read, and, when it lives in the Spring
   * Environment, the document itself.
   */
  public static class Authority {

    /**
     * Path of a properties file holding the authority document. When unset and no AuthoritySource bean is
     * defined, the document is read from the Spring Environment under turnout.authority.* (epoch, source,
     * target, rule.*).
     */
    private Path file;

    /** How often the authority source is re-read. A flip takes effect within this interval. */
    private Duration refreshInterval = Duration.ofSeconds(1);

    /**
     * After this long without a successful refresh, every routing decision fails closed. Must be longer than
     * the refresh interval.
     */
    private Duration maxStaleness = Duration.ofMinutes(5);

    /**
     * Whether a routing client fails to start (with the reason) when no valid authority document can be read
     * at start. By default it starts, logs the reason at WARN and refuses every routing decision until one is
     * read, so that an outage of the source does not stop the service.
     */
    private boolean required;

    /**
     * Path of the last-known-good cache of the routing clients (the directory must exist): each document they
     * accept is written there; a client that starts while the authority source is unusable routes by the cached
     * document until max-staleness after it was written. Unset: no cache.
     */
    private Path cacheFile;

    /**
     * A compacted Kafka topic holding the authority document (each record value a whole document in the
     * properties text of the file), instead of file or the document in the Environment; a new document is
     * installed as soon as it is consumed. Its cluster is topic-cluster or topic-bootstrap-servers.
     */
    private String topic;

    /**
     * The alias (of turnout.clusters) of the cluster holding the control topic; its properties, security
     * included, are used. One of this or topic-bootstrap-servers.
     */
    private String topicCluster;

    /**
     * Bootstrap servers of a cluster of its own holding the control topic, with its client settings in
     * topic-properties. One of this or topic-cluster.
     */
    private List<String> topicBootstrapServers = new ArrayList<>();

    /**
     * Kafka client settings of the control topic's own cluster (security.protocol, sasl.*, ssl.*...), with
     * topic-bootstrap-servers.
     */
    private Map<String, String> topicProperties = new LinkedHashMap<>();

    /**
     * Ed25519 public keys trusted to sign the authority document, each the base64 of an X.509 key or the path
     * of a PEM file. When set, a document is installed only if signed by one of them. Empty: signatures are
     * not required.
     */
    private List<String> trustedKeys = new ArrayList<>();

    /**
     * Epoch of the authority document held in the Environment: a non-negative integer that only increases;
     * every change of the document needs a higher epoch.
     */
    private String epoch;

    /** Default source cluster alias of the rules of the document held in the Environment. */
    private String source;

    /** Default target cluster alias of the rules of the document held in the Environment. */
    private String target;

    /**
     * Rules of the document held in the Environment, by rule name: topics, topic-prefix, state (MIRROR,
     * DUAL_READ, WRITE_PROMOTION, TARGET_AUTHORITY), source, target, null-key-owner and
     * slice.NAME.keys and slice.NAME.owner, as in the authority document.
     */
    private Map<String, Rule> rule = new LinkedHashMap<>();

    public Path getFile() {
      return file;
    }

    public void setFile(Path file) {
      this.file = file;
    }

    public Duration getRefreshInterval() {
      return refreshInterval;
    }

    public void setRefreshInterval(Duration refreshInterval) {
      this.refreshInterval = refreshInterval;
    }

    public Duration getMaxStaleness() {
      return maxStaleness;
    }

    public void setMaxStaleness(Duration maxStaleness) {
      this.maxStaleness = maxStaleness;
    }

    public boolean isRequired() {
      return required;
    }

    public void setRequired(boolean required) {
      this.required = required;
    }

    public String getTopic() {
      return topic;
    }

    public void setTopic(String topic) {
      this.topic = topic;
    }

    public String getTopicCluster() {
      return topicCluster;
    }

    public void setTopicCluster(String topicCluster) {
      this.topicCluster = topicCluster;
    }

    public List<String> getTopicBootstrapServers() {
      return topicBootstrapServers;
    }

    public void setTopicBootstrapServers(List<String> topicBootstrapServers) {
      this.topicBootstrapServers = topicBootstrapServers;
    }

    public Map<String, String> getTopicProperties() {
      return topicProperties;
    }

    public void setTopicProperties(Map<String, String> topicProperties) {
      this.topicProperties = topicProperties;
    }

    public Path getCacheFile() {
      return cacheFile;
    }

    public void setCacheFile(Path cacheFile) {
      this.cacheFile = cacheFile;
    }

    public List<String> getTrustedKeys() {
      return trustedKeys;
    }

    public void setTrustedKeys(List<String> trustedKeys) {
      this.trustedKeys = trustedKeys;
    }

    public String getEpoch() {
      return epoch;
    }

    public void setEpoch(String epoch) {
      this.epoch = epoch;
    }

    public String getSource() {
      return source;
    }

    public void setSource(String source) {
      this.source = source;
    }

    public String getTarget() {
      return target;
    }

    public void setTarget(String target) {
      this.target = target;
    }

    public Map<String, Rule> getRule() {
      return rule;
    }

    public void setRule(Map<String, Rule> rule) {
      this.rule = rule;
    }

    /** Whether any key of the document itself (epoch, source, target, rule.*) is set. */
    boolean holdsDocument() {
      return epoch != null || source != null || target != null || !rule.isEmpty();
    }
  }

  /** One rule of the authority document held in the Environment. */
  public static class Rule {

    /** Exact topic names this rule governs. */
    private List<String> topics = new ArrayList<>();

    /** Topic prefixes this rule governs. */
    private List<String> topicPrefix = new ArrayList<>();

    /** MIRROR, DUAL_READ, WRITE_PROMOTION or TARGET_AUTHORITY. */
    private String state;

    /** Source cluster alias of this rule, overriding the document's default. */
    private String source;

    /** Target cluster alias of this rule, overriding the document's default. */
    private String target;

    /** WRITE_PROMOTION only: the cluster that receives null-key records; without it they are refused. */
    private String nullKeyOwner;

    /** WRITE_PROMOTION only: slices of key buckets (0-9999) and their owners, by slice name. */
    private Map<String, Slice> slice = new LinkedHashMap<>();

    public List<String> getTopics() {
      return topics;
    }

    public void setTopics(List<String> topics) {
      this.topics = topics;
    }

    public List<String> getTopicPrefix() {
      return topicPrefix;
    }

    public void setTopicPrefix(List<String> topicPrefix) {
      this.topicPrefix = topicPrefix;
    }

    public String getState() {
      return state;
    }

    public void setState(String state) {
      this.state = state;
    }

    public String getSource() {
      return source;
    }

    public void setSource(String source) {
      this.source = source;
    }

    public String getTarget() {
      return target;
    }

    public void setTarget(String target) {
      this.target = target;
    }

    public String getNullKeyOwner() {
      return nullKeyOwner;
    }

    public void setNullKeyOwner(String nullKeyOwner) {
      this.nullKeyOwner = nullKeyOwner;
    }

    public Map<String, Slice> getSlice() {
      return slice;
    }

    public void setSlice(Map<String, Slice> slice) {
      this.slice = slice;
    }
  }

  /** One slice of a WRITE_PROMOTION rule. */
  public static class Slice {

    /** Inclusive key bucket ranges, e.g. 0-999 or 0-999,5000-5999. */
    private List<String> keys = new ArrayList<>();

    /** The rule's source or target alias that owns writes of these buckets. */
    private String owner;

    public List<String> getKeys() {
      return keys;
    }

    public void setKeys(List<String> keys) {
      this.keys = keys;
    }

    public String getOwner() {
      return owner;
    }

    public void setOwner(String owner) {
      this.owner = owner;
    }
  }

  /**
   * How producers move a slice whose owner changed (docs/cutover.md): sends for the slice wait at a barrier
   * until the records already sent to the old owner are safe, then go to the new owner in order.
   */
  public static class Cutover {

    /**
     * What a moved slice waits for. replicated: until the records sent to the old owner are acknowledged and
     * found on the new owner by their turnout.id (needs replication from the old owner to the new one, such as
     * MirrorMaker 2 with identity topic names or a cluster link). drained: until they are acknowledged only,
     * for setups where nothing replicates the old owner to the new one. With replicated and no replication,
     * every cutover fails closed after max-pause.
     */
    private CutoverBarrier barrier = CutoverBarrier.REPLICATED;

    /**
     * The longest a moved slice waits at its barrier. Then the waiting records fail with
     * CUTOVER_BARRIER_TIMEOUT and the slice is refused until the barrier completes or a later epoch moves it.
     */
    private Duration maxPause = Duration.ofSeconds(30);

    /**
     * Memory for records waiting at cutover barriers (serialized key, value and headers). When it is full,
     * send blocks up to max.block.ms and then fails, like buffer.memory.
     */
    private DataSize bufferSize = DataSize.ofMegabytes(32);

    public CutoverBarrier getBarrier() {
      return barrier;
    }

    public void setBarrier(CutoverBarrier barrier) {
      this.barrier = barrier;
    }

    public Duration getMaxPause() {
      return maxPause;
    }

    public void setMaxPause(Duration maxPause) {
      this.maxPause = maxPause;
    }

    public DataSize getBufferSize() {
      return bufferSize;
    }

    public void setBufferSize(DataSize bufferSize) {
      this.bufferSize = bufferSize;
    }
  }

  /**
   * How producers handle a slice that an epoch moves back from the target to the source (docs/rollback.md): its
   * sends wait until the records written only to the target while it was promoted are on the source.
   */
  public static class Rollback {

    /**
     * Who copies the target-only records of a slice moved back to the source. manual: an operator or a job; the
     * producer waits until the records it wrote to the target are on the source. auto: the producer reconciles
     * the slice's whole range itself, then checks.
     */
    private RollbackReconcile reconcile = RollbackReconcile.MANUAL;

    /**
     * The longest a slice moved back to the source waits for its target-only records. Then the waiting records
     * fail with ROLLBACK_NOT_RECONCILED and the slice is refused until it is reconciled or a later epoch moves it.
     */
    private Duration maxPause = Duration.ofSeconds(60);

    public RollbackReconcile getReconcile() {
      return reconcile;
    }

    public void setReconcile(RollbackReconcile reconcile) {
      this.reconcile = reconcile;
    }

    public Duration getMaxPause() {
      return maxPause;
    }

    public void setMaxPause(Duration maxPause) {
      this.maxPause = maxPause;
    }
  }

  /**
   * The circuit breaker that guards each cluster in every producer: while it is open, sends owned by the
   * cluster fail at once with ClusterUnavailableException; they are never rerouted to another cluster.
   */
  public static class Breaker {

    /** Whether a circuit breaker guards each cluster. */
    private boolean enabled = true;

    /** Failure rate, in percent (1-100) of the sends in the window, at or above which a breaker opens. */
    private int failureRateThreshold = 50;

    /** Number of most recent send outcomes per cluster over which the failure rate is computed. */
    private int windowSize = 100;

    /** Send outcomes the window must hold before the failure rate can open the breaker. */
    private int minimumCalls = 20;

    /** How long an open breaker refuses sends before it lets trial sends through. */
    private Duration openWait = Duration.ofSeconds(10);

    /** Trial sends a half-open breaker lets through; their outcomes close or reopen it. */
    private int halfOpenCalls = 10;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public int getFailureRateThreshold() {
      return failureRateThreshold;
    }

    public void setFailureRateThreshold(int failureRateThreshold) {
      this.failureRateThreshold = failureRateThreshold;
    }

    public int getWindowSize() {
      return windowSize;
    }

    public void setWindowSize(int windowSize) {
      this.windowSize = windowSize;
    }

    public int getMinimumCalls() {
      return minimumCalls;
    }

    public void setMinimumCalls(int minimumCalls) {
      this.minimumCalls = minimumCalls;
    }

    public Duration getOpenWait() {
      return openWait;
    }

    public void setOpenWait(Duration openWait) {
      this.openWait = openWait;
    }

    public int getHalfOpenCalls() {
      return halfOpenCalls;
    }

    public void setHalfOpenCalls(int halfOpenCalls) {
      this.halfOpenCalls = halfOpenCalls;
    }
  }

  /**
   * Settings of the routing consumers behind @KafkaListener containers (docs/consumers.md). A listener may
   * override them with its own properties, e.g. @KafkaListener(properties = "turnout.consumer.role=validation").
   */
  public static class Consumer {

    /**
     * production: reads follow the read authority of the map. validation: reads the target of DUAL_READ rules,
     * under the group id GROUP.turnout-validation on every cluster, so it never commits to the production
     * group.
     */
    private ConsumerRole role = ConsumerRole.PRODUCTION;

    /**
     * How a handed-over offset is first translated to the new cluster, before the exact boundary search:
     * timestamp (offsetsForTimes with the last processed record's timestamp), identity (offset-preserving
     * links) or mirrormaker2 (MirrorMaker 2 checkpoints; needs org.apache.kafka:connect-mirror-client).
     */
    private OffsetTranslation offsetTranslation = OffsetTranslation.TIMESTAMP;

    /**
     * MirrorMaker 2's alias of the source cluster (the prefix of its checkpoints topic on the target), for
     * mirrormaker2 translation. Unset: the Turnout alias of the rule's source.
     */
    private String offsetTranslationMm2SourceAlias;

    /**
     * How long a consumer waits for the last record it processed on the old cluster to appear on the new one
     * (replication lag) before the boundary counts as unverified; also after how long a partition still
     * waiting for its handover is reported.
     */
    private Duration boundaryTimeout = Duration.ofSeconds(30);

    /**
     * What happens to a partition whose boundary cannot be verified in time. fail: it stays blocked and poll
     * throws BoundaryNotVerifiedException (the listener container's error handler receives it). rewind:
     * resume at the translated offset, accepting and counting duplicates.
     */
    private UnverifiedBoundary unverified = UnverifiedBoundary.FAIL;

    /**
     * Moving back from a rule's target to its source (a rollback): the most records of a partition processed on
     * the target whose copies on the source are recognised and withheld (about 24 to 48 bytes of memory per
     * record of the range, per partition moved back). A larger range is an unverified boundary. 0 disables it.
     */
    private Integer dedupeWindow = 100_000;

    public ConsumerRole getRole() {
      return role;
    }

    public void setRole(ConsumerRole role) {
      this.role = role;
    }

    public OffsetTranslation getOffsetTranslation() {
      return offsetTranslation;
    }

    public void setOffsetTranslation(OffsetTranslation offsetTranslation) {
      this.offsetTranslation = offsetTranslation;
    }

    public String getOffsetTranslationMm2SourceAlias() {
      return offsetTranslationMm2SourceAlias;
    }

    public void setOffsetTranslationMm2SourceAlias(String offsetTranslationMm2SourceAlias) {
      this.offsetTranslationMm2SourceAlias = offsetTranslationMm2SourceAlias;
    }

    public Duration getBoundaryTimeout() {
      return boundaryTimeout;
    }

    public void setBoundaryTimeout(Duration boundaryTimeout) {
      this.boundaryTimeout = boundaryTimeout;
    }

    public UnverifiedBoundary getUnverified() {
      return unverified;
    }

    public void setUnverified(UnverifiedBoundary unverified) {
      this.unverified = unverified;
    }

    public Integer getDedupeWindow() {
      return dedupeWindow;
    }

    public void setDedupeWindow(Integer dedupeWindow) {
      this.dedupeWindow = dedupeWindow;
    }
  }
  /**
   * Fleet status (docs/control-plane.md): every routing client publishes its status to a compacted topic,
   * which the fleet status reader reads. Off while no topic is set.
   */
  public static class Status {

    /** The status topic (compacted; Turnout does not create it). Unset: no status is published. */
    private String topic;

    /**
     * The alias of the cluster (one of turnout.clusters) that holds the status topic. Instead, a cluster of its
     * own: bootstrap.servers and the other Kafka client settings in properties.*.
     */
    private String cluster;

    /** Kafka client settings of the status topic's own cluster (bootstrap.servers, security...). */
    private Map<String, String> properties = new LinkedHashMap<>();

    /** How often a client publishes its status when nothing changed (at least 100ms). */
    private Duration interval = Duration.ofSeconds(10);

    /** The service name in the status records. Unset: the client.id without a trailing -<digits>. */
    private String serviceName;

    public String getTopic() {
      return topic;
    }

    public void setTopic(String topic) {
      this.topic = topic;
    }

    public String getCluster() {
      return cluster;
    }

    public void setCluster(String cluster) {
      this.cluster = cluster;
    }

    public Map<String, String> getProperties() {
      return properties;
    }

    public void setProperties(Map<String, String> properties) {
      this.properties = properties;
    }

    public Duration getInterval() {
      return interval;
    }

    public void setInterval(Duration interval) {
      this.interval = interval;
    }

    public String getServiceName() {
      return serviceName;
    }

    public void setServiceName(String serviceName) {
      this.serviceName = serviceName;
    }
  }
}
