package dev.turnout.benchmarks.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.turnout.RoutingConsumer;
import dev.turnout.authority.AuthorityMap;
import dev.turnout.authority.Route;
import dev.turnout.benchmarks.workload.HeaderEncoding;
import dev.turnout.benchmarks.workload.Payloads;
import dev.turnout.internal.provenance.ProvenanceHeaders;
import dev.turnout.internal.provenance.RecordIds;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.zip.Deflater;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The inputs of the end-to-end benchmarks are what their documentation claims. */
class HarnessInputsTest {

  private static AuthorityMap parse(String document, List<String> clusters) throws Exception {
    Properties p = new Properties();
    p.load(new StringReader(document));
    Map<String, String> doc = new HashMap<>();
    p.stringPropertyNames().forEach(k -> doc.put(k, p.getProperty(k)));
    return AuthorityMap.parse(doc, clusters);
  }

  @Test
  void valuesHaveTheExactSizeAndCompressLikeRealPayloads() {
    for (int size : new int[] {16, 100, 1024}) {
      Payloads payloads = new Payloads(size, 256, 1);
      Set<String> distinct = new HashSet<>();
      byte[] all = new byte[size * 256];
      for (int i = 0; i < 256; i++) {
        byte[] value = payloads.value(i);
        assertThat(value).hasSize(size);
        distinct.add(new String(value, StandardCharsets.US_ASCII));
        System.arraycopy(value, 0, all, i * size, size);
      }
      assertThat(distinct).hasSizeGreaterThan(250);
      assertThat(new String(payloads.key(3), StandardCharsets.UTF_8)).matches("customer-\\d{6}");
      if (size >= 100) {
        Deflater deflater = new Deflater();
        deflater.setInput(all);
        deflater.finish();
        byte[] out = new byte[all.length * 2];
        int compressed = deflater.deflate(out);
        double ratio = (double) compressed / all.length;
        // Compressible like text, not trivially (a repeated value would compress to almost nothing).
        assertThat(ratio).as("deflate ratio of %d B values", size).isBetween(0.25, 0.9);
      }
    }
    assertThatThrownBy(() -> new Payloads(8, 1, 1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void encodingsAddTheHeadersTheyDescribe() {
    RecordIds ids = new RecordIds(42);
    RecordHeaders two = new RecordHeaders();
    HeaderEncoding.TWO_HEADERS.apply(two, ids);
    Header[] headers = two.toArray();
    assertThat(headers).extracting(Header::key).containsExactly(ProvenanceHeaders.ROUTE, ProvenanceHeaders.ID);
    assertThat(new String(headers[0].value(), StandardCharsets.UTF_8)).isEqualTo("onprem-east/1042/orders-eu/early");
    assertThat(headers[1].value()).hasSize(16);

    RecordHeaders one = new RecordHeaders();
    HeaderEncoding.ONE_HEADER.apply(one, ids);
    Header single = one.lastHeader(HeaderEncoding.ONE_HEADER_KEY);
    assertThat(one.toArray()).hasSize(1);
    assertThat(single.value()).hasSize(16 + 32);
    assertThat(RecordIds.instanceOf(single.value())).isEqualTo(42);

    RecordHeaders none = new RecordHeaders();
    HeaderEncoding.NONE.apply(none, ids);
    assertThat(none.toArray()).isEmpty();
    RecordHeaders idOnly = new RecordHeaders();
    HeaderEncoding.ID_ONLY.apply(idOnly, ids);
    assertThat(idOnly.toArray()).extracting(Header::key).containsExactly(ProvenanceHeaders.ID);
  }

  @Test
  void bytesAddedFollowTheRecordFormat() {
    // Per header: varint key length, key, varint value length, value.
    assertThat(HeaderEncoding.NONE.bytesAdded(15, 100)).isZero();
    assertThat(HeaderEncoding.TWO_HEADERS.bytesAdded(15, 100)).isEqualTo((1 + 13 + 1 + 32) + (1 + 10 + 1 + 16));
    assertThat(HeaderEncoding.ONE_HEADER.bytesAdded(15, 100)).isEqualTo(1 + 7 + 1 + 48);
    assertThat(HeaderEncoding.ID_ONLY.bytesAdded(15, 100)).isEqualTo(1 + 10 + 1 + 16);
  }

  @Test
  void routedProducerStampsARouteHeaderAsLongAsTheRawOne() throws Exception {
    AuthorityMap map = parse(Variant.routedDocument(Variant.EPOCH), List.of(Variant.ORIGIN, Variant.OTHER));
    Payloads payloads = new Payloads(100, 512, 9);
    Set<String> slices = new HashSet<>();
    for (int i = 0; i < 512; i++) {
      Route route = map.route("bench.producer.7", payloads.key(i));
      assertThat(route.owner()).isEqualTo(Variant.ORIGIN);
      assertThat(route.routeHeader().value()).hasSameSizeAs(HeaderEncoding.ROUTE.value());
      slices.add(route.slice());
    }
    // Both slices are exercised, so every send serializes its key and looks up its slice.
    assertThat(slices).containsExactlyInAnyOrder("early", "later");
  }

  @Test
  void consumerDocumentReadsTheSourceWhereTheRecordsAre() throws Exception {
    AuthorityMap map = parse(ConsumerComparison.consumerDocument(), List.of(Variant.ORIGIN, Variant.OTHER));
    assertThat(map.ruleFor("bench.consume.3").readCluster()).isEqualTo(Variant.ORIGIN);
  }

  @Test
  void clientThreadsAreTheSenderTheNetworkThreadsAndTheRefresher() {
    assertThat(Measurements.isClientThread("bench-send-bench-1", "bench-1")).isTrue();
    assertThat(Measurements.isClientThread("kafka-producer-network-thread | bench-1", "bench-1")).isTrue();
    assertThat(Measurements.isClientThread("kafka-producer-network-thread | bench-1-onprem-east", "bench-1")).isTrue();
    assertThat(Measurements.isClientThread("turnout-authority-refresh-bench-1", "bench-1")).isTrue();
    assertThat(Measurements.isClientThread("kafka-producer-network-thread | bench-12", "bench-1")).isFalse();
    assertThat(Measurements.isClientThread("data-plane-kafka-request-handler-0", "bench-1")).isFalse();
  }

  @Test
  void rotationInterleavesTheOrderOfVariants() {
    List<String> variants = List.of("a", "b", "c");
    assertThat(ProducerComparison.rotate(variants, 0)).containsExactly("a", "b", "c");
    assertThat(ProducerComparison.rotate(variants, 1)).containsExactly("b", "c", "a");
    assertThat(ProducerComparison.rotate(variants, 5)).containsExactly("c", "a", "b");
  }

  @Test
  void everyCycleOfTurnsIsAPermutationAndEachProducerFollowsEachOtherEquallyOften() {
    int n = 3;
    Map<String, Integer> followed = new HashMap<>();
    for (int cycle = 0; cycle < 6; cycle++) {
      Set<Integer> seen = new HashSet<>();
      for (int j = 0; j < n; j++) {
        int producer = Measurements.turnOrder(n, cycle, j);
        assertThat(producer).isBetween(0, n - 1);
        seen.add(producer);
        if (j > 0) {
          followed.merge(Measurements.turnOrder(n, cycle, j - 1) + "->" + producer, 1, Integer::sum);
        }
      }
      assertThat(seen).hasSize(n);
    }
    assertThat(followed).hasSize(n * (n - 1)).allSatisfy((pair, count) -> assertThat(count).isEqualTo(2));
  }

  @Test
  void routingConsumerConfigurationIsAcceptedAndLoadsTheMirrorDocument(@TempDir Path dir) {
    Path authority = dir.resolve("authority.properties");
    Variant.writeAtomically(authority, ConsumerComparison.consumerDocument());
    // Construction connects to no broker: the cluster clients are created at the first poll.
    try (RoutingConsumer<byte[], byte[]> consumer = new RoutingConsumer<>(
        ConsumerComparison.routedConfig("localhost:1", authority, "bench-group-test"), new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      Object epoch = consumer.metrics().entrySet().stream()
          .filter(e -> e.getKey().group().equals("turnout") && e.getKey().name().equals("authority-epoch"))
          .findFirst().orElseThrow().getValue().metricValue();
      assertThat(((Number) epoch).longValue()).isEqualTo(1);
      assertThat(consumer.subscription()).isEmpty();
    }
  }
}
