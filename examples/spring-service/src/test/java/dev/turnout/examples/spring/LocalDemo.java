package dev.turnout.examples.spring;

import dev.turnout.testkit.InProcessMirrorMaker;
import dev.turnout.testkit.TwoClusters;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Runs the order service against two embedded clusters (onprem and cloud) with MirrorMaker 2 replicating
 * onprem to cloud, for trying the example without Kafka installed. See the example's README.
 *
 * <p>The service routes by a copy of the tracked {@code authority.properties}, made at every start in the
 * module's {@code target/} directory, so a flip edits the copy and every run starts at epoch 1. Stopping
 * (Ctrl-C) closes the service first (its listener, producers and consumers), then MirrorMaker, then the
 * clusters, in one shutdown hook registered before anything starts: Spring's own shutdown hooks (closing the
 * context, stopping logging) are not registered, since they would run while the clusters close.
 */
public final class LocalDemo implements AutoCloseable {

  static final String AUTHORITY = "authority.properties";

  /** What has started, the last started first: the service, MirrorMaker, the clusters. */
  private final Deque<AutoCloseable> started = new ArrayDeque<>();
  private boolean closed;
  private volatile Path authority;
  private volatile ConfigurableApplicationContext context;

  private LocalDemo() {}

  public static void main(String[] args) {
    LocalDemo demo = new LocalDemo();
    // Registered before anything starts, so that Ctrl-C during the start also closes what has started.
    Runtime.getRuntime().addShutdownHook(new Thread(demo::close, "local-demo-stop"));
    try {
      demo.run(moduleDirectory(), args);
    } catch (RuntimeException | Error e) {
      demo.close();
      throw e;
    }
    System.out.println("Order service at http://localhost:"
        + demo.context().getEnvironment().getProperty("local.server.port") + "; Ctrl-C stops it");
  }

  /**
   * Starts the clusters, MirrorMaker and the service routed by a fresh copy of {@code module/authority.properties}.
   *
   * @param module the example's directory, holding the initial authority document
   * @param args Spring Boot arguments, such as {@code --server.port=0}
   */
  static LocalDemo start(Path module, String... args) {
    LocalDemo demo = new LocalDemo();
    try {
      demo.run(module, args);
      return demo;
    } catch (RuntimeException | Error e) {
      demo.close();
      throw e;
    }
  }

  private void run(Path module, String... args) {
    authority = freshAuthorityCopy(module);
    TwoClusters clusters = started(TwoClusters.start());
    clusters.createTopic(OrderController.TOPIC, 3);
    started(InProcessMirrorMaker.builder(clusters).topics(OrderController.TOPIC).start());
    System.out.println("onprem at " + clusters.source().bootstrapServers() + ", cloud at "
        + clusters.target().bootstrapServers() + ", authority file " + authority);
    String[] withClusters = Arrays.copyOf(args, args.length + 3);
    withClusters[args.length] = "--SOURCE_BOOTSTRAP=" + clusters.source().bootstrapServers();
    withClusters[args.length + 1] = "--TARGET_BOOTSTRAP=" + clusters.target().bootstrapServers();
    withClusters[args.length + 2] = "--TURNOUT_AUTHORITY_FILE=" + authority.toAbsolutePath();
    SpringApplication application = new SpringApplication(OrderServiceApplication.class);
    application.setRegisterShutdownHook(false);
    // Spring's logging shutdown hook would stop logging while this demo's hook still logs the close.
    application.setDefaultProperties(Map.of("logging.register-shutdown-hook", "false"));
    context = started(application.run(withClusters));
  }

  /** Remembers a part to close, or closes it at once if the demo was stopped while it started. */
  private <T extends AutoCloseable> T started(T part) {
    synchronized (started) {
      if (!closed) {
        started.push(part);
        return part;
      }
    }
    closeQuietly(part);
    throw new IllegalStateException("The demo was stopped while it started");
  }

  /**
   * Copies {@code module/authority.properties} to {@code module/target/authority.properties}, replacing the copy
   * a previous run flipped.
   */
  static Path freshAuthorityCopy(Path module) {
    Path initial = module.resolve(AUTHORITY);
    Path copy = module.resolve("target").resolve(AUTHORITY);
    try {
      Files.createDirectories(copy.getParent());
      return Files.copy(initial, copy, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot copy the initial authority document " + initial.toAbsolutePath()
          + " to " + copy.toAbsolutePath() + ": run the demo from the repository root or from "
          + "examples/spring-service", e);
    }
  }

  /** The example's directory: {@code examples/spring-service} from the repository root, else the working one. */
  static Path moduleDirectory() {
    Path fromRoot = Path.of("examples", "spring-service");
    return Files.exists(fromRoot.resolve(AUTHORITY)) ? fromRoot : Path.of("");
  }

  /** The copy of the authority document the service routes by; flips edit it. */
  Path authority() {
    return authority;
  }

  /** The running service. */
  ConfigurableApplicationContext context() {
    return context;
  }

  /**
   * Closes the service (listener containers, producers, consumers, authority refreshers), then MirrorMaker, then
   * the clusters, so that no client is left talking to a stopped broker. Calling it again has no effect.
   */
  @Override
  public void close() {
    synchronized (started) {
      closed = true;
      while (!started.isEmpty()) {
        closeQuietly(started.pop());
      }
    }
  }

  private static void closeQuietly(AutoCloseable part) {
    try {
      part.close();
    } catch (Exception e) {
      System.err.println("Could not close " + part + ": " + e);
    }
  }
}
