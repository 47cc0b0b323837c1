package dev.turnout.cli;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.authority.InvalidAuthorityDocumentException;
import dev.turnout.cli.json.Json;
import dev.turnout.reconcile.ReconcileException;
import dev.turnout.reconcile.ReconcilePlan;
import dev.turnout.reconcile.ReconcileReport;
import dev.turnout.reconcile.ReconcileRequest;
import dev.turnout.reconcile.Reconciler;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code turnout reconcile --plan|--apply}: copies a rule's target-only records back to the source before a
 * rollback, over {@link Reconciler} (docs/rollback.md).
 */
@Command(name = "reconcile", mixinStandardHelpOptions = true,
    header = "Copy target-only records back to the source before a rollback.",
    description = {"Before rolling writes back from target to source: find the records a rule wrote only to the "
        + "target under a range of epochs (--plan, writes nothing) and copy those the source lacks back to it "
        + "(--apply; idempotent, resumable, never writes to the target)."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:planned, or applied completely", "1:the reconciliation cannot be done as asked (the line "
        + "says why), or --apply was taken over by another reconciler", "2:usage or connection error"})
final class ReconcileCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Mode mode;

  /** {@code --plan} or {@code --apply}. */
  static final class Mode {
    @Option(names = "--plan", required = true, description = "Count what would be copied; write nothing.")
    boolean plan;

    @Option(names = "--apply", required = true, description = "Copy the target-only records the source lacks.")
    boolean apply;
  }

  @Option(names = "--rule", required = true, paramLabel = "RULE", description = "The rule to reconcile.")
  String rule;

  @Option(names = "--slice", paramLabel = "SLICE", description = "Only this slice; default every slice.")
  String slice;

  @Option(names = "--epochs", required = true, paramLabel = "FROM-TO",
      description = "The inclusive range of epochs whose target-only records to reconcile, e.g. 12-15.")
  String epochs;

  @Option(names = "--documents", required = true, arity = "1..*", paramLabel = "FILE",
      description = "The authority documents of those epochs (at least the one in force at FROM).")
  List<Path> documents;

  @Option(names = "--source-alias", required = true, paramLabel = "ALIAS", description = "The source's alias.")
  String sourceAlias;

  @Option(names = "--source-config", required = true, paramLabel = "FILE",
      description = "Kafka client properties of the source (bootstrap.servers, security); never printed.")
  Path sourceConfig;

  @Option(names = "--target-alias", required = true, paramLabel = "ALIAS", description = "The target's alias.")
  String targetAlias;

  @Option(names = "--target-config", required = true, paramLabel = "FILE",
      description = "Kafka client properties of the target; never printed.")
  Path targetConfig;

  @Option(names = "--json", description = "Print JSON instead of text.")
  boolean json;

  @Override
  public Integer call() {
    ReconcileRequest request = request();
    try (Reconciler reconciler = Reconciler.builder()
        .source(sourceAlias, ClusterOptions.load(sourceConfig))
        .target(targetAlias, ClusterOptions.load(targetConfig))
        .build()) {
      PrintWriter out = spec.commandLine().getOut();
      if (mode.plan) {
        ReconcilePlan plan = reconciler.plan(request);
        out.println(json ? Json.write(planJson(plan)) : planText(plan));
        return ExitCodes.OK;
      }
      ReconcileReport report = reconciler.apply(request);
      out.println(json ? Json.write(reportJson(report)) : reportText(report));
      return report.complete() ? ExitCodes.OK : ExitCodes.RED;
    } catch (ReconcileException e) {
      throw new RefusedException(e.kind() + ": " + e.getMessage());
    }
  }

  private ReconcileRequest request() {
    String[] range = epochs.split("-", 2);
    long from;
    long to;
    try {
      from = Long.parseLong(range[0].trim());
      to = Long.parseLong(range.length == 2 ? range[1].trim() : range[0].trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--epochs must be FROM-TO, two epochs such as 12-15, was '" + epochs + "'");
    }
    List<AuthorityMap> maps = new ArrayList<>();
    for (Path file : documents) {
      Map<String, String> document = Documents.read(file);
      Set<String> aliases = new LinkedHashSet<>(List.of(sourceAlias, targetAlias));
      aliases.addAll(Documents.aliasesNamed(document));
      try {
        maps.add(AuthorityMap.parse(document, List.copyOf(aliases)));
      } catch (InvalidAuthorityDocumentException e) {
        throw new RefusedException(file + " is invalid (" + e.problems().size() + " problem(s), first: "
            + e.problems().get(0) + "): run turnout validate " + file);
      }
    }
    ReconcileRequest.Builder builder = ReconcileRequest.forRule(rule).epochs(from, to).documents(maps);
    if (slice != null) {
      builder.slice(slice);
    }
    return builder.build();
  }

  private String planText(ReconcilePlan plan) {
    StringBuilder text = new StringBuilder("plan for rule " + rule + (slice == null ? "" : " slice " + slice)
        + ", epochs " + epochs + ": " + plan.targetOnly() + " target-only record(s), " + plan.alreadyOnSource()
        + " already on " + sourceAlias + ", " + plan.toCopy() + " to copy" + (plan.reconciled()
        ? " (reconciled: nothing to copy)" : "") + "\n");
    Table table = new Table("TOPIC", "PARTITION", "SLICE", "TARGET-ONLY", "ON SOURCE", "TO COPY", "BUCKETS",
        "OFFSETS", "FIRST TIMESTAMP", "LAST TIMESTAMP");
    for (ReconcilePlan.Entry e : plan.entries()) {
      table.row(e.topic(), e.partition(), e.slice(), e.targetOnly(), e.alreadyOnSource(), e.toCopy(),
          e.minBucket() < 0 ? "null keys" : e.minBucket() + "-" + e.maxBucket(),
          e.firstOffset() + "-" + e.lastOffset(), e.firstTimestamp(), e.lastTimestamp());
    }
    return text + render(table);
  }

  private String reportText(ReconcileReport report) {
    String head = "applied for rule " + rule + (slice == null ? "" : " slice " + slice) + ", epochs " + epochs
        + ": read " + report.read() + ", copied " + report.copied() + " to " + sourceAlias + ", already present "
        + report.alreadyPresent() + ", skipped " + report.skippedTotal() + (report.skippedTotal() == 0 ? ""
        : " " + report.skipped())
        + (report.complete() ? "" : "; INCOMPLETE: another reconciler took a partition over, run --plan") + "\n";
    Table table = new Table("TOPIC", "PARTITION", "READ", "COPIED", "ALREADY PRESENT", "SKIPPED", "TAKEN OVER");
    for (ReconcileReport.PartitionResult p : report.partitions()) {
      table.row(p.topic(), p.partition(), p.read(), p.copied(), p.alreadyPresent(),
          p.skippedTotal() == 0 ? "0" : p.skipped(), p.takenOver());
    }
    return head + render(table);
  }

  private String render(Table table) {
    if (table.isEmpty()) {
      return "";
    }
    java.io.StringWriter text = new java.io.StringWriter();
    table.print(new PrintWriter(text), spec.commandLine().getColorScheme().ansi(), "  ");
    return text.toString().stripTrailing();
  }

  private static Json.Obj planJson(ReconcilePlan plan) {
    List<Object> entries = new ArrayList<>();
    for (ReconcilePlan.Entry e : plan.entries()) {
      entries.add(Json.object().with("topic", e.topic()).with("partition", e.partition()).with("slice", e.slice())
          .with("targetOnly", e.targetOnly()).with("alreadyOnSource", e.alreadyOnSource()).with("toCopy", e.toCopy())
          .with("minBucket", e.minBucket()).with("maxBucket", e.maxBucket()).with("firstOffset", e.firstOffset())
          .with("lastOffset", e.lastOffset()).with("firstTimestamp", e.firstTimestamp())
          .with("lastTimestamp", e.lastTimestamp()));
    }
    return Json.object().with("targetOnly", plan.targetOnly()).with("alreadyOnSource", plan.alreadyOnSource())
        .with("toCopy", plan.toCopy()).with("reconciled", plan.reconciled()).with("entries", entries);
  }

  private static Json.Obj reportJson(ReconcileReport report) {
    List<Object> partitions = new ArrayList<>();
    for (ReconcileReport.PartitionResult p : report.partitions()) {
      partitions.add(Json.object().with("topic", p.topic()).with("partition", p.partition()).with("read", p.read())
          .with("copied", p.copied()).with("alreadyPresent", p.alreadyPresent()).with("skipped", p.skipped())
          .with("takenOver", p.takenOver()));
    }
    return Json.object().with("read", report.read()).with("copied", report.copied())
        .with("alreadyPresent", report.alreadyPresent()).with("skipped", report.skipped())
        .with("complete", report.complete()).with("partitions", partitions);
  }
}
