package dev.turnout.internal.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.internal.provenance.ProvenanceHeaders;
import dev.turnout.internal.provenance.RecordIds;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class RecordIdentityTest {

  private static ConsumerRecord<byte[], byte[]> record(long offset, long timestamp, String key, String value,
      RecordHeaders headers) {
    return new ConsumerRecord<>("t", 0, offset, timestamp, TimestampType.CREATE_TIME, -1, -1,
        key == null ? null : key.getBytes(StandardCharsets.UTF_8), value == null ? null : value.getBytes(StandardCharsets.UTF_8),
        headers, Optional.empty());
  }

  private static RecordHeaders headers(String... kv) {
    RecordHeaders h = new RecordHeaders();
    for (int i = 0; i < kv.length; i += 2) {
      h.add(new RecordHeader(kv[i], kv[i + 1] == null ? null : kv[i + 1].getBytes(StandardCharsets.UTF_8)));
    }
    return h;
  }

  @Test
  void aPlainRecordMatchesItsCopyAtAnotherOffsetByFingerprint() {
    RecordIdentity id = RecordIdentity.of(record(7, 1000, "k", "v", headers("trace", "1")));
    assertThat(id.byId()).isFalse();
    assertThat(id.offset()).isEqualTo(7);
    assertThat(id.matches(record(99, 1000, "k", "v", headers("trace", "1")))).isTrue();
  }

  @Test
  void anyDifferenceInTimestampKeyValueOrHeadersIsAnotherRecord() {
    RecordIdentity id = RecordIdentity.of(record(7, 1000, "k", "v", headers("trace", "1")));
    assertThat(id.matches(record(7, 1001, "k", "v", headers("trace", "1")))).isFalse();
    assertThat(id.matches(record(7, 1000, "k2", "v", headers("trace", "1")))).isFalse();
    assertThat(id.matches(record(7, 1000, null, "v", headers("trace", "1")))).isFalse();
    assertThat(id.matches(record(7, 1000, "k", "v2", headers("trace", "1")))).isFalse();
    assertThat(id.matches(record(7, 1000, "k", "v", headers("trace", "2")))).isFalse();
    assertThat(id.matches(record(7, 1000, "k", "v", headers("trace", "1", "x", null)))).isFalse();
    assertThat(id.matches(record(7, 1000, "k", "v", headers()))).isFalse();
  }

  @Test
  void nullKeysAndValuesMatchNulls() {
    RecordIdentity id = RecordIdentity.of(record(0, 5, null, null, headers()));
    assertThat(id.matches(record(3, 5, null, null, headers()))).isTrue();
  }

  @Test
  void aTurnoutRecordMatchesByIdAloneAndNamesItsOrigin() {
    byte[] rid = new RecordIds(42).next();
    RecordHeaders h = new RecordHeaders();
    h.add(ProvenanceHeaders.routeHeader("cloud", 3, "orders", null));
    h.add(new RecordHeader(ProvenanceHeaders.ID, rid));
    RecordIdentity id = RecordIdentity.of(record(1, 1000, "k", "v", h));
    assertThat(id.byId()).isTrue();
    assertThat(id.origin()).isEqualTo("cloud");
    RecordHeaders copy = new RecordHeaders();
    copy.add(new RecordHeader(ProvenanceHeaders.ID, rid.clone()));
    assertThat(id.matches(record(50, 2000, "other", "content", copy))).isTrue();
    RecordHeaders otherId = new RecordHeaders();
    otherId.add(new RecordHeader(ProvenanceHeaders.ID, new RecordIds(43).next()));
    assertThat(id.matches(record(1, 1000, "k", "v", otherId))).isFalse();
    assertThat(id.matches(record(1, 1000, "k", "v", headers()))).isFalse();
    assertThat(id.describe()).contains(RecordIds.toHex(rid)).doesNotContain("other");
  }

  @Test
  void descriptionsShowNoContent() {
    RecordIdentity id = RecordIdentity.of(record(7, 1000, "secret-key", "secret-value", headers()));
    assertThat(id.describe()).contains("offset 7").doesNotContain("secret");
    assertThat(RecordIdentity.originOf(headers())).isNull();
  }
}
