/**
 * Where authority documents come from: the source SPI.
 *
 * <p>{@link dev.turnout.source.AuthoritySource} is the extension point: a file
 * ({@link dev.turnout.source.FileAuthoritySource}), a compacted Kafka control topic
 * ({@link dev.turnout.source.KafkaTopicAuthoritySource}), or any other store that can return the flat document.
 * The clients re-read their source on a schedule, validate what it returns, install only valid documents
 * with a higher epoch, and fail closed when no read has succeeded for too long.
 * {@link dev.turnout.source.AuthorityListener} receives the typed events of that refreshing.
 */
package dev.turnout.source;
