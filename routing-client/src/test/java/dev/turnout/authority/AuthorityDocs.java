package dev.turnout.authority;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.turnout.authority.DocumentProblem.Kind;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Test fixtures: authority documents and helpers to parse or reject them. */
final class AuthorityDocs {

  /** Declared clusters; {@code dr} is declared but is neither source nor target of the example rules. */
  static final List<String> CLUSTERS = List.of("onprem", "cloud", "dr");

  private AuthorityDocs() {}

  /** The example document of the format contract. */
  static Map<String, String> example() {
    return doc(
        "epoch", "12",
        "source", "onprem",
        "target", "cloud",
        "rule.orders.topics", "orders,orders.v2",
        "rule.orders.state", "WRITE_PROMOTION",
        "rule.orders.slice.canary.keys", "0-999",
        "rule.orders.slice.canary.owner", "cloud",
        "rule.orders.slice.rest.keys", "1000-9999",
        "rule.orders.slice.rest.owner", "onprem",
        "rule.orders.null-key-owner", "onprem",
        "rule.audit.topic-prefix", "audit.",
        "rule.audit.state", "MIRROR");
  }

  /** A mutable document from alternating keys and values. */
  static Map<String, String> doc(String... keysAndValues) {
    if (keysAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("keys and values must alternate");
    }
    Map<String, String> doc = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      doc.put(keysAndValues[i], keysAndValues[i + 1]);
    }
    return doc;
  }

  /** A copy of {@code base} with the given keys set; a {@code null} value removes the key. */
  static Map<String, String> with(Map<String, String> base, String... keysAndValues) {
    Map<String, String> doc = new LinkedHashMap<>(base);
    for (int i = 0; i < keysAndValues.length; i += 2) {
      if (keysAndValues[i + 1] == null) {
        doc.remove(keysAndValues[i]);
      } else {
        doc.put(keysAndValues[i], keysAndValues[i + 1]);
      }
    }
    return doc;
  }

  /** A copy of {@code base} without the given keys. */
  static Map<String, String> without(Map<String, String> base, String... keys) {
    Map<String, String> doc = new LinkedHashMap<>(base);
    for (String key : keys) {
      assertThat(doc).as("fixture key %s", key).containsKey(key);
      doc.remove(key);
    }
    return doc;
  }

  static AuthorityMap parse(Map<String, String> doc) {
    return AuthorityMap.parse(doc, CLUSTERS);
  }

  /** Parses a document that must be rejected and returns every problem reported. */
  static List<DocumentProblem> problems(Map<String, String> doc) {
    return problems(doc, CLUSTERS);
  }

  static List<DocumentProblem> problems(Map<String, String> doc, List<String> clusters) {
    InvalidAuthorityDocumentException e = catchThrowableOfType(InvalidAuthorityDocumentException.class,
        () -> AuthorityMap.parse(doc, clusters));
    assertThat(e).as("document must be rejected: %s", doc).isNotNull();
    assertThat(e.problems()).as("a rejection lists at least one problem").isNotEmpty();
    for (DocumentProblem p : e.problems()) {
      assertThat(e.getMessage()).as("exception message lists every problem").contains(p.detail());
    }
    return e.problems();
  }

  /** The kinds of a list of problems, in order. */
  static List<Kind> kinds(List<DocumentProblem> problems) {
    return problems.stream().map(DocumentProblem::kind).toList();
  }

  /**
   * Asserts the document is rejected with exactly one problem, of the given kind, whose detail contains
   * every fragment (the offending key and value).
   */
  static DocumentProblem soleProblem(Map<String, String> doc, Kind kind, String... detailFragments) {
    List<DocumentProblem> problems = problems(doc);
    assertThat(kinds(problems)).as("problems of %s: %s", doc, problems).containsExactly(kind);
    DocumentProblem problem = problems.get(0);
    assertThat(problem.detail()).as("detail of %s", problem).contains(detailFragments);
    return problem;
  }

  /**
   * Asserts the document is rejected with at least one problem of the given kind whose detail contains
   * every fragment; other (consequential) problems are allowed.
   */
  static DocumentProblem someProblem(Map<String, String> doc, Kind kind, String... detailFragments) {
    List<DocumentProblem> problems = problems(doc);
    List<DocumentProblem> ofKind = problems.stream().filter(p -> p.kind() == kind).toList();
    assertThat(ofKind).as("problems of %s: %s", doc, problems).isNotEmpty();
    assertThat(ofKind).as("a %s problem naming %s in %s", kind, List.of(detailFragments), problems)
        .anySatisfy(p -> assertThat(p.detail()).contains(detailFragments));
    return ofKind.stream().filter(p -> List.of(detailFragments).stream().allMatch(p.detail()::contains))
        .findFirst().orElseThrow();
  }
}
