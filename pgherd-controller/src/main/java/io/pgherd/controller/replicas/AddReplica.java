package io.pgherd.controller.replicas;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.pgherd.cluster.ClusterSnapshot;
import io.pgherd.cluster.Member;

/**
 * The steps of the task {@value ReplicaTask#ADD}: {@code provision} (a name, a port, a data directory, or a
 * spare assigned; and the member's assignment: role replica, {@code ready: false}, the member to clone from) →
 * {@code start_agent} (which clones and joins by itself) → {@code wait_streaming} (until the primary's
 * {@code pg_stat_replication} shows it streaming and it replayed within the lag limit; then its assignment says
 * {@code ready: true} and the proxies send it reads). Rolled back, the member is stopped, its slot dropped,
 * everything provisioned released and its assignment forgotten. Every step resumes after a takeover: running one
 * again does no harm.
 */
public final class AddReplica {
    /** The task's parameter naming the provisioner ({@value Provisioner#LOCAL}, {@value Provisioner#SPARE}). */
    public static final String PROVISIONER = "provisioner";

    private AddReplica() {
    }

    /** The steps, in order. */
    public static List<ReplicaStep> steps() {
        return List.of(new Provision(), new StartAgent(), new WaitStreaming());
    }

    /** The parameters of the task that carries out {@code add}. */
    public static Map<String, String> parameters(ReplicaAction.Add add) {
        return Map.of(ReplicaTask.MEMBER, add.member(), ReplicaContext.CLONE_FROM, add.cloneFrom(), PROVISIONER,
                add.provisioner());
    }

    /**
     * {@code provision}: the provisioner makes the member ready to run, and its assignment says it takes no reads
     * yet and whom it clones from (written before its agent starts); undone, everything it made is released and the
     * assignment forgotten.
     */
    record Provision() implements ReplicaStep {
        @Override
        public String name() {
            return "provision";
        }

        @Override
        public StepResult run(ReplicaContext context) {
            String cloneFrom = context.parameters().getOrDefault(ReplicaContext.CLONE_FROM, "");
            Provisioner.Placement where = context.provisioner().provision(context.member(), cloneFrom);
            context.drains().announce(context.member(), cloneFrom);
            return new StepResult.Done("provisioned " + where.name() + " (" + where.where() + ", port " + where.port()
                    + ")" + (cloneFrom.isEmpty() ? "" : ", to clone from " + cloneFrom));
        }

        @Override
        public void undo(ReplicaContext context) {
            context.provisioner().release(context.member());
            context.cluster().dropSlot(context.member());
            context.drains().forget(context.member());
        }

        @Override
        public boolean resumes() {
            return true;
        }
    }

    /** {@code start_agent}: the member's agent runs; undone, it is stopped (data kept until provision is undone). */
    record StartAgent() implements ReplicaStep {
        @Override
        public String name() {
            return "start_agent";
        }

        @Override
        public StepResult run(ReplicaContext context) {
            context.provisioner().start(context.member());
            return new StepResult.Done("started the agent of " + context.member());
        }

        @Override
        public void undo(ReplicaContext context) {
            context.provisioner().stop(context.member());
        }

        @Override
        public boolean resumes() {
            return true;
        }
    }

    /**
     * {@code wait_streaming}: done once the member streams within the lag limit and its assignment says it is ready
     * (the proxies then send it reads); fails after
     * {@link ReplicaContext.Limits#streamTimeoutMillis} (and the task is rolled back).
     */
    record WaitStreaming() implements ReplicaStep {
        @Override
        public String name() {
            return "wait_streaming";
        }

        @Override
        public StepResult run(ReplicaContext context) {
            String member = context.member();
            Optional<String> lost = context.provisioner().lost(member);
            if (lost.isPresent()) {
                throw new StepFailure(member + " cannot stream: " + lost.get());
            }
            String why = notStreaming(context.cluster().snapshot(), member, context.cluster().replicationState(member),
                    context.limits().maxLagBytes());
            if (why == null) {
                context.drains().ready(member);
                return new StepResult.Done(member + " streams within the lag limit: it takes reads");
            }
            if (context.stepAgeMillis() >= context.limits().streamTimeoutMillis()) {
                throw new StepFailure(member + " did not stream within the lag limit in "
                        + context.limits().streamTimeoutMillis() / 1000 + " s: " + why);
            }
            return new StepResult.NotYet(member + " does not stream within the lag limit yet: " + why);
        }

        @Override
        public void undo(ReplicaContext context) {
            // It only waited.
        }

        @Override
        public boolean resumes() {
            return true;
        }
    }

    /**
     * Why {@code member} does not stream within the lag limit, or null when it does: its member record shows
     * its PostgreSQL running in recovery, tagged nofailover, replayed within {@code maxLagBytes} of the
     * leader's position, and the leader's {@code pg_stat_replication} shows its WAL sender {@code streaming}.
     *
     * @throws StepFailure when the member is not tagged nofailover (it could take over: never a read replica)
     */
    static String notStreaming(ClusterSnapshot snapshot, String member, Optional<String> replicationState, long maxLagBytes) {
        if (snapshot.leader().isEmpty()) {
            return "the cluster has no leader";
        }
        String leader = snapshot.leader().get().member();
        Member m = snapshot.members().get(member);
        if (m == null) {
            return "its agent has published no member record yet";
        }
        if (!m.noFailover()) {
            throw new StepFailure(member + " is not tagged nofailover: it is no read replica (its agent must have role replica)");
        }
        if (!m.running()) {
            return "its PostgreSQL does not run (" + m.state() + ")";
        }
        if (!m.inRecovery()) {
            return "its PostgreSQL is not in recovery";
        }
        Member l = snapshot.members().get(leader);
        long leaderPosition = Math.max(snapshot.lastLeaderPosition(), l == null ? 0 : l.position());
        long lag = Math.max(0, leaderPosition - m.replayed());
        if (lag > maxLagBytes) {
            return "replayed " + lag + " bytes behind the leader, more than " + maxLagBytes;
        }
        if (replicationState.isEmpty()) {
            return "the leader " + leader + "'s pg_stat_replication does not show it";
        }
        if (!"streaming".equals(replicationState.get())) {
            return "the leader " + leader + "'s pg_stat_replication shows it " + replicationState.get();
        }
        return null;
    }
}
