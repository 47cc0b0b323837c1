package dev.turnout.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.domain.JavaType;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The published shape of {@code turnout-routing-client}: a small public API in a few packages, the machinery
 * under {@code dev.turnout.internal}, no package cycles, and no other module reaching into the internals.
 */
class ArchitectureTest {

  /** The packages users see. Everything else is under {@link #INTERNAL}. */
  static final Set<String> PUBLIC_PACKAGES = Set.of("dev.turnout", "dev.turnout.authority", "dev.turnout.source",
      "dev.turnout.status", "dev.turnout.reconcile", "dev.turnout.fleet");
  static final String INTERNAL = "dev.turnout.internal";

  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPath(Path.of("target/classes"));
    assertThat(classes).as("classes of turnout-routing-client").hasSizeGreaterThan(20);
  }

  @Test
  void everyPublicTypeIsInAPublicPackageOrInternal() {
    List<String> misplaced = new ArrayList<>();
    for (JavaClass c : classes) {
      if (c.isTopLevelClass() && c.getModifiers().contains(JavaModifier.PUBLIC)
          && !PUBLIC_PACKAGES.contains(c.getPackageName()) && !isInternal(c.getPackageName())) {
        misplaced.add(c.getName());
      }
    }
    assertThat(misplaced).as("public types outside the public packages and %s", INTERNAL).isEmpty();
  }

  @Test
  void noPackageCycles() {
    Map<String, Set<String>> graph = new TreeMap<>();
    for (JavaClass c : classes) {
      Set<String> edges = graph.computeIfAbsent(c.getPackageName(), k -> new TreeSet<>());
      for (Dependency d : c.getDirectDependenciesFromSelf()) {
        String target = d.getTargetClass().getPackageName();
        if (!target.equals(c.getPackageName()) && isTurnout(target)) {
          edges.add(target);
        }
      }
    }
    assertThat(cycles(graph)).as("package cycles (each line: packages that depend on each other)").isEmpty();
  }

  @Test
  void theCycleFinderFindsCycles() {
    Map<String, Set<String>> graph = Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a"), "d", Set.of("a"));
    assertThat(cycles(graph)).containsExactly(Set.of("a", "b", "c"));
    assertThat(cycles(Map.of("a", Set.of("b"), "b", Set.of()))).isEmpty();
  }

  @Test
  void publicSignaturesNeverExposeInternalTypes() {
    List<String> leaks = new ArrayList<>();
    for (JavaClass c : classes) {
      if (!PUBLIC_PACKAGES.contains(c.getPackageName()) || !exported(c)) {
        continue;
      }
      c.getRawSuperclass().filter(s -> isInternal(s.getPackageName()))
          .ifPresent(s -> leaks.add(c.getName() + " extends " + s.getName()));
      c.getRawInterfaces().stream().filter(i -> isInternal(i.getPackageName()))
          .forEach(i -> leaks.add(c.getName() + " implements " + i.getName()));
      for (JavaCodeUnit unit : c.getCodeUnits()) {
        if (!visible(unit.getModifiers())) {
          continue;
        }
        List<JavaType> types = new ArrayList<>(unit.getParameterTypes());
        types.add(unit.getReturnType());
        unit.getThrowsClause().getTypes().forEach(types::add);
        for (JavaType type : types) {
          type.getAllInvolvedRawTypes().stream().filter(t -> isInternal(t.getPackageName()))
              .forEach(t -> leaks.add(unit.getFullName() + " uses " + t.getName()));
        }
      }
      for (JavaField field : c.getFields()) {
        if (visible(field.getModifiers())) {
          field.getType().getAllInvolvedRawTypes().stream().filter(t -> isInternal(t.getPackageName()))
              .forEach(t -> leaks.add(field.getFullName() + " is a " + t.getName()));
        }
      }
    }
    assertThat(leaks).as("internal types in the public API").isEmpty();
  }

  @Test
  void theTwoClientsAreFinal() {
    for (String name : List.of("dev.turnout.RoutingProducer", "dev.turnout.RoutingConsumer")) {
      assertThat(classes.get(name).getModifiers()).as(name).contains(JavaModifier.FINAL);
    }
  }

  @Test
  void everyPackageSaysWhatItOwns() throws IOException {
    Set<String> packages = new TreeSet<>();
    classes.forEach(c -> packages.add(c.getPackageName()));
    List<String> missing = new ArrayList<>();
    for (String pkg : packages) {
      if (!Files.exists(Path.of("src/main/java", pkg.replace('.', '/'), "package-info.java"))) {
        missing.add(pkg);
      }
    }
    assertThat(missing).as("packages without a package-info.java").isEmpty();
  }

  /**
   * Other modules use the public API only. The benchmarks module (not published) is the one exception: its
   * micro-benchmarks measure internal pieces (header encoding, record ids) in isolation.
   */
  @Test
  void noOtherModuleImportsTheInternals() throws IOException {
    Path root = Path.of("..").toAbsolutePath().normalize();
    assertThat(root.resolve("routing-client")).isDirectory();
    List<String> offenders = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root)) {
      files.filter(p -> p.toString().endsWith(".java"))
          .filter(p -> !p.startsWith(root.resolve("routing-client")) && !p.startsWith(root.resolve("benchmarks")))
          .filter(p -> p.toString().contains("/src/"))
          .forEach(p -> {
            try {
              if (Files.readString(p).contains(INTERNAL + ".")) {
                offenders.add(root.relativize(p).toString());
              }
            } catch (IOException e) {
              throw new IllegalStateException(e);
            }
          });
    }
    assertThat(offenders).as("files outside routing-client that use %s", INTERNAL).isEmpty();
  }

  private static boolean exported(JavaClass c) {
    JavaClass outer = c;
    while (outer.getEnclosingClass().isPresent()) {
      if (!visible(outer.getModifiers())) {
        return false;
      }
      outer = outer.getEnclosingClass().get();
    }
    return outer.getModifiers().contains(JavaModifier.PUBLIC) && visible(c.getModifiers());
  }

  private static boolean visible(Set<JavaModifier> modifiers) {
    return modifiers.contains(JavaModifier.PUBLIC) || modifiers.contains(JavaModifier.PROTECTED);
  }

  private static boolean isTurnout(String pkg) {
    return pkg.equals("dev.turnout") || pkg.startsWith("dev.turnout.");
  }

  private static boolean isInternal(String pkg) {
    return pkg.equals(INTERNAL) || pkg.startsWith(INTERNAL + ".");
  }

  /** Strongly connected components of more than one package (Tarjan). */
  static List<Set<String>> cycles(Map<String, Set<String>> graph) {
    Map<String, Integer> index = new HashMap<>();
    Map<String, Integer> low = new HashMap<>();
    Deque<String> stack = new ArrayDeque<>();
    Set<String> onStack = new TreeSet<>();
    List<Set<String>> out = new ArrayList<>();
    int[] counter = {0};
    for (String node : graph.keySet()) {
      if (!index.containsKey(node)) {
        strongConnect(node, graph, index, low, stack, onStack, out, counter);
      }
    }
    return out;
  }

  private static void strongConnect(String v, Map<String, Set<String>> graph, Map<String, Integer> index,
      Map<String, Integer> low, Deque<String> stack, Set<String> onStack, List<Set<String>> out, int[] counter) {
    index.put(v, counter[0]);
    low.put(v, counter[0]);
    counter[0]++;
    stack.push(v);
    onStack.add(v);
    for (String w : graph.getOrDefault(v, Set.of())) {
      if (!index.containsKey(w)) {
        strongConnect(w, graph, index, low, stack, onStack, out, counter);
        low.put(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.contains(w)) {
        low.put(v, Math.min(low.get(v), index.get(w)));
      }
    }
    if (low.get(v).equals(index.get(v))) {
      Set<String> component = new TreeSet<>();
      String w;
      do {
        w = stack.pop();
        onStack.remove(w);
        component.add(w);
      } while (!w.equals(v));
      if (component.size() > 1) {
        out.add(component);
      }
    }
  }
}
