package dev.turnout.authority;

import static dev.turnout.authority.AuthorityDocs.example;
import static dev.turnout.authority.AuthorityDocs.parse;
import static dev.turnout.authority.AuthorityDocs.soleProblem;
import static dev.turnout.authority.AuthorityDocs.with;
import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.authority.DocumentProblem.Kind;
import org.junit.jupiter.api.Test;

/** {@code rule.<name>.rollback.allowed}: parsed per rule, false when absent, only true or false. */
class RollbackAllowedKeyTest {

  private static Rule orders(AuthorityMap map) {
    return map.rules().stream().filter(r -> r.name().equals("orders")).findFirst().orElseThrow();
  }

  @Test
  void absentMeansNotAllowed() {
    assertThat(orders(parse(example())).rollbackAllowed()).isFalse();
  }

  @Test
  void trueAndFalseAreReadCaseInsensitively() {
    assertThat(orders(parse(with(example(), "rule.orders.rollback.allowed", "TRUE"))).rollbackAllowed()).isTrue();
    assertThat(orders(parse(with(example(), "rule.orders.rollback.allowed", "false"))).rollbackAllowed()).isFalse();
  }

  @Test
  void anyOtherValueIsRejectedWithTheKeyAndTheAllowedValues() {
    soleProblem(with(example(), "rule.orders.rollback.allowed", "yes"), Kind.INVALID_VALUE,
        "rule.orders.rollback.allowed", "'yes'", "true or false");
  }
}
