package io.pgherd.controller.access;

import java.util.Locale;
import java.util.Optional;

/**
 * What a user may do through the API. Each role includes the ones before it: a {@code viewer} reads, an
 * {@code operator} also scales, switches over, pauses and manages tasks and schedules, an {@code admin} also manages
 * users, tokens and the dynamic configuration.
 */
public enum Role {
    VIEWER, OPERATOR, ADMIN;

    /** Whether a user with this role may do what needs {@code required}. */
    public boolean permits(Role required) {
        return compareTo(required) >= 0;
    }

    /** The name users write and the API shows: {@code viewer}, {@code operator}, {@code admin}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The role a user wrote, if it names one (case-insensitive). */
    public static Optional<Role> parse(String text) {
        for (Role role : values()) {
            if (role.wireName().equalsIgnoreCase(text == null ? "" : text.strip())) {
                return Optional.of(role);
            }
        }
        return Optional.empty();
    }
}
