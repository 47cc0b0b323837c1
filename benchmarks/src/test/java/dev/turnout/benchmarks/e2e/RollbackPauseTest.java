package dev.turnout.benchmarks.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.authority.MigrationState;
import java.io.IOException;
import java.io.StringReader;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class RollbackPauseTest {

  private static final RollbackPause.Settings SETTINGS = new RollbackPause.Settings(2, 10_000, 3, 1, 100);

  @Test
  void theDocumentsPromoteTheSliceToTheTargetAndRollItBack() throws IOException {
    AuthorityMap mirror = parse(RollbackPause.document("t", 1));
    AuthorityMap promoted = parse(RollbackPause.document("t", 2));
    AuthorityMap rolledBack = parse(RollbackPause.document("t", 3));

    assertThat(mirror.ruleFor("t").state()).isEqualTo(MigrationState.MIRROR);
    assertThat(promoted.epoch()).isEqualTo(2);
    assertThat(promoted.ruleFor("t").state()).isEqualTo(MigrationState.WRITE_PROMOTION);
    assertThat(rolledBack.epoch()).isEqualTo(3);
    assertThat(RollbackPause.document("t", 2)).contains("rule.r.slice.s10.owner=target");
    assertThat(RollbackPause.document("t", 3)).contains("rule.r.slice.s10.owner=source");
  }

  @Test
  void theKeysAllFallInTheSlice() {
    byte[][] keys = RollbackPause.sliceKeys(50);

    assertThat(keys.length).isEqualTo(50);
    assertThat(List.of(keys)).allSatisfy(k -> assertThat(AuthorityMap.bucket(k)).isLessThan(1_000));
  }

  @Test
  void renderShowsEachRoundsHeldLatenciesPauseAndRate() {
    RollbackPause.Round first = new RollbackPause.Round(10_000, 10_000, 500e6, new double[] {100e6, 300e6, 480e6});
    RollbackPause.Round second = new RollbackPause.Round(10_020, 10_020, 1_000e6, new double[] {900e6});
    RollbackPause.Results results = new RollbackPause.Results(SETTINGS, List.of(first, second));

    String page = RollbackPause.render(results);

    assertThat(first.recordsPerSecond()).isEqualTo(20_000);
    assertThat(page).contains("| 1 | 10,000 | 10,000 | 3 | 300.0 | 480.0 | 480.0 | 500.0 | 20,000 |")
        .contains("| 2 | 10,020 | 10,020 | 1 | 900.0 | 900.0 | 900.0 | 1000.0 | 10,020 |")
        .contains("| all |  |  | 4 |").contains("10,000 records of slice `s10`");
  }

  @Test
  void thePauseIsReportedWithoutATarget() {
    RollbackPause.Results results = new RollbackPause.Results(SETTINGS,
        List.of(new RollbackPause.Round(10_000, 10_000, 500e6, new double[] {100e6})));

    assertThat(RollbackPause.targets(results)).isEmpty();
  }

  @Test
  void settingsMustBePositive() {
    assertThatThrownBy(() -> new RollbackPause.Settings(0, 10_000, 3, 1, 100))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be positive");
  }

  private static AuthorityMap parse(String text) throws IOException {
    Properties properties = new Properties();
    properties.load(new StringReader(text));
    Map<String, String> document = new HashMap<>();
    properties.stringPropertyNames().forEach(k -> document.put(k, properties.getProperty(k)));
    return AuthorityMap.parse(document, List.of(RollbackPause.SOURCE, RollbackPause.TARGET));
  }
}
