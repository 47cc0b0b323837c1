package dev.turnout.spring.autoconfigure;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration properties of Turnout in a Spring Boot application ({@code turnout.*}).
 *
 * <p>Each cluster starts from Spring Boot's {@code spring.kafka.*} settings (serializers, acks, security...)
 * and overrides them under {@code turnout.clusters.<alias>.*}. The authority document is read from a file
 * ({@code turnout.authority.file}), from an {@link dev.turnout.source.AuthoritySource} bean, or from the
 * Spring Environment itself: {@code turnout.authority.epoch}, {@code .source}, {@code .target} and
 * {@code .rule.<name>.*}, in the structure of the authority document.
 */
@ConfigurationProperties("turnout")
public class TurnoutProperties {

  /**
   * Whether Turnout supplies the Kafka producer factory (and the consumer factory, when the routing consumer
   * is on the classpath). When false, Spring Boot's own Kafka autoconfiguration applies unchanged.
   */
  private boolean enabled = true;

  /**
   * The clusters clients may ever talk to, by alias (letters, digits, '_' and '-'). The aliases are the ones
   * the authority document names as source, target and slice owners.
   */
  private Map<String, Cluster> clusters = new LinkedHashMap<>();

  private final Authority authority = new Authority();

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
}
