package dev.turnout.internal.producer;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.authority.Route;
import dev.turnout.authority.Rule;
import dev.turnout.internal.cutover.View;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Utils;

/**
 * What routing needs of a record: its decision under a map (the key is serialized only for rules split by
 * key), the bucket a pending cutover needs, and the estimated size of a record waiting at a barrier. Holds
 * the key serializer (for buckets) and the value serializer (for sizes); closes them only if it created them.
 */
public final class RecordKeys<K, V> implements AutoCloseable {

  /** Bucket of a null key, as the cutover barriers expect it. */
  public static final int NULL_KEY_BUCKET = -1;
  /** Bucket not computed (the rule is not split by key). */
  public static final int NO_BUCKET = -2;
  /** Bytes counted per waiting record besides its key, value and headers. */
  private static final int RECORD_OVERHEAD_BYTES = 64;

  private final Serializer<K> keySerializer;
  private final boolean ownsKeySerializer;
  private final Serializer<V> valueSerializer;
  private final boolean ownsValueSerializer;

  private RecordKeys(Serializer<K> keySerializer, boolean ownsKey, Serializer<V> valueSerializer, boolean ownsValue) {
    this.keySerializer = keySerializer;
    this.ownsKeySerializer = ownsKey;
    this.valueSerializer = valueSerializer;
    this.ownsValueSerializer = ownsValue;
  }

  /**
   * Uses the given serializer instances (not configured, not closed), or creates the classes
   * {@code key.serializer}/{@code value.serializer} (as parsed by {@code ProducerConfig}'s definitions) for those
   * that are {@code null}, configured with {@code base}.
   */
  public static <K, V> RecordKeys<K, V> create(Map<String, Object> base, Class<?> keySerializerClass,
      Class<?> valueSerializerClass, Serializer<K> keySerializer, Serializer<V> valueSerializer) {
    Serializer<K> key = keySerializer != null ? keySerializer
        : newSerializer(base, keySerializerClass, ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, true);
    Serializer<V> value;
    try {
      value = valueSerializer != null ? valueSerializer
          : newSerializer(base, valueSerializerClass, ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, false);
    } catch (RuntimeException e) {
      if (keySerializer == null) {
        Utils.closeQuietly(key, "routing key serializer");
      }
      throw e;
    }
    return new RecordKeys<>(key, keySerializer == null, value, valueSerializer == null);
  }

  @SuppressWarnings("unchecked")
  private static <T> Serializer<T> newSerializer(Map<String, Object> base, Class<?> type, String key,
      boolean isKey) {
    if (type == null) {
      throw new ConfigException(key, null, "Missing required configuration \"" + key + "\" which has no default value.");
    }
    Serializer<T> serializer;
    try {
      serializer = Utils.newInstance(type.asSubclass(Serializer.class));
    } catch (ClassCastException e) {
      throw new ConfigException(key, type.getName(), "not a Serializer class: " + e);
    }
    serializer.configure(base, isKey);
    return serializer;
  }

  /**
   * The decision for a record under {@code map}: a routable {@link Route}, or a refusal
   * ({@code NO_MATCHING_RULE}, {@code NULL_KEY_NOT_ROUTABLE}). Only sliced rules serialize the key.
   */
  public Route resolve(AuthorityMap map, ProducerRecord<K, V> record) {
    Rule rule = map.ruleFor(record.topic());
    if (rule == null) {
      return map.route(record.topic(), null);
    }
    Route route = rule.unslicedRoute();
    if (route != null) {
      return route;
    }
    int bucket = bucket(record);
    return bucket == NULL_KEY_BUCKET ? rule.nullKeyRoute() : rule.routeForBucket(bucket);
  }

  /**
   * The bucket a pending cutover needs to place this record, or {@link #NO_BUCKET} when it needs none. Only
   * called while a cutover is unsettled (the key is then serialized a second time for a moved sliced topic).
   */
  public int barrierBucket(View view, AuthorityMap map, ProducerRecord<K, V> record) {
    return view.needsBucket(record.topic(), map.epoch()) ? bucket(record) : NO_BUCKET;
  }

  /** The key bucket of a record, or {@link #NULL_KEY_BUCKET}. */
  private int bucket(ProducerRecord<K, V> record) {
    byte[] key = record.key() == null ? null : keySerializer.serialize(record.topic(), record.key());
    return key == null ? NULL_KEY_BUCKET : AuthorityMap.bucket(key);
  }

  /** Estimated bytes of a waiting record: serialized key and value, headers, and a fixed overhead. */
  public long estimateSize(ProducerRecord<K, V> routed) {
    long size = RECORD_OVERHEAD_BYTES;
    if (routed.key() != null) {
      byte[] key = keySerializer.serialize(routed.topic(), routed.key());
      size += key == null ? 0 : key.length;
    }
    if (routed.value() != null) {
      byte[] value = valueSerializer.serialize(routed.topic(), routed.value());
      size += value == null ? 0 : value.length;
    }
    for (Header h : routed.headers()) {
      size += h.key().length() + (h.value() == null ? 0 : h.value().length) + 8;
    }
    return size;
  }

  /** Closes the serializers this instance created. */
  @Override
  public void close() {
    if (ownsKeySerializer) {
      Utils.closeQuietly(keySerializer, "routing key serializer");
    }
    if (ownsValueSerializer) {
      Utils.closeQuietly(valueSerializer, "value serializer used to size waiting records");
    }
  }
}
