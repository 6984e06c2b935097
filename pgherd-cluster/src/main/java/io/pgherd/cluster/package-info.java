/**
 * The cluster model: the DCS contract every pgherd process shares (DESIGN.md §2), one typed record per
 * key, read and written only here ({@link io.pgherd.cluster.ClusterJson}), through one store
 * ({@link io.pgherd.cluster.ClusterStore}) whose one read of the whole prefix is a
 * {@link io.pgherd.cluster.ClusterSnapshot}. No other package parses a DCS value; a test fails if one does.
 *
 * <p>Keys live under {@code /pgherd/<cluster>/} ({@link io.pgherd.dcs.ClusterKeys}). Ephemeral keys are
 * bound to their writer's DCS session and vanish with it; persistent keys stay until deleted.
 *
 * <table>
 * <caption>The keys: who writes and reads each, its lifetime, and how it is changed</caption>
 * <tr><th>key</th><th>record</th><th>written by</th><th>read by</th><th>lifetime</th><th>changed with</th></tr>
 * <tr><td>{@code leader}</td><td>{@link io.pgherd.cluster.Leader} (plain text: the member's name; its create
 *     revision is the epoch, the fencing token)</td><td>the agent that wins an election</td>
 *     <td>agents, proxies (routing, epoch checks), CLI, REST API</td><td>ephemeral (the leader's session)</td>
 *     <td>atomic create ({@code takeLeader}); renewed by the session; released with compare-and-delete</td></tr>
 * <tr><td>{@code members/<name>}</td><td>{@link io.pgherd.cluster.Member}</td><td>that member's agent, every
 *     cycle</td><td>agents (candidates), proxies (nodes, roles, weights, draining), CLI, REST API</td>
 *     <td>ephemeral (the agent's session)</td><td>put ({@code publish})</td></tr>
 * <tr><td>{@code initialize}</td><td>plain text: the member that bootstrapped</td><td>the agent winning the
 *     bootstrap race</td><td>agents</td><td>persistent</td><td>atomic create, once</td></tr>
 * <tr><td>{@code system_id}</td><td>plain text: the database system identifier of the cluster's data, as
 *     {@code pg_controldata} prints it</td><td>the agent that initialized the cluster (right after initdb); a
 *     leader that finds none (a cluster initialized before the key existed)</td><td>agents (an agent whose data
 *     has another identifier refuses to join and exits), CLI ({@code up} refuses a directory whose data, or
 *     absence of data, does not match what the DCS holds under the name)</td><td>persistent</td><td>put</td></tr>
 * <tr><td>{@code config}</td><td>{@link io.pgherd.cluster.ClusterConfig} (a document; the agent validates it
 *     as {@code DynamicConfig})</td><td>CLI ({@code config set}, {@code pause}), REST API
 *     ({@code PATCH /config})</td><td>agents (timings, parameters, pause), proxies ({@code ttl}), CLI</td>
 *     <td>persistent</td><td>compare-and-set (a JSON merge patch, retried)</td></tr>
 * <tr><td>{@code status}</td><td>{@link io.pgherd.cluster.Status}</td><td>the leader's agent, every cycle,
 *     and once more when it stops cleanly while leading (naming itself)</td>
 *     <td>agents (judging candidates after the leader is gone; the stopped leader takes the key back)</td>
 *     <td>persistent</td><td>put</td></tr>
 * <tr><td>{@code history}</td><td>{@link io.pgherd.cluster.History} of
 *     {@link io.pgherd.cluster.HistoryEntry}</td><td>the promoted agent (appends its entry with
 *     {@code leader_epoch}); each proxy (adds its measured timeline to the entry of that epoch)</td>
 *     <td>CLI ({@code history}), REST API ({@code /history}), proxies</td><td>persistent</td>
 *     <td>compare-and-set, retried</td></tr>
 * <tr><td>{@code failover}</td><td>{@link io.pgherd.cluster.FailoverRequest}; its modRevision identifies the
 *     request</td><td>CLI ({@code switchover}, {@code failover}), REST API</td><td>agents (carry it out, then
 *     delete it), proxies (hold writes, acknowledge)</td><td>persistent</td><td>put; deleted when done</td></tr>
 * <tr><td>{@code sync}</td><td>{@link io.pgherd.cluster.SyncState}</td><td>the leader's agent in synchronous
 *     mode</td><td>agents (only the synchronous standby may take the key)</td><td>persistent</td>
 *     <td>compare-and-set on what the leader read; put by a new leader before it promotes; deleted when the
 *     mode is off</td></tr>
 * <tr><td>{@code proxies/<name>}</td><td>{@link io.pgherd.cluster.ProxyRecord}</td><td>that proxy (also when
 *     the reads it runs on a member change, rate-limited)</td>
 *     <td>the old leader's agent in a switchover (waits for every {@code ack}), the controller (waits until no
 *     proxy runs a read on a draining member), CLI</td>
 *     <td>ephemeral (the proxy's session)</td><td>put ({@code register})</td></tr>
 * <tr><td>{@code spec}</td><td>{@link io.pgherd.cluster.Spec}</td><td>users (CLI {@code scale}, cluster API)</td>
 *     <td>the controller, CLI ({@code list}, {@code status})</td><td>persistent</td><td>compare-and-set
 *     ({@code readSpec}, {@code writeSpec})</td></tr>
 * <tr><td>{@code controller}</td><td>plain text: the acting controller's name</td><td>the controller that wins
 *     the controllers' election</td><td>controllers (standbys wait while it exists), CLI</td><td>ephemeral (the
 *     controller's session)</td><td>atomic create together with advancing {@code controller_epoch}
 *     ({@code acquire})</td></tr>
 * <tr><td>{@code controller_epoch}</td><td>plain text: the name of the controller that advanced it last; its mod
 *     revision is the controller epoch, the fence of every controller write</td><td>the controller taking
 *     {@code controller}, in the same transaction</td><td>the DCS itself (fenced writes compare it),
 *     controllers, CLI</td><td>persistent, never deleted</td><td>advanced only with {@code controller}</td></tr>
 * <tr><td>{@code tasks/<id>}</td><td>{@link io.pgherd.cluster.Task}</td><td>the acting controller (the owner
 *     epoch is its epoch); CLI ({@code task cancel} sets {@code cancel_requested})</td><td>controllers, CLI,
 *     dashboard</td><td>persistent</td><td>fenced atomic create, then fenced compare-and-set as it advances
 *     ({@link io.pgherd.cluster.ControllerStore})</td></tr>
 * <tr><td>{@code assignments/<member>}</td><td>{@link io.pgherd.cluster.Assignment}</td><td>the controller (a
 *     replica task: assign a spare, drain a member, release it)</td><td>that member's agent (a spare clones and
 *     joins, or wipes its data and waits; any member publishes {@code draining}), controllers, CLI</td>
 *     <td>persistent</td><td>put ({@code putAssignment}); deleted when the member is released
 *     ({@code deleteAssignment})</td></tr>
 * <tr><td>{@code schedules/<name>}</td><td>{@link io.pgherd.cluster.Schedule}</td><td>users (CLI {@code schedule},
 *     cluster API); the acting controller records the due time it fired</td><td>the acting controller, CLI</td>
 *     <td>persistent</td><td>users: atomic create, compare-and-set, compare-and-delete; the controller: fenced
 *     compare-and-set ({@link io.pgherd.cluster.ScheduleStore})</td></tr>
 * <tr><td>{@code users/<name>}</td><td>{@link io.pgherd.cluster.UserRecord}</td><td>the controller (the cluster
 *     API's {@code POST /users}), CLI ({@code up}: the admin user)</td><td>the controller (authenticating each API
 *     request)</td><td>persistent</td><td>atomic create; deleted when removed ({@link io.pgherd.cluster.AccessStore})</td></tr>
 * <tr><td>{@code tokens/<id>}</td><td>{@link io.pgherd.cluster.TokenRecord}: the token's hash, never the token</td>
 *     <td>the controller ({@code POST /tokens}), CLI ({@code up}: the admin token)</td><td>the controller (each API
 *     request)</td><td>persistent</td><td>atomic create; deleted when revoked or its user removed</td></tr>
 * <tr><td>{@code /pgherd-audit/<cluster>} (outside the prefix, so the processes listing it each cycle do not
 *     read it)</td><td>{@link io.pgherd.cluster.AuditTrail} of {@link io.pgherd.cluster.AuditRecord}, bounded</td>
 *     <td>the controller answering a mutating API request</td><td>the controller ({@code GET /audit})</td>
 *     <td>persistent</td><td>compare-and-set, retried; the oldest entries dropped beyond the bound</td></tr>
 * </table>
 *
 * <p><b>Compatibility.</b> Processes of two releases share a cluster during a rolling upgrade, so readers
 * ignore fields they do not know and take defaults for missing optional ones; history entries keep
 * unknown fields when written back. Records whose meaning may change carry a {@code format}
 * ({@link io.pgherd.cluster.Member#FORMAT}, {@link io.pgherd.cluster.Spec#FORMAT},
 * {@link io.pgherd.cluster.Task#FORMAT}, {@link io.pgherd.cluster.Assignment#FORMAT}). The member record was written with Java field names (format 1,
 * {@code noFailover}); format 2 names fields in snake_case, reads both, and writes both so the previous
 * release still reads it. Golden samples of what the previous release wrote and what this one writes are
 * in this module's tests.
 *
 * <p><b>Errors.</b> A record that cannot be read is logged once per key and reason and counted
 * ({@link io.pgherd.cluster.UnreadableRecords}), and each method says what it is taken for; a
 * compare-and-set that keeps losing throws {@link io.pgherd.cluster.ConflictException} with the key and
 * the number of tries; a store that does not answer throws {@link io.pgherd.dcs.DcsException}.
 */
package io.pgherd.cluster;
