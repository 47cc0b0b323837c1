package dev.turnout.benchmarks.micro;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.authority.Route;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The routing decision alone: {@link AuthorityMap#route(String, byte[])} with the key already serialized
 * (the producer serializes it anyway). Every invocation looks up the next of 1,024 topics spread over the
 * map's rules and, for sliced rules, the next of 1,024 keys, so the lookup is not a single hot entry.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RoutingDecisionBenchmark {

  private static final int MASK = 1023;

  @Param({"10", "1000", "10000"})
  public int rules;

  @Param({"exact", "prefix"})
  public String match;

  @Param({"unsliced", "sliced", "null-key"})
  public String decision;

  private AuthorityMap map;
  private String[] topics;
  private byte[][] keys;
  private int next;

  @Setup
  public void setUp() {
    Documents.Match m = Documents.Match.valueOf(match.toUpperCase(Locale.ROOT));
    Documents.Decision d = Documents.Decision.valueOf(decision.toUpperCase(Locale.ROOT).replace('-', '_'));
    map = Documents.map(rules, m, d);
    topics = Documents.topics(rules, m, MASK + 1, 42);
    keys = Documents.keys(MASK + 1, 43);
    if (d == Documents.Decision.NULL_KEY) {
      keys = new byte[MASK + 1][];
    }
    for (int i = 0; i <= MASK; i++) {
      Route route = map.route(topics[i], keys[i]);
      if (!route.routable()) {
        throw new IllegalStateException("benchmark input is not routable: " + topics[i] + " -> " + route);
      }
    }
  }

  @Benchmark
  public Route route() {
    int i = next++ & MASK;
    return map.route(topics[i], keys[i]);
  }
}
