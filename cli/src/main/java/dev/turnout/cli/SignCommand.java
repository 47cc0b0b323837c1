package dev.turnout.cli;

import dev.turnout.authority.DocumentSignatures;
import dev.turnout.cli.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.PrivateKey;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code turnout sign FILE --key KEYFILE [--out FILE]}: sign an authority document with Ed25519. */
@Command(name = "sign", mixinStandardHelpOptions = true,
    header = "Sign an authority document.",
    description = {"Sign an authority document (signature.key-id and signature.value, replacing any previous "
        + "signature). Writes the document as sorted key=value lines to --out (atomically), or to standard output. "
        + "Validate it first: signing does not check the content."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:signed", "2:usage error, unreadable document or key"})
final class SignCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE", description = "The document to sign.")
  Path file;

  @Option(names = "--key", required = true, paramLabel = "KEYFILE",
      description = "The Ed25519 private key, PKCS#8 PEM (turnout keygen writes one).")
  Path keyFile;

  @Option(names = "--out", paramLabel = "FILE", description = "Where to write the signed document (may be FILE "
      + "itself); default: standard output.")
  Path out;

  @Option(names = "--json", description = "Print the key id and output file as JSON (with --out).")
  boolean json;

  @Override
  public Integer call() {
    Map<String, String> document = Documents.read(file);
    PrivateKey key;
    try {
      key = DocumentSignatures.privateKey(Files.readString(keyFile, StandardCharsets.US_ASCII));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the key " + keyFile + " (" + e.getClass().getSimpleName() + ")", e);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(keyFile + " is " + e.getMessage(), e);
    }
    Map<String, String> signed = DocumentSignatures.sign(document, key);
    String text = Documents.text(signed);
    String keyId = signed.get(DocumentSignatures.KEY_ID);
    if (out == null) {
      spec.commandLine().getOut().print(json ? Json.write(Json.object().with("keyId", keyId)
          .with("document", signed)) + "\n" : text);
      spec.commandLine().getOut().flush();
      return ExitCodes.OK;
    }
    writeAtomically(out, text);
    spec.commandLine().getOut().println(json ? Json.write(Json.object().with("keyId", keyId)
        .with("out", out.toString())) : "signed " + file + " with key " + keyId + " into " + out);
    return ExitCodes.OK;
  }

  private static void writeAtomically(Path target, String text) {
    Path absolute = target.toAbsolutePath();
    try {
      Path temp = Files.createTempFile(absolute.getParent(), "." + absolute.getFileName(), ".tmp");
      Files.writeString(temp, text, StandardCharsets.UTF_8);
      Files.move(temp, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
    }
  }
}
