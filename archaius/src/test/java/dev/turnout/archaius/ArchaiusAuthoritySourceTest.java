package dev.turnout.archaius;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.netflix.config.ConcurrentCompositeConfiguration;
import com.netflix.config.ConcurrentMapConfiguration;
import com.netflix.config.DynamicConfiguration;
import com.netflix.config.FixedDelayPollingScheduler;
import com.netflix.config.PollResult;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.apache.commons.configuration.event.ConfigurationListener;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

/** The source over a configuration the test owns: what it reads, and when it says a document changed. */
class ArchaiusAuthoritySourceTest {

  private static final String PREFIX = "payments.authority.";

  private final ConcurrentMapConfiguration config = new ConcurrentMapConfiguration();
  /** Every property name the configuration reported as changed, to prove a change had its chance. */
  private final List<String> seen = new CopyOnWriteArrayList<>();
  private final ConfigurationListener probe = event -> {
    if (!event.isBeforeUpdate()) {
      seen.add(event.getPropertyName());
    }
  };

  private ArchaiusAuthoritySource source() {
    config.addConfigurationListener(probe);
    return new ArchaiusAuthoritySource(PREFIX, config);
  }

  @Test
  void readsThePropertiesUnderThePrefixWithThePrefixStripped() throws Exception {
    config.setProperty(PREFIX + "epoch", "7");
    config.setProperty(PREFIX + "source", "onprem");
    config.setProperty(PREFIX + "rule.orders.state", "MIRROR");
    config.setProperty("payments.timeout.ms", "500");
    config.setProperty("payments.authorityx", "not under the prefix");

    try (ArchaiusAuthoritySource source = source()) {
      assertThat(source.read()).containsExactlyInAnyOrderEntriesOf(
          Map.of("epoch", "7", "source", "onprem", "rule.orders.state", "MIRROR"));
    }
  }

  @Test
  void aValueArchaiusSplitAtCommasIsJoinedAgainAndAValueSetAsANumberIsItsText() throws Exception {
    config.setProperty(PREFIX + "rule.orders.topics", "orders, orders.v2");
    config.setProperty(PREFIX + "epoch", 7);
    assertThat(config.getProperty(PREFIX + "rule.orders.topics")).as("Archaius splits the value").isInstanceOf(List.class);

    try (ArchaiusAuthoritySource source = source()) {
      assertThat(source.read()).containsEntry("rule.orders.topics", "orders,orders.v2").containsEntry("epoch", "7");
    }
  }

  @Test
  void noPropertyUnderThePrefixIsAFailedReadNamingThePrefix() {
    config.setProperty("payments.timeout.ms", "500");

    try (ArchaiusAuthoritySource source = source()) {
      assertThatThrownBy(source::read).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("no Archaius property starts with '" + PREFIX + "'")
          .hasMessageContaining(ArchaiusAuthoritySource.PREFIX_CONFIG);
    }
  }

  @Test
  void aChangeUnderThePrefixCallsTheCallbackAndAChangeElsewhereDoesNot() throws Exception {
    config.setProperty(PREFIX + "epoch", "1");
    AtomicInteger calls = new AtomicInteger();
    try (ArchaiusAuthoritySource source = source()) {
      source.read();
      source.onChange(calls::incrementAndGet);
      assertThat(calls).as("nothing changed since the read").hasValue(0);

      config.setProperty("payments.timeout.ms", "500");
      config.setProperty("payments.authorityx", "x");
      assertThat(seen).as("the configuration reported both changes").contains("payments.timeout.ms",
          "payments.authorityx");
      assertThat(calls).hasValue(0);

      config.setProperty(PREFIX + "epoch", "2");
      assertThat(calls).hasValue(1);
      config.clearProperty(PREFIX + "epoch");
      assertThat(calls).as("a removed property is a change too").hasValue(2);
    }
  }

  @Test
  void aChangeBetweenTheReadAndTheRegistrationIsReportedAtOnce() throws Exception {
    config.setProperty(PREFIX + "epoch", "1");
    AtomicInteger calls = new AtomicInteger();
    try (ArchaiusAuthoritySource source = source()) {
      source.read();
      config.setProperty(PREFIX + "epoch", "2");

      source.onChange(calls::incrementAndGet);

      assertThat(calls).hasValue(1);
    }
  }

  @Test
  void closeRemovesTheListener() throws Exception {
    config.setProperty(PREFIX + "epoch", "1");
    AtomicInteger calls = new AtomicInteger();
    ArchaiusAuthoritySource source = source();
    source.read();
    source.onChange(calls::incrementAndGet);
    assertThat(source.listening()).isTrue();

    source.close();

    assertThat(source.listening()).isFalse();
    assertThat(config.getConfigurationListeners()).containsExactly(probe);
    config.setProperty(PREFIX + "epoch", "2");
    assertThat(seen).contains(PREFIX + "epoch");
    assertThat(calls).hasValue(0);
  }

  @Test
  void aChangeInAConfigurationOfArchaiusCompositeReachesTheCallback() throws Exception {
    ConcurrentCompositeConfiguration composite = new ConcurrentCompositeConfiguration();
    ConcurrentMapConfiguration dynamic = new ConcurrentMapConfiguration();
    composite.addConfiguration(dynamic, "dynamic");
    dynamic.setProperty(PREFIX + "epoch", "1");
    AtomicInteger calls = new AtomicInteger();
    try (ArchaiusAuthoritySource source = new ArchaiusAuthoritySource(PREFIX, composite)) {
      assertThat(source.read()).containsEntry("epoch", "1");
      source.onChange(calls::incrementAndGet);

      dynamic.setProperty(PREFIX + "epoch", "2");

      assertThat(calls).hasValue(1);
      assertThat(source.read()).containsEntry("epoch", "2");
    }
  }

  @Test
  void aPollThatChangesNothingIsNoNews() throws Exception {
    DynamicConfiguration polled = new DynamicConfiguration(
        (initial, checkPoint) -> PollResult.createFull(Map.of(PREFIX + "epoch", "1")),
        new FixedDelayPollingScheduler(0, 10, false));
    AtomicInteger polls = new AtomicInteger();
    polled.addConfigurationListener(event -> {
      if (event.getType() == DynamicConfiguration.EVENT_RELOAD && !event.isBeforeUpdate()) {
        polls.incrementAndGet();
      }
    });
    AtomicInteger calls = new AtomicInteger();
    try (ArchaiusAuthoritySource source = new ArchaiusAuthoritySource(PREFIX, polled)) {
      assertThat(source.read()).containsExactlyEntriesOf(Map.of("epoch", "1"));
      source.onChange(calls::incrementAndGet);
      int before = polls.get();

      await().atMost(Duration.ofSeconds(10)).until(() -> polls.get() >= before + 3);

      assertThat(calls).hasValue(0);
    } finally {
      polled.stopLoading();
    }
  }

  /**
   * A read that starts right after a property changed waits until none has changed for the quiet period, so it
   * takes the properties that arrive meanwhile too (here: the second half of a document).
   */
  @Test
  void aReadWaitsUntilThePropertiesAreQuiet() throws Exception {
    config.setProperty(PREFIX + "epoch", "1");
    try (ArchaiusAuthoritySource source = new ArchaiusAuthoritySource(PREFIX, config, 2_000)) {
      source.read(); // starts listening
      config.setProperty(PREFIX + "epoch", "2");
      CompletableFuture<Map<String, String>> read = new CompletableFuture<>();
      Thread reader = new Thread(() -> {
        try {
          read.complete(source.read());
        } catch (Exception e) {
          read.completeExceptionally(e);
        }
      }, "reader");
      reader.start();
      await().atMost(Duration.ofSeconds(10)).until(() -> reader.getState() == Thread.State.TIMED_WAITING);
      assertThat(read).isNotDone();

      config.setProperty(PREFIX + "key-count", "2");

      assertThat(read.get(30, TimeUnit.SECONDS)).containsExactlyInAnyOrderEntriesOf(
          Map.of("epoch", "2", "key-count", "2"));
    }
  }

  @Test
  void propertiesThatNeverStopChangingAreAFailedRead() throws Exception {
    config.setProperty(PREFIX + "epoch", "1");
    AtomicBoolean done = new AtomicBoolean();
    try (ArchaiusAuthoritySource source = new ArchaiusAuthoritySource(PREFIX, config, 100)) {
      source.read(); // starts listening
      Thread writer = new Thread(() -> {
        for (int i = 2; !done.get(); i++) {
          config.setProperty(PREFIX + "epoch", Integer.toString(i));
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2)); // a writer busier than the quiet period
        }
      }, "writer");
      writer.start();
      await().atMost(Duration.ofSeconds(10)).until(() -> !"1".equals(config.getString(PREFIX + "epoch")));

      assertThatThrownBy(source::read).isInstanceOf(IllegalStateException.class)
          .hasMessage("the Archaius properties under '" + PREFIX + "' kept changing for 5000 ms; they are read again "
              + "at the next change or refresh");
    } finally {
      done.set(true);
    }
  }

  @Test
  void thePrefixComesFromTheClientConfiguration() throws Exception {
    config.setProperty("ops.turnout.epoch", "3");
    try (ArchaiusAuthoritySource source = new ArchaiusAuthoritySource(ArchaiusAuthoritySource.DEFAULT_PREFIX, config)) {
      source.configure(Map.of("turnout.clusters", "onprem,cloud"));
      assertThat(source.prefix()).isEqualTo("turnout.authority.document.");

      source.configure(Map.of(ArchaiusAuthoritySource.PREFIX_CONFIG, "ops.turnout."));

      assertThat(source.read()).containsExactlyEntriesOf(Map.of("epoch", "3"));
      assertThat(source.description()).isEqualTo("archaius properties under ops.turnout.");
    }
  }

  @Test
  void aBlankPrefixIsRejectedNamingTheKey() {
    try (ArchaiusAuthoritySource source = new ArchaiusAuthoritySource(ArchaiusAuthoritySource.DEFAULT_PREFIX, config)) {
      assertThatThrownBy(() -> source.configure(Map.of(ArchaiusAuthoritySource.PREFIX_CONFIG, " ")))
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining(ArchaiusAuthoritySource.PREFIX_CONFIG)
          .hasMessageContaining("turnout.authority.document.");
    }
    assertThatThrownBy(() -> new ArchaiusAuthoritySource("", config)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must not be empty");
  }
}
