package dev.turnout.internal.reconcile;

import java.nio.ByteBuffer;

/**
 * A target-only record found in a range: what a plan counts and a copy looks for on the source. Key and value
 * are not kept; the copy reads them again from the target.
 *
 * @param id the record's {@code turnout.id}
 * @param slice its route's slice ({@code null} for an unsliced rule)
 * @param bucket its key bucket, -1 for a null key
 * @param offset its offset on the target
 * @param timestamp its timestamp (ms)
 */
public record Candidate(ByteBuffer id, String slice, int bucket, long offset, long timestamp) {}
