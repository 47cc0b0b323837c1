package dev.turnout.internal.provenance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.turnout.internal.provenance.ProvenanceHeaders.RouteStamp;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ProvenanceHeadersTest {

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void headerNamesAndIdLengthArePartOfTheWireFormat() {
    assertThat(ProvenanceHeaders.ROUTE).isEqualTo("turnout.route");
    assertThat(ProvenanceHeaders.ID).isEqualTo("turnout.id");
    assertThat(ProvenanceHeaders.ID_LENGTH).isEqualTo(16);
    assertThat(ProvenanceHeaders.NO_SLICE).isEqualTo("-");
  }

  @Test
  void routeHeaderEncodesOriginEpochRuleAndSlice() {
    Header header = ProvenanceHeaders.routeHeader("cloud", 12, "orders", "canary");
    assertThat(header.key()).isEqualTo(ProvenanceHeaders.ROUTE);
    assertThat(header.value()).isEqualTo(utf8("cloud/12/orders/canary"));
  }

  @Test
  void routeHeaderWritesDashForAnUnslicedRule() {
    assertThat(ProvenanceHeaders.routeHeader("onprem", 0, "audit", null).value()).isEqualTo(utf8("onprem/0/audit/-"));
  }

  @Test
  void routeHeaderIsUtf8() {
    assertThat(ProvenanceHeaders.routeHeader("zürich", 5, "r", "s").value())
        .isEqualTo(new byte[] {'z', (byte) 0xC3, (byte) 0xBC, 'r', 'i', 'c', 'h', '/', '5', '/', 'r', '/', 's'});
  }

  @ParameterizedTest
  @CsvSource(nullValues = "NULL", value = {
      "cloud,  12,                  orders,     canary",
      "onprem, 0,                   audit,      NULL",
      "dc-1_a, 9223372036854775807, r_2-x,      null-key",
      "zürich, 42,                  Orders_V2,  S-1",
      "a.b,    1,                   a,          b"})
  void routeHeaderRoundTrips(String origin, long epoch, String rule, String slice) {
    Header header = ProvenanceHeaders.routeHeader(origin, epoch, rule, slice);
    RouteStamp stamp = ProvenanceHeaders.parseRoute(header.value());
    assertThat(stamp).isEqualTo(new RouteStamp(origin, epoch, rule, slice));
    assertThat(stamp.origin()).isEqualTo(origin);
    assertThat(stamp.epoch()).isEqualTo(epoch);
    assertThat(stamp.rule()).isEqualTo(rule);
    assertThat(stamp.slice()).isEqualTo(slice);
  }

  @Test
  void randomRouteHeadersRoundTrip() {
    String chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.äé";
    long seed = 20240601L;
    Random random = new Random(seed);
    for (int i = 0; i < 2_000; i++) {
      String origin = randomName(random, chars);
      String rule = randomName(random, chars);
      String slice = random.nextInt(3) == 0 ? null : randomName(random, chars);
      if ("-".equals(slice)) {
        slice = null; // "-" is the reserved spelling of "no slice"
      }
      long epoch = random.nextBoolean() ? random.nextInt(1000) : random.nextLong() & Long.MAX_VALUE;
      RouteStamp stamp = ProvenanceHeaders.parseRoute(ProvenanceHeaders.routeHeader(origin, epoch, rule, slice).value());
      assertThat(stamp).as("seed=%d iteration %d", seed, i).isEqualTo(new RouteStamp(origin, epoch, rule, slice));
    }
  }

  private static String randomName(Random random, String chars) {
    StringBuilder sb = new StringBuilder();
    int len = 1 + random.nextInt(12);
    for (int i = 0; i < len; i++) {
      sb.append(chars.charAt(random.nextInt(chars.length())));
    }
    return sb.toString();
  }

  @Test
  void nullValueIsNotARoute() {
    assertThat(ProvenanceHeaders.parseRoute(null)).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "",
      "cloud",
      "cloud/12",
      "cloud/12/orders",
      "cloud/12/orders/canary/extra",
      "/12/orders/canary",
      "cloud//orders/canary",
      "cloud/12//canary",
      "cloud/12/orders/",
      "cloud/x/orders/canary",
      "cloud/1.5/orders/canary",
      "cloud/-1/orders/canary",
      "cloud/99999999999999999999/orders/canary",
      "cloud/ 12/orders/canary",
      "///",
      "cloud/12/orders/canary/"})
  void malformedValuesAreNotRoutes(String value) {
    assertThat(ProvenanceHeaders.parseRoute(utf8(value))).as("'%s'", value).isNull();
  }

  @Test
  void routeStampRequiresOriginAndRule() {
    assertThatThrownBy(() -> new RouteStamp(null, 1, "r", null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new RouteStamp("o", 1, null, null)).isInstanceOf(NullPointerException.class);
    assertThat(new RouteStamp("o", 1, "r", null).slice()).isNull();
  }

  @Test
  void theStampedCopyKeepsCallerHeadersInOrderAndAppendsRouteAndId() {
    Header route = ProvenanceHeaders.routeHeader("cloud", 12, "orders", "canary");
    byte[] id = new RecordIds(5).next();
    Header[] caller = {
        new RecordHeader("trace", utf8("t1")),
        new RecordHeader(ProvenanceHeaders.ROUTE, utf8("forged/1/x/-")),
        new RecordHeader("trace", utf8("t2")),
        new RecordHeader(ProvenanceHeaders.ID, new byte[16]),
        new RecordHeader("tenant", utf8("acme"))};
    Header[] before = caller.clone();
    ProducerRecord<String, String> record = new ProducerRecord<>("orders", 2, 1_700_000_000_000L, "k", "v",
        java.util.Arrays.asList(caller));

    ProducerRecord<String, String> copy = ProvenanceHeaders.stampedCopy(record, route, id);
    Header[] stamped = copy.headers().toArray();

    assertThat(stamped).extracting(Header::key)
        .containsExactly("trace", "trace", "tenant", ProvenanceHeaders.ROUTE, ProvenanceHeaders.ID);
    assertThat(stamped[0]).isSameAs(caller[0]);
    assertThat(stamped[1]).isSameAs(caller[2]);
    assertThat(stamped[2]).isSameAs(caller[4]);
    assertThat(stamped[3]).isSameAs(route);
    assertThat(stamped[4].value()).isSameAs(id);
    assertThat(caller).containsExactly(before);
    assertThat(record.headers().toArray()).containsExactly(before);
    assertThat(copy).isNotSameAs(record);
    assertThat(copy.topic()).isEqualTo("orders");
    assertThat(copy.partition()).isEqualTo(2);
    assertThat(copy.timestamp()).isEqualTo(1_700_000_000_000L);
    assertThat(copy.key()).isEqualTo("k");
    assertThat(copy.value()).isEqualTo("v");
  }

  @Test
  void aStampedCopyWithoutCallerHeadersHasExactlyTheTwoProvenanceHeaders() {
    Header route = ProvenanceHeaders.routeHeader("onprem", 3, "audit", null);
    byte[] id = new RecordIds(9).next();
    ProducerRecord<String, String> record = new ProducerRecord<>("audit", null, "v");
    Header[] stamped = ProvenanceHeaders.stampedCopy(record, route, id).headers().toArray();
    assertThat(record.headers().toArray()).isEmpty();
    assertThat(stamped).hasSize(2);
    assertThat(stamped[0]).isSameAs(route);
    assertThat(stamped[1].key()).isEqualTo(ProvenanceHeaders.ID);
    assertThat(RecordIds.sequenceOf(stamped[1].value())).isEqualTo(1);
    assertThat(RecordIds.instanceOf(stamped[1].value())).isEqualTo(9);
  }

  @Test
  void reconciledMarkerEncodesTargetAliasPartitionAndOffset() {
    assertThat(ProvenanceHeaders.RECONCILED).isEqualTo("turnout.reconciled");
    Header header = ProvenanceHeaders.reconciledHeader("cloud", 3, 1234);
    assertThat(header.key()).isEqualTo("turnout.reconciled");
    assertThat(header.value()).isEqualTo(utf8("cloud/3/1234"));
    assertThat(ProvenanceHeaders.parseReconciled(header.value()))
        .isEqualTo(new ProvenanceHeaders.ReconciledStamp("cloud", 3, 1234));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "cloud", "cloud/3", "/3/4", "cloud/x/4", "cloud/3/y", "cloud/-1/4", "cloud/3/-4",
      "cloud/3/4/5"})
  void malformedReconciledMarkersParseToNull(String value) {
    assertThat(ProvenanceHeaders.parseReconciled(utf8(value))).isNull();
  }

  @Test
  void aRoutedCopyDropsAReconciledMarkerOfTheCallersRecord() {
    ProducerRecord<String, String> record = new ProducerRecord<>("orders", "k", "v");
    record.headers().add(ProvenanceHeaders.reconciledHeader("cloud", 0, 7));
    record.headers().add(new RecordHeader("app", utf8("x")));
    ProducerRecord<String, String> copy = ProvenanceHeaders.stampedCopy(record,
        ProvenanceHeaders.routeHeader("cloud", 2, "orders", "s"), new byte[16]);
    assertThat(copy.headers().lastHeader(ProvenanceHeaders.RECONCILED)).isNull();
    assertThat(copy.headers().lastHeader("app")).isNotNull();
    assertThat(ProvenanceHeaders.parseReconciled(null)).isNull();
  }
}
