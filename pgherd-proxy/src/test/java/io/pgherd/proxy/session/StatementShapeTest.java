package io.pgherd.proxy.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.netty.buffer.UnpooledByteBufAllocator;
import io.pgherd.protocol.FormatCode;
import io.pgherd.protocol.Frame;
import io.pgherd.protocol.NoData;
import io.pgherd.protocol.ParameterDescription;
import io.pgherd.protocol.PgMessage;
import io.pgherd.protocol.RowDescription;

/** What a Describe of a statement fixes, and which statements may share one server-side statement. */
class StatementShapeTest {

    private static StatementShape described(PgMessage... answers) {
        StatementShape.Collector collector = new StatementShape.Collector();
        for (PgMessage m : answers) {
            Frame f = Frames.of(m, UnpooledByteBufAllocator.DEFAULT);
            collector.accept(f);
            assertThat(f.refCnt()).as("the collector only reads").isEqualTo(1);
            f.release();
        }
        return collector.shape();
    }

    private static RowDescription.Field field(String name, int tableOid, int type, FormatCode format) {
        return new RowDescription.Field(name, tableOid, (short) 1, type, (short) 4, -1, format);
    }

    @Test
    void shapeIsTheResolvedParameterTypesAndTheColumns() {
        StatementShape shape = described(new ParameterDescription(List.of(23, 25)),
                new RowDescription(List.of(field("a", 16384, 23, FormatCode.TEXT))));
        assertThat(shape.parameterTypes()).containsExactly(23, 25);
        assertThat(shape.columns()).containsExactly(new StatementShape.Column("a", 23, -1));
        assertThat(described(new ParameterDescription(List.of()), NoData.INSTANCE).columns()).isNull();
        assertThat(described(new ParameterDescription(List.of(23)))).as("no row description yet").isNull();
    }

    @Test
    void sameResultIgnoresWhereAColumnComesFromAndItsFormatButNotItsNameOrType() {
        StatementShape one = described(new ParameterDescription(List.of()),
                new RowDescription(List.of(field("a", 16384, 23, FormatCode.TEXT))));
        StatementShape recreatedTable = described(new ParameterDescription(List.of()),
                new RowDescription(List.of(field("a", 16999, 23, FormatCode.BINARY))));
        StatementShape addedColumn = described(new ParameterDescription(List.of()),
                new RowDescription(List.of(field("a", 16384, 23, FormatCode.TEXT), field("b", 16384, 23, FormatCode.TEXT))));
        StatementShape otherType = described(new ParameterDescription(List.of()),
                new RowDescription(List.of(field("a", 16384, 20, FormatCode.TEXT))));
        StatementShape noRows = described(new ParameterDescription(List.of()), NoData.INSTANCE);
        assertThat(one.sameResultAs(recreatedTable)).isTrue();
        assertThat(one.sameResultAs(addedColumn)).isFalse();
        assertThat(one.sameResultAs(otherType)).isFalse();
        assertThat(one.sameResultAs(noRows)).isFalse();
    }

    @Test
    void statementsShareAServerNameOnlyWithTheSameTextAndShape() {
        PreparedStatements names = new PreparedStatements();
        StatementShape a = new StatementShape(List.of(23), List.of(new StatementShape.Column("a", 23, -1)));
        StatementShape ab = new StatementShape(List.of(23),
                List.of(new StatementShape.Column("a", 23, -1), new StatementShape.Column("b", 23, -1)));
        String shared = names.sharedName("select * from t", a);
        assertThat(names.sharedName("select * from t", new StatementShape(List.of(23), a.columns()))).isEqualTo(shared);
        assertThat(names.sharedName("select * from t", ab)).isNotEqualTo(shared);
        assertThat(names.sharedName("select * from u", a)).isNotEqualTo(shared);
        assertThat(names.newName()).as("a client's own Parse never shares").isNotEqualTo(shared)
                .isNotEqualTo(names.newName());
    }
}
