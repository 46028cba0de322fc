package io.nexodus.tests;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * CPU time spent while started, summed over start/stop intervals: this JVM's (in total and per thread-name
 * group, from Linux's {@code /proc/self/task}, so the JIT's compiler threads and the GC show apart from the
 * event loops), and every PostgreSQL process's on this machine, which shares the benchmark's cores. Off Linux
 * the per-thread and PostgreSQL figures are empty and zero.
 */
final class CpuMeter {

    /** Linux's USER_HZ: /proc's times are in these ticks. */
    private static final long MS_PER_TICK = 10;

    private long jvmMs;
    private long postgresMs;
    private final Map<String, Long> threadsMs = new TreeMap<>();

    private long jvmAtStart;
    private long postgresAtStart;
    private Map<String, Long> threadsAtStart;

    void start() {
        jvmAtStart = jvmNow();
        postgresAtStart = postgresNow();
        threadsAtStart = threadsNow();
    }

    void stop() {
        jvmMs += jvmNow() - jvmAtStart;
        postgresMs += postgresNow() - postgresAtStart;
        threadsNow().forEach((group, ms) -> threadsMs.merge(group, ms - threadsAtStart.getOrDefault(group, 0L), Long::sum));
    }

    double jvmMs() {
        return jvmMs;
    }

    double postgresMs() {
        return postgresMs;
    }

    /** The thread groups that took at least 0.05 ms per unit, as "group x.xx ms" per unit of work. */
    String byThread(int units) {
        StringBuilder line = new StringBuilder();
        threadsMs.forEach((group, ms) -> {
            if ((double) ms / units >= 0.05) {
                line.append(line.isEmpty() ? "" : ", ").append(String.format("%s %.2f", group, (double) ms / units));
            }
        });
        return line.toString();
    }

    private static long jvmNow() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() / 1_000_000;
    }

    /** Per thread name with its digits dropped ("C2 CompilerThre#", "vert.x-eventloo…"), in ms. */
    private static Map<String, Long> threadsNow() {
        Map<String, Long> byGroup = new TreeMap<>();
        forEachStat(Path.of("/proc/self/task"), "*", (name, ms) -> byGroup.merge(name.replaceAll("[0-9]+", "#"), ms, Long::sum));
        return byGroup;
    }

    private static long postgresNow() {
        long[] ms = {0};
        forEachStat(Path.of("/proc"), "[0-9]*", (name, cpu) -> {
            if (name.startsWith("postgres")) {
                ms[0] += cpu;
            }
        });
        return ms[0];
    }

    private interface StatConsumer {
        void accept(String name, long cpuMs);
    }

    /** Each {@code dir/<entry>/stat}: its command name and its user + system time. */
    private static void forEachStat(Path dir, String glob, StatConsumer consumer) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, glob)) {
            for (Path entry : entries) {
                String stat;
                try {
                    stat = Files.readString(entry.resolve("stat"));
                } catch (IOException gone) {
                    continue; // the process or thread ended meanwhile
                }
                int close = stat.lastIndexOf(')');
                // after the name: state is the first field, utime and stime the 12th and 13th (stat's 14 and 15)
                String[] fields = stat.substring(close + 2).split(" ");
                consumer.accept(stat.substring(stat.indexOf('(') + 1, close),
                        (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * MS_PER_TICK);
            }
        } catch (IOException unreadable) {
            // no per-thread or per-process figures here
        }
    }
}
