package io.pgherd.controller.api;

import java.time.Clock;
import java.util.function.Supplier;

import io.pgherd.cluster.ClusterStore;
import io.pgherd.controller.access.Access;
import io.pgherd.controller.access.AuditLog;
import io.pgherd.controller.access.Directory;
import io.pgherd.controller.metrics.ControllerStatus;

/**
 * What the API's routes work with. Every route reads and writes the cluster's records in the DCS, so the acting
 * controller and a standby answer alike.
 *
 * @param cluster    the cluster's records, through the controller's own DCS client
 * @param access     who sent a request
 * @param directory  the users and tokens
 * @param audit      the audit log of mutating requests
 * @param controller what this controller's last cycle saw (its name, whether it acts)
 * @param clock      the time of requests, of audit entries and of token expiry
 */
public record ApiServices(ClusterStore cluster, Access access, Directory directory, AuditLog audit,
                          Supplier<ControllerStatus> controller, Clock clock) {
}
