package io.pgherd.cluster;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a PostgreSQL parameter value the way the server reads one from a configuration file
 * ({@code parse_bool}, {@code parse_int}, {@code parse_real} and {@code convert_to_base_unit} of
 * PostgreSQL's {@code guc.c}): booleans and their unique prefixes, numbers with an optional unit
 * ({@code 128MB}, {@code 5s}, {@code 1min}: memory units are powers of 1024, names are
 * case-sensitive) converted to the parameter's base unit and rounded to the nearest integer for
 * integer parameters. Pure functions; thread-safe.
 */
final class ParameterValues {
    /** Memory units in kB, as PostgreSQL names them. */
    private static final Map<String, Double> MEMORY_KB = Map.of("B", 1.0 / 1024, "kB", 1.0, "MB", 1024.0,
            "GB", 1024.0 * 1024, "TB", 1024.0 * 1024 * 1024);
    /** Time units in milliseconds. */
    private static final Map<String, Double> TIME_MS = Map.of("us", 0.001, "ms", 1.0, "s", 1000.0, "min", 60_000.0,
            "h", 3_600_000.0, "d", 86_400_000.0);
    private static final String MEMORY_UNITS = "\"B\", \"kB\", \"MB\", \"GB\", \"TB\"";
    private static final String TIME_UNITS = "\"us\", \"ms\", \"s\", \"min\", \"h\", \"d\"";
    private static final Pattern NUMBER = Pattern.compile(
            "\\s*([-+]?(?:0[xX][0-9a-fA-F]+|(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][-+]?\\d+)?))\\s*([A-Za-z]*)\\s*");
    private static final Pattern BASE_UNIT = Pattern.compile("(\\d*)([A-Za-z]+)");
    private static final List<String> TRUE = List.of("true", "yes", "on", "1");
    private static final List<String> FALSE = List.of("false", "no", "off", "0");

    private ParameterValues() {
    }

    /** {@code parse_bool}: on, off, true, false, yes, no, 1, 0, and unique prefixes of true, false, yes, no (any case). */
    static Optional<Boolean> bool(String value) {
        String v = value.strip().toLowerCase(Locale.ROOT);
        if (v.isEmpty()) {
            return Optional.empty();
        }
        if (TRUE.contains(v) || "true".startsWith(v) || "yes".startsWith(v)) {
            return Optional.of(true);
        }
        if (FALSE.contains(v) || "false".startsWith(v) || "no".startsWith(v) || (v.length() >= 2 && "off".startsWith(v))) {
            return Optional.of(false);
        }
        return Optional.empty();
    }

    /**
     * A number in the parameter's base unit: {@code value} with an optional unit of the kind of
     * {@code baseUnit} (empty: the parameter takes none).
     *
     * @return the number: a {@code Long} for an integer parameter, else a {@code Double}
     * @throws IllegalArgumentException saying why {@code value} is not such a number
     */
    static Number number(String value, String baseUnit, boolean integer) {
        Matcher m = NUMBER.matcher(value);
        if (!m.matches()) {
            throw new IllegalArgumentException("invalid value \"" + value + "\": must be " + (integer ? "an integer" : "a number")
                    + (baseUnit.isEmpty() ? "" : ", optionally with a unit (base unit " + baseUnit + ")"));
        }
        String digits = m.group(1);
        double number = digits.matches("[-+]?0[xX].*") ? Long.parseLong(digits.replaceFirst("0[xX]", ""), 16)
                * (digits.startsWith("-") ? -1 : 1) : Double.parseDouble(digits);
        String unit = m.group(2);
        if (!unit.isEmpty()) {
            if (baseUnit.isEmpty()) {
                throw new IllegalArgumentException("invalid value \"" + value + "\": this parameter takes no unit");
            }
            number = toBase(value, number, unit, baseUnit);
        }
        if (!integer) {
            return number;
        }
        double rounded = Math.rint(number);
        if (rounded > Integer.MAX_VALUE || rounded < Integer.MIN_VALUE) {
            throw new IllegalArgumentException("invalid value \"" + value + "\": outside the range of an integer");
        }
        return (long) rounded;
    }

    private static double toBase(String value, double number, String unit, String baseUnit) {
        Matcher base = BASE_UNIT.matcher(baseUnit);
        if (!base.matches()) {
            throw new IllegalArgumentException("invalid value \"" + value + "\": unknown base unit " + baseUnit);
        }
        double baseMultiple = base.group(1).isEmpty() ? 1 : Double.parseDouble(base.group(1));
        boolean memory = MEMORY_KB.containsKey(base.group(2));
        Map<String, Double> table = memory ? MEMORY_KB : TIME_MS;
        Double from = table.get(unit);
        Double to = table.get(base.group(2));
        if (from == null || to == null) {
            throw new IllegalArgumentException("invalid value \"" + value + "\": valid units for this parameter are "
                    + (memory ? MEMORY_UNITS : TIME_UNITS));
        }
        return number * from / (to * baseMultiple);
    }
}
