package dev.turnout.internal.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.apache.kafka.clients.producer.BufferExhaustedException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionAbortedException;
import org.apache.kafka.common.errors.UnknownServerException;
import org.junit.jupiter.api.Test;

class ClusterBreakerTest {

  private static BreakerSettings settings(Duration openWait) {
    return new BreakerSettings(true, 50, 4, 4, openWait, 2);
  }

  @Test
  void failuresAreOutagesNotFaultsOfOneRecordOrTransaction() {
    assertThat(ClusterBreaker.isFailure(new TimeoutException("expired"))).isTrue();
    assertThat(ClusterBreaker.isFailure(new BufferExhaustedException("full"))).isTrue();
    assertThat(ClusterBreaker.isFailure(new AuthenticationException("bad credentials"))).isTrue();
    assertThat(ClusterBreaker.isFailure(new UnknownServerException("broken"))).isTrue();
    assertThat(ClusterBreaker.isFailure(new KafkaException("closed forcefully"))).isTrue();

    assertThat(ClusterBreaker.isFailure(new NotLeaderOrFollowerException("retried"))).isFalse();
    assertThat(ClusterBreaker.isFailure(new RecordTooLargeException("big"))).isFalse();
    assertThat(ClusterBreaker.isFailure(new SerializationException("bad value"))).isFalse();
    assertThat(ClusterBreaker.isFailure(new TopicAuthorizationException("no ACL"))).isFalse();
    assertThat(ClusterBreaker.isFailure(new ProducerFencedException("fenced"))).isFalse();
    assertThat(ClusterBreaker.isFailure(new TransactionAbortedException("aborted"))).isFalse();
    assertThat(ClusterBreaker.isFailure(new IllegalStateException("closed"))).isFalse();
  }

  @Test
  void opensOnTheFailureRateRefusesThenClosesAfterSuccessfulTrials() {
    ClusterBreaker breaker = new ClusterBreaker("cloud", "test", settings(Duration.ofMillis(200)));
    assertThat(breaker.state()).isEqualTo(ClusterBreaker.State.CLOSED);
    for (int i = 0; i < 2; i++) {
      assertThat(breaker.tryAcquire()).isTrue();
      breaker.record(null);
    }
    for (int i = 0; i < 2; i++) {
      assertThat(breaker.tryAcquire()).isTrue();
      breaker.record(new TimeoutException("expired"));
    }
    assertThat(breaker.state()).as("2 of 4 failed: 50%").isEqualTo(ClusterBreaker.State.OPEN);
    assertThat(breaker.failureRate()).isEqualTo(50.0);
    assertThat(breaker.tryAcquire()).isFalse();

    await().atMost(Duration.ofSeconds(5)).until(breaker::tryAcquire);
    assertThat(breaker.state()).isEqualTo(ClusterBreaker.State.HALF_OPEN);
    assertThat(breaker.tryAcquire()).isTrue();
    assertThat(breaker.tryAcquire()).as("only 2 trial sends").isFalse();
    breaker.record(null);
    breaker.record(null);
    assertThat(breaker.state()).isEqualTo(ClusterBreaker.State.CLOSED);
  }

  @Test
  void errorsThatAreNotFailuresNeitherOpenNorHoldTheBreaker() {
    ClusterBreaker breaker = new ClusterBreaker("cloud", "test", settings(Duration.ofSeconds(60)));
    for (int i = 0; i < 20; i++) {
      assertThat(breaker.tryAcquire()).isTrue();
      breaker.record(new RecordTooLargeException("big"));
    }
    assertThat(breaker.state()).isEqualTo(ClusterBreaker.State.CLOSED);
    assertThat(breaker.failureRate()).as("not enough counted outcomes").isEqualTo(-1.0);
  }

  @Test
  void aDisabledBreakerAlwaysPermits() {
    ClusterBreaker breaker = new ClusterBreaker("cloud", "test",
        new BreakerSettings(false, 50, 4, 4, Duration.ofSeconds(60), 2));
    for (int i = 0; i < 10; i++) {
      assertThat(breaker.tryAcquire()).isTrue();
      breaker.record(new TimeoutException("expired"));
    }
    assertThat(breaker.state()).isEqualTo(ClusterBreaker.State.DISABLED);
  }

  @Test
  void aLongRunOfSuccessesLeavesTheFailureRateExactlyAsAFullRecordWould() {
    // Window 10, minimum 10, threshold 50%: after 10,000 successes (most of them not recorded, the window
    // being all successes already), 4 failures give 40% and keep it closed, the 5th gives 50% and opens it.
    ClusterBreaker breaker = new ClusterBreaker("cloud", "test",
        new BreakerSettings(true, 50, 10, 10, Duration.ofSeconds(60), 2));
    for (int i = 0; i < 10_000; i++) {
      assertThat(breaker.tryAcquire()).isTrue();
      breaker.record(null);
    }
    assertThat(breaker.failureRate()).isEqualTo(0.0);
    for (int i = 0; i < 4; i++) {
      assertThat(breaker.tryAcquire()).isTrue();
      breaker.record(new TimeoutException("expired"));
    }
    assertThat(breaker.failureRate()).isEqualTo(40.0);
    assertThat(breaker.state()).isEqualTo(ClusterBreaker.State.CLOSED);
    assertThat(breaker.tryAcquire()).isTrue();
    breaker.record(new TimeoutException("expired"));
    assertThat(breaker.state()).isEqualTo(ClusterBreaker.State.OPEN);
    assertThat(breaker.failureRate()).isEqualTo(50.0);
    assertThat(breaker.tryAcquire()).as("open after a long steady run: sends are refused").isFalse();
  }

  @Test
  void successesAfterAFailureAreRecordedUntilTheWindowIsAllSuccessesAgain() {
    ClusterBreaker breaker = new ClusterBreaker("cloud", "test",
        new BreakerSettings(true, 50, 10, 10, Duration.ofSeconds(60), 2));
    for (int i = 0; i < 100; i++) {
      breaker.tryAcquire();
      breaker.record(null);
    }
    breaker.tryAcquire();
    breaker.record(new TimeoutException("expired"));
    assertThat(breaker.failureRate()).isEqualTo(10.0);
    for (int i = 0; i < 9; i++) {
      breaker.tryAcquire();
      breaker.record(null);
    }
    assertThat(breaker.failureRate()).as("the failure is still in the window of 10").isEqualTo(10.0);
    breaker.tryAcquire();
    breaker.record(null);
    assertThat(breaker.failureRate()).as("pushed out by the 10th success").isEqualTo(0.0);
  }

  @Test
  void everyFailureCountsAgainstAWindowOfSuccessesHoweverOftenItRefills() {
    ClusterBreaker breaker = new ClusterBreaker("cloud", "test",
        new BreakerSettings(true, 50, 10, 10, Duration.ofSeconds(60), 2));
    for (int cycle = 0; cycle < 3; cycle++) {
      for (int i = 0; i < 25; i++) {
        assertThat(breaker.tryAcquire()).isTrue();
        breaker.record(null);
      }
      assertThat(breaker.failureRate()).as("cycle %d: window all successes", cycle).isEqualTo(0.0);
      assertThat(breaker.tryAcquire()).isTrue();
      breaker.record(new RecordTooLargeException("not a failure of the cluster"));
      assertThat(breaker.tryAcquire()).isTrue();
      breaker.record(new TimeoutException("expired"));
      assertThat(breaker.failureRate()).as("cycle %d: one failure in the window of 10", cycle).isEqualTo(10.0);
    }
    assertThat(breaker.state()).isEqualTo(ClusterBreaker.State.CLOSED);
  }

  @Test
  void theOpenWaitFollowsAMonotonicTickerNotTheWallClock() {
    java.util.concurrent.atomic.AtomicLong nanos = new java.util.concurrent.atomic.AtomicLong(-5_000_000_000L);
    ClusterBreaker breaker = new ClusterBreaker("cloud", "test", settings(Duration.ofSeconds(30)),
        new MonotonicClock(nanos::get));
    for (int i = 0; i < 4; i++) {
      assertThat(breaker.tryAcquire()).isTrue();
      breaker.record(new TimeoutException("expired"));
    }
    assertThat(breaker.state()).isEqualTo(ClusterBreaker.State.OPEN);
    nanos.addAndGet(Duration.ofSeconds(29).toNanos());
    assertThat(breaker.tryAcquire()).as("29 s of the 30 s open wait passed on the ticker").isFalse();
    nanos.addAndGet(Duration.ofSeconds(2).toNanos());
    assertThat(breaker.tryAcquire()).as("31 s passed on the ticker, whatever the wall clock says").isTrue();
    assertThat(breaker.state()).isEqualTo(ClusterBreaker.State.HALF_OPEN);
  }

  @Test
  void theDefaultClockIsMonotonic() {
    MonotonicClock clock = MonotonicClock.system();
    long before = System.nanoTime();
    java.time.Instant first = clock.instant();
    java.time.Instant second = clock.instant();
    assertThat(second).isAfterOrEqualTo(first);
    assertThat(first.getEpochSecond() * 1_000_000_000L + first.getNano() - before)
        .as("instants count System.nanoTime()").isBetween(0L, Duration.ofMinutes(1).toNanos());
  }
}
