package dev.turnout.spring;

import dev.turnout.RoutingConsumer;
import dev.turnout.RoutingProducer;
import dev.turnout.status.ClientStatus;
import dev.turnout.status.TurnoutListener;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Turnout clients of an application that are open now, for monitoring. A client is listed from its
 * creation by a Turnout factory until it starts closing (its {@link TurnoutListener#onClosing} event); its
 * final {@link ClientStatus} is then handed to the {@link #onClosing(Consumer)} callbacks, so that counters
 * can keep the counts of closed clients. Thread-safe.
 */
public final class TurnoutClients {

  private static final Logger log = LoggerFactory.getLogger(TurnoutClients.class);

  /**
   * An open routing consumer and its group.
   *
   * @param consumer the consumer
   * @param groupId the group it uses on every cluster (with the validation suffix for a validation consumer),
   *     or {@code null} when it has none
   */
  public record OpenConsumer(RoutingConsumer<?, ?> consumer, String groupId) {}

  private final Map<Object, Object> open = new LinkedHashMap<>(); // client -> OpenConsumer or producer
  private final List<Runnable> changeListeners = new CopyOnWriteArrayList<>();
  private final List<Consumer<ClientStatus>> closingListeners = new CopyOnWriteArrayList<>();

  /** Lists {@code producer} until it closes. */
  public void add(RoutingProducer<?, ?> producer) {
    Objects.requireNonNull(producer, "producer");
    producer.addListener(new TurnoutListener() {
      @Override
      public void onClosing(String clientId) {
        closing(producer, producer::status);
      }
    });
    added(producer, producer);
  }

  /**
   * Lists {@code consumer} until it closes.
   *
   * @param groupId the group it uses, or {@code null}
   */
  public void add(RoutingConsumer<?, ?> consumer, String groupId) {
    Objects.requireNonNull(consumer, "consumer");
    consumer.addListener(new TurnoutListener() {
      @Override
      public void onClosing(String clientId) {
        closing(consumer, consumer::status);
      }
    });
    added(consumer, new OpenConsumer(consumer, groupId));
  }

  private void added(Object client, Object entry) {
    synchronized (this) {
      open.put(client, entry);
    }
    changed();
  }

  private void closing(Object client, java.util.function.Supplier<ClientStatus> status) {
    synchronized (this) {
      if (open.remove(client) == null) {
        return;
      }
    }
    if (!closingListeners.isEmpty()) {
      ClientStatus last = status.get();
      for (Consumer<ClientStatus> listener : closingListeners) {
        try {
          listener.accept(last);
        } catch (RuntimeException e) {
          log.warn("A closing listener of the Turnout client registry failed", e);
        }
      }
    }
    changed();
  }

  private void changed() {
    for (Runnable listener : changeListeners) {
      try {
        listener.run();
      } catch (RuntimeException e) {
        log.warn("A listener of the Turnout client registry failed", e);
      }
    }
  }

  /** Calls {@code listener} after a client was added or when it starts closing (on the thread that did it). */
  public void onChange(Runnable listener) {
    changeListeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /** Hands the last status of each client that starts closing to {@code listener} (on the closing thread). */
  public void onClosing(Consumer<ClientStatus> listener) {
    closingListeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /** The routing producers open now. */
  public synchronized List<RoutingProducer<?, ?>> producers() {
    List<RoutingProducer<?, ?>> out = new ArrayList<>();
    open.values().forEach(e -> {
      if (e instanceof RoutingProducer<?, ?> p) {
        out.add(p);
      }
    });
    return out;
  }

  /** The routing consumers open now, with their groups. */
  public synchronized List<OpenConsumer> consumers() {
    List<OpenConsumer> out = new ArrayList<>();
    open.values().forEach(e -> {
      if (e instanceof OpenConsumer c) {
        out.add(c);
      }
    });
    return out;
  }

  /** A status snapshot of every open client, producers first (safe from any thread, see {@link ClientStatus}). */
  public List<ClientStatus> statuses() {
    List<ClientStatus> out = new ArrayList<>();
    producers().forEach(p -> out.add(p.status()));
    consumers().forEach(c -> out.add(c.consumer().status()));
    return out;
  }
}
