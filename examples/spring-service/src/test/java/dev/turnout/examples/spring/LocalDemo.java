package dev.turnout.examples.spring;

import dev.turnout.testkit.InProcessMirrorMaker;
import dev.turnout.testkit.TwoClusters;
import java.nio.file.Files;
import java.nio.file.Path;
import org.springframework.boot.SpringApplication;

/**
 * Runs the order service against two embedded clusters (onprem and cloud) with MirrorMaker 2 replicating
 * onprem to cloud, for trying the example without Kafka installed. See the example's README.
 */
public final class LocalDemo {

  private LocalDemo() {}

  public static void main(String[] args) {
    TwoClusters clusters = TwoClusters.start();
    clusters.createTopic("orders", 3);
    InProcessMirrorMaker mirrorMaker = InProcessMirrorMaker.builder(clusters).topics("orders").start();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      mirrorMaker.close();
      clusters.close();
    }));
    System.setProperty("SOURCE_BOOTSTRAP", clusters.source().bootstrapServers());
    System.setProperty("TARGET_BOOTSTRAP", clusters.target().bootstrapServers());
    if (System.getProperty("TURNOUT_AUTHORITY_FILE") == null) {
      Path inModule = Path.of("examples/spring-service/authority.properties");
      System.setProperty("TURNOUT_AUTHORITY_FILE",
          (Files.exists(inModule) ? inModule : Path.of("authority.properties")).toAbsolutePath().toString());
    }
    System.out.println("onprem at " + clusters.source().bootstrapServers() + ", cloud at "
        + clusters.target().bootstrapServers() + ", authority file " + System.getProperty("TURNOUT_AUTHORITY_FILE"));
    SpringApplication.run(OrderServiceApplication.class, args);
  }
}
