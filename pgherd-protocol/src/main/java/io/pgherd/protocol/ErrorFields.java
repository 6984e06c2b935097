package io.pgherd.protocol;

import java.util.Map;
import java.util.Optional;

/**
 * The fields of an {@link ErrorResponse} or {@link NoticeResponse}, keyed by their field type
 * byte (the constants below), in wire order. Fields of types this list does not name are kept,
 * so that a message survives a decode/encode round trip unchanged.
 */
public sealed interface ErrorFields permits ErrorResponse, NoticeResponse {

    /** Severity, possibly localized: ERROR, FATAL, PANIC, WARNING, NOTICE, DEBUG, INFO, LOG. */
    byte SEVERITY = 'S';
    /** Severity, never localized (since PostgreSQL 9.6). */
    byte SEVERITY_NON_LOCALIZED = 'V';
    /** The SQLSTATE code. */
    byte CODE = 'C';
    /** The primary human-readable message. */
    byte MESSAGE = 'M';
    /** An optional secondary message with more detail. */
    byte DETAIL = 'D';
    /** An optional suggestion what to do about the problem. */
    byte HINT = 'H';
    /** A 1-based character position in the original query string. */
    byte POSITION = 'P';
    /** A character position in an internally generated command. */
    byte INTERNAL_POSITION = 'p';
    /** The internally generated command that failed. */
    byte INTERNAL_QUERY = 'q';
    /** The context: a call stack of functions or internal commands. */
    byte WHERE = 'W';
    /** The schema of the object concerned. */
    byte SCHEMA_NAME = 's';
    /** The table of the object concerned. */
    byte TABLE_NAME = 't';
    /** The column concerned. */
    byte COLUMN_NAME = 'c';
    /** The data type concerned. */
    byte DATA_TYPE_NAME = 'd';
    /** The constraint concerned. */
    byte CONSTRAINT_NAME = 'n';
    /** The source file where the error was reported. */
    byte FILE = 'F';
    /** The source line where the error was reported. */
    byte LINE = 'L';
    /** The source routine that reported the error. */
    byte ROUTINE = 'R';

    /** All fields, unmodifiable, in wire order. */
    Map<Byte, String> fields();

    /** The value of one field; empty when the message does not carry it. */
    default Optional<String> field(byte type) {
        return Optional.ofNullable(fields().get(type));
    }

    /** The non-localized severity, else the possibly localized one; empty string if neither. */
    default String severity() {
        return field(SEVERITY_NON_LOCALIZED).or(() -> field(SEVERITY)).orElse("");
    }

    /** The SQLSTATE; empty string if absent, which servers never do. */
    default String code() {
        return field(CODE).orElse("");
    }

    /** The primary message; empty string if absent, which servers never do. */
    default String message() {
        return field(MESSAGE).orElse("");
    }
}
