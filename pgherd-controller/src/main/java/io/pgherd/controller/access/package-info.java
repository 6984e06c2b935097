/**
 * Who may use the cluster API (issue 16): users with a {@link io.pgherd.controller.access.Role}, bearer tokens
 * stored only as hashes in the DCS, and the audit log of every mutating request. This package is the seam between
 * the HTTP side (routes, problem details, OpenAPI) and the store of users, tokens and audit entries: the HTTP side
 * calls {@link io.pgherd.controller.access.Access}, {@link io.pgherd.controller.access.Directory} and
 * {@link io.pgherd.controller.access.AuditLog} and knows nothing of how they keep their records.
 */
package io.pgherd.controller.access;
