package dev.turnout.drill.load;

/**
 * One record as a cluster holds it at the end of the drill.
 *
 * @param cluster the cluster read
 * @param partition the partition
 * @param offset the offset
 * @param key the key
 * @param value the value
 * @param turnoutId the {@code turnout.id}, or {@code null} without provenance
 * @param origin the {@code turnout.route} origin, or {@code null} without provenance
 * @param epoch the {@code turnout.route} epoch, -1 without provenance
 * @param reconciledCopy whether the record carries {@code turnout.reconciled} (a copy reconciliation wrote)
 */
public record StoredRecord(String cluster, int partition, long offset, String key, String value, String turnoutId,
    String origin, long epoch, boolean reconciledCopy) {}
