package dev.turnout.drill.check;

import java.util.ArrayList;
import java.util.List;

/** Counts the violations of one invariant and keeps the first few, described. */
final class Examples {

  private final String name;
  private final List<String> examples = new ArrayList<>();
  private long checked;
  private long violations;

  Examples(String name) {
    this.name = name;
  }

  void checked() {
    checked++;
  }

  void violation(String description) {
    violations++;
    if (examples.size() < Finding.MAX_EXAMPLES) {
      examples.add(description);
    }
  }

  Finding finding() {
    return new Finding(name, checked, violations, examples);
  }
}
