package dev.turnout.benchmarks.e2e;

import dev.turnout.RoutingProducer;
import dev.turnout.TurnoutConfig;
import dev.turnout.benchmarks.workload.HeaderEncoding;
import dev.turnout.benchmarks.workload.Payloads;
import dev.turnout.internal.provenance.RecordIds;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A producer under test and the records an application hands it: a raw {@code KafkaProducer} that adds
 * headers itself, or a {@code RoutingProducer} that stamps them. Every variant uses the same client
 * settings: {@code acks=all}, {@code linger.ms=5}, the given compression, everything else at its default.
 */
abstract class Variant {

  /** Alias of the cluster every benchmark record is routed to. */
  static final String ORIGIN = "onprem-east";
  /** Second alias, declared and pointing at the same broker; no record is routed to it. */
  static final String OTHER = "cloud-west";
  static final long EPOCH = 1042;

  private final String name;

  Variant(String name) {
    this.name = name;
  }

  /** Short name used in tables. */
  String name() {
    return name;
  }

  /** A new producer with this client id and compression type. */
  abstract Producer<byte[], byte[]> create(String clientId, String compression);

  /** The record for sequence {@code i}, as the application would pass it to {@code send}. */
  abstract ProducerRecord<byte[], byte[]> record(String topic, Payloads payloads, long i);

  static Map<String, Object> clientConfig(String bootstrap, String clientId, String compression) {
    Map<String, Object> config = new HashMap<>();
    if (bootstrap != null) {
      config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    }
    config.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
    config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return config;
  }

  /** A raw KafkaProducer; the application adds the headers of {@code encoding} to every record. */
  static Variant raw(String name, String bootstrap, HeaderEncoding encoding) {
    return new Variant(name) {
      /**
       * The id generator of the producer created last: one per producer, as an application (or a
       * RoutingProducer) has. Its counter is written per record; one generator kept for a whole run would
       * stay at one place in memory for every round, and whatever shares its cache line would slow this
       * variant down in every round alike.
       */
      private volatile RecordIds ids = new RecordIds();

      @Override
      Producer<byte[], byte[]> create(String clientId, String compression) {
        ids = new RecordIds();
        return new KafkaProducer<>(clientConfig(bootstrap, clientId, compression));
      }

      @Override
      ProducerRecord<byte[], byte[]> record(String topic, Payloads payloads, long i) {
        ProducerRecord<byte[], byte[]> record =
            new ProducerRecord<>(topic, null, null, payloads.key(i), payloads.value(i), (Iterable<Header>) null);
        encoding.apply(record.headers(), ids);
        return record;
      }
    };
  }

  /**
   * A RoutingProducer whose authority document routes every {@code bench.*} topic to {@link #ORIGIN} through
   * a two-slice WRITE_PROMOTION rule, so that every send serializes the key and looks up its slice; the
   * route header it stamps has the same length as {@link HeaderEncoding#ROUTE}.
   */
  static Variant routed(String name, String bootstrap, Path authorityFile) {
    writeAtomically(authorityFile, routedDocument(EPOCH));
    return new Variant(name) {
      @Override
      Producer<byte[], byte[]> create(String clientId, String compression) {
        return new RoutingProducer<>(routedConfig(bootstrap, authorityFile, clientId, compression, 1000));
      }

      @Override
      ProducerRecord<byte[], byte[]> record(String topic, Payloads payloads, long i) {
        return new ProducerRecord<>(topic, payloads.key(i), payloads.value(i));
      }
    };
  }

  static Map<String, Object> routedConfig(String bootstrap, Path authorityFile, String clientId, String compression,
      long refreshMillis) {
    Map<String, Object> config = clientConfig(null, clientId, compression);
    config.put(TurnoutConfig.CLUSTERS, ORIGIN + ',' + OTHER);
    config.put(TurnoutConfig.CLUSTER_PREFIX + ORIGIN + ".bootstrap.servers", bootstrap);
    config.put(TurnoutConfig.CLUSTER_PREFIX + OTHER + ".bootstrap.servers", bootstrap);
    config.put(TurnoutConfig.AUTHORITY_FILE, authorityFile.toString());
    config.put(TurnoutConfig.AUTHORITY_REFRESH_MS, refreshMillis);
    return config;
  }

  /** The routed producer's authority document at {@code epoch}. */
  static String routedDocument(long epoch) {
    return "epoch=" + epoch + "\n"
        + "source=" + ORIGIN + "\n"
        + "target=" + OTHER + "\n"
        + "rule.orders-eu.topic-prefix=bench.\n"
        + "rule.orders-eu.state=WRITE_PROMOTION\n"
        + "rule.orders-eu.slice.early.keys=0-999\n"
        + "rule.orders-eu.slice.early.owner=" + ORIGIN + "\n"
        + "rule.orders-eu.slice.later.keys=1000-9999\n"
        + "rule.orders-eu.slice.later.owner=" + ORIGIN + "\n";
  }

  /** Replaces a file atomically: a temporary file in the same directory renamed over it. */
  static void writeAtomically(Path file, String content) {
    try {
      Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), file.getFileName().toString(), ".tmp");
      Files.writeString(tmp, content, StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + file, e);
    }
  }
}
