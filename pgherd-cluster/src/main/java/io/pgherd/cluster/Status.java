package io.pgherd.cluster;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The record {@code status}: the leader's last known WAL position, which candidates are judged
 * against after it is gone.
 *
 * @param position the leader's WAL position (0: unknown)
 */
public record Status(@JsonProperty("position") long position) {
}
