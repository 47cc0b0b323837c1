package dev.turnout.cli;

import dev.turnout.authority.DocumentSignatures;
import dev.turnout.cli.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code turnout keygen --out PREFIX}: an Ed25519 key pair for signing authority documents. */
@Command(name = "keygen", mixinStandardHelpOptions = true,
    header = "Generate an Ed25519 key pair for signing documents.",
    description = {"Generate an Ed25519 key pair for signing authority documents: PREFIX.pem (private, PKCS#8; keep "
        + "it with whoever publishes) and PREFIX.pub.pem (public, X.509; give it to every client in "
        + "turnout.authority.trusted.keys). Prints the key id. Never overwrites a file."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:the key pair is written", "1:a file exists already (refused)", "2:usage or I/O error"})
final class KeygenCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Option(names = "--out", required = true, paramLabel = "PREFIX", description = "Where to write: PREFIX.pem and "
      + "PREFIX.pub.pem.")
  String prefix;

  @Option(names = "--json", description = "Print JSON instead of text.")
  boolean json;

  @Override
  public Integer call() throws GeneralSecurityException {
    Path privateFile = Path.of(prefix + ".pem");
    Path publicFile = Path.of(prefix + ".pub.pem");
    for (Path file : new Path[] {privateFile, publicFile}) {
      if (Files.exists(file)) {
        throw new RefusedException(file + " exists already: keygen never overwrites a key; choose another --out");
      }
    }
    KeyPair pair = KeyPairGenerator.getInstance(DocumentSignatures.ALGORITHM).generateKeyPair();
    write(privateFile, pem("PRIVATE KEY", pair.getPrivate().getEncoded()), true);
    write(publicFile, pem("PUBLIC KEY", pair.getPublic().getEncoded()), false);
    String keyId = DocumentSignatures.keyId(pair.getPublic());
    if (json) {
      spec.commandLine().getOut().println(Json.write(Json.object().with("keyId", keyId)
          .with("privateKey", privateFile.toString()).with("publicKey", publicFile.toString())));
    } else {
      spec.commandLine().getOut().println("key id " + keyId + ": private key " + privateFile + ", public key "
          + publicFile);
    }
    return ExitCodes.OK;
  }

  static String pem(String type, byte[] encoded) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(encoded)
        + "\n-----END " + type + "-----\n";
  }

  private static void write(Path file, String text, boolean secret) {
    try {
      Files.writeString(file, text, StandardCharsets.US_ASCII, StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE);
      if (secret && file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }
}
