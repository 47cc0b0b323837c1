package dev.turnout.authority;

import static dev.turnout.authority.AuthorityDocs.CLUSTERS;
import static dev.turnout.authority.AuthorityDocs.doc;
import static dev.turnout.authority.AuthorityDocs.example;
import static dev.turnout.authority.AuthorityDocs.kinds;
import static dev.turnout.authority.AuthorityDocs.parse;
import static dev.turnout.authority.AuthorityDocs.problems;
import static dev.turnout.authority.AuthorityDocs.soleProblem;
import static dev.turnout.authority.AuthorityDocs.someProblem;
import static dev.turnout.authority.AuthorityDocs.with;
import static dev.turnout.authority.AuthorityDocs.without;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.turnout.authority.DocumentProblem.Kind;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class AuthorityDocumentParserTest {

  private static final String EXAMPLE_TEXT = """
      epoch=12
      source=onprem
      target=cloud
      rule.orders.topics=orders,orders.v2
      rule.orders.state=WRITE_PROMOTION
      rule.orders.slice.canary.keys=0-999
      rule.orders.slice.canary.owner=cloud
      rule.orders.slice.rest.keys=1000-9999
      rule.orders.slice.rest.owner=onprem
      rule.orders.null-key-owner=onprem
      rule.audit.topic-prefix=audit.
      rule.audit.state=MIRROR
      """;

  private static Map<String, String> load(String text) throws IOException {
    Properties props = new Properties();
    props.load(new StringReader(text));
    Map<String, String> doc = new LinkedHashMap<>();
    props.stringPropertyNames().forEach(k -> doc.put(k, props.getProperty(k)));
    return doc;
  }

  private static Rule rule(AuthorityMap map, String name) {
    return map.rules().stream().filter(r -> r.name().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no rule " + name + " in " + map.rules()));
  }

  private static Slice slice(Rule rule, String name) {
    return rule.slices().stream().filter(s -> s.name().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no slice " + name + " in " + rule.slices()));
  }

  @Nested
  class ValidDocuments {

    @Test
    void exampleDocumentParses() throws IOException {
      AuthorityMap map = AuthorityMap.parse(load(EXAMPLE_TEXT), CLUSTERS);

      assertThat(map.epoch()).isEqualTo(12);
      assertThat(map.source()).isEqualTo("onprem");
      assertThat(map.target()).isEqualTo("cloud");
      assertThat(map.clusters()).isEqualTo(CLUSTERS);
      assertThat(map.rules()).extracting(Rule::name).containsExactly("audit", "orders");

      Rule orders = rule(map, "orders");
      assertThat(orders.topics()).containsExactlyInAnyOrder("orders", "orders.v2");
      assertThat(orders.prefixes()).isEmpty();
      assertThat(orders.state()).isEqualTo(MigrationState.WRITE_PROMOTION);
      assertThat(orders.sliced()).isTrue();
      assertThat(orders.source()).isEqualTo("onprem");
      assertThat(orders.target()).isEqualTo("cloud");
      assertThat(orders.nullKeyOwner()).isEqualTo("onprem");
      assertThat(orders.slices()).extracting(Slice::name).containsExactlyInAnyOrder("canary", "rest");
      Slice canary = slice(orders, "canary");
      assertThat(canary.ranges()).containsExactly(new Slice.KeyRange(0, 999));
      assertThat(canary.owner()).isEqualTo("cloud");
      assertThat(canary.bucketCount()).isEqualTo(1000);
      Slice rest = slice(orders, "rest");
      assertThat(rest.ranges()).containsExactly(new Slice.KeyRange(1000, 9999));
      assertThat(rest.owner()).isEqualTo("onprem");
      assertThat(rest.bucketCount()).isEqualTo(9000);

      Rule audit = rule(map, "audit");
      assertThat(audit.topics()).isEmpty();
      assertThat(audit.prefixes()).containsExactly("audit.");
      assertThat(audit.state()).isEqualTo(MigrationState.MIRROR);
      assertThat(audit.sliced()).isFalse();
      assertThat(audit.slices()).isEmpty();
      assertThat(audit.nullKeyOwner()).isNull();
      assertThat(audit.source()).isEqualTo("onprem");
      assertThat(audit.target()).isEqualTo("cloud");
    }

    @Test
    void propertiesTextAndMapFormParseToTheSameDocument() throws IOException {
      AuthorityMap fromText = AuthorityMap.parse(load(EXAMPLE_TEXT), CLUSTERS);
      AuthorityMap fromMap = parse(example());
      assertThat(fromText.sameDocument(fromMap)).isTrue();
      assertThat(fromText.document()).isEqualTo(new TreeMap<>(example()));
    }

    @Test
    void rulesAreListedInNameOrder() {
      Map<String, String> doc = doc("epoch", "0", "source", "onprem", "target", "cloud");
      for (String name : List.of("zeta", "alpha", "m_1", "Beta-2", "m-0")) {
        doc.put("rule." + name + ".topics", "t." + name);
        doc.put("rule." + name + ".state", "MIRROR");
      }
      List<String> sorted = new ArrayList<>(List.of("zeta", "alpha", "m_1", "Beta-2", "m-0"));
      Collections.sort(sorted);
      assertThat(parse(doc).rules()).extracting(Rule::name).containsExactlyElementsOf(sorted);
    }

    @Test
    void documentWithoutRulesIsValidAndRoutesNothing() {
      AuthorityMap map = parse(doc("epoch", "0"));
      assertThat(map.rules()).isEmpty();
      assertThat(map.source()).isNull();
      assertThat(map.route("orders", new byte[] {1}).refusal()).isEqualTo(Route.Refusal.NO_MATCHING_RULE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "1", "9223372036854775807"})
    void epochAcceptsAnyNonNegativeLong(String epoch) {
      assertThat(parse(with(example(), "epoch", epoch)).epoch()).isEqualTo(Long.parseLong(epoch));
    }

    @Test
    void whitespaceAroundKeysValuesTopicsAndRangesIsTrimmed() {
      Map<String, String> doc = doc(
          "  epoch ", " 12\t",
          "source ", " onprem",
          " target", "cloud  ",
          " rule.orders.topics ", "  orders ,  orders.v2 ",
          "rule.orders.state", " WRITE_PROMOTION ",
          "rule.orders.slice.canary.keys", " 0 - 99 ,  5000-5099 ",
          "rule.orders.slice.canary.owner", " cloud ",
          "rule.orders.slice.rest.keys", "100 -4999, 5100- 9999",
          "rule.orders.slice.rest.owner", "onprem ",
          "\trule.audit.topic-prefix", " audit. ",
          "rule.audit.state ", "MIRROR\t");
      AuthorityMap map = parse(doc);

      assertThat(map.epoch()).isEqualTo(12);
      assertThat(map.source()).isEqualTo("onprem");
      assertThat(map.target()).isEqualTo("cloud");
      Rule orders = rule(map, "orders");
      assertThat(orders.topics()).containsExactlyInAnyOrder("orders", "orders.v2");
      assertThat(orders.state()).isEqualTo(MigrationState.WRITE_PROMOTION);
      assertThat(slice(orders, "canary").ranges())
          .containsExactly(new Slice.KeyRange(0, 99), new Slice.KeyRange(5000, 5099));
      assertThat(slice(orders, "canary").owner()).isEqualTo("cloud");
      assertThat(slice(orders, "rest").ranges())
          .containsExactly(new Slice.KeyRange(100, 4999), new Slice.KeyRange(5100, 9999));
      assertThat(slice(orders, "rest").owner()).isEqualTo("onprem");
      assertThat(rule(map, "audit").prefixes()).containsExactly("audit.");
      assertThat(rule(map, "audit").state()).isEqualTo(MigrationState.MIRROR);
      // The canonical document holds trimmed keys and values.
      assertThat(map.document()).containsEntry("epoch", "12").containsEntry("rule.audit.state", "MIRROR")
          .doesNotContainKey("  epoch ");
      map.document().forEach((k, v) -> {
        assertThat(k).isEqualTo(k.strip());
        assertThat(v).isEqualTo(v.strip());
      });
    }

    @Test
    void ruleLevelSourceAndTargetOverrideTheDocumentDefaults() {
      Map<String, String> doc = with(example(),
          "rule.legacy.topics", "legacy",
          "rule.legacy.state", "MIRROR",
          "rule.legacy.source", "dr",
          "rule.backup.topics", "backup",
          "rule.backup.state", "TARGET_AUTHORITY",
          "rule.backup.target", "dr",
          "rule.split.topics", "split",
          "rule.split.state", "WRITE_PROMOTION",
          "rule.split.source", "dr",
          "rule.split.target", "onprem",
          "rule.split.slice.a.keys", "0-4999",
          "rule.split.slice.a.owner", "dr",
          "rule.split.slice.b.keys", "5000-9999",
          "rule.split.slice.b.owner", "onprem");
      AuthorityMap map = parse(doc);

      Rule legacy = rule(map, "legacy");
      assertThat(legacy.source()).isEqualTo("dr");
      assertThat(legacy.target()).as("not overridden: document default").isEqualTo("cloud");
      assertThat(map.route("legacy", null).owner()).isEqualTo("dr");

      Rule backup = rule(map, "backup");
      assertThat(backup.source()).as("not overridden: document default").isEqualTo("onprem");
      assertThat(backup.target()).isEqualTo("dr");
      assertThat(map.route("backup", null).owner()).isEqualTo("dr");

      Rule split = rule(map, "split");
      assertThat(split.source()).isEqualTo("dr");
      assertThat(split.target()).isEqualTo("onprem");
      assertThat(split.routeForBucket(0).owner()).isEqualTo("dr");
      assertThat(split.routeForBucket(9999).owner()).isEqualTo("onprem");

      // Document defaults are unaffected for rules that do not override them.
      assertThat(rule(map, "audit").source()).isEqualTo("onprem");
      assertThat(map.source()).isEqualTo("onprem");
      assertThat(map.target()).isEqualTo("cloud");
    }

    @Test
    void rulesMayNameTheirOwnSourceAndTargetWithoutDocumentDefaults() {
      Map<String, String> doc = doc(
          "epoch", "3",
          "rule.a.topics", "a",
          "rule.a.state", "TARGET_AUTHORITY",
          "rule.a.source", "onprem",
          "rule.a.target", "cloud",
          "rule.b.topics", "b",
          "rule.b.state", "TARGET_AUTHORITY",
          "rule.b.source", "cloud",
          "rule.b.target", "dr");
      AuthorityMap map = parse(doc);
      assertThat(map.source()).isNull();
      assertThat(map.target()).isNull();
      assertThat(map.route("a", null).owner()).isEqualTo("cloud");
      assertThat(map.route("b", null).owner()).isEqualTo("dr");
    }

    @Test
    void sliceMayListSeveralRanges() {
      Map<String, String> doc = with(example(),
          "rule.orders.slice.canary.keys", "0-99,2000-2099,9900-9999",
          "rule.orders.slice.rest.keys", "100-1999,2100-9899");
      AuthorityMap map = parse(doc);
      Rule orders = rule(map, "orders");
      Slice canary = slice(orders, "canary");
      assertThat(canary.ranges()).containsExactly(
          new Slice.KeyRange(0, 99), new Slice.KeyRange(2000, 2099), new Slice.KeyRange(9900, 9999));
      assertThat(canary.bucketCount()).isEqualTo(300);
      assertThat(slice(orders, "rest").bucketCount()).isEqualTo(10_000 - 300);

      for (int b : new int[] {0, 99, 2000, 2099, 9900, 9999}) {
        assertThat(orders.routeForBucket(b).slice()).as("bucket %d", b).isEqualTo("canary");
        assertThat(orders.routeForBucket(b).owner()).as("bucket %d", b).isEqualTo("cloud");
      }
      for (int b : new int[] {100, 1999, 2100, 5000, 9899}) {
        assertThat(orders.routeForBucket(b).slice()).as("bucket %d", b).isEqualTo("rest");
        assertThat(orders.routeForBucket(b).owner()).as("bucket %d", b).isEqualTo("onprem");
      }
    }

    @Test
    void sliceMayBeASingleWholeRangeAndSlicesMayShareAnOwner() {
      AuthorityMap whole = parse(with(without(example(), "rule.orders.slice.rest.keys", "rule.orders.slice.rest.owner"),
          "rule.orders.slice.canary.keys", "0-9999"));
      assertThat(rule(whole, "orders").slices()).singleElement()
          .satisfies(s -> assertThat(s.bucketCount()).isEqualTo(10_000));

      AuthorityMap shared = parse(with(example(), "rule.orders.slice.rest.owner", "cloud"));
      assertThat(rule(shared, "orders").slices()).extracting(Slice::owner).containsOnly("cloud");
    }

    @ParameterizedTest
    @EnumSource(value = MigrationState.class, names = {"MIRROR", "DUAL_READ", "TARGET_AUTHORITY"})
    void unslicedStatesParseWithoutSlices(MigrationState state) {
      AuthorityMap map = parse(with(example(), "rule.audit.state", state.name()));
      assertThat(rule(map, "audit").state()).isEqualTo(state);
      assertThat(rule(map, "audit").slices()).isEmpty();
    }
  }

  @Nested
  class CanonicalDocument {

    @Test
    void equalDocumentsWithDifferentWhitespaceAndOrderAreTheSameDocument() {
      Map<String, String> reordered = new LinkedHashMap<>();
      List<Map.Entry<String, String>> entries = new ArrayList<>(example().entrySet());
      Collections.reverse(entries);
      for (Map.Entry<String, String> e : entries) {
        reordered.put("  " + e.getKey() + "\t", " " + e.getValue() + "  ");
      }
      AuthorityMap a = parse(example());
      AuthorityMap b = parse(reordered);
      assertThat(a.sameDocument(b)).isTrue();
      assertThat(b.sameDocument(a)).isTrue();
      assertThat(a.document()).isEqualTo(b.document());
      assertThat(a.document()).isEqualTo(new TreeMap<>(example()));
      assertThat(new ArrayList<>(a.document().keySet())).isSorted();
    }

    @Test
    void differentDocumentsAreNotTheSameDocument() {
      AuthorityMap a = parse(example());
      assertThat(a.sameDocument(parse(with(example(), "epoch", "13")))).isFalse();
      assertThat(a.sameDocument(parse(with(example(), "rule.audit.state", "DUAL_READ")))).isFalse();
      assertThat(a.sameDocument(parse(with(example(), "rule.orders.slice.canary.keys", "0-998",
          "rule.orders.slice.rest.keys", "999-9999")))).isFalse();
      assertThat(a.sameDocument(null)).isFalse();
      assertThat(a.sameDocument(a)).isTrue();
    }

    @Test
    void canonicalDocumentIsImmutableAndDetachedFromTheInput() {
      Map<String, String> input = example();
      AuthorityMap map = parse(input);
      input.put("epoch", "99");
      assertThat(map.document()).containsEntry("epoch", "12");
      assertThatThrownBy(() -> map.document().put("epoch", "99"))
          .isInstanceOf(UnsupportedOperationException.class);
    }
  }

  @Nested
  class Rejections {

    @Test
    void missingEpoch() {
      soleProblem(without(example(), "epoch"), Kind.MISSING_VALUE, "'epoch'");
    }

    @Test
    void emptyEpoch() {
      soleProblem(with(example(), "epoch", "  "), Kind.MISSING_VALUE, "'epoch'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"twelve", "-1", "1.5", "12x", "99999999999999999999"})
    void malformedEpoch(String epoch) {
      soleProblem(with(example(), "epoch", epoch), Kind.MALFORMED_NUMBER, "'epoch'", "'" + epoch + "'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a-999", "0-x", "zero", "0-999-", "0..999"})
    void malformedRangeNumber(String keys) {
      someProblem(with(example(), "rule.orders.slice.canary.keys", keys), Kind.MALFORMED_NUMBER,
          "rule.orders.slice.canary.keys", keys);
    }

    @Test
    void malformedRangeInAListOfRanges() {
      someProblem(with(example(), "rule.orders.slice.canary.keys", "0-499, 500-nine"), Kind.MALFORMED_NUMBER,
          "rule.orders.slice.canary.keys", "500-nine");
    }

    @ParameterizedTest
    @ValueSource(strings = {"999-0", "0-10000", "9999-10000", "5-4"})
    void invalidRange(String keys) {
      someProblem(with(example(), "rule.orders.slice.canary.keys", keys), Kind.INVALID_RANGE,
          "rule.orders.slice.canary.keys", keys);
    }

    @Test
    void unknownTopLevelKey() {
      soleProblem(with(example(), "epochs", "12"), Kind.UNKNOWN_KEY, "'epochs'");
    }

    @Test
    void unknownRuleAttribute() {
      soleProblem(with(example(), "rule.orders.colour", "blue"), Kind.UNKNOWN_KEY, "'rule.orders.colour'");
    }

    @Test
    void unknownSliceAttribute() {
      soleProblem(with(example(), "rule.orders.slice.canary.weight", "3"), Kind.UNKNOWN_KEY,
          "rule.orders.slice.canary.weight");
    }

    @ParameterizedTest
    @ValueSource(strings = {"rule.orders", "rule.orders.", "rule", "rules.orders.state"})
    void keyWithoutRuleAttribute(String key) {
      soleProblem(with(example(), key, "x"), Kind.UNKNOWN_KEY, "'" + key + "'");
    }

    @Test
    void sliceKeyWithoutSliceAttribute() {
      soleProblem(with(example(), "rule.orders.slice.canary", "0-999"), Kind.UNKNOWN_KEY,
          "rule.orders.slice.canary");
    }

    @ParameterizedTest
    @ValueSource(strings = {"PROMOTED", "CUTOVER", "WRITE-PROMOTION"})
    void unknownState(String state) {
      soleProblem(with(example(), "rule.audit.state", state), Kind.UNKNOWN_STATE, "rule.audit.state", state);
    }

    @Test
    void missingState() {
      soleProblem(without(example(), "rule.audit.state"), Kind.MISSING_VALUE, "rule.audit.state");
    }

    @Test
    void undeclaredTopLevelTarget() {
      someProblem(with(example(), "target", "gcp"), Kind.UNKNOWN_CLUSTER, "'target'", "'gcp'");
    }

    @Test
    void undeclaredTopLevelSource() {
      someProblem(with(example(), "source", "gcp"), Kind.UNKNOWN_CLUSTER, "'source'", "'gcp'");
    }

    @Test
    void undeclaredRuleSource() {
      someProblem(with(example(), "rule.audit.source", "gcp"), Kind.UNKNOWN_CLUSTER, "rule.audit.source", "'gcp'");
    }

    @Test
    void undeclaredRuleTarget() {
      soleProblem(with(example(), "rule.audit.target", "gcp"), Kind.UNKNOWN_CLUSTER, "rule.audit.target", "'gcp'");
    }

    @Test
    void undeclaredSliceOwner() {
      someProblem(with(example(), "rule.orders.slice.canary.owner", "gcp"), Kind.UNKNOWN_CLUSTER,
          "rule.orders.slice.canary.owner", "'gcp'");
    }

    @Test
    void undeclaredNullKeyOwner() {
      soleProblem(with(example(), "rule.orders.null-key-owner", "gcp"), Kind.UNKNOWN_CLUSTER,
          "rule.orders.null-key-owner", "'gcp'");
    }

    @Test
    void aliasesAreCheckedAgainstTheDeclaredClusterList() {
      // "dr" is fine with the default list, but not when only onprem and cloud are declared.
      Map<String, String> doc = with(example(), "rule.audit.target", "dr");
      assertThat(parse(doc).rules()).hasSize(2);
      List<DocumentProblem> problems = problems(doc, List.of("onprem", "cloud"));
      assertThat(kinds(problems)).containsExactly(Kind.UNKNOWN_CLUSTER);
      assertThat(problems.get(0).detail()).contains("rule.audit.target", "'dr'");
    }

    @Test
    void sliceOwnerNeitherSourceNorTarget() {
      someProblem(with(example(), "rule.orders.slice.rest.owner", "dr"), Kind.OWNER_NOT_SOURCE_OR_TARGET,
          "rule.orders.slice.rest.owner", "'dr'");
    }

    @Test
    void nullKeyOwnerNeitherSourceNorTarget() {
      soleProblem(with(example(), "rule.orders.null-key-owner", "dr"), Kind.OWNER_NOT_SOURCE_OR_TARGET,
          "rule.orders.null-key-owner", "'dr'");
    }

    @Test
    void ownerIsCheckedAgainstTheRulesOverriddenSourceAndTarget() {
      // With the rule's source overridden to dr, onprem is no longer a valid owner.
      someProblem(with(example(), "rule.orders.source", "dr", "rule.orders.null-key-owner", "dr"),
          Kind.OWNER_NOT_SOURCE_OR_TARGET, "rule.orders.slice.rest.owner", "'onprem'");
    }

    @Test
    void ruleSourceEqualsTarget() {
      soleProblem(with(example(), "rule.audit.target", "onprem"), Kind.SOURCE_EQUALS_TARGET, "'audit'", "'onprem'");
    }

    @Test
    void documentSourceEqualsTarget() {
      List<DocumentProblem> problems = problems(with(example(), "target", "onprem",
          "rule.orders.slice.canary.owner", "onprem"));
      assertThat(kinds(problems)).containsOnly(Kind.SOURCE_EQUALS_TARGET);
      assertThat(problems).extracting(DocumentProblem::detail)
          .anySatisfy(d -> assertThat(d).contains("'orders'"))
          .anySatisfy(d -> assertThat(d).contains("'audit'"));
    }

    @Test
    void missingRuleSourceWithoutDocumentDefault() {
      soleProblem(with(without(example(), "source"), "rule.orders.source", "onprem"),
          Kind.MISSING_VALUE, "rule.audit.source");
    }

    @Test
    void missingRuleTargetWithoutDocumentDefault() {
      soleProblem(with(without(example(), "target"), "rule.orders.target", "cloud"),
          Kind.MISSING_VALUE, "rule.audit.target");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ord$rs", "ord ers", "órders"})
    void invalidRuleName(String name) {
      someProblem(with(example(), "rule." + name + ".topics", "x", "rule." + name + ".state", "MIRROR"),
          Kind.INVALID_NAME, "'" + name + "'");
      assertThat(problems(with(example(), "rule." + name + ".state", "MIRROR")))
          .allSatisfy(p -> assertThat(p.kind()).isEqualTo(Kind.INVALID_NAME));
    }

    @ParameterizedTest
    @ValueSource(strings = {"can ary", "can$ary", "ca.n"})
    void invalidSliceName(String name) {
      Map<String, String> doc = with(example(),
          "rule.orders.slice.canary.keys", null,
          "rule.orders.slice.canary.owner", null,
          "rule.orders.slice." + name + ".keys", "0-999",
          "rule.orders.slice." + name + ".owner", "cloud");
      if (name.contains(".")) {
        // A dot ends the slice name: the remainder is not a slice attribute.
        someProblem(doc, Kind.UNKNOWN_KEY, "rule.orders.slice." + name + ".keys");
      } else {
        someProblem(doc, Kind.INVALID_NAME, "'" + name + "'");
      }
    }

    @Test
    void emptySliceName() {
      someProblem(with(example(), "rule.orders.slice..keys", "0-9"), Kind.INVALID_NAME, "rule.orders.slice..keys");
    }

    @ParameterizedTest
    @ValueSource(strings = {"orders topic", "orders/v2", "orders,", "ord#ers"})
    void invalidTopicName(String topics) {
      String bad = topics.endsWith(",") ? "" : topics;
      someProblem(with(example(), "rule.orders.topics", topics), Kind.INVALID_NAME,
          "rule.orders.topics", "'" + bad + "'");
    }

    @Test
    void invalidTopicPrefix() {
      someProblem(with(example(), "rule.audit.topic-prefix", "audit/"), Kind.INVALID_NAME,
          "rule.audit.topic-prefix", "'audit/'");
    }

    @Test
    void topicNameLongerThanKafkaAllows() {
      String longName = "t".repeat(250);
      soleProblem(with(example(), "rule.audit.topics", longName), Kind.INVALID_NAME, "rule.audit.topics", longName);
      assertThat(parse(with(example(), "rule.audit.topics", "t".repeat(249))).ruleFor("t".repeat(249)).name())
          .isEqualTo("audit");
    }

    @Test
    void overlappingSlices() {
      soleProblem(with(example(), "rule.orders.slice.canary.keys", "0-1000"), Kind.SLICE_OVERLAP,
          "'orders'", "'canary'", "'rest'", "1000");
    }

    @Test
    void overlappingRangesWithinOneSlice() {
      soleProblem(with(example(), "rule.orders.slice.canary.keys", "0-999,500-600"), Kind.SLICE_OVERLAP,
          "'orders'", "'canary'");
    }

    @Test
    void missingKeyRange() {
      soleProblem(with(example(), "rule.orders.slice.canary.keys", "0-998"), Kind.SLICE_GAP, "'orders'", "999-999");
    }

    @Test
    void severalMissingKeyRangesAreAllNamed() {
      soleProblem(with(example(), "rule.orders.slice.canary.keys", "1-500,502-999",
          "rule.orders.slice.rest.keys", "1000-9990"), Kind.SLICE_GAP, "'orders'", "0-0", "501-501", "9991-9999");
    }

    @Test
    void missingSliceKeys() {
      someProblem(without(example(), "rule.orders.slice.canary.keys"), Kind.MISSING_VALUE,
          "rule.orders.slice.canary.keys");
    }

    @Test
    void missingSliceOwner() {
      someProblem(without(example(), "rule.orders.slice.canary.owner"), Kind.MISSING_VALUE,
          "rule.orders.slice.canary.owner");
    }

    @ParameterizedTest
    @EnumSource(value = MigrationState.class, names = {"MIRROR", "DUAL_READ", "TARGET_AUTHORITY"})
    void slicesOutsideWritePromotion(MigrationState state) {
      soleProblem(with(example(), "rule.orders.state", state.name(), "rule.orders.null-key-owner", null),
          Kind.SLICES_NOT_ALLOWED, "'orders'", state.name(), "rule.orders.slice");
    }

    @Test
    void nullKeyOwnerOutsideWritePromotion() {
      soleProblem(with(example(), "rule.audit.null-key-owner", "onprem"), Kind.SLICES_NOT_ALLOWED,
          "'audit'", "rule.audit.null-key-owner");
    }

    @Test
    void writePromotionWithoutSlices() {
      soleProblem(with(example(), "rule.audit.state", "WRITE_PROMOTION"), Kind.SLICES_REQUIRED,
          "'audit'", "rule.audit.slice");
    }

    @Test
    void topicClaimedByTwoRules() {
      soleProblem(with(example(), "rule.audit.topics", "orders.v2"), Kind.TOPIC_CLAIMED_TWICE,
          "'orders.v2'", "'audit'", "'orders'");
    }

    @Test
    void prefixClaimedByTwoRules() {
      soleProblem(with(example(), "rule.logs.topic-prefix", "audit.", "rule.logs.state", "DUAL_READ"),
          Kind.TOPIC_CLAIMED_TWICE, "'audit.'", "'audit'", "'logs'");
    }

    @Test
    void sameNameAsExactTopicAndAsPrefixIsNotAClaimConflict() {
      AuthorityMap map = parse(with(example(), "rule.orders-prefix.topic-prefix", "orders",
          "rule.orders-prefix.state", "MIRROR"));
      assertThat(map.ruleFor("orders").name()).isEqualTo("orders");
      assertThat(map.ruleFor("orders.v3").name()).isEqualTo("orders-prefix");
    }

    @Test
    void ruleWithoutTopics() {
      soleProblem(without(example(), "rule.audit.topic-prefix"), Kind.NO_TOPICS, "'audit'", "rule.audit.topics");
    }

    @Test
    void emptyTopicsAreNotTopics() {
      List<DocumentProblem> problems = problems(with(example(), "rule.audit.topic-prefix", null,
          "rule.audit.topics", ""));
      assertThat(kinds(problems)).contains(Kind.NO_TOPICS);
    }

    @Test
    void rejectionIsWholeEvenWhenOnlyOneRuleIsBad() {
      assertThatThrownBy(() -> parse(with(example(), "rule.audit.state", "NOPE")))
          .isInstanceOf(InvalidAuthorityDocumentException.class)
          .hasMessageContaining("NOPE");
    }
  }

  /**
   * One fault in a document must be reported as that fault, not echoed as further problems whose details
   * are false (a gap for buckets the document does assign, a missing top-level source that is present, an
   * owner compared against source 'null', "no topic" for a rule that names one).
   */
  @Nested
  class NoFalseConsequentialProblems {

    @Test
    void undeclaredTopLevelSourceIsReportedOnlyAsUnknownCluster() {
      List<DocumentProblem> problems = problems(with(example(), "source", "gcp"));
      assertThat(problems).as("problems: %s", problems)
          .noneSatisfy(p -> assertThat(p.detail()).contains("has no top-level 'source'"));
      assertThat(problems).as("problems: %s", problems)
          .noneSatisfy(p -> assertThat(p.detail()).contains("'null'"));
      assertThat(kinds(problems)).as("problems: %s", problems).containsExactly(Kind.UNKNOWN_CLUSTER);
    }

    @Test
    void undeclaredRuleSourceIsReportedOnlyAsUnknownCluster() {
      List<DocumentProblem> problems = problems(with(example(), "rule.orders.source", "gcp"));
      assertThat(problems).as("problems: %s", problems)
          .noneSatisfy(p -> assertThat(p.detail()).contains("'null'"));
      assertThat(kinds(problems)).as("problems: %s", problems).containsExactly(Kind.UNKNOWN_CLUSTER);
    }

    @ParameterizedTest(name = "rest.owner={0}")
    @ValueSource(strings = {"dr", "gcp", ""})
    void invalidSliceOwnerIsNotAlsoReportedAsAKeyGap(String owner) {
      // rest lists 1000-9999; its owner is wrong, but those buckets do not "belong to no slice".
      List<DocumentProblem> problems = problems(with(example(), "rule.orders.slice.rest.owner", owner));
      assertThat(problems).as("problems: %s", problems).hasSize(1);
      assertThat(kinds(problems)).as("problems: %s", problems).doesNotContain(Kind.SLICE_GAP);
    }

    @Test
    void invalidTopicNameIsNotAlsoReportedAsNoTopics() {
      List<DocumentProblem> problems = problems(with(example(), "rule.orders.topics", "orders/v2"));
      assertThat(kinds(problems)).as("problems: %s", problems).containsExactly(Kind.INVALID_NAME);
    }
  }

  @Nested
  class SeveralProblems {

    @Test
    void everyIndependentProblemIsReported() {
      Map<String, String> doc = with(example(),
          "epoch", "-3",
          "colour", "blue",
          "rule.audit.state", "PAUSED",
          "rule.orders.slice.canary.keys", "0-1500",
          "rule.extra.topics", "extra",
          "rule.extra.state", "MIRROR",
          "rule.extra.target", "onprem",
          "rule.empty.state", "DUAL_READ");
      List<DocumentProblem> problems = problems(doc);

      assertThat(kinds(problems)).containsExactlyInAnyOrder(Kind.MALFORMED_NUMBER, Kind.UNKNOWN_KEY,
          Kind.UNKNOWN_STATE, Kind.SLICE_OVERLAP, Kind.SOURCE_EQUALS_TARGET, Kind.NO_TOPICS);
      assertThat(problems).extracting(DocumentProblem::detail)
          .anySatisfy(d -> assertThat(d).contains("'epoch'", "-3"))
          .anySatisfy(d -> assertThat(d).contains("'colour'"))
          .anySatisfy(d -> assertThat(d).contains("PAUSED"))
          .anySatisfy(d -> assertThat(d).contains("'canary'", "'rest'"))
          .anySatisfy(d -> assertThat(d).contains("'extra'"))
          .anySatisfy(d -> assertThat(d).contains("'empty'"));
    }

    /**
     * Two rules claim the same topic; one of them also has an unknown state. Both problems are in the
     * document and both must be reported, not only the state.
     */
    @Test
    void claimConflictIsReportedEvenWhenAClaimingRuleHasAnotherProblem() {
      List<DocumentProblem> problems = problems(with(example(),
          "rule.copy.topics", "orders",
          "rule.copy.state", "BOGUS"));
      assertThat(kinds(problems)).as("problems: %s", problems)
          .containsExactlyInAnyOrder(Kind.UNKNOWN_STATE, Kind.TOPIC_CLAIMED_TWICE);
    }

    @Test
    void exceptionMessageCountsAndListsProblems() {
      InvalidAuthorityDocumentException e = (InvalidAuthorityDocumentException) org.assertj.core.api.Assertions
          .catchThrowable(() -> parse(with(example(), "epoch", "x", "rule.audit.state", "Y")));
      assertThat(e.problems()).hasSize(2);
      assertThat(e.getMessage()).contains("2 problems").contains(e.problems().get(0).detail())
          .contains(e.problems().get(1).detail());
      assertThatThrownBy(() -> e.problems().add(new DocumentProblem(Kind.UNKNOWN_KEY, "x")))
          .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void aRejectionNeedsAProblem() {
      assertThatThrownBy(() -> new InvalidAuthorityDocumentException(List.of()))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> new DocumentProblem(null, "x")).isInstanceOf(NullPointerException.class);
      assertThatThrownBy(() -> new DocumentProblem(Kind.UNKNOWN_KEY, null)).isInstanceOf(NullPointerException.class);
    }
  }

  @Nested
  class KeyCount {

    @Test
    void aDocumentWithItsKeyCountIsValidAndKeepsTheKey() {
      Map<String, String> doc = with(example(), "key-count", Integer.toString(example().size() + 1));

      AuthorityMap map = parse(doc);

      assertThat(map.epoch()).isEqualTo(12);
      assertThat(map.document()).containsEntry("key-count", Integer.toString(example().size() + 1));
    }

    @Test
    void aDocumentMissingKeysIsIncompleteAndThatIsItsOnlyProblem() {
      Map<String, String> complete = with(example(), "key-count", Integer.toString(example().size() + 1));
      // A prefix of the file: the later slice and rule keys were not written yet, which alone would be a gap.
      Map<String, String> torn = without(complete, "rule.orders.slice.rest.keys", "rule.orders.slice.rest.owner",
          "rule.audit.state");

      soleProblem(torn, Kind.INCOMPLETE, "'key-count' is " + (example().size() + 1) + " but the document read has "
          + (example().size() - 2) + " key(s): it was read while being written");
    }

    @Test
    void moreKeysThanCountedIsIncompleteToo() {
      Map<String, String> doc = with(example(), "key-count", "3");

      soleProblem(doc, Kind.INCOMPLETE, "'key-count' is 3 but", "or key-count is wrong");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "twelve"})
    void aKeyCountThatIsNotAPositiveNumberIsMalformed(String value) {
      someProblem(with(example(), "key-count", value), Kind.MALFORMED_NUMBER, "'key-count' must be the number of keys");
    }
  }
}
