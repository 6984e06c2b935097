package io.pgherd.controller.election;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * What one controller sees at the start of a cycle of the election.
 *
 * @param dcsReachable whether the DCS answered the reads of this cycle
 * @param sessionAlive whether this controller's DCS session is alive
 * @param acting the name in the {@code controller} key; empty when no controller holds it
 * @param epoch the current controller epoch ({@code controller_epoch}'s mod revision); empty before any
 * @param myEpoch the epoch of the fence this controller took; empty when it holds none
 */
public record ElectionState(boolean dcsReachable, boolean sessionAlive, Optional<String> acting, OptionalLong epoch,
                            OptionalLong myEpoch) {
}
