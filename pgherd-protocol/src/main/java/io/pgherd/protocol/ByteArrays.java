package io.pgherd.protocol;

import java.util.Arrays;
import java.util.List;

/** Content equality and safe descriptions for records that hold {@code byte[]}. Stateless. */
final class ByteArrays {

    private ByteArrays() {
    }

    static boolean equals(List<byte[]> a, List<byte[]> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!Arrays.equals(a.get(i), b.get(i))) {
                return false;
            }
        }
        return true;
    }

    static int hashCode(List<byte[]> values) {
        int hash = 1;
        for (byte[] value : values) {
            hash = 31 * hash + Arrays.hashCode(value);
        }
        return hash;
    }

    /** The size only, never the content, which may hold row data or credentials. */
    static String describe(byte[] value) {
        return value == null ? "NULL" : value.length + " bytes";
    }

    static String describe(List<byte[]> values) {
        return values.stream().map(ByteArrays::describe).toList().toString();
    }
}
