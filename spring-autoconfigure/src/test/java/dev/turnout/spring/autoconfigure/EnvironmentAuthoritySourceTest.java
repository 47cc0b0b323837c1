package dev.turnout.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.authority.DocumentProblem;
import dev.turnout.authority.InvalidAuthorityDocumentException;
import dev.turnout.authority.MigrationState;
import dev.turnout.authority.Rule;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

/** The authority document read from the Spring Environment, in the structure of the document. */
class EnvironmentAuthoritySourceTest {

  private static final List<String> CLUSTERS = List.of("onprem", "cloud");

  private final StandardEnvironment environment = new StandardEnvironment();
  private final Map<String, Object> values = new HashMap<>();
  private final EnvironmentAuthoritySource source = new EnvironmentAuthoritySource(environment);

  EnvironmentAuthoritySourceTest() {
    environment.getPropertySources().addFirst(new MapPropertySource("test", values));
  }

  @Test
  void readsTheDocumentInItsOwnStructureFromFlatProperties() throws Exception {
    values.putAll(Map.of(
        "turnout.authority.epoch", "12",
        "turnout.authority.source", "onprem",
        "turnout.authority.target", "cloud",
        "turnout.authority.rule.orders.topics", "orders,orders.v2",
        "turnout.authority.rule.orders.state", "WRITE_PROMOTION",
        "turnout.authority.rule.orders.slice.canary.keys", "0-999",
        "turnout.authority.rule.orders.slice.canary.owner", "cloud",
        "turnout.authority.rule.orders.slice.rest.keys", "1000-9999",
        "turnout.authority.rule.orders.slice.rest.owner", "onprem",
        "turnout.authority.rule.orders.null-key-owner", "onprem"));
    values.put("turnout.authority.rule.audit.topic-prefix", "audit.");
    values.put("turnout.authority.rule.audit.state", "MIRROR");
    values.put("turnout.authority.refresh-interval", "200ms");

    Map<String, String> document = source.read();

    assertThat(document).containsOnly(
        Map.entry("epoch", "12"), Map.entry("source", "onprem"), Map.entry("target", "cloud"),
        Map.entry("rule.orders.topics", "orders,orders.v2"), Map.entry("rule.orders.state", "WRITE_PROMOTION"),
        Map.entry("rule.orders.slice.canary.keys", "0-999"), Map.entry("rule.orders.slice.canary.owner", "cloud"),
        Map.entry("rule.orders.slice.rest.keys", "1000-9999"), Map.entry("rule.orders.slice.rest.owner", "onprem"),
        Map.entry("rule.orders.null-key-owner", "onprem"), Map.entry("rule.audit.topic-prefix", "audit."),
        Map.entry("rule.audit.state", "MIRROR"));
    AuthorityMap map = AuthorityMap.parse(document, CLUSTERS);
    assertThat(map.epoch()).isEqualTo(12);
    assertThat(map.ruleFor("orders.v2").slices()).hasSize(2);
    assertThat(map.ruleFor("audit.x").state()).isEqualTo(MigrationState.MIRROR);
  }

  @Test
  void yamlListsAndRelaxedNamesBindToTheSameDocument() throws Exception {
    // What a YAML file with lists and camelCase names becomes in the Environment.
    values.put("turnout.authority.epoch", 3);
    values.put("turnout.authority.source", "onprem");
    values.put("turnout.authority.target", "cloud");
    values.put("turnout.authority.rule.orders.topics[0]", "orders");
    values.put("turnout.authority.rule.orders.topics[1]", "orders.v2");
    values.put("turnout.authority.rule.orders.state", "WRITE_PROMOTION");
    values.put("turnout.authority.rule.orders.nullKeyOwner", "cloud");
    values.put("turnout.authority.rule.orders.slice.canary.keys[0]", "0-999");
    values.put("turnout.authority.rule.orders.slice.canary.keys[1]", "5000-5999");
    values.put("turnout.authority.rule.orders.slice.canary.owner", "cloud");
    values.put("turnout.authority.rule.orders.slice.rest.keys", "1000-4999,6000-9999");
    values.put("turnout.authority.rule.orders.slice.rest.owner", "onprem");
    values.put("turnout.authority.rule.logs.topicPrefix[0]", "logs.");
    values.put("turnout.authority.rule.logs.state", "TARGET_AUTHORITY");

    Map<String, String> document = source.read();

    assertThat(document).containsEntry("epoch", "3")
        .containsEntry("rule.orders.topics", "orders,orders.v2")
        .containsEntry("rule.orders.null-key-owner", "cloud")
        .containsEntry("rule.orders.slice.canary.keys", "0-999,5000-5999")
        .containsEntry("rule.logs.topic-prefix", "logs.");
    Rule orders = AuthorityMap.parse(document, CLUSTERS).ruleFor("orders");
    assertThat(orders.slices()).filteredOn(s -> s.name().equals("canary")).singleElement()
        .satisfies(s -> assertThat(s.bucketCount()).isEqualTo(2000));
  }

  @Test
  void theYamlOfTheDocsIsAValidDocument() throws Exception {
    String yaml = """
        turnout:
          authority:
            refresh-interval: 1s
            max-staleness: 5m
            epoch: 12
            source: onprem
            target: cloud
            rule:
              orders:
                topics: orders, orders.v2
                state: WRITE_PROMOTION
                null-key-owner: onprem
                slice:
                  canary: { keys: 0-999, owner: cloud }
                  rest:   { keys: 1000-9999, owner: onprem }
              audit:
                topic-prefix: audit.
                state: MIRROR
        """;
    new YamlPropertySourceLoader().load("docs", new ByteArrayResource(yaml.getBytes(StandardCharsets.UTF_8)))
        .forEach(environment.getPropertySources()::addFirst);

    AuthorityMap map = AuthorityMap.parse(source.read(), CLUSTERS);

    assertThat(map.epoch()).isEqualTo(12);
    assertThat(map.ruleFor("orders.v2").name()).isEqualTo("orders");
    assertThat(map.ruleFor("orders").nullKeyOwner()).isEqualTo("onprem");
    assertThat(map.ruleFor("orders").slices()).extracting(s -> s.name() + "=" + s.owner() + ":" + s.bucketCount())
        .containsExactlyInAnyOrder("canary=cloud:1000", "rest=onprem:9000");
    assertThat(map.ruleFor("audit.x").name()).isEqualTo("audit");
  }

  @Test
  void aTypoUnderTurnoutAuthorityIsAnUnknownKeyOfTheDocumentNotSilentlyIgnored() throws Exception {
    values.put("turnout.authority.epoch", "1");
    values.put("turnout.authority.source", "onprem");
    values.put("turnout.authority.target", "cloud");
    values.put("turnout.authority.rule.orders.topics", "orders");
    values.put("turnout.authority.rule.orders.stat", "MIRROR");
    values.put("turnout.authority.colour", "blue");

    Map<String, String> document = source.read();

    assertThat(document).containsEntry("rule.orders.stat", "MIRROR").containsEntry("colour", "blue");
    assertThatThrownBy(() -> AuthorityMap.parse(document, CLUSTERS))
        .isInstanceOfSatisfying(InvalidAuthorityDocumentException.class, e ->
            assertThat(e.problems()).extracting(DocumentProblem::kind).contains(DocumentProblem.Kind.UNKNOWN_KEY,
                DocumentProblem.Kind.MISSING_VALUE))
        .hasMessageContaining("rule.orders.stat").hasMessageContaining("colour");
  }

  @Test
  void everyReadSeesTheEnvironmentAsItIsNow() throws Exception {
    values.put("turnout.authority.epoch", "1");
    values.put("turnout.authority.rule.orders.topics", "orders");
    values.put("turnout.authority.rule.orders.state", "MIRROR");
    assertThat(source.read()).containsEntry("epoch", "1").containsEntry("rule.orders.state", "MIRROR");

    Map<String, Object> flip = new HashMap<>();
    flip.put("turnout.authority.epoch", "2");
    flip.put("turnout.authority.rule.orders.state", "TARGET_AUTHORITY");
    environment.getPropertySources().addFirst(new MapPropertySource("flip", flip));
    assertThat(source.read()).containsEntry("epoch", "2").containsEntry("rule.orders.state", "TARGET_AUTHORITY")
        .containsEntry("rule.orders.topics", "orders");

    values.put("turnout.authority.rule.payments.topics", "payments");
    values.put("turnout.authority.rule.payments.state", "MIRROR");
    assertThat(source.read()).containsEntry("rule.payments.topics", "payments");

    environment.getPropertySources().remove("flip");
    assertThat(source.read()).containsEntry("epoch", "1");
  }

  @Test
  void anEmptyEnvironmentIsAnEmptyDocument() throws Exception {
    assertThat(source.read()).isEmpty();
    assertThat(source.description()).isEqualTo("Spring Environment turnout.authority.*");
  }

  /**
   * A property source that changes to another document after a number of lookups, as when a refresh of the
   * application's configuration lands while the document is being read.
   */
  private static final class ChangingSource extends MapPropertySource {
    private final Map<String, Object> next;
    private int lookupsBeforeChange;

    ChangingSource(Map<String, Object> first, Map<String, Object> next, int lookupsBeforeChange) {
      super("changing", new HashMap<>(first));
      this.next = next;
      this.lookupsBeforeChange = lookupsBeforeChange;
    }

    @Override
    public Object getProperty(String name) {
      if (name.startsWith("turnout.authority.") && lookupsBeforeChange-- == 0) {
        getSource().putAll(next);
      }
      return super.getProperty(name);
    }
  }

  @Test
  void aDocumentThatChangesWhileItIsReadIsReadAgainNeverReturnedHalfOldHalfNew() throws Exception {
    Map<String, Object> first = Map.of("turnout.authority.epoch", "1", "turnout.authority.source", "onprem",
        "turnout.authority.target", "cloud", "turnout.authority.rule.orders.topics", "orders",
        "turnout.authority.rule.orders.state", "MIRROR");
    Map<String, Object> second = Map.of("turnout.authority.epoch", "2", "turnout.authority.source", "cloud",
        "turnout.authority.target", "onprem", "turnout.authority.rule.orders.topics", "orders.v2",
        "turnout.authority.rule.orders.state", "TARGET_AUTHORITY");
    Map<String, String> secondDocument = Map.of("epoch", "2", "source", "cloud", "target", "onprem",
        "rule.orders.topics", "orders.v2", "rule.orders.state", "TARGET_AUTHORITY");
    // Whichever key the binder looks up first, second, ...: the change lands in the middle of a read.
    for (int lookups = 1; lookups <= 4; lookups++) {
      StandardEnvironment changing = new StandardEnvironment();
      changing.getPropertySources().addFirst(new ChangingSource(first, second, lookups));
      assertThat(new EnvironmentAuthoritySource(changing).read()).as("change after %d lookups", lookups)
          .isEqualTo(secondDocument);
    }
  }

  @Test
  void aDocumentThatNeverHoldsStillFailsTheReadSoTheMapInForceStays() {
    java.util.concurrent.atomic.AtomicInteger epoch = new java.util.concurrent.atomic.AtomicInteger();
    StandardEnvironment changing = new StandardEnvironment();
    changing.getPropertySources().addFirst(new MapPropertySource("changing", new HashMap<>(Map.of(
        "turnout.authority.epoch", "0", "turnout.authority.rule.orders.topics", "orders",
        "turnout.authority.rule.orders.state", "MIRROR"))) {
      @Override
      public Object getProperty(String name) {
        return name.equals("turnout.authority.epoch") ? String.valueOf(epoch.incrementAndGet()) : super.getProperty(name);
      }
    });
    assertThatThrownBy(() -> new EnvironmentAuthoritySource(changing).read())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("changed during each of 5 reads");
  }
}
