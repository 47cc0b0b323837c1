package dev.turnout.internal.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The JSON writer and the strict parser of the status records. */
class JsonTest {

  @Test
  void stringsAreEscapedAndReadBackUnchanged() {
    String tricky = "quote \" backslash \\ slash / newline \n tab \t cr \r bs \b ff \f nul \u0000 us \u001f "
        + "ls \u2028 ps \u2029 é ß 中文 emoji \uD83D\uDE80";

    String json = JsonWriter.write(tricky);

    assertThat(json).startsWith("\"quote \\\" backslash \\\\ slash / newline \\n tab \\t cr \\r bs \\b ff \\f "
        + "nul \\u0000 us \\u001f ls \\u2028 ps \\u2029 é ß 中文 emoji \uD83D\uDE80\"");
    assertThat(JsonParser.parse(json)).isEqualTo(tricky);
  }

  @Test
  void unicodeEscapesAreDecodedSurrogatePairsIncluded() {
    assertThat(JsonParser.parse("\"\\u00e9\\u4E2D\\ud83d\\ude80\\/\"")).isEqualTo("é中\uD83D\uDE80/");
  }

  @Test
  void numbersAreLongsWhenIntegralElseDoubles() {
    assertThat(JsonParser.parse("[0, -7, 9223372036854775807, 1.5, -2.5e3, 1E2, 3.0, 92233720368547758070]"))
        .isEqualTo(List.of(0L, -7L, Long.MAX_VALUE, 1.5, -2500.0, 100.0, 3.0, 9.223372036854776E19));
    assertThat(JsonWriter.write(Arrays.asList(1, 2L, 0.25, 3.0, Double.NaN, Double.POSITIVE_INFINITY, 1e20)))
        .isEqualTo("[1,2,0.25,3.0,null,null,1.0E20]");
  }

  @Test
  void nestedObjectsAndArraysRoundTripInOrder() {
    Map<String, Object> inner = new LinkedHashMap<>();
    inner.put("z", null);
    inner.put("a", List.of(true, false));
    Map<String, Object> outer = new LinkedHashMap<>();
    outer.put("name", "x");
    outer.put("inner", inner);
    outer.put("list", List.of(List.of(), Map.of(), List.of(Map.of("k", 1L))));

    String json = JsonWriter.write(outer);

    assertThat(json).isEqualTo("{\"name\":\"x\",\"inner\":{\"z\":null,\"a\":[true,false]},"
        + "\"list\":[[],{},[{\"k\":1}]]}");
    Object back = JsonParser.parse(" \n\t" + json + "\r\n ");
    assertThat(back).isEqualTo(outer);
    assertThat(new ArrayList<Object>(((Map<?, ?>) back).keySet())).containsExactly("name", "inner", "list");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "''|0|unexpected end of input",
      "{\"a\":1,}|7|expected a string key",
      "[1,]|3|unexpected ']'",
      "[1 2]|3|expected ',' or ']'",
      "{\"a\" 1}|5|expected ':'",
      "{'a':1}|1|expected a string key",
      "01|1|leading zero",
      "-|1|expected a digit",
      "1.|2|expected a digit after the decimal point",
      "1e|2|expected a digit in the exponent",
      "tru|0|expected a value",
      "\"abc|4|unterminated string",
      "\"a\\x\"|3|invalid escape",
      "\"\\u12G4\"|5|invalid hex digit",
      "\"\\ud83d\"|6|low surrogate",
      "\"\\ude80\"|6|a low surrogate escape without a high surrogate",
      "{\"a\":1,\"a\":2}|7|duplicate key \"a\"",
      "{} x|3|after the value",
      "NaN|0|unexpected 'N'",
  })
  void malformedInputFailsWithThePosition(String text, int position, String problem) {
    assertThatThrownBy(() -> JsonParser.parse(text)).isInstanceOfSatisfying(JsonException.class, e -> {
      assertThat(e.position()).isEqualTo(position);
      assertThat(e.getMessage()).contains(problem).endsWith("at position " + position);
    });
  }

  @Test
  void anUnescapedControlCharacterInAStringIsRefused() {
    assertThatThrownBy(() -> JsonParser.parse("\"a\nb\"")).isInstanceOfSatisfying(JsonException.class,
        e -> assertThat(e.position()).isEqualTo(2));
  }

  @Test
  void nestingDeeperThanTheLimitIsRefused() {
    String deep = "[".repeat(JsonParser.MAX_DEPTH + 1) + "]".repeat(JsonParser.MAX_DEPTH + 1);
    assertThatThrownBy(() -> JsonParser.parse(deep)).isInstanceOf(JsonException.class)
        .hasMessageContaining("nesting deeper than " + JsonParser.MAX_DEPTH);
    String limit = "[".repeat(JsonParser.MAX_DEPTH) + "]".repeat(JsonParser.MAX_DEPTH);
    assertThat(JsonParser.parse(limit)).isInstanceOf(List.class);
  }

  @Test
  void aValueWithoutAJsonFormIsRefusedByTheWriter() {
    assertThatThrownBy(() -> JsonWriter.write(new Object())).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no JSON form");
    assertThatThrownBy(() -> JsonWriter.write(Map.of(1, "x"))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("keys must be strings");
  }
}
