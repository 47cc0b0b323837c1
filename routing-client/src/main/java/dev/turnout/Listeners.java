package dev.turnout;

import dev.turnout.status.Refusal;
import dev.turnout.status.TurnoutListener;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link TurnoutListener}s of one client, and what the status keeps of the events they receive: when the
 * epoch in force was applied, and the last refusal of each reason. Thread-safe; nothing here is on the path of
 * a routed record (refusals, epoch changes and closing only).
 */
final class Listeners {

  private static final Logger log = LoggerFactory.getLogger(Listeners.class);

  private final String clientId;
  private final List<TurnoutListener> listeners = new CopyOnWriteArrayList<>();
  private final Map<String, Refusal> lastRefusals = new ConcurrentHashMap<>();
  private final Object epochLock = new Object();
  private long epoch = -1; // guarded by epochLock
  private volatile Instant epochSince;

  Listeners(String clientId) {
    this.clientId = Objects.requireNonNull(clientId, "clientId");
  }

  void add(TurnoutListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  void remove(TurnoutListener listener) {
    listeners.remove(listener);
  }

  /** The client routes by {@code newEpoch} from now on; tells the listeners when it differs from the last. */
  void epochApplied(long newEpoch) {
    long previous;
    synchronized (epochLock) {
      if (newEpoch == epoch) {
        return;
      }
      previous = epoch;
      epoch = newEpoch;
      epochSince = Instant.now();
    }
    for (TurnoutListener listener : listeners) {
      try {
        listener.onEpochApplied(clientId, previous, newEpoch);
      } catch (RuntimeException e) {
        log.warn("[{}] A TurnoutListener failed on epoch {}", clientId, newEpoch, e);
      }
    }
  }

  /** When the epoch in force was applied, or {@code null} before the first. */
  Instant epochSince() {
    return epochSince;
  }

  void refused(OwnershipAmbiguousException refusal) {
    refused(refusal.reason().name(), refusal.topic(), refusal.epoch(), refusal.getMessage());
  }

  void refused(String reason, String topic, long epoch, String message) {
    Refusal refusal = new Refusal(reason, topic, epoch, message, Instant.now());
    lastRefusals.put(reason, refusal);
    for (TurnoutListener listener : listeners) {
      try {
        listener.onRefusal(clientId, refusal);
      } catch (RuntimeException e) {
        log.warn("[{}] A TurnoutListener failed on a refusal", clientId, e);
      }
    }
  }

  /** The last refusal of each reason, newest first. */
  List<Refusal> recentRefusals() {
    List<Refusal> recent = new ArrayList<>(lastRefusals.values());
    recent.sort((a, b) -> b.at().compareTo(a.at()));
    return recent;
  }

  void closing() {
    for (TurnoutListener listener : listeners) {
      try {
        listener.onClosing(clientId);
      } catch (RuntimeException e) {
        log.warn("[{}] A TurnoutListener failed on closing", clientId, e);
      }
    }
  }

  void closed() {
    for (TurnoutListener listener : listeners) {
      try {
        listener.onClosed(clientId);
      } catch (RuntimeException e) {
        log.warn("[{}] A TurnoutListener failed on closed", clientId, e);
      }
    }
  }
}
