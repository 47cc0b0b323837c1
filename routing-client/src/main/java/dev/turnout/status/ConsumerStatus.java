package dev.turnout.status;

import java.util.List;
import java.util.Map;

/**
 * What only a routing consumer has. Published by the polling thread whenever it changes, so reading it never
 * touches the consumer.
 *
 * @param groupId the group the consumer uses on every cluster (with the validation suffix for a validation
 *     consumer), or {@code null} without a group
 * @param readClusters the cluster each subscribed or assigned topic is read from now
 * @param blocked partitions blocked at a boundary that could not be verified
 * @param establishing partitions whose read position is still being established after assignment
 * @param fencedTopics topics not read because the group committed them under a newer epoch
 * @param readSwitches topics whose reads the consumer moved to another cluster
 * @param boundaryVerifications partitions whose position was established after assignment, by outcome
 *     ({@code continued}, {@code verified}, {@code nothing-processed}, {@code rewound}, {@code failed-closed})
 * @param duplicatesAvoided records a translated offset would have delivered twice
 * @param duplicatesAdmitted records delivered twice after a rewind
 * @param switchDurationMaxMs the longest handover-to-resumption time in milliseconds since the consumer started
 *     (metric {@code switch-duration-ms-longest}; {@code switch-duration-ms-max} covers the recent samples only);
 *     NaN before the first
 */
public record ConsumerStatus(String groupId, Map<String, String> readClusters, List<BlockedPartition> blocked,
    List<PartitionRef> establishing, List<String> fencedTopics, long readSwitches,
    Map<String, Long> boundaryVerifications, long duplicatesAvoided, long duplicatesAdmitted,
    double switchDurationMaxMs) {

  public ConsumerStatus {
    readClusters = Map.copyOf(readClusters);
    blocked = List.copyOf(blocked);
    establishing = List.copyOf(establishing);
    fencedTopics = List.copyOf(fencedTopics);
    boundaryVerifications = Map.copyOf(boundaryVerifications);
  }
}
