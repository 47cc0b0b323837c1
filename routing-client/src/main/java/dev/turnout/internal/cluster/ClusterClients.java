package dev.turnout.internal.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One lazily created Kafka client per declared cluster, looked up by the alias index without locks.
 *
 * @param <C> the client type (a producer or a consumer)
 */
public final class ClusterClients<C extends AutoCloseable> {

  private static final Logger log = LoggerFactory.getLogger(ClusterClients.class);
  /** Longer timeouts are treated as "wait as long as it takes" (and kept clear of overflow). */
  private static final Duration MAX_WAIT = Duration.ofDays(365);

  private final List<String> aliases;
  private final List<Map<String, Object>> configs;
  private final BiFunction<Integer, Map<String, Object>, C> factory;
  private final AtomicReferenceArray<C> clients;
  private final Object[] locks;
  private final List<BiConsumer<String, C>> creationHooks = new ArrayList<>();
  private volatile boolean closed;

  /**
   * @param configs complete client configuration per alias, in the order of {@code aliases}
   * @param factory builds a client from its configuration (called at most once per alias)
   */
  public ClusterClients(List<String> aliases, List<Map<String, Object>> configs, Function<Map<String, Object>, C> factory) {
    this(aliases, configs, (index, config) -> factory.apply(config));
    Objects.requireNonNull(factory, "factory");
  }

  /**
   * @param configs complete client configuration per alias, in the order of {@code aliases}
   * @param factory builds a client from its alias index and configuration (called at most once per alias
   *     unless it throws; a factory that throws leaves no client, and the next {@link #get} tries again)
   */
  public ClusterClients(List<String> aliases, List<Map<String, Object>> configs,
      BiFunction<Integer, Map<String, Object>, C> factory) {
    if (aliases.size() != configs.size()) {
      throw new IllegalArgumentException("one configuration per alias");
    }
    this.aliases = List.copyOf(aliases);
    this.configs = configs.stream().map(c -> Collections.unmodifiableMap(new HashMap<>(c))).toList();
    this.factory = Objects.requireNonNull(factory, "factory");
    this.clients = new AtomicReferenceArray<>(aliases.size());
    this.locks = new Object[aliases.size()];
    for (int i = 0; i < locks.length; i++) {
      locks[i] = new Object();
    }
  }

  /** Runs {@code hook} for each client as soon as it is created (before it is returned to anyone). */
  public synchronized void onCreate(BiConsumer<String, C> hook) {
    creationHooks.add(hook);
  }

  /** The declared aliases, in declaration order. */
  public List<String> aliases() {
    return aliases;
  }

  /** The alias at an index. */
  public String alias(int index) {
    return aliases.get(index);
  }

  /** The complete client configuration of an alias (may hold secrets: never log it unredacted). */
  public Map<String, Object> config(int index) {
    return configs.get(index);
  }

  /** The client of the cluster at {@code index}, created on first use. */
  public C get(int index) {
    C client = clients.get(index);
    if (client != null) {
      return client;
    }
    synchronized (locks[index]) {
      client = clients.get(index);
      if (client == null) {
        if (closed) {
          throw new IllegalStateException("Cannot create a client for cluster '" + aliases.get(index)
              + "' after close");
        }
        client = factory.apply(index, configs.get(index));
        List<BiConsumer<String, C>> hooks;
        synchronized (this) {
          hooks = List.copyOf(creationHooks);
        }
        try {
          for (BiConsumer<String, C> hook : hooks) {
            hook.accept(aliases.get(index), client);
          }
        } catch (RuntimeException e) {
          try {
            client.close();
          } catch (Exception suppressed) {
            e.addSuppressed(suppressed);
          }
          throw e;
        }
        clients.set(index, client);
        log.info("Created client for cluster '{}' ({})", aliases.get(index), configs.get(index).get("client.id"));
      }
      return client;
    }
  }

  /** The client at {@code index} if it has been created, otherwise {@code null}. */
  public C existing(int index) {
    return clients.get(index);
  }

  /** Applies {@code action} to every client created so far, with its alias. */
  public void forEachExisting(BiConsumer<String, C> action) {
    for (int i = 0; i < aliases.size(); i++) {
      C client = clients.get(i);
      if (client != null) {
        action.accept(aliases.get(i), client);
      }
    }
  }

  /**
   * Closes every client, sharing {@code timeout} between them; the first failure is rethrown after all
   * clients were closed.
   *
   * @param closer closes one client within the remaining time
   */
  public void close(Duration timeout, BiConsumer<C, Duration> closer) {
    closed = true;
    long budget = timeout.compareTo(MAX_WAIT) > 0 ? MAX_WAIT.toNanos() : Math.max(0, timeout.toNanos());
    long deadline = System.nanoTime() + budget;
    RuntimeException first = null;
    for (int i = 0; i < aliases.size(); i++) {
      C client;
      synchronized (locks[i]) {
        client = clients.getAndSet(i, null);
      }
      if (client == null) {
        continue;
      }
      try {
        Duration remaining = budget == MAX_WAIT.toNanos() ? timeout : Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
        closer.accept(client, remaining);
      } catch (RuntimeException e) {
        log.warn("Error closing client for cluster '{}'", aliases.get(i), e);
        if (first == null) {
          first = e;
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
