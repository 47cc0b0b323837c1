package dev.turnout.cli;

import dev.turnout.TrustedKeys;
import dev.turnout.authority.AuthorityMap;
import dev.turnout.authority.DocumentProblem;
import dev.turnout.cli.json.Json;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help.Ansi;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code turnout validate FILE...}: every problem of each document, as a client would reject it. */
@Command(name = "validate", mixinStandardHelpOptions = true,
    header = "Check authority documents as the clients do.",
    description = "Check authority documents as the clients do, listing every problem with the key and what to fix.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:every document is valid", "1:a document is invalid", "2:usage error, unreadable file"})
final class ValidateCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "FILE", description = "Authority documents (properties files).")
  List<Path> files;

  @Option(names = "--clusters", split = ",", paramLabel = "ALIAS",
      description = "The clients' turnout.clusters aliases; default: the aliases each document names itself.")
  List<String> clusters;

  @Option(names = "--trusted-keys", split = ",", paramLabel = "KEY",
      description = "Also check the signature: entries as in turnout.authority.trusted.keys (base64 X.509 public "
          + "key, or the path of a PEM file).")
  List<String> trustedKeys;

  @Option(names = "--json", description = "Print JSON instead of text.")
  boolean json;

  @Override
  public Integer call() {
    List<PublicKey> keys = trustedKeys == null ? List.of() : TrustedKeys.read(trustedKeys);
    PrintWriter out = spec.commandLine().getOut();
    Ansi ansi = spec.commandLine().getColorScheme().ansi();
    boolean allValid = true;
    List<Object> results = new ArrayList<>();
    for (Path file : files) {
      Map<String, String> document = Documents.read(file);
      DocumentCheck check = DocumentCheck.of(document, clusters, keys);
      allValid &= check.valid();
      if (json) {
        results.add(toJson(file, check));
      } else {
        print(out, ansi, file, check);
      }
    }
    if (json) {
      out.println(Json.write(Json.object().with("valid", allValid).with("documents", results)));
    }
    return allValid ? ExitCodes.OK : ExitCodes.RED;
  }

  private static void print(PrintWriter out, Ansi ansi, Path file, DocumentCheck check) {
    if (check.valid()) {
      AuthorityMap map = check.map();
      String signature = check.signatureVerified() ? ", signature by key " + check.signedBy() + " verified"
          : check.signedBy() != null ? ", signed by key " + check.signedBy() + " (not verified: no --trusted-keys)"
          : ", unsigned";
      out.println(ansi.string("@|green valid|@   ") + file + ": epoch " + map.epoch() + ", " + map.rules().size()
          + " rule(s)" + signature);
      return;
    }
    out.println(ansi.string("@|red,bold invalid|@ ") + file + ": " + check.problems().size() + " problem(s)");
    for (DocumentProblem problem : check.problems()) {
      out.println("  " + problem.kind() + ": " + problem.detail());
    }
  }

  private static Object toJson(Path file, DocumentCheck check) {
    Json.Obj result = Json.object().with("file", file.toString()).with("valid", check.valid());
    if (check.valid()) {
      result.with("epoch", check.map().epoch()).with("rules", check.map().rules().size());
    }
    result.with("signedBy", check.signedBy()).with("signatureVerified", check.signatureVerified());
    List<Object> problems = new ArrayList<>();
    for (DocumentProblem p : check.problems()) {
      problems.add(Json.object().with("kind", p.kind().name()).with("detail", p.detail()));
    }
    return result.with("problems", problems);
  }
}
