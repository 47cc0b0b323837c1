package dev.turnout.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.turnout.authority.AuthorityMap;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileAuthoritySourceTest {

  private static final String EXAMPLE = """
      # the example authority document
      epoch=12
      source=onprem
      target=cloud
      rule.orders.topics=orders
      rule.orders.state=MIRROR
      """;

  @TempDir
  Path dir;

  private Path file() {
    return dir.resolve("authority.properties");
  }

  private void writeAtomically(Path target, String text) throws IOException {
    Path tmp = Files.createTempFile(dir, "authority", ".tmp");
    Files.writeString(tmp, text, StandardCharsets.UTF_8);
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  @Test
  void readsThePropertiesFileAsAFlatDocument() throws Exception {
    writeAtomically(file(), EXAMPLE);
    FileAuthoritySource source = new FileAuthoritySource(file());

    Map<String, String> doc = source.read();

    assertThat(doc).containsExactlyInAnyOrderEntriesOf(Map.of(
        "epoch", "12",
        "source", "onprem",
        "target", "cloud",
        "rule.orders.topics", "orders",
        "rule.orders.state", "MIRROR"));
    assertThat(AuthorityMap.parse(doc, List.of("onprem", "cloud")).epoch()).isEqualTo(12);
  }

  @Test
  void readsUtf8ValuesWithDotsSpacesAndSeparators() throws Exception {
    writeAtomically(file(), """
        rule.orders.topics = orders.v2, orders.eu
        note=Zürich → Frankfurt (größer)
        colon:value with spaces
        ! bang comment
        continued=first \\
          second
        """);
    FileAuthoritySource source = new FileAuthoritySource(file());

    Map<String, String> doc = source.read();

    assertThat(doc).containsEntry("rule.orders.topics", "orders.v2, orders.eu");
    assertThat(doc).containsEntry("note", "Zürich → Frankfurt (größer)");
    assertThat(doc).containsEntry("colon", "value with spaces");
    assertThat(doc).containsEntry("continued", "first second");
    assertThat(doc).hasSize(4);
  }

  @Test
  void returnsTheSameMapInstanceWhileTheBytesAreUnchanged() throws Exception {
    writeAtomically(file(), EXAMPLE);
    FileAuthoritySource source = new FileAuthoritySource(file());

    Map<String, String> first = source.read();
    Map<String, String> second = source.read();
    writeAtomically(file(), EXAMPLE); // same bytes, new file (new inode, new mtime)
    Map<String, String> third = source.read();

    assertThat(second).isSameAs(first);
    assertThat(third).isSameAs(first);
  }

  @Test
  void returnsANewDocumentWhenTheBytesChange() throws Exception {
    writeAtomically(file(), EXAMPLE);
    FileAuthoritySource source = new FileAuthoritySource(file());
    Map<String, String> first = source.read();

    writeAtomically(file(), EXAMPLE.replace("epoch=12", "epoch=13"));
    Map<String, String> second = source.read();

    assertThat(second).isNotSameAs(first);
    assertThat(second).containsEntry("epoch", "13");
    assertThat(first).containsEntry("epoch", "12");
  }

  @Test
  void aChangeInCommentsOnlyGivesAnEqualDocument() throws Exception {
    writeAtomically(file(), EXAMPLE);
    FileAuthoritySource source = new FileAuthoritySource(file());
    Map<String, String> first = source.read();

    writeAtomically(file(), EXAMPLE + "# reviewed by ops\n");
    Map<String, String> second = source.read();

    assertThat(second).isEqualTo(first);
  }

  @Test
  void theDocumentReturnedIsUnmodifiable() throws Exception {
    writeAtomically(file(), EXAMPLE);
    Map<String, String> doc = new FileAuthoritySource(file()).read();

    assertThatThrownBy(() -> doc.put("epoch", "99")).isInstanceOf(UnsupportedOperationException.class);
    assertThat(doc).containsEntry("epoch", "12");
  }

  @Test
  void aMissingFileThrowsNoSuchFile() {
    FileAuthoritySource source = new FileAuthoritySource(dir.resolve("absent.properties"));

    assertThatThrownBy(source::read)
        .isInstanceOf(NoSuchFileException.class)
        .hasMessage(dir.resolve("absent.properties").toAbsolutePath()
            + ": authority file not found: create it, or fix turnout.authority.file");
  }

  @Test
  void aFileRewrittenInPlaceWhileReadIsReadAgainUntilTwoReadsAgree() throws Exception {
    String complete = EXAMPLE + "rule.audit.topics=audit\nrule.audit.state=MIRROR\n";
    Files.writeString(file(), EXAMPLE, StandardCharsets.UTF_8); // the writer has written half of it so far
    AtomicInteger pauses = new AtomicInteger();
    FileAuthoritySource source = new FileAuthoritySource(file(), () -> {
      if (pauses.incrementAndGet() == 1) {
        try {
          Files.writeString(file(), complete, StandardCharsets.UTF_8); // ... and finishes during the pause
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    });

    Map<String, String> doc = source.read();

    assertThat(doc).containsEntry("rule.audit.state", "MIRROR").hasSize(7);
    assertThat(pauses).as("a third read confirmed the second").hasValue(2);
  }

  @Test
  void anUnchangedFileIsReadOnce() throws Exception {
    writeAtomically(file(), EXAMPLE);
    AtomicInteger pauses = new AtomicInteger();
    FileAuthoritySource source = new FileAuthoritySource(file(), pauses::incrementAndGet);

    Map<String, String> first = source.read();
    assertThat(pauses).as("a changed file is read twice").hasValue(1);
    assertThat(source.read()).isSameAs(first);
    assertThat(pauses).as("an unchanged file is read once").hasValue(1);
  }

  @Test
  void aFileThatKeepsChangingIsAFailedReadThatSaysWhatToDo() throws Exception {
    Files.writeString(file(), EXAMPLE, StandardCharsets.UTF_8);
    AtomicInteger writes = new AtomicInteger();
    FileAuthoritySource source = new FileAuthoritySource(file(), () -> {
      try {
        Files.writeString(file(), EXAMPLE + "# write " + writes.incrementAndGet() + "\n", StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });

    assertThatThrownBy(source::read).isInstanceOf(IOException.class)
        .hasMessage(file().toAbsolutePath() + " changed on each of 10 reads in a row: it is being rewritten in place. "
            + "It is read again at the next refresh; write a temporary file in the same directory and rename it over "
            + "the old one instead");
    assertThat(writes).hasValue(FileAuthoritySource.MAX_READS - 1);
  }

  @Test
  void aFileThatDisappearsThrowsAndReadsAgainWhenItReturns() throws Exception {
    writeAtomically(file(), EXAMPLE);
    FileAuthoritySource source = new FileAuthoritySource(file());
    Map<String, String> first = source.read();

    Files.delete(file());
    assertThatThrownBy(source::read).isInstanceOf(IOException.class);

    writeAtomically(file(), EXAMPLE);
    assertThat(source.read()).isEqualTo(first);
  }

  @Test
  void anEmptyFileGivesAnEmptyDocument() throws Exception {
    writeAtomically(file(), "");

    assertThat(new FileAuthoritySource(file()).read()).isEmpty();
  }

  @Test
  void descriptionAndToStringNameTheAbsolutePath() {
    FileAuthoritySource source = new FileAuthoritySource(file());

    assertThat(source.path()).isEqualTo(file());
    assertThat(source.description()).contains(file().toAbsolutePath().toString());
    assertThat(source.toString()).isEqualTo(source.description());
  }

  @Test
  void closeIsHarmless() throws Exception {
    writeAtomically(file(), EXAMPLE);
    FileAuthoritySource source = new FileAuthoritySource(file());

    source.close();

    assertThat(source.read()).containsEntry("epoch", "12");
  }
}
