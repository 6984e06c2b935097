/**
 * The checks and writes of the requests users make of a cluster — scale, switchover, failover — shared by the
 * command line and the cluster REST API, so both refuse the same things with the same sentences and write the same
 * DCS records. A refusal is a {@link io.pgherd.controller.requests.RequestRefused}.
 */
package io.pgherd.controller.requests;
