package dev.turnout.internal.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ClusterClientsTest {

  private static final List<String> ALIASES = List.of("onprem", "cloud", "dr");

  /** A trivial client: remembers its configuration, whether hooks saw it, and whether it was closed. */
  static final class FakeClient implements AutoCloseable {
    final Map<String, Object> config;
    volatile boolean hooked;
    final AtomicInteger closes = new AtomicInteger();

    FakeClient(Map<String, Object> config) {
      this.config = config;
    }

    String alias() {
      return (String) config.get("alias");
    }

    @Override
    public void close() {
      closes.incrementAndGet();
    }
  }

  /** Counts factory calls per alias and keeps every client it made. */
  static final class CountingFactory implements java.util.function.Function<Map<String, Object>, FakeClient> {
    final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    final List<FakeClient> made = new CopyOnWriteArrayList<>();
    volatile long delayMillis;

    @Override
    public FakeClient apply(Map<String, Object> config) {
      calls.computeIfAbsent((String) config.get("alias"), a -> new AtomicInteger()).incrementAndGet();
      if (delayMillis > 0) {
        try {
          Thread.sleep(delayMillis);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      FakeClient client = new FakeClient(config);
      made.add(client);
      return client;
    }

    int calls(String alias) {
      AtomicInteger n = calls.get(alias);
      return n == null ? 0 : n.get();
    }
  }

  private final CountingFactory factory = new CountingFactory();

  private static List<Map<String, Object>> configs() {
    List<Map<String, Object>> configs = new ArrayList<>();
    for (String alias : ALIASES) {
      Map<String, Object> c = new HashMap<>();
      c.put("alias", alias);
      c.put("bootstrap.servers", alias + ":9092");
      c.put("client.id", "app-" + alias);
      configs.add(c);
    }
    return configs;
  }

  private ClusterClients<FakeClient> clients() {
    return new ClusterClients<>(ALIASES, configs(), factory);
  }

  private static void closeQuietly(FakeClient c, Duration d) {
    c.close();
  }

  @Test
  void exposesAliasesAndImmutableConfigs() {
    List<Map<String, Object>> source = configs();
    ClusterClients<FakeClient> clients = new ClusterClients<>(ALIASES, source, factory);
    source.get(0).put("bootstrap.servers", "mutated:1");

    assertThat(clients.aliases()).containsExactly("onprem", "cloud", "dr");
    assertThat(clients.alias(1)).isEqualTo("cloud");
    assertThat(clients.config(0)).containsEntry("bootstrap.servers", "onprem:9092");
    assertThatThrownBy(() -> clients.config(0).put("acks", "all")).isInstanceOf(UnsupportedOperationException.class);
    assertThat(factory.made).as("nothing is created eagerly").isEmpty();
  }

  @Test
  void rejectsOneConfigurationTooFew() {
    assertThatThrownBy(() -> new ClusterClients<>(ALIASES, configs().subList(0, 2), factory))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void createsLazilyOnFirstGetAndReusesTheClient() {
    ClusterClients<FakeClient> clients = clients();
    assertThat(clients.existing(1)).isNull();

    FakeClient cloud = clients.get(1);

    assertThat(cloud.alias()).isEqualTo("cloud");
    assertThat(cloud.config).containsEntry("bootstrap.servers", "cloud:9092");
    assertThat(clients.get(1)).isSameAs(cloud);
    assertThat(clients.existing(1)).isSameAs(cloud);
    assertThat(clients.existing(0)).isNull();
    assertThat(clients.existing(2)).isNull();
    assertThat(factory.calls("cloud")).isEqualTo(1);
    assertThat(factory.calls("onprem")).isZero();
  }

  @Test
  void createsAtMostOneClientPerIndexWhenEightThreadsRace() throws Exception {
    factory.delayMillis = 20; // widen the window between the null check and the publication
    ClusterClients<FakeClient> clients = clients();
    clients.onCreate((alias, c) -> c.hooked = true);
    int threads = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch ready = new CountDownLatch(threads);
    CountDownLatch go = new CountDownLatch(1);
    try {
      List<Future<List<FakeClient>>> results = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        results.add(pool.submit(() -> {
          ready.countDown();
          go.await();
          List<FakeClient> seen = new ArrayList<>();
          for (int i = 0; i < 50; i++) {
            for (int index = 0; index < ALIASES.size(); index++) {
              FakeClient c = clients.get(index);
              assertThat(c.hooked).as("a client is never returned before its hooks ran").isTrue();
              seen.add(c);
            }
          }
          return seen;
        }));
      }
      assertThat(ready.await(5, TimeUnit.SECONDS)).isTrue();
      go.countDown();

      for (Future<List<FakeClient>> result : results) {
        for (FakeClient c : result.get(10, TimeUnit.SECONDS)) {
          assertThat(c).isSameAs(clients.existing(ALIASES.indexOf(c.alias())));
        }
      }
    } finally {
      pool.shutdownNow();
    }

    for (String alias : ALIASES) {
      assertThat(factory.calls(alias)).as("factory calls for %s", alias).isEqualTo(1);
    }
    assertThat(factory.made).hasSize(ALIASES.size());
  }

  @Test
  void onCreateHooksRunWithTheAliasBeforeGetReturns() {
    ClusterClients<FakeClient> clients = clients();
    List<String> order = new CopyOnWriteArrayList<>();
    clients.onCreate((alias, c) -> {
      order.add("first:" + alias);
      assertThat(clients.existing(ALIASES.indexOf(alias))).as("not yet published").isNull();
      c.hooked = true;
    });
    clients.onCreate((alias, c) -> order.add("second:" + alias));

    FakeClient dr = clients.get(2);
    order.add("returned");
    clients.get(2);

    assertThat(dr.hooked).isTrue();
    assertThat(order).containsExactly("first:dr", "second:dr", "returned");
  }

  @Test
  void forEachExistingVisitsOnlyCreatedClients() {
    ClusterClients<FakeClient> clients = clients();
    clients.get(0);
    clients.get(2);
    Map<String, FakeClient> visited = new HashMap<>();

    clients.forEachExisting(visited::put);

    assertThat(visited).containsOnlyKeys("onprem", "dr");
    assertThat(visited.get("dr")).isSameAs(clients.existing(2));
  }

  @Test
  void closeClosesEveryCreatedClientAndLaterGetThrows() {
    ClusterClients<FakeClient> clients = clients();
    FakeClient onprem = clients.get(0);
    FakeClient cloud = clients.get(1);
    List<FakeClient> closed = new ArrayList<>();

    clients.close(Duration.ofSeconds(5), (c, remaining) -> {
      assertThat(remaining).isBetween(Duration.ZERO, Duration.ofSeconds(5));
      closed.add(c);
      c.close();
    });

    assertThat(closed).containsExactly(onprem, cloud);
    assertThat(onprem.closes).hasValue(1);
    assertThat(cloud.closes).hasValue(1);
    assertThat(clients.existing(0)).isNull();
    assertThat(clients.existing(1)).isNull();
    assertThatThrownBy(() -> clients.get(0)).isInstanceOf(IllegalStateException.class).hasMessageContaining("onprem");
    assertThatThrownBy(() -> clients.get(2)).isInstanceOf(IllegalStateException.class).hasMessageContaining("dr");
    assertThat(factory.made).hasSize(2);
  }

  @Test
  void closeWithNothingCreatedIsANoOpAndLaterGetStillThrows() {
    ClusterClients<FakeClient> clients = clients();
    List<FakeClient> closed = new ArrayList<>();

    clients.close(Duration.ofSeconds(1), (c, d) -> closed.add(c));
    clients.close(Duration.ofSeconds(1), (c, d) -> closed.add(c));

    assertThat(closed).isEmpty();
    assertThatThrownBy(() -> clients.get(1)).isInstanceOf(IllegalStateException.class);
    assertThat(factory.made).isEmpty();
  }

  @Test
  void closeRethrowsTheFirstFailureAfterClosingAll() {
    ClusterClients<FakeClient> clients = clients();
    FakeClient onprem = clients.get(0);
    FakeClient cloud = clients.get(1);
    FakeClient dr = clients.get(2);
    RuntimeException first = new IllegalStateException("onprem close failed");
    RuntimeException second = new IllegalStateException("cloud close failed");

    Throwable thrown = catchThrowable(() -> clients.close(Duration.ofSeconds(5), (c, d) -> {
      c.close();
      if (c == onprem) {
        throw first;
      }
      if (c == cloud) {
        throw second;
      }
    }));

    assertThat(thrown).isSameAs(first);
    assertThat(onprem.closes).hasValue(1);
    assertThat(cloud.closes).hasValue(1);
    assertThat(dr.closes).as("closed despite earlier failures").hasValue(1);
    assertThatThrownBy(() -> clients.get(2)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void closeSharesTheTimeoutBetweenClients() {
    ClusterClients<FakeClient> clients = clients();
    clients.get(0);
    clients.get(1);
    List<Duration> given = new ArrayList<>();

    clients.close(Duration.ofMillis(300), (c, remaining) -> {
      given.add(remaining);
      try {
        Thread.sleep(120);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });

    assertThat(given).hasSize(2);
    assertThat(given.get(0)).isLessThanOrEqualTo(Duration.ofMillis(300));
    assertThat(given.get(1)).isLessThanOrEqualTo(Duration.ofMillis(300 - 100));
  }

  @Test
  void aFailedFactoryCallCreatesNothingAndCanBeRetried() {
    AtomicInteger attempts = new AtomicInteger();
    ClusterClients<FakeClient> clients = new ClusterClients<>(ALIASES, configs(), config -> {
      if (attempts.getAndIncrement() == 0) {
        throw new IllegalStateException("broker unreachable");
      }
      return new FakeClient(config);
    });

    assertThatThrownBy(() -> clients.get(0)).hasMessageContaining("broker unreachable");
    assertThat(clients.existing(0)).isNull();

    FakeClient retried = clients.get(0);
    assertThat(retried).isNotNull();
    assertThat(clients.existing(0)).isSameAs(retried);
  }

  /**
   * When a creation hook throws, the client the factory just built is neither published nor closed: it leaks
   * (for a KafkaProducer, its network thread and buffers), and close() never sees it.
   */
  @Test
  void aClientWhoseCreationHookThrowsIsNotLeaked() {
    ClusterClients<FakeClient> clients = clients();
    AtomicInteger hookCalls = new AtomicInteger();
    clients.onCreate((alias, c) -> {
      if (hookCalls.getAndIncrement() == 0) {
        throw new IllegalStateException("metrics registration failed");
      }
    });

    assertThatThrownBy(() -> clients.get(0)).hasMessageContaining("metrics registration failed");
    clients.close(Duration.ofSeconds(1), ClusterClientsTest::closeQuietly);

    assertThat(factory.made).hasSize(1);
    assertThat(factory.made.get(0).closes)
        .as("the client built before the failing hook must be closed, not abandoned")
        .hasPositiveValue();
  }
}
