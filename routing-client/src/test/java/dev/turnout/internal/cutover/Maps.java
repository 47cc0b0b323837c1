package dev.turnout.internal.cutover;

import dev.turnout.authority.AuthorityMap;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/** Test fixtures: authority maps from properties text, for clusters onprem (index 0) and cloud (index 1). */
final class Maps {

  static final List<String> CLUSTERS = List.of("onprem", "cloud");
  static final int ONPREM = 0;
  static final int CLOUD = 1;

  private Maps() {}

  static AuthorityMap map(String properties) {
    Properties p = new Properties();
    try {
      p.load(new StringReader(properties));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, String> doc = new TreeMap<>();
    p.forEach((k, v) -> doc.put(k.toString(), v.toString()));
    return AuthorityMap.parse(doc, CLUSTERS);
  }

  /** Topic {@code t}: buckets below {@code movedBelow} owned by cloud, the rest by onprem. */
  static AuthorityMap split(long epoch, int movedBelow) {
    String head = "epoch=" + epoch + "\nsource=onprem\ntarget=cloud\nrule.r.topics=t\n";
    if (movedBelow <= 0) {
      return map(head + "rule.r.state=MIRROR\n");
    }
    if (movedBelow >= AuthorityMap.BUCKETS) {
      return map(head + "rule.r.state=TARGET_AUTHORITY\n");
    }
    return map(head + "rule.r.state=WRITE_PROMOTION\nrule.r.slice.a.keys=0-" + (movedBelow - 1)
        + "\nrule.r.slice.a.owner=cloud\nrule.r.slice.b.keys=" + movedBelow + "-9999\nrule.r.slice.b.owner=onprem\n");
  }
}
