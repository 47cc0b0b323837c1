package dev.turnout.internal.cutover;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Flushes one cluster's client on request, on a thread of its own (a flush blocks until the records
 * complete, which can take up to {@code delivery.timeout.ms} when the cluster is down). Requests made while
 * a flush runs are served by the next flush, which starts after them.
 */
final class Flusher implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Flusher.class);

  private final int cluster;
  private final String alias;
  private final String clientId;
  private final ClusterAccess access;
  private final LinkedBlockingQueue<CompletableFuture<Void>> requests = new LinkedBlockingQueue<>();
  private final Thread thread;
  private volatile boolean closed;

  Flusher(int cluster, String alias, String clientId, ClusterAccess access) {
    this.cluster = cluster;
    this.alias = alias;
    this.clientId = clientId;
    this.access = access;
    this.thread = new Thread(this::run, "turnout-cutover-flush-" + clientId + "-" + alias);
    thread.setDaemon(true);
    thread.start();
  }

  /** Completes when every record sent to the cluster before this call has completed. */
  CompletableFuture<Void> request() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    if (closed) {
      done.completeExceptionally(new IllegalStateException("closed"));
      return done;
    }
    requests.add(done);
    return done;
  }

  private void run() {
    List<CompletableFuture<Void>> batch = new ArrayList<>();
    while (!closed) {
      try {
        batch.add(requests.take());
      } catch (InterruptedException e) {
        break;
      }
      requests.drainTo(batch);
      try {
        access.flush(cluster);
        batch.forEach(f -> f.complete(null));
      } catch (RuntimeException e) {
        if (!closed) {
          log.warn("[{}] Flushing the client of cluster '{}' for a cutover failed", clientId, alias, e);
        }
        batch.forEach(f -> f.completeExceptionally(e));
      }
      batch.clear();
    }
    List<CompletableFuture<Void>> left = new ArrayList<>();
    requests.drainTo(left);
    left.forEach(f -> f.completeExceptionally(new IllegalStateException("closed")));
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
  }
}
