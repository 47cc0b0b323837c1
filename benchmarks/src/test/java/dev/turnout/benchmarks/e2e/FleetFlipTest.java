package dev.turnout.benchmarks.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.authority.MigrationState;
import dev.turnout.benchmarks.report.Stats;
import dev.turnout.benchmarks.report.TargetCheck;
import java.io.IOException;
import java.io.StringReader;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class FleetFlipTest {

  @Test
  void eachFlipsDocumentIsValidAndChangesOnlyTheEpoch() throws IOException {
    AuthorityMap first = parse(FleetFlip.document(7));
    AuthorityMap next = parse(FleetFlip.document(8));

    assertThat(first.epoch()).isEqualTo(7);
    assertThat(next.epoch()).isEqualTo(8);
    assertThat(next.ruleFor("bench.fleet-abc").state()).isEqualTo(MigrationState.MIRROR);
    assertThat(next.ruleFor("bench.fleet-abc").readCluster()).isEqualTo(first.ruleFor("bench.fleet-abc").readCluster());
  }

  @Test
  void theTargetIsMetOnlyWhenTheReadersP99IsUnderOneSecond() {
    Stats fast = Stats.of(120e6, 180e6, 240e6);
    Stats slow = Stats.of(300e6, 900e6, 1_400e6);

    assertThat(FleetFlip.targets(new FleetFlip.Results(20, fast, fast))).extracting(TargetCheck::status)
        .containsExactly(TargetCheck.Status.MET);
    assertThat(FleetFlip.targets(new FleetFlip.Results(20, slow, fast))).extracting(TargetCheck::status)
        .containsExactly(TargetCheck.Status.MISSED);
    assertThat(FleetFlip.render(new FleetFlip.Results(20, fast, slow))).contains("| 20 |").contains("240");
  }

  private static AuthorityMap parse(String text) throws IOException {
    Properties properties = new Properties();
    properties.load(new StringReader(text));
    Map<String, String> document = new HashMap<>();
    properties.stringPropertyNames().forEach(k -> document.put(k, properties.getProperty(k)));
    return AuthorityMap.parse(document, List.of(Variant.ORIGIN, Variant.OTHER));
  }
}
