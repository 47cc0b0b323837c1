package dev.turnout.internal.reconcile;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BiFunction;
import org.apache.kafka.common.KafkaException;

/**
 * Creates the transactional producers of a group of partition copies and runs their {@code initTransactions} in
 * parallel (each is a few round trips to the transaction coordinator; in sequence they add up per partition).
 */
final class ProducerPool {

  private final ClusterSide source;

  ProducerPool(ClusterSide source) {
    this.source = source;
  }

  /**
   * Gives each copy its producer, initialized: a fenced initialization marks the copy taken over; any other
   * failure is thrown (after every initialization ended, so every created producer is on its copy to close).
   */
  void open(List<PartitionCopy> copies, BiFunction<PartitionCopy, KafkaException, ReconcileFailure> failure) {
    if (copies.size() == 1) {
      init(copies.get(0), failure);
      return;
    }
    ExecutorService pool = Executors.newFixedThreadPool(copies.size(), r -> {
      Thread t = new Thread(r, "turnout-reconcile-init");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<?>> futures = new ArrayList<>();
      copies.forEach(c -> futures.add(pool.submit(() -> init(c, failure))));
      RuntimeException first = null;
      boolean interrupted = false;
      for (Future<?> f : futures) {
        while (true) {
          try {
            f.get();
            break;
          } catch (InterruptedException e) {
            interrupted = true; // wait on: the producer must be on its copy before the caller closes them
          } catch (ExecutionException e) {
            first = first != null ? first : failure(e.getCause());
            break;
          }
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      if (first != null) {
        throw first;
      }
    } finally {
      pool.shutdown();
    }
  }

  private void init(PartitionCopy c, BiFunction<PartitionCopy, KafkaException, ReconcileFailure> failure) {
    try {
      c.producer = source.transactionalProducer(PartitionCopier.transactionalId(c.partition()));
      c.producer.initTransactions();
    } catch (KafkaException e) {
      if (!PartitionCopier.fenced(e)) {
        throw failure.apply(c, e);
      }
      c.takenOver = true;
    }
  }

  private RuntimeException failure(Throwable cause) {
    return cause instanceof RuntimeException r ? r
        : new ReconcileFailure(ReconcileFailure.Kind.CLUSTER_ERROR, "initializing a transactional producer on "
            + source + " failed: " + cause, cause);
  }
}
