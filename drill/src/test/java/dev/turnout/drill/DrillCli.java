package dev.turnout.drill;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs the drill's command line in this JVM and keeps what it printed, for the tests of its options. */
final class DrillCli {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  /** Runs {@link DrillMain} with {@code args}; its exit code. */
  int run(String... args) {
    return DrillMain.run(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), args);
  }

  /** What every run so far printed, standard output then standard error. */
  String printed() {
    return out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
  }

  /** Forgets what was printed on standard output. */
  void resetOut() {
    out.reset();
  }
}
