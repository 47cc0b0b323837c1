package dev.turnout;

import dev.turnout.internal.source.AuthorityRefresher;
import org.apache.kafka.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The authority checks both clients share: starting the refresher (failing construction when
 * {@code turnout.authority.required} is set and no valid document could be read, warning otherwise), and the
 * reason a refusal for a missing or stale map carries in its message.
 */
final class AuthorityChecks {

  private static final Logger log = LoggerFactory.getLogger(AuthorityChecks.class);

  private AuthorityChecks() {}

  /**
   * Starts the refresher (one synchronous read). Without a valid map afterwards: a {@link ConfigException}
   * carrying the reason when {@code required}, else a WARN line with the reason.
   *
   * @param client "RoutingProducer" or "RoutingConsumer", for the log line
   * @throws ConfigException when {@code required} and no valid document could be read
   */
  static void start(AuthorityRefresher refresher, boolean required, String clientId, String client) {
    refresher.start();
    if (refresher.map() != null) {
      return;
    }
    String why = reason(refresher);
    if (required) {
      throw new ConfigException(TurnoutConfig.AUTHORITY_REQUIRED, true, "no valid authority document could be "
          + "read at start from " + refresher.source().description() + "." + why + " Fix the source, or set "
          + TurnoutConfig.AUTHORITY_REQUIRED + "=false to start anyway and refuse every routing decision "
          + "(NO_AUTHORITY_MAP) until a valid document is read.");
    }
    log.warn("[{}] {} starts without an authority map: no valid document could be read from {}.{} Every routing "
        + "decision is refused with NO_AUTHORITY_MAP until one is read (the source is re-read every {} ms). Set {}="
        + "true to fail construction instead.", clientId, client, refresher.source().description(), why,
        refresher.refreshMillis(), TurnoutConfig.AUTHORITY_REQUIRED);
  }

  /**
   * The reason there is no map or the map is stale, as a sentence to append to a refusal message (with a
   * leading space), or an empty string when the refresher knows none.
   */
  static String reason(AuthorityRefresher refresher) {
    String why = refresher.diagnosis();
    return why.isEmpty() ? "" : " " + why;
  }

  /**
   * The reason of a stale-map refusal, and, once per stale spell, an ERROR line saying routing fails closed
   * (for when the refresh thread could not say it). Called on refusal paths only.
   */
  static String staleReason(AuthorityRefresher refresher) {
    refresher.reportStale();
    return reason(refresher);
  }
}
