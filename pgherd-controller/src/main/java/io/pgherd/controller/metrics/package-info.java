/** The controller's Prometheus endpoint: what one controller saw in its last cycle, rendered as text. */
package io.pgherd.controller.metrics;
