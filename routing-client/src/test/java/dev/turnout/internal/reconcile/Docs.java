package dev.turnout.internal.reconcile;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.internal.provenance.ProvenanceHeaders;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;

/** Documents and headers for the reconciliation unit tests. */
final class Docs {

  private Docs() {}

  static AuthorityMap parse(String properties) {
    Properties p = new Properties();
    try {
      p.load(new StringReader(properties));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, String> doc = new HashMap<>();
    p.stringPropertyNames().forEach(k -> doc.put(k, p.getProperty(k)));
    return AuthorityMap.parse(doc, List.of("onprem", "cloud"));
  }

  /** Epoch {@code epoch}: buckets below {@code movedBelow} owned by cloud (slice "moved"), the rest by onprem. */
  static AuthorityMap split(long epoch, int movedBelow) {
    return parse("epoch=" + epoch + "\nsource=onprem\ntarget=cloud\nrule.orders.topics=orders\n"
        + "rule.orders.state=WRITE_PROMOTION\n"
        + "rule.orders.slice.moved.keys=0-" + (movedBelow - 1) + "\nrule.orders.slice.moved.owner=cloud\n"
        + "rule.orders.slice.rest.keys=" + movedBelow + "-9999\nrule.orders.slice.rest.owner=onprem\n");
  }

  static AuthorityMap mirror(long epoch) {
    return parse("epoch=" + epoch + "\nsource=onprem\ntarget=cloud\nrule.orders.topics=orders\n"
        + "rule.orders.state=MIRROR\n");
  }

  static RecordHeaders headers(String route, long id) {
    RecordHeaders h = new RecordHeaders();
    if (route != null) {
      h.add(new RecordHeader(ProvenanceHeaders.ROUTE, route.getBytes(StandardCharsets.UTF_8)));
      byte[] bytes = new byte[16];
      for (int i = 0; i < 8; i++) {
        bytes[15 - i] = (byte) (id >>> (8 * i));
      }
      h.add(new RecordHeader(ProvenanceHeaders.ID, bytes));
    }
    return h;
  }

  /** A key whose bucket is below (or not below) {@code boundary}. */
  static byte[] key(int boundary, boolean below, int n) {
    int found = 0;
    for (int i = 0; ; i++) {
      byte[] key = ("key-" + i).getBytes(StandardCharsets.UTF_8);
      if ((AuthorityMap.bucket(key) < boundary) == below && found++ == n) {
        return key;
      }
    }
  }
}
