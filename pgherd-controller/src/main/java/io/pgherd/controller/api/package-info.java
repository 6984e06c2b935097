/**
 * The cluster REST API (issue 16) that every controller serves on {@code controller.api.listen}: the cluster, its
 * spec and scaling, switchover and failover, maintenance mode, the dynamic configuration, tasks, history, users,
 * tokens and the audit log under {@code /api/v1/}, JSON in and out, errors as RFC 9457 problem details, an OpenAPI 3
 * document at {@code /api/v1/openapi.json}. Every route goes through the {@link io.pgherd.controller.api.Gate}:
 * bearer token, role, audit. The routes read and write the DCS as the CLI does, so a standby answers as the acting
 * controller does.
 */
package io.pgherd.controller.api;
