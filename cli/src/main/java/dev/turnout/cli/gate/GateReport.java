package dev.turnout.cli.gate;

import dev.turnout.authority.MigrationState;
import dev.turnout.cli.json.Json;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import picocli.CommandLine.Help.Ansi;

/** The gate's checklist: runs the checks, then prints it as aligned text or JSON. */
public final class GateReport {

  private static final String[] HEADER = {"GROUP", "STATUS", "CHECK", "LIVE", "THRESHOLD", "DETAIL"};

  private final String rule;
  private final MigrationState next;
  private final List<GateLine> lines;

  public GateReport(String rule, MigrationState next, List<GateLine> lines) {
    this.rule = rule;
    this.next = next;
    this.lines = List.copyOf(lines);
  }

  /** The default checks, in the order they are printed. */
  public static List<GateCheck> defaultChecks() {
    return List.of(new ReplicationCheck(), new FleetCheck(), new OffsetsCheck(), new ConnectorsCheck(),
        new GovernanceCheck(), new RollbackCheck());
  }

  /** Runs every check; a check that fails while reading gives one red line with the failure. */
  public static GateReport run(GateContext context, List<GateCheck> checks) {
    List<GateLine> lines = new ArrayList<>();
    for (GateCheck check : checks) {
      try {
        lines.addAll(check.evaluate(context));
      } catch (Exception e) {
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        lines.add(new GateLine(check.group(), "evaluation", Status.RED, "-", "-",
            "could not be evaluated: " + e.getClass().getSimpleName() + ": " + message.replace('\n', ' ')));
      }
    }
    return new GateReport(context.rule().name(), context.next(), lines);
  }

  public List<GateLine> lines() {
    return lines;
  }

  /** Whether any line is red. */
  public boolean red() {
    return lines.stream().anyMatch(l -> l.status() == Status.RED);
  }

  /** Aligned columns; the status coloured when {@code ansi} is on (a terminal). */
  public void printText(PrintWriter out, Ansi ansi) {
    out.println("gate " + rule + " -> " + next + ": " + (red() ? "RED" : "GREEN")
        + " (" + count(Status.GREEN) + " green, " + count(Status.RED) + " red, " + count(Status.GREY) + " grey)");
    int[] width = new int[5];
    for (int i = 0; i < 5; i++) {
      width[i] = HEADER[i].length();
    }
    for (GateLine l : lines) {
      String[] cells = cells(l);
      for (int i = 0; i < 5; i++) {
        width[i] = Math.max(width[i], cells[i].length());
      }
    }
    out.println(row(HEADER, width, HEADER[1]).stripTrailing());
    for (GateLine l : lines) {
      String status = l.status().name();
      String coloured = ansi.string("@|bold," + colour(l.status()) + " " + status + "|@");
      out.println(row(cells(l), width, coloured).stripTrailing());
    }
    out.flush();
  }

  /** One JSON object: rule, next state, overall status, and the lines. */
  public void printJson(PrintWriter out) {
    String items = lines.stream().map(l -> "{\"group\":" + Json.quote(l.group()) + ",\"name\":" + Json.quote(l.name())
        + ",\"status\":" + Json.quote(l.status().name()) + ",\"live\":" + Json.quote(l.live())
        + ",\"threshold\":" + Json.quote(l.threshold()) + ",\"detail\":" + Json.quote(l.detail()) + "}")
        .collect(Collectors.joining(",\n    "));
    out.println("{\n  \"rule\": " + Json.quote(rule) + ",\n  \"next\": " + Json.quote(next.name())
        + ",\n  \"status\": " + Json.quote(red() ? "RED" : "GREEN") + ",\n  \"lines\": [\n    " + items + "\n  ]\n}");
    out.flush();
  }

  private long count(Status s) {
    return lines.stream().filter(l -> l.status() == s).count();
  }

  private static String[] cells(GateLine l) {
    return new String[] {l.group(), l.status().name(), l.name(), l.live(), l.threshold(), l.detail()};
  }

  private static String row(String[] cells, int[] width, String status) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 5; i++) {
      String cell = i == 1 ? status : cells[i];
      b.append(cell).append(" ".repeat(width[i] - cells[i].length() + 2));
    }
    return b.append(cells[5]).toString();
  }

  private static String colour(Status s) {
    return switch (s) {
      case GREEN -> "green";
      case RED -> "red";
      case GREY -> "faint";
    };
  }
}
