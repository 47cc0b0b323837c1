package dev.turnout.internal.reconcile;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** Waits for Admin results and turns their failures into {@link ReconcileFailure}s naming the cluster. */
final class Calls {

  private Calls() {}

  /** The value of {@code future}; {@code what} says in words what was asked, for messages. */
  static <T> T get(KafkaFuture<T> future, ClusterSide side, String what) {
    try {
      return future.get(side.timeout().toMillis() + 1_000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ReconcileFailure(ReconcileFailure.Kind.UNREACHABLE, "interrupted while asking " + side + " for "
          + what, e);
    } catch (java.util.concurrent.TimeoutException e) {
      throw unreachable(side, what, e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof TimeoutException) {
        throw unreachable(side, what, cause);
      }
      if (cause instanceof UnknownTopicOrPartitionException) {
        throw new ReconcileFailure(ReconcileFailure.Kind.TOPIC_MISSING, "cluster " + side + " has no " + what
            + ": create the topic with the same partition count on both clusters, or leave it out of the request.",
            cause);
      }
      throw new ReconcileFailure(ReconcileFailure.Kind.CLUSTER_ERROR, "cluster " + side + " failed to answer "
          + what + ": " + cause + ". Nothing was written; fix the cause (permissions need Describe and Read on "
          + "both clusters, Write and transactional access on the source) and rerun.", cause);
    }
  }

  /** The failure for a cluster that did not answer in time. */
  static ReconcileFailure unreachable(ClusterSide side, String what, Throwable cause) {
    return new ReconcileFailure(ReconcileFailure.Kind.UNREACHABLE, "cluster " + side + " did not answer " + what
        + " within " + side.timeout().toMillis() + " ms. Nothing was written. Check bootstrap.servers, the "
        + "network and the security settings of that cluster, or raise requestTimeout, and rerun.", cause);
  }
}
