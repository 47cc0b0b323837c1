package dev.turnout.benchmarks;

import dev.turnout.benchmarks.report.MarkdownTable;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.utils.AppInfoParser;

/** The machine and software a run measured: what a reader needs to compare numbers across machines. */
final class Machine {

  private Machine() {}

  /** The first value of {@code key} in a {@code key : value} file such as /proc/cpuinfo. */
  static Optional<String> procValue(Path file, String key) {
    try {
      for (String line : Files.readAllLines(file)) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).trim().equals(key)) {
          return Optional.of(line.substring(colon + 1).trim());
        }
      }
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }

  /** The 1-, 5- and 15-minute load averages, or {@code unknown}. */
  static String loadAverage() {
    try {
      List<String> parts = List.of(Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+"));
      return parts.size() >= 3 ? String.join(" / ", parts.subList(0, 3)) : "unknown";
    } catch (IOException | RuntimeException e) {
      double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
      return load < 0 ? "unknown" : String.valueOf(load);
    }
  }

  /** The file system type holding {@code path} (longest mount point in /proc/mounts), or {@code unknown}. */
  static String filesystemOf(Path path) {
    try {
      String target = path.toAbsolutePath().normalize().toString();
      String bestMount = "";
      String bestType = "unknown";
      for (String line : Files.readAllLines(Path.of("/proc/mounts"))) {
        String[] f = line.split(" ");
        if (f.length >= 3 && (target.equals(f[1]) || target.startsWith(f[1].endsWith("/") ? f[1] : f[1] + "/"))
            && f[1].length() > bestMount.length()) {
          bestMount = f[1];
          bestType = f[2];
        }
      }
      return bestType;
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  /** A table of the machine's details. */
  static String describe(String loadAtStart, String loadAtEnd) {
    MarkdownTable table = new MarkdownTable("", "");
    table.row("CPUs (nproc)", Runtime.getRuntime().availableProcessors());
    table.row("CPU model", procValue(Path.of("/proc/cpuinfo"), "model name").orElse("unknown"));
    table.row("memory", procValue(Path.of("/proc/meminfo"), "MemTotal").orElse("unknown"));
    table.row("OS", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
        + System.getProperty("os.arch"));
    table.row("JDK", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
    table.row("JVM arguments", String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
    table.row("broker data directory", tmp + " (" + filesystemOf(tmp) + ")");
    table.row("kafka-clients and broker", AppInfoParser.getVersion());
    table.row("JMH", jmhVersion());
    table.row("load average (1/5/15 min) at start", loadAtStart);
    table.row("load average (1/5/15 min) at end", loadAtEnd);
    return table.render();
  }

  private static String jmhVersion() {
    try (var in = Machine.class.getResourceAsStream("/META-INF/maven/org.openjdk.jmh/jmh-core/pom.properties")) {
      if (in == null) {
        return "unknown";
      }
      java.util.Properties p = new java.util.Properties();
      p.load(in);
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }
}
