package io.pgherd.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The per-transaction log of one pgbench run ({@code -l --log-prefix=PREFIX}: one file per thread,
 * {@code PREFIX.<pid>} and {@code PREFIX.<pid>.<n>}), each line
 * {@code client_id transaction_no latency_us script_no epoch_s epoch_us}; {@code latency_us} is
 * {@code failed} or {@code skipped} for transactions that did not commit.
 */
record PgbenchLog(List<Transaction> transactions) {

    /** One logged transaction: when it ended (epoch µs) and how long it took (µs), or that it failed. */
    record Transaction(int client, long endMicros, long latencyMicros, boolean failed) {
        long startMicros() {
            return endMicros - latencyMicros;
        }
    }

    static PgbenchLog read(Path prefix) {
        List<Transaction> all = new ArrayList<>();
        String name = prefix.getFileName().toString() + ".";
        try (Stream<Path> files = Files.list(prefix.getParent())) {
            for (Path file : files.filter(f -> f.getFileName().toString().startsWith(name)).toList()) {
                for (String line : Files.readAllLines(file)) {
                    String[] f = line.strip().split("\\s+");
                    if (f.length < 6) {
                        continue;
                    }
                    boolean failed = !f[2].chars().allMatch(Character::isDigit);
                    all.add(new Transaction(Integer.parseInt(f[0]), Long.parseLong(f[4]) * 1_000_000 + Long.parseLong(f[5]),
                            failed ? 0 : Long.parseLong(f[2]), failed));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not read pgbench's log " + prefix + ".*", e);
        }
        all.sort(Comparator.comparingLong(Transaction::endMicros));
        return new PgbenchLog(List.copyOf(all));
    }

    List<Transaction> committed() {
        return transactions.stream().filter(t -> !t.failed()).toList();
    }

    /** Committed transactions that ran at some moment of [fromMicros, toMicros]. */
    List<Transaction> overlapping(long fromMicros, long toMicros) {
        return committed().stream().filter(t -> t.endMicros() >= fromMicros && t.startMicros() <= toMicros).toList();
    }

    /** Committed transactions that ended before {@code micros}. */
    List<Transaction> endedBefore(long micros) {
        return committed().stream().filter(t -> t.endMicros() < micros).toList();
    }

    /** The longest time between two consecutive commits (µs), of any client. */
    long longestGapMicros() {
        long gap = 0;
        List<Transaction> c = committed();
        for (int i = 1; i < c.size(); i++) {
            gap = Math.max(gap, c.get(i).endMicros() - c.get(i - 1).endMicros());
        }
        return gap;
    }

    /** The {@code q} quantile (0..1, nearest rank) of the latencies of {@code of}, in ms; 0 when empty. */
    static double quantileMillis(List<Transaction> of, double q) {
        if (of.isEmpty()) {
            return 0;
        }
        long[] l = of.stream().mapToLong(Transaction::latencyMicros).sorted().toArray();
        int rank = (int) Math.ceil(q * l.length);
        return l[Math.max(0, Math.min(l.length - 1, rank - 1))] / 1000.0;
    }
}
