package dev.turnout.benchmarks.micro;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.authority.Rule;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The first lookup of a topic matched by a prefix rule in a newly installed map: what every topic costs
 * once per epoch, right after a flip, before the per-map topic cache holds it.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class FirstLookupBenchmark {

  /** Distinct topics resolved per measured invocation. */
  static final int TOPICS = 1000;

  @Param({"10", "1000", "10000"})
  public int rules;

  private AuthorityMap map;
  private String[] topics;
  private int iteration;

  @Setup(Level.Iteration)
  public void newEpoch() {
    map = Documents.map(rules, Documents.Match.PREFIX, Documents.Decision.UNSLICED);
    topics = Documents.freshPrefixTopics(rules, TOPICS, iteration++);
  }

  @Benchmark
  @OperationsPerInvocation(TOPICS)
  public void firstLookup(Blackhole blackhole) {
    for (String topic : topics) {
      Rule rule = map.ruleFor(topic);
      blackhole.consume(rule);
    }
  }
}
