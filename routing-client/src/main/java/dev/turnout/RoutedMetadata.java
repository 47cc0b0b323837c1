package dev.turnout;

import java.util.Objects;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * The acknowledgement of a routed send together with the cluster that took it. Kafka's {@link RecordMetadata}
 * names no cluster, and the same partition and offset exist on both clusters of a migration: this says which
 * one it was. A {@link RoutedCallback} receives one per send, and {@link RoutingProducer#sendRouted} completes
 * with one.
 *
 * <p>Kafka's {@code RecordMetadata} is a final class, so this is a companion object holding it rather than a
 * subclass: {@link #metadata()} is exactly the metadata Kafka's client reported.
 */
public final class RoutedMetadata {

  private final RecordMetadata metadata;
  private final String cluster;

  /**
   * @param metadata what the cluster's client reported
   * @param cluster the alias of the cluster (as in {@code turnout.clusters}) the record was handed to, or
   *     {@code null} when it was refused before reaching any cluster's client
   */
  public RoutedMetadata(RecordMetadata metadata, String cluster) {
    this.metadata = Objects.requireNonNull(metadata, "metadata");
    this.cluster = cluster;
  }

  /**
   * The alias of the cluster the record was handed to (one of {@code turnout.clusters}), whose client
   * acknowledged it or reported its error; {@code null} only for a send refused before it reached any
   * cluster's client (the exception is then an {@link OwnershipAmbiguousException} or another refusal, and the
   * record was written nowhere).
   */
  public String cluster() {
    return cluster;
  }

  /** The metadata the cluster's client reported, unchanged. */
  public RecordMetadata metadata() {
    return metadata;
  }

  /** The topic of the record. */
  public String topic() {
    return metadata.topic();
  }

  /** The partition the record was written to on {@link #cluster()}. */
  public int partition() {
    return metadata.partition();
  }

  /** The offset of the record on {@link #cluster()}, or -1 when it has none. */
  public long offset() {
    return metadata.offset();
  }

  /** Whether {@link #offset()} is known. */
  public boolean hasOffset() {
    return metadata.hasOffset();
  }

  /** The record's timestamp, or -1 when it has none. */
  public long timestamp() {
    return metadata.timestamp();
  }

  /** {@code <cluster>:<topic>-<partition>@<offset>}, for example {@code cloud:orders-3@1042}. */
  @Override
  public String toString() {
    return (cluster == null ? "(no cluster)" : cluster) + ":" + metadata;
  }
}
