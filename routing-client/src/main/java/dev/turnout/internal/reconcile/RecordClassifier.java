package dev.turnout.internal.reconcile;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.authority.Route;
import dev.turnout.authority.Rule;
import dev.turnout.internal.provenance.ProvenanceHeaders;
import dev.turnout.internal.provenance.ProvenanceHeaders.RouteStamp;
import java.nio.ByteBuffer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Classifies target records for one request. A record is a <em>candidate</em> (target-only, to be on the source)
 * when it has provenance, carries no {@code turnout.reconciled} marker, its route's origin is the target alias, its
 * rule, epoch and slice are the request's, and the document of its epoch gives its key to the target.
 */
public final class RecordClassifier {

  private final Scope scope;
  private final String targetAlias;

  public RecordClassifier(Scope scope, String targetAlias) {
    this.scope = scope;
    this.targetAlias = targetAlias;
  }

  /** The parsed route of a record's headers, or {@code null} when it has no valid provenance. */
  public static RouteStamp stamp(Headers headers) {
    Header route = headers.lastHeader(ProvenanceHeaders.ROUTE);
    Header id = headers.lastHeader(ProvenanceHeaders.ID);
    if (route == null || id == null || id.value() == null || id.value().length == 0) {
      return null;
    }
    return ProvenanceHeaders.parseRoute(route.value());
  }

  /** The record id of a record with provenance, wrapped for hashing. */
  public static ByteBuffer id(Headers headers) {
    Header id = headers.lastHeader(ProvenanceHeaders.ID);
    return id == null || id.value() == null ? null : ByteBuffer.wrap(id.value().clone());
  }

  /** Whether a route stamp marks a record written to the target by the request's rule in its epochs. */
  public boolean routedToTargetInRange(RouteStamp stamp) {
    return stamp != null && stamp.origin().equals(targetAlias) && stamp.rule().equals(scope.rule())
        && scope.inEpochs(stamp.epoch());
  }

  /** The verdict on one record. */
  public Verdict classify(byte[] key, Headers headers) {
    RouteStamp stamp = stamp(headers);
    if (stamp == null) {
      return Verdict.noProvenance();
    }
    if (headers.lastHeader(ProvenanceHeaders.RECONCILED) != null) {
      return Verdict.skip(stamp, Skip.RECONCILED_COPY);
    }
    if (!stamp.origin().equals(targetAlias)) {
      return Verdict.skip(stamp, Skip.REPLICATED);
    }
    if (!stamp.rule().equals(scope.rule())) {
      return Verdict.skip(stamp, Skip.OTHER_RULE);
    }
    if (!scope.inEpochs(stamp.epoch())) {
      return Verdict.skip(stamp, Skip.OTHER_EPOCH);
    }
    if (scope.slice() != null && !scope.slice().equals(stamp.slice())) {
      return Verdict.skip(stamp, Skip.OTHER_SLICE);
    }
    return checkOwner(stamp, key);
  }

  private Verdict checkOwner(RouteStamp stamp, byte[] key) {
    AuthorityMap map = scope.documents().forEpoch(stamp.epoch());
    int bucket = key == null ? -1 : AuthorityMap.bucket(key);
    Rule rule = EpochDocuments.rule(map, scope.rule());
    if (rule == null) {
      return Verdict.notOnTarget(stamp, bucket, "the document of epoch " + map.epoch() + " has no rule '"
          + scope.rule() + "'");
    }
    Route route = key == null ? rule.nullKeyRoute() : rule.routeForBucket(bucket);
    if (!route.routable()) {
      return Verdict.notOnTarget(stamp, bucket, "the document of epoch " + map.epoch()
          + " refuses null keys for rule '" + rule.name() + "' (no null-key-owner)");
    }
    if (!targetAlias.equals(route.owner())) {
      String where = key == null ? "null keys" : "key bucket " + bucket;
      return Verdict.notOnTarget(stamp, bucket, "the document of epoch " + map.epoch() + " gives " + where
          + (route.slice() == null ? "" : " (slice '" + route.slice() + "')") + " to '" + route.owner() + "'");
    }
    return Verdict.candidate(stamp, bucket);
  }
}
