package io.pgherd.proxy.session;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

import io.pgherd.protocol.Frame;
import io.pgherd.protocol.NoData;
import io.pgherd.protocol.ParameterDescription;
import io.pgherd.protocol.RowDescription;

/**
 * What a prepared statement was fixed to when it was parsed: the types of its parameters and the
 * columns of its result, as the server described it. PostgreSQL keeps both for the statement's
 * life: it re-plans after DDL but refuses to return another row type ({@code cached plan must not
 * change result type}), so a statement re-prepared on another server stands for the client's only
 * while its columns are these.
 *
 * @param parameterTypes the parameter type OIDs the server resolved
 * @param columns the result columns; null when the statement returns no rows (NoData)
 */
record StatementShape(List<Integer> parameterTypes, List<Column> columns) {

    /** One result column, with what PostgreSQL compares (format codes and origins aside). */
    record Column(String name, int typeOid, int typeModifier) {
    }

    StatementShape {
        parameterTypes = List.copyOf(parameterTypes);
        columns = columns == null ? null : List.copyOf(columns);
    }

    /** Whether a statement of shape {@code other} returns the same row type. */
    boolean sameResultAs(StatementShape other) {
        return Objects.equals(columns, other.columns);
    }

    /**
     * Collects the answers to a Describe of a statement (ParameterDescription, then RowDescription or
     * NoData); reads the frames without taking them. Used on the session's event loop only.
     */
    static final class Collector implements Consumer<Frame> {
        private List<Integer> parameterTypes = List.of();
        private List<Column> columns;
        private boolean complete;

        @Override
        public void accept(Frame frame) {
            switch (frame.type()) {
                case ParameterDescription.TYPE ->
                        parameterTypes = ParameterDescription.decode(frame.content().duplicate()).parameterTypeOids();
                case RowDescription.TYPE -> {
                    List<Column> described = new ArrayList<>();
                    for (RowDescription.Field f : RowDescription.decode(frame.content().duplicate()).fields()) {
                        described.add(new Column(f.name(), f.dataTypeOid(), f.typeModifier()));
                    }
                    columns = described;
                    complete = true;
                }
                case NoData.TYPE -> complete = true;
                default -> {
                }
            }
        }

        /** The shape described, or null if the Describe was not answered in full. */
        StatementShape shape() {
            return complete ? new StatementShape(parameterTypes, columns) : null;
        }
    }
}
