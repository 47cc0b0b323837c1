package dev.turnout.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.turnout.benchmarks.BenchmarkSuite.Options;
import dev.turnout.benchmarks.BenchmarkSuite.Part;
import java.nio.file.Path;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

class BenchmarkSuiteOptionsTest {

  @Test
  void defaultsRunEverythingInTheFullProfile() {
    Options options = Options.parse();
    assertThat(options.profile()).isEqualTo(Profile.FULL);
    assertThat(options.parts()).isEqualTo(EnumSet.allOf(Part.class));
    assertThat(options.output()).isEqualTo(Path.of("docs", "benchmarks.md"));
    assertThat(options.jmhJson()).isNull();
  }

  @Test
  void parsesEveryOption() {
    Options options = Options.parse("--profile", "SMOKE", "--parts", "micro, flip", "--output", "/tmp/x.md",
        "--jmh-json", "/tmp/j.json");
    assertThat(options.profile()).isEqualTo(Profile.SMOKE);
    assertThat(options.parts()).containsExactly(Part.MICRO, Part.FLIP);
    assertThat(options.output()).isEqualTo(Path.of("/tmp/x.md"));
    assertThat(options.jmhJson()).isEqualTo(Path.of("/tmp/j.json"));
  }

  @Test
  void badArgumentsSayWhatIsWrong() {
    assertThatThrownBy(() -> Options.parse("--profile", "fast")).hasMessageContaining("unknown profile 'fast'");
    assertThatThrownBy(() -> Options.parse("--parts", "micro,nope")).hasMessageContaining("unknown part 'nope'");
    assertThatThrownBy(() -> Options.parse("--verbose", "x")).hasMessageContaining("unknown option --verbose");
    assertThatThrownBy(() -> Options.parse("--output")).hasMessageContaining("needs a value");
  }

  @Test
  void profilesCoverTheSameBenchmarks() {
    for (Profile profile : Profile.values()) {
      assertThat(profile.producer.valueSizes()).containsExactly(100, 1024);
      assertThat(profile.provenance.compressions()).contains("none");
      assertThat(profile.provenance.compressions()).hasSizeGreaterThan(1);
      assertThat(profile.flip.trialsByRefreshMillis()).containsKeys(100L, 1000L);
      assertThat(profile.consumer.recordsBySize()).containsKeys(100, 1024);
      // The cutover benchmark emulates a remote cluster's replication (1 s, as the cutover tests do), and
      // spaces cutovers so that a barrier normally opens before the next one starts.
      assertThat(profile.barrier.replicationLagMillis()).isEqualTo(1000);
      assertThat(profile.barrier.interval().toMillis())
          .isGreaterThanOrEqualTo(2 * profile.barrier.replicationLagMillis());
    }
    assertThat(Profile.FULL.producer.rounds()).isGreaterThanOrEqualTo(5);
    // docs/benchmarks.md describes 12 measured cutovers in about 50 s of the full run.
    assertThat(Profile.FULL.barrier.cutovers()).isEqualTo(12);
    assertThat(Profile.FULL.barrier.maxSending()).isLessThanOrEqualTo(java.time.Duration.ofSeconds(50));
  }
}
