package io.pgherd.protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The text of a failure fit for a client's {@link ErrorResponse}: what went wrong in words, never a
 * Java class name or a stack frame. Wrappers such as {@code CompletionException} or Netty's
 * {@code DecoderException} carry their cause's {@code toString()} as their message
 * ({@code "java.io.IOException: Connection reset"}); those names are cut out, and a programming
 * error (a {@code NullPointerException} and the like) is reported as an internal error whose
 * details are in the proxy's log. For error paths only: it uses a regular expression. Thread-safe.
 */
public final class FailureText {
    /** What a client is told when nothing better can be said. */
    public static final String INTERNAL = "internal error (the proxy's log has the details)";
    /** {@code java.lang.IllegalStateException: }, {@code io.netty.handler.codec.DecoderException: } and the like. */
    private static final Pattern CLASS_NAME = Pattern.compile(
            "(?:[a-zA-Z_$][\\w$]*\\.)+[A-Z][\\w$]*(?:Exception|Error|Throwable)\\b(?::\\s*)?");

    /** A line of a printed stack trace. */
    private static final Pattern STACK_LINE = Pattern.compile("\\s*(?:at \\S+\\(.*\\)|Caused by: .*|Suppressed: .*|\\.\\.\\. \\d+ more)\\s*");

    private FailureText() {
    }

    /**
     * The first message along {@code failure}'s causes, without class names and stack lines; {@link #INTERNAL} for a programming error or when no message says anything.
     */
    public static String describe(Throwable failure) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = failure; t != null && chain.size() < 16 && !chain.contains(t); t = t.getCause()) {
            chain.add(t);
        }
        if (chain.stream().anyMatch(FailureText::programmingError)) {
            return INTERNAL;
        }
        return chain.stream().map(t -> clean(t.getMessage())).filter(text -> !text.isEmpty()).findFirst().orElse(INTERNAL);
    }

    /**
     * {@code message} without Java class names and without stack lines ({@code at ...}, {@code Caused by:},
     * {@code ... 3 more}); its other lines stay (a configuration error lists every problem). Empty when
     * nothing is left.
     */
    public static String clean(String message) {
        if (message == null) {
            return "";
        }
        String kept = message.strip().lines().filter(line -> !STACK_LINE.matcher(line).matches())
                .collect(Collectors.joining("\n"));
        return CLASS_NAME.matcher(kept).replaceAll("").strip();
    }

    private static boolean programmingError(Throwable t) {
        return t instanceof NullPointerException || t instanceof ClassCastException || t instanceof IndexOutOfBoundsException
                || t instanceof ArithmeticException || t instanceof UnsupportedOperationException || t instanceof Error;
    }
}
