package dev.turnout.cli.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

  @Test
  void readsObjectsArraysStringsNumbersAndLiterals() {
    Object value = Json.parse(" {\"a\": [1, -2.5e1, true, false, null], \"b\": {\"c\": \"x\\\"y\\u0041\\n\"}, \"d\": {}}");

    assertThat(value).isEqualTo(Map.of("a", java.util.Arrays.asList(1L, -25.0, true, false, null),
        "b", Map.of("c", "x\"yA\n"), "d", Map.of()));
  }

  @Test
  void quotesWhatItReadsBack() {
    String s = "tab\there \"quoted\" back\\slash \u0001";

    assertThat(Json.parse(Json.quote(s))).isEqualTo(s);
  }

  @Test
  void writesOrderedObjectsListsAndScalarsThatReadBack() {
    Json.Obj obj = Json.object().with("b", 1).with("a", List.of("x\ty", 2.5, true)).with("n", null)
        .with("nan", Double.NaN);

    String text = Json.write(obj);

    assertThat(text).isEqualTo("{\"b\":1,\"a\":[\"x\\ty\",2.5,true],\"n\":null,\"nan\":null}");
    Map<String, Object> back = new java.util.LinkedHashMap<>();
    back.put("b", 1L);
    back.put("a", List.of("x\ty", 2.5, true));
    back.put("n", null);
    back.put("nan", null);
    assertThat(Json.parse(text)).isEqualTo(back);
  }

  @Test
  void badJsonSaysWhereAndWhat() {
    assertThatThrownBy(() -> Json.parse("{\"a\": [1, 2}")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at character 11").hasMessageContaining("expected ']'");
    assertThatThrownBy(() -> Json.parse("{} x")).hasMessageContaining("after the value");
    assertThatThrownBy(() -> Json.parse("\"open")).hasMessageContaining("unterminated");
    assertThat(Json.parse("[]")).isEqualTo(List.of());
  }
}
