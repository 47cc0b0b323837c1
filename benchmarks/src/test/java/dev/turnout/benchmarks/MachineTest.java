package dev.turnout.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MachineTest {

  @Test
  void readsTheFirstValueOfAKey(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("cpuinfo");
    Files.writeString(file, "processor\t: 0\nmodel name\t: Some CPU @ 2.0GHz\n\nprocessor\t: 1\nmodel name\t: Other\n");
    assertThat(Machine.procValue(file, "model name")).contains("Some CPU @ 2.0GHz");
    assertThat(Machine.procValue(file, "flags")).isEmpty();
    assertThat(Machine.procValue(dir.resolve("missing"), "model name")).isEmpty();
  }

  @Test
  void describesTheMachine() {
    String table = Machine.describe("1 / 2 / 3", "4 / 5 / 6");
    assertThat(table).contains("| CPUs (nproc) | " + Runtime.getRuntime().availableProcessors() + " |")
        .contains("| JDK | ").contains("| kafka-clients and broker | ").contains("1 / 2 / 3").contains("4 / 5 / 6")
        .contains("| broker data directory | ");
    assertThat(Machine.loadAverage()).isNotBlank();
  }
}
