package io.pgherd.controller.replicas;

import java.util.List;
import java.util.stream.Collectors;

import io.pgherd.cluster.Member;

/**
 * The steps of the task {@value ReplicaTask#REMOVE}: {@code mark_draining} (the proxies send it no new read)
 * → {@code wait_drained} (every live proxy reports no read running there) → {@code stop_agent} →
 * {@code drop_slot} (its replication slot on the primary) → {@code remove_data} (or the spare goes back to
 * being one) and its mark forgotten. Rolled back before its data is gone, the member is started again and
 * takes reads again. Every step resumes after a takeover: running one again does no harm.
 */
public final class RemoveReplica {
    private RemoveReplica() {
    }

    /** The steps, in order. */
    public static List<ReplicaStep> steps() {
        return List.of(new MarkDraining(), new WaitDrained(), new StopAgent(), new DropSlot(), new RemoveData());
    }

    /** {@code mark_draining}: the member is marked draining; undone, it is not. */
    record MarkDraining() implements ReplicaStep {
        @Override
        public String name() {
            return "mark_draining";
        }

        @Override
        public StepResult run(ReplicaContext context) {
            context.drains().mark(context.member(), true);
            return new StepResult.Done("marked " + context.member() + " draining");
        }

        @Override
        public void undo(ReplicaContext context) {
            context.drains().mark(context.member(), false);
        }

        @Override
        public boolean resumes() {
            return true;
        }
    }

    /**
     * {@code wait_drained}: done once the member's agent published {@code draining} (or has no record: it does
     * not run) and every live proxy reports no read running on it; fails after
     * {@link ReplicaContext.Limits#drainTimeoutMillis}.
     */
    record WaitDrained() implements ReplicaStep {
        @Override
        public String name() {
            return "wait_drained";
        }

        @Override
        public StepResult run(ReplicaContext context) {
            String member = context.member();
            Member record = context.cluster().snapshot().members().get(member);
            String why;
            List<Drains.ProxyReads> reads = context.drains().reads(member);
            List<String> silent = reads.stream().filter(r -> !r.reported()).map(Drains.ProxyReads::proxy).toList();
            List<Drains.ProxyReads> running = reads.stream().filter(r -> r.reported() && r.reads() > 0).toList();
            if (record != null && !record.draining()) {
                why = "its agent does not publish draining yet";
            } else if (!silent.isEmpty()) {
                why = String.join(", ", silent) + (silent.size() == 1 ? " does" : " do") + " not report the reads it runs";
            } else if (!running.isEmpty()) {
                why = running.stream().mapToInt(Drains.ProxyReads::reads).sum() + " reads still run there ("
                        + running.stream().map(r -> r.proxy() + ": " + r.reads()).collect(Collectors.joining(", ")) + ")";
            } else {
                return new StepResult.Done("no proxy runs a read on " + member);
            }
            if (context.stepAgeMillis() >= context.limits().drainTimeoutMillis()) {
                throw new StepFailure(member + " did not drain in " + context.limits().drainTimeoutMillis() / 1000 + " s: "
                        + why);
            }
            return new StepResult.NotYet(member + " is draining: " + why);
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

    /** {@code stop_agent}: the member's agent and PostgreSQL stop (data kept); undone, they start again. */
    record StopAgent() implements ReplicaStep {
        @Override
        public String name() {
            return "stop_agent";
        }

        @Override
        public StepResult run(ReplicaContext context) {
            context.provisioner().stop(context.member());
            return new StepResult.Done("stopped the agent of " + context.member());
        }

        @Override
        public void undo(ReplicaContext context) {
            context.provisioner().start(context.member());
        }

        @Override
        public boolean resumes() {
            return true;
        }
    }

    /** {@code drop_slot}: the member's replication slot on the primary is dropped (the WAL it kept freed). */
    record DropSlot() implements ReplicaStep {
        @Override
        public String name() {
            return "drop_slot";
        }

        @Override
        public StepResult run(ReplicaContext context) {
            context.cluster().dropSlot(context.member());
            return new StepResult.Done("dropped the replication slot of " + context.member());
        }

        @Override
        public void undo(ReplicaContext context) {
            // A member started again gets its slot back from the leader's agent.
        }

        @Override
        public boolean resumes() {
            return true;
        }
    }

    /** {@code remove_data}: the provisioner releases the member (data removed, or the spare freed), its mark forgotten. */
    record RemoveData() implements ReplicaStep {
        @Override
        public String name() {
            return "remove_data";
        }

        @Override
        public StepResult run(ReplicaContext context) {
            context.provisioner().release(context.member());
            context.drains().forget(context.member());
            return new StepResult.Done("released " + context.member());
        }

        @Override
        public void undo(ReplicaContext context) {
            // Its data is gone: nothing to put back.
        }

        @Override
        public boolean resumes() {
            return true;
        }
    }
}
