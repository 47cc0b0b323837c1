package dev.turnout.cli.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.turnout.authority.MigrationState;
import dev.turnout.cli.json.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Help.Ansi;
import picocli.CommandLine.TypeConversionException;

class SmallPiecesTest {

  @Test
  void durationsInShortFormOrIso() {
    DurationConverter c = new DurationConverter();

    assertThat(c.convert("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(c.convert("5s")).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.convert("7d")).isEqualTo(Duration.ofDays(7));
    assertThat(c.convert("PT2M")).isEqualTo(Duration.ofMinutes(2));
    assertThatThrownBy(() -> c.convert("soon")).isInstanceOf(TypeConversionException.class)
        .hasMessageContaining("'soon' is not a duration").hasMessageContaining("7d");
    assertThat(Format.duration(Duration.ofDays(7))).isEqualTo("7d");
    assertThat(Format.duration(Duration.ofMillis(1500))).isEqualTo("1.5s");
    assertThat(Format.duration(Duration.ofMillis(250))).isEqualTo("250ms");
  }

  @Test
  void commitStampEpochsByTheirDocumentedFormat() {
    assertThat(OffsetsCheck.stampEpoch("turnout:12:c:app")).isEqualTo(12);
    assertThat(OffsetsCheck.stampEpoch("turnout:9:h1733371200000:")).isEqualTo(9);
    assertThat(OffsetsCheck.stampEpoch("plain metadata")).isEqualTo(-1);
    assertThat(OffsetsCheck.stampEpoch(null)).isEqualTo(-1);
  }

  @Test
  void aSinkConnectorReadsTheRuleByItsTopicsOrItsRegex() {
    List<String> topics = List.of("orders", "orders.v2");

    assertThat(ConnectorsCheck.reads(Map.of("topics", "audit, orders.v2"), topics)).isTrue();
    assertThat(ConnectorsCheck.reads(Map.of("topics.regex", "orders\\..*"), topics)).isTrue();
    assertThat(ConnectorsCheck.reads(Map.of("topics", "audit"), topics)).isFalse();
    assertThat(ConnectorsCheck.reads(Map.of("topics.regex", "(broken"), topics)).isFalse();
  }

  @Test
  void textIsAlignedAndJsonIsOneObject() {
    GateReport report = new GateReport("orders", MigrationState.DUAL_READ, List.of(
        new GateLine("replication", "lag orders", Status.GREEN, "0 records, 0ms", "<= 1000 records, <= 5s", ""),
        GateLine.grey("fleet", "status topic", "no --status-topic given"),
        new GateLine("connectors", "dlq sink", Status.RED, "onprem 0, cloud 1", "0 records", "records in dlq")));
    StringWriter text = new StringWriter();
    report.printText(new PrintWriter(text), Ansi.OFF);
    StringWriter json = new StringWriter();
    report.printJson(new PrintWriter(json));

    List<String> rows = text.toString().lines().toList();
    assertThat(rows.get(0)).isEqualTo("gate orders -> DUAL_READ: RED (1 green, 1 red, 1 grey)");
    assertThat(rows.get(1)).startsWith("GROUP        STATUS  CHECK         LIVE");
    assertThat(rows.get(2).indexOf("GREEN")).isEqualTo(rows.get(3).indexOf("GREY"));
    assertThat(rows.get(2).indexOf("<= 1000")).isEqualTo(rows.get(4).indexOf("0 records"));
    assertThat(report.red()).isTrue();
    @SuppressWarnings("unchecked")
    Map<String, Object> parsed = (Map<String, Object>) Json.parse(json.toString());
    assertThat(parsed).containsEntry("status", "RED").containsEntry("next", "DUAL_READ");
    assertThat((List<?>) parsed.get("lines")).hasSize(3);
  }

  @Test
  void aCheckThatFailsGivesARedLineNeverAGreenOne() {
    GateCheck broken = new GateCheck() {
      @Override
      public String group() {
        return "broken";
      }

      @Override
      public List<GateLine> evaluate(GateContext context) {
        throw new IllegalStateException("boom");
      }
    };

    GateReport report = GateReport.run(FleetCheckTest.context(GateContext.Fleet.notGiven()), List.of(broken));

    assertThat(report.lines()).singleElement().satisfies(l -> {
      assertThat(l.status()).isEqualTo(Status.RED);
      assertThat(l.detail()).contains("IllegalStateException: boom");
    });
  }

  @Test
  void withoutConnectTheConnectorsAreGreyAndWithoutSinceEpochTheRollbackIsGrey() throws Exception {
    GateContext c = FleetCheckTest.context(GateContext.Fleet.notGiven());

    assertThat(new ConnectorsCheck().evaluate(c)).singleElement().extracting(GateLine::status)
        .isEqualTo(Status.GREY);
    assertThat(new RollbackCheck().evaluate(c)).isEmpty(); // DUAL_READ: no rollback cost yet
  }
}
