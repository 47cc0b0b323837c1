package dev.turnout.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.BufferedReader;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The README's local run: the demo routes by a copy of the tracked authority document (a flip leaves the tracked
 * file as it is), and stopping it closes the service before MirrorMaker and the clusters, so nothing logs an error
 * and none of the service's or MirrorMaker's clients warns about a broker that went away.
 */
class LocalDemoIT {

  /** Threads of the brokers and of MirrorMaker's herder, which log a warning or two on every orderly stop. */
  private static final List<String> STOPPING_SERVER_THREADS = List.of("kafka-cluster-test-kit-", "MirrorHerder-");

  /** A WARN or ERROR line of the test logging pattern: level, then thread. */
  private static final Pattern LOG_LINE = Pattern.compile("^\\S+ (WARN|ERROR)\\s+\\[([^\\]]*)\\].*");

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void aFlipEditsTheCopyAndStoppingClosesTheServiceBeforeTheClusters() throws Exception {
    Path module = LocalDemo.moduleDirectory();
    byte[] tracked = Files.readAllBytes(module.resolve(LocalDemo.AUTHORITY));
    ListAppender<ILoggingEvent> stopping = new ListAppender<>();
    LocalDemo demo = LocalDemo.start(module, "--server.port=0", "--turnout.authority.refresh-interval=200ms");
    try {
      assertThat(demo.authority()).isEqualTo(module.resolve("target").resolve(LocalDemo.AUTHORITY))
          .hasBinaryContent(tracked);
      int port = demo.context().getEnvironment().getRequiredProperty("local.server.port", Integer.class);
      assertThat(post(port, "/orders/alice", "two books").statusCode()).isEqualTo(202);

      flip(demo.authority());
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(get(port, "/actuator/turnout"))
          .contains("\"epoch\":2", "\"writesTo\":\"cloud\""));
      assertThat(post(port, "/orders/bob", "a lamp").statusCode()).isEqualTo(202);
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(get(port, "/orders"))
          .isEqualTo("[\"alice:two books\",\"bob:a lamp\"]"));
    } finally {
      Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
      stopping.start();
      root.addAppender(stopping);
      try {
        demo.close();
      } finally {
        root.detachAppender(stopping);
      }
    }

    assertThat(Files.readAllBytes(module.resolve(LocalDemo.AUTHORITY))).isEqualTo(tracked);
    assertThat(Files.readString(demo.authority())).contains("epoch=2");
    // The stop ran: the clusters logged their close (INFO events pass the test logging config for dev.turnout).
    assertThat(stopping.list).extracting(ILoggingEvent::getFormattedMessage)
        .anyMatch(message -> message.startsWith("Kafka cluster 'source' closed"));
    assertThat(stopping.list).filteredOn(event -> event.getLevel().isGreaterOrEqual(Level.ERROR))
        .extracting(LocalDemoIT::describe).isEmpty();
    assertThat(stopping.list).filteredOn(event -> event.getLevel() == Level.WARN)
        .filteredOn(event -> STOPPING_SERVER_THREADS.stream().noneMatch(event.getThreadName()::startsWith))
        .extracting(LocalDemoIT::describe).isEmpty();
  }

  /**
   * Ctrl-C on the demo's JVM: the JVM runs every shutdown hook at once (the demo's, MirrorMaker's own, any the
   * test kit would register), so only one hook may close anything before the clusters.
   */
  @Test
  void aTerminatedDemoStopsWithoutErrorsOrClientWarnings() throws Exception {
    Process demo = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), LocalDemo.class.getName(), "--server.port=0")
        .redirectErrorStream(true).start();
    List<String> output = new CopyOnWriteArrayList<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader lines = demo.inputReader(StandardCharsets.UTF_8)) {
        lines.lines().forEach(output::add);
      } catch (IOException e) {
        output.add("ERROR [reader] cannot read the demo's output: " + e);
      }
    }, "demo-output");
    reader.start();
    try {
      await().atMost(Duration.ofSeconds(90))
          .until(() -> output.stream().anyMatch(line -> line.contains("Ctrl-C stops it")));
      int started = output.size();
      // SIGTERM, as Ctrl-C; Process.destroy() would also close the pipe the demo logs its stop to.
      assertThat(demo.toHandle().destroy()).isTrue();
      assertThat(demo.waitFor(60, TimeUnit.SECONDS)).as("the demo stops").isTrue();
      reader.join(Duration.ofSeconds(10).toMillis());
      List<String> stopping = List.copyOf(output.subList(started, output.size()));
      assertThat(stopping).anyMatch(line -> line.contains("Kafka cluster 'source' closed"));
      assertThat(stopping).filteredOn(line -> LOG_LINE.matcher(line).matches())
          .filteredOn(line -> {
            Matcher event = LOG_LINE.matcher(line);
            return event.matches() && (event.group(1).equals("ERROR")
                || STOPPING_SERVER_THREADS.stream().noneMatch(event.group(2)::startsWith));
          })
          .isEmpty();
    } finally {
      demo.destroyForcibly();
    }
  }

  private static String describe(ILoggingEvent event) {
    return event.getLevel() + " [" + event.getThreadName() + "] " + event.getLoggerName() + " - "
        + event.getFormattedMessage();
  }

  /** The README's flip: replace the copy atomically with a higher epoch. */
  private static void flip(Path authority) throws Exception {
    Path tmp = authority.resolveSibling("authority.tmp");
    Files.writeString(tmp, "epoch=2\nsource=onprem\ntarget=cloud\nrule.orders.topics=orders\n"
        + "rule.orders.state=TARGET_AUTHORITY\n", StandardCharsets.UTF_8);
    Files.move(tmp, authority, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private HttpResponse<String> post(int port, String path, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
        .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "text/plain").build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private String get(int port, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }
}
