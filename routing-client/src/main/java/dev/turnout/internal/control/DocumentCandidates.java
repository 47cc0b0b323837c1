package dev.turnout.internal.control;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.authority.DocumentProblem;
import dev.turnout.authority.DocumentSignatures;
import dev.turnout.authority.InvalidAuthorityDocumentException;
import java.io.IOException;
import java.security.PublicKey;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The documents seen on a control topic and the one that wins: the newest valid document with the highest
 * epoch. A record that is not properties text, is not signed by a trusted key (when keys are trusted), or is
 * not a valid document for the client's declared clusters ({@link AuthorityMap#parse}) is skipped with a WARN
 * line saying what is wrong and where it is; it never displaces a valid document. A valid document with a
 * lower epoch than the winner is ignored (logged at WARN once the topic has been read to its end at start, so
 * that the history read at start stays quiet). A tombstone is ignored. Not thread-safe: one thread offers.
 */
public final class DocumentCandidates {

  private static final Logger log = LoggerFactory.getLogger(DocumentCandidates.class);

  /** What an offered record did. */
  public enum Outcome {
    /** It is the new winner. */
    WON,
    /** It is the winner again (the same document). */
    SAME,
    /** A valid document with a lower epoch than the winner. */
    LOWER,
    /** Not a valid document: skipped. */
    SKIPPED,
    /** A tombstone. */
    TOMBSTONE
  }

  private final List<String> clusters;
  private final List<PublicKey> trusted;
  private final String owner;
  private Map<String, String> winner;
  private long winnerEpoch = -1;
  private String winnerPlace;

  /**
   * @param clusters the aliases the client declares; a document naming another alias is skipped
   * @param trusted keys one of which must sign a document; empty: signatures are not required
   * @param owner names the client in log lines
   */
  public DocumentCandidates(List<String> clusters, Collection<PublicKey> trusted, String owner) {
    this.clusters = List.copyOf(clusters);
    this.trusted = List.copyOf(trusted);
    this.owner = owner;
  }

  /**
   * Offers the value of one record.
   *
   * @param value the record value (UTF-8 properties text), {@code null} for a tombstone
   * @param place where the record is, for log lines ("topic t partition 0 offset 12 of cluster c")
   * @param quietLower whether a lower epoch is logged at DEBUG only (while reading the history at start)
   */
  public Outcome offer(byte[] value, String place, boolean quietLower) {
    if (value == null) {
      log.debug("[{}] Tombstone at {} ignored", owner, place);
      return Outcome.TOMBSTONE;
    }
    Map<String, String> document;
    try {
      document = PropertiesDocument.parse(value);
    } catch (IOException e) {
      return skipped(place, e.getMessage());
    }
    if (document.isEmpty()) {
      return skipped(place, "the record holds no key (an empty document)");
    }
    AuthorityMap map;
    try {
      if (!trusted.isEmpty()) {
        DocumentSignatures.verify(document, trusted);
      }
      map = AuthorityMap.parse(document, clusters);
    } catch (InvalidAuthorityDocumentException e) {
      return skipped(place, e.problems().size() + (e.problems().size() == 1 ? " problem: " : " problems: ")
          + text(e.problems()));
    } catch (RuntimeException e) {
      return skipped(place, "the document could not be parsed (" + e + ")");
    }
    long epoch = map.epoch();
    if (winner != null && epoch < winnerEpoch) {
      String line = "[{}] Authority document of epoch {} at {} ignored: the document of epoch {} at {} is newer. "
          + "Epochs only increase: publish the change with an epoch above {}.";
      if (quietLower) {
        log.debug(line, owner, epoch, place, winnerEpoch, winnerPlace, winnerEpoch);
      } else {
        log.warn(line, owner, epoch, place, winnerEpoch, winnerPlace, winnerEpoch);
      }
      return Outcome.LOWER;
    }
    boolean same = document.equals(winner);
    winner = document;
    winnerEpoch = epoch;
    winnerPlace = place;
    return same ? Outcome.SAME : Outcome.WON;
  }

  private Outcome skipped(String place, String why) {
    log.warn("[{}] Authority record at {} skipped, it is not a valid document for this client: {}. {}", owner, place,
        why, winner == null ? "No valid document has been read from the topic yet."
            : "The document of epoch " + winnerEpoch + " at " + winnerPlace + " stays the one read.");
    return Outcome.SKIPPED;
  }

  private static String text(List<DocumentProblem> problems) {
    StringBuilder text = new StringBuilder();
    for (DocumentProblem p : problems) {
      text.append(text.length() == 0 ? "" : "; ").append(p);
    }
    return text.toString();
  }

  /** The winning document, or {@code null} when no valid document has been offered. */
  public Map<String, String> winner() {
    return winner;
  }

  /** The epoch of the winner, or -1. */
  public long winnerEpoch() {
    return winnerEpoch;
  }

  /** Where the winner was read, or {@code null}. */
  public String winnerPlace() {
    return winnerPlace;
  }
}
