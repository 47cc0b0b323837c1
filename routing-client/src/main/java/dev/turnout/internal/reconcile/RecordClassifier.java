package dev.turnout.internal.reconcile;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.authority.Route;
import dev.turnout.authority.Rule;
import dev.turnout.internal.provenance.ProvenanceHeaders;
import dev.turnout.internal.provenance.ProvenanceHeaders.RouteStamp;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Classifies target records for one request. A record is a <em>candidate</em> (target-only, to be on the source)
 * when it has provenance, carries no {@code turnout.reconciled} marker, its route's origin is the target alias, its
 * rule, epoch and slice are the request's, and the document of its epoch gives its key to the target.
 *
 * <p>Records of one epoch and slice share one {@code turnout.route} value: the last value parsed, and the rule of
 * the last epoch looked up, are kept, so a run of such records parses nothing again. Not thread-safe.
 */
public final class RecordClassifier {

  private final Scope scope;
  private final String targetAlias;
  private byte[] lastRoute;
  private RouteStamp lastStamp;
  private long lastEpoch = -1;
  private AuthorityMap lastMap;
  private Rule lastRule;

  public RecordClassifier(Scope scope, String targetAlias) {
    this.scope = scope;
    this.targetAlias = targetAlias;
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

  /** The parsed route of a record's headers ({@code null} without valid provenance), reusing the last parse. */
  private RouteStamp cachedStamp(Headers headers) {
    Header route = headers.lastHeader(ProvenanceHeaders.ROUTE);
    Header id = headers.lastHeader(ProvenanceHeaders.ID);
    if (route == null || route.value() == null || id == null || id.value() == null || id.value().length == 0) {
      return null;
    }
    if (!Arrays.equals(route.value(), lastRoute)) {
      lastRoute = route.value().clone();
      lastStamp = ProvenanceHeaders.parseRoute(lastRoute);
    }
    return lastStamp;
  }

  /** The verdict on one record. */
  public Verdict classify(byte[] key, Headers headers) {
    RouteStamp stamp = cachedStamp(headers);
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
    if (stamp.epoch() != lastEpoch) {
      lastMap = scope.documents().forEpoch(stamp.epoch());
      lastRule = EpochDocuments.rule(lastMap, scope.rule());
      lastEpoch = stamp.epoch();
    }
    AuthorityMap map = lastMap;
    Rule rule = lastRule;
    int bucket = key == null ? -1 : AuthorityMap.bucket(key);
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
