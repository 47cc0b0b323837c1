/**
 * The Kafka control topic as an authority source: {@link dev.turnout.internal.control.ControlTopicTail} reads a
 * compacted topic from its beginning, then tails it on its own daemon thread, and
 * {@link dev.turnout.internal.control.DocumentCandidates} keeps the valid document with the highest epoch among
 * those seen (a record that is not a valid document for the client never displaces one that is).
 * {@link dev.turnout.internal.control.PropertiesDocument} reads the properties text of a document, for the
 * control topic and the file source alike. Internal: not part of the public API; the public face is
 * {@code dev.turnout.source.KafkaTopicAuthoritySource}.
 */
package dev.turnout.internal.control;
