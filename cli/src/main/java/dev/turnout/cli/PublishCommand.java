package dev.turnout.cli;

import dev.turnout.TrustedKeys;
import dev.turnout.authority.DocumentProblem;
import dev.turnout.cli.json.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code turnout publish FILE --topic T}: publishes a document on the control topic after checking it against the
 * one published there. The record's key is {@value ControlTopic#RECORD_KEY}, its value the file as it is.
 */
@Command(name = "publish", mixinStandardHelpOptions = true,
    header = "Publish an authority document on the control topic.",
    description = {"Publish an authority document on the control topic, as one record with key 'authority' and the "
        + "file's text as value. First reads the topic to its end: the newest valid document with the highest epoch "
        + "is the published one. Refuses an invalid document, an epoch not above the published one, an unsigned "
        + "document when --trusted-keys is given or the published document is signed, a move out of "
        + "TARGET_AUTHORITY without rollback.allowed, and (unless --force) a state skipped."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:published (or, with --dry-run, would be published)", "1:refused (the line says why)",
        "2:usage or connection error, topic missing"})
final class PublishCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE", description = "The document to publish.")
  Path file;

  @Option(names = "--topic", required = true, paramLabel = "TOPIC", description = "The control topic.")
  String topic;

  @Mixin
  ClusterOptions cluster;

  @Option(names = "--clusters", split = ",", paramLabel = "ALIAS",
      description = "The clients' turnout.clusters aliases; default: the aliases each document names itself.")
  List<String> clusters;

  @Option(names = "--trusted-keys", split = ",", paramLabel = "KEY",
      description = "The fleet's turnout.authority.trusted.keys: the document must be signed by one of them.")
  List<String> trustedKeys;

  @Option(names = "--force", description = "Publish a document that skips a state (e.g. MIRROR to "
      + "WRITE_PROMOTION).")
  boolean force;

  @Option(names = "--dry-run", description = "Print the diff against the published document; write nothing.")
  boolean dryRun;

  @Option(names = "--json", description = "Print JSON instead of text.")
  boolean json;

  @Override
  public Integer call() {
    List<PublicKey> keys = trustedKeys == null ? List.of() : TrustedKeys.read(trustedKeys);
    String text = readText(file);
    Map<String, String> document = Documents.parse(text);
    if (!keys.isEmpty() && !Documents.signed(document)) {
      throw new RefusedException(file + " is not signed and the fleet trusts keys (--trusted-keys): sign it "
          + "with turnout sign --key <private key>");
    }
    DocumentCheck check = DocumentCheck.of(document, clusters, keys);
    if (!check.valid()) {
      throw new RefusedException(file + " is invalid, " + check.problems().size() + " problem(s): "
          + check.problems().stream().map(DocumentProblem::toString).collect(Collectors.joining("; ")));
    }
    ControlTopic control = new ControlTopic(topic, cluster.clientConfig());
    ControlTopic.Published published = control.readPublished(clusters, keys);
    if (published != null && published.signed() && !Documents.signed(document)) {
      throw new RefusedException(file + " is not signed but the published document (epoch "
          + published.map().epoch() + ") is: sign it with turnout sign --key <private key>");
    }
    DocumentDiff diff = DocumentDiff.between(published == null ? null : published.map(), check.map());
    refuse(diff, published);
    PrintWriter out = spec.commandLine().getOut();
    if (dryRun) {
      if (json) {
        out.println(Json.write(Json.object().with("dryRun", true).with("topic", topic)
            .with("published", where(published)).with("diff", DiffOutput.json(diff))));
      } else {
        out.println("dry run: would publish epoch " + check.map().epoch() + " to topic " + topic + " (published: "
            + (published == null ? "none" : "epoch " + published.map().epoch() + " at partition "
            + published.partition() + " offset " + published.offset()) + "); nothing written");
        DiffOutput.print(out, spec.commandLine().getColorScheme().ansi(), diff);
      }
      return ExitCodes.OK;
    }
    ControlTopic.Written written = control.publish(text);
    if (json) {
      out.println(Json.write(Json.object().with("topic", topic).with("partition", written.partition())
          .with("offset", written.offset()).with("epoch", check.map().epoch())
          .with("previousEpoch", published == null ? null : published.map().epoch())));
    } else {
      out.println("published epoch " + check.map().epoch() + " to topic " + topic + " partition "
          + written.partition() + " offset " + written.offset() + (published == null ? " (the first document)"
          : " (was epoch " + published.map().epoch() + ")"));
    }
    return ExitCodes.OK;
  }

  private void refuse(DocumentDiff diff, ControlTopic.Published published) {
    if (published != null && diff.after().epoch() <= published.map().epoch()) {
      throw new RefusedException("epoch " + diff.after().epoch() + " is not greater than the published epoch "
          + published.map().epoch() + " (partition " + published.partition() + " offset " + published.offset()
          + "): raise epoch to " + (published.map().epoch() + 1) + " or more");
    }
    if (!diff.refusals().isEmpty()) {
      throw new RefusedException(diff.refusals().get(0).sentence());
    }
    if (diff.skipsState() && !force) {
      throw new RefusedException(diff.changes(DocumentDiff.Kind.STATE_SKIPPED).get(0).sentence());
    }
  }

  private static Object where(ControlTopic.Published published) {
    return published == null ? null : Json.object().with("epoch", published.map().epoch())
        .with("partition", published.partition()).with("offset", published.offset())
        .with("signed", published.signed());
  }

  private static String readText(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + " (" + e.getClass().getSimpleName() + ")", e);
    }
  }
}
