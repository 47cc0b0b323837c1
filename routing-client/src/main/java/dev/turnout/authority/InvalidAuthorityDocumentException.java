package dev.turnout.authority;

import java.util.List;
import java.util.stream.Collectors;
import org.apache.kafka.common.KafkaException;

/**
 * An authority document was rejected whole. The map in force, if any, stays in force. {@link #problems()}
 * lists every problem found, not only the first.
 */
public final class InvalidAuthorityDocumentException extends KafkaException {

  private static final long serialVersionUID = 1L;

  private final transient List<DocumentProblem> problems;

  public InvalidAuthorityDocumentException(List<DocumentProblem> problems) {
    super(message(problems));
    this.problems = List.copyOf(problems);
  }

  public InvalidAuthorityDocumentException(DocumentProblem problem, Throwable cause) {
    super(message(List.of(problem)), cause);
    this.problems = List.of(problem);
  }

  /** Every problem found, in document order; never empty. */
  public List<DocumentProblem> problems() {
    return problems;
  }

  private static String message(List<DocumentProblem> problems) {
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("a rejection needs at least one problem");
    }
    return "Authority document rejected (" + problems.size() + " problem" + (problems.size() == 1 ? "" : "s")
        + "); the previous map stays in force: "
        + problems.stream().map(DocumentProblem::toString).collect(Collectors.joining("; "));
  }
}
