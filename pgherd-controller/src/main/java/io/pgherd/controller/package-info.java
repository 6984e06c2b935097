/**
 * The controller (DESIGN.md §1, §5): a process of its own, leader-elected through the DCS, that keeps the
 * cluster's desired state ({@code spec}) true by durable tasks ({@code tasks/<id>}) whose every write is
 * fenced by the acting controller's epoch. Deciding parts are pure functions of their inputs and the time,
 * as the agents' {@code HaRules} is; thin parts act on the DCS, PostgreSQL and processes.
 */
package io.pgherd.controller;
