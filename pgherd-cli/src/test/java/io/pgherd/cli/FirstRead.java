package io.pgherd.cli;

import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What one member's PostgreSQL server log ({@code log_line_prefix '%m [%p] %q%u@%d '}, {@code log_connections}
 * on) says of its first read and its WAL receiver: the first session of the load's database, and the WAL
 * receiver that was streaming then — the line {@code started streaming WAL from primary} it logged before that
 * session's line, with no error of that receiver in between. Lines are in the order the server wrote them, so
 * "before" is exact, not a comparison of sampled times. Pure: it reads the log's text.
 *
 * @param firstRead the line {@code connection received} of the first session of the load's database (its line
 *        {@code connection authorized: ... database=DB} has no application_name of pgherd's own: it is the proxy's
 *        server connection for a client's read), the moment that connection began
 * @param streaming the receiver's {@code started streaming WAL} line before it, if it was streaming then
 * @param loggedFromStart whether {@code log_connections} was on from the server's start, so no earlier session went
 *        unlogged: it is off by default, and a server that started with it off and had it turned on by a reload logs
 *        {@code parameter "log_connections" changed to "on"}; no such line before the first read means it was on from
 *        the start (the log is the node's own, from its first start)
 */
record FirstRead(Line firstRead, Optional<Line> streaming, boolean loggedFromStart) {
    private static final Pattern LINE = Pattern.compile("^(\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3}) (\\S+) \\[(\\d+)\\] (.*)$");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");

    /** One line of the log: its number (from 1), its time (ms since the epoch, truncated by the server), process, text. */
    record Line(int number, long millis, long pid, String text) {
    }

    /** The first read of database {@code database} in {@code log}, if there was one. */
    static Optional<FirstRead> in(String log, String database) {
        List<String> lines = log.lines().toList();
        Pattern read = Pattern.compile("connection authorized: user=\\S+ database=" + Pattern.quote(database) + "(\\s|$)");
        Line streaming = null;
        boolean changed = false;
        Map<Long, Line> received = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            Optional<Line> parsed = parse(i + 1, lines.get(i));
            if (parsed.isEmpty()) {
                continue;
            }
            Line line = parsed.get();
            String text = line.text();
            if (text.contains("LOG:  parameter \"log_connections\" changed to")) {
                changed = true;
            } else if (text.contains("LOG:  started streaming WAL from primary")) {
                streaming = line;
            } else if (streaming != null && line.pid() == streaming.pid()
                    && (text.contains("FATAL:") || text.contains("ERROR:") || text.contains("PANIC:"))) {
                streaming = null; // that receiver stopped streaming
            } else if (text.contains("LOG:  connection received:")) {
                received.put(line.pid(), line);
            } else if (text.contains("LOG:  connection authorized:") && read.matcher(text).find()
                    && !text.contains("application_name=pgherd")) {
                Line began = received.getOrDefault(line.pid(), line);
                // The receiver's state when the connection began: a line in between does not count.
                Line streamingThen = streaming != null && streaming.number() < began.number() ? streaming : null;
                return Optional.of(new FirstRead(began, Optional.ofNullable(streamingThen), !changed));
            }
        }
        return Optional.empty();
    }

    /**
     * The lines of {@code log} up to this first read that tell the WAL receiver's story (streaming, errors, the
     * server ready), and the first read's own line: what a failure shows.
     */
    String story(String log) {
        List<String> lines = log.lines().toList();
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < Math.min(lines.size(), firstRead.number()); i++) {
            String l = lines.get(i);
            if (i + 1 == firstRead.number() || l.contains("WAL") || l.contains("FATAL:") || l.contains("ready to accept")) {
                out.append(i + 1).append(": ").append(l).append('\n');
            }
        }
        return out.toString();
    }

    private static Optional<Line> parse(int number, String text) {
        Matcher m = LINE.matcher(text);
        if (!m.matches()) {
            return Optional.empty();
        }
        ZoneId zone = ZoneId.of(m.group(2), ZoneId.SHORT_IDS);
        long millis = LocalDateTime.parse(m.group(1), TIME).atZone(zone).toInstant().toEpochMilli();
        return Optional.of(new Line(number, millis, Long.parseLong(m.group(3)), m.group(4)));
    }

    /**
     * An upper bound of the member's replay lag at the first read, in bytes: the leader's current WAL position at
     * its first sample after that moment, less the member's replay position at the last sample before it (its
     * own {@code pg_last_wal_replay_lsn()} or what the leader's {@code pg_stat_replication} reported of it). Both
     * only grow, so the lag at the first read is at most this. Empty without samples on both sides.
     */
    OptionalLong lagBound(String member, List<ServerSampler.MemberSample> memberSamples,
                          List<ServerSampler.LeaderSample> leaderSamples) {
        long before = firstRead.millis() * 1000; // the server truncated the time: the read was at or after this
        long after = (firstRead.millis() + 1) * 1000;
        long replayed = -1;
        for (ServerSampler.MemberSample s : memberSamples) {
            if (s.atMicros() <= before && s.replayLsn() > 0) {
                replayed = Math.max(replayed, s.replayLsn());
            }
        }
        for (ServerSampler.LeaderSample s : leaderSamples) {
            ServerSampler.Sender sender = s.senders().get(member);
            if (s.atMicros() <= before && sender != null && sender.replayLsn() > 0) {
                replayed = Math.max(replayed, sender.replayLsn());
            }
        }
        Optional<ServerSampler.LeaderSample> next = leaderSamples.stream().filter(s -> s.atMicros() >= after).findFirst();
        if (replayed < 0 || next.isEmpty()) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Math.max(0, next.get().currentLsn() - replayed));
    }

    /** The leader's first sample after the first read. */
    Optional<ServerSampler.LeaderSample> leaderAfter(List<ServerSampler.LeaderSample> leaderSamples) {
        long after = (firstRead.millis() + 1) * 1000;
        return leaderSamples.stream().filter(s -> s.atMicros() >= after).findFirst();
    }
}
