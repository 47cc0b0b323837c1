package dev.turnout.benchmarks.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MarkdownTableTest {

  @Test
  void rendersHeaderSeparatorAndRows() {
    String table = new MarkdownTable("a", "b").row(1, "x").row(2.5, null).render();
    assertThat(table).isEqualTo("""
        | a | b |
        |---|---|
        | 1 | x |
        | 2.5 | null |
        """);
  }

  @Test
  void cellsCannotBreakTheTable() {
    String table = new MarkdownTable("c").row("a|b\nc\\d").render();
    assertThat(table.lines()).hasSize(3);
    assertThat(table).contains("| a\\|b c\\\\d |");
  }

  @Test
  void rowsMustHaveOneCellPerColumn() {
    MarkdownTable table = new MarkdownTable("a", "b");
    assertThatThrownBy(() -> table.row("only one")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected 2 cells, got 1");
    assertThat(table.size()).isZero();
    assertThatThrownBy(MarkdownTable::new).isInstanceOf(IllegalArgumentException.class);
  }
}
