package dev.turnout.cli;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.authority.InvalidAuthorityDocumentException;
import dev.turnout.cli.json.Json;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code turnout diff OLD NEW}: what moves from one authority document to the next. */
@Command(name = "diff", mixinStandardHelpOptions = true,
    header = "Show what moves from one authority document to the next.",
    description = {"Show what moves from OLD to NEW: owners of writes per key range, read clusters, states, and "
        + "what each move needs.",
        "Tags: [barrier] writes move forward and wait at the cutover barrier; [reconcile] writes move back from "
            + "target to source (reconcile first); [skip] a state is skipped; [rollback] a state goes back; "
            + "[REFUSED] the clients would reject NEW."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:the diff is printed", "1:a document is invalid, or the clients would refuse NEW "
        + "(epoch not above OLD's, leaving TARGET_AUTHORITY without rollback.allowed)",
        "2:usage error, unreadable file"})
final class DiffCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "OLD", description = "The document in force.")
  Path oldFile;

  @Parameters(index = "1", paramLabel = "NEW", description = "The new document.")
  Path newFile;

  @Option(names = "--clusters", split = ",", paramLabel = "ALIAS",
      description = "The clients' turnout.clusters aliases; default: the aliases each document names itself.")
  List<String> clusters;

  @Option(names = "--json", description = "Print JSON instead of text.")
  boolean json;

  @Override
  public Integer call() {
    AuthorityMap before = parse(oldFile);
    AuthorityMap after = parse(newFile);
    DocumentDiff diff = DocumentDiff.between(before, after);
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(Json.write(DiffOutput.json(diff)));
    } else {
      DiffOutput.print(out, spec.commandLine().getColorScheme().ansi(), diff);
    }
    return diff.refusals().isEmpty() ? ExitCodes.OK : ExitCodes.RED;
  }

  private AuthorityMap parse(Path file) {
    try {
      return Documents.parse(Documents.read(file), clusters);
    } catch (InvalidAuthorityDocumentException e) {
      throw new RefusedException(file + " is invalid (" + e.problems().size() + " problem(s), first: "
          + e.problems().get(0) + "): run turnout validate " + file);
    }
  }
}
