package io.nexodus.bench.fleet;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU and memory of a process from /proc (Linux only; elsewhere the figures read 0). CPU is in clock ticks turned
 * into milliseconds; a process "tree" (PostgreSQL: the postmaster and its backends) adds the children that have
 * exited and been reaped ({@code cutime}/{@code cstime}), so backends that came and went still count.
 */
final class Proc {

    /** Linux's USER_HZ is 100 on every architecture the JDK runs on. */
    private static final long MS_PER_TICK = 10;

    private Proc() {
    }

    /** utime+stime of the process (all its threads), in ms. */
    static long cpuMillis(long pid) {
        long[] f = stat(pid);
        return f == null ? 0 : (f[0] + f[1]) * MS_PER_TICK;
    }

    /** The process, its reaped children and its live children, in ms: PostgreSQL's CPU whole. */
    static long treeCpuMillis(long pid) {
        long[] f = stat(pid);
        if (f == null) {
            return 0;
        }
        long ticks = f[0] + f[1] + f[2] + f[3];
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path d : dirs) {
                long child = Long.parseLong(d.getFileName().toString());
                if (parentOf(child) == pid) {
                    long[] c = stat(child);
                    if (c != null) {
                        ticks += c[0] + c[1];
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            return ticks * MS_PER_TICK;
        }
        return ticks * MS_PER_TICK;
    }

    /** VmRSS in MiB, or 0. */
    static double rssMiB(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }

    /** The summed RSS of a process tree in MiB (shared buffers counted once per process: an upper bound). */
    static double treeRssMiB(long pid) {
        double rss = rssMiB(pid);
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path d : dirs) {
                long child = Long.parseLong(d.getFileName().toString());
                if (parentOf(child) == pid) {
                    rss += rssMiB(child);
                }
            }
        } catch (IOException | RuntimeException e) {
            return rss;
        }
        return rss;
    }

    /**
     * The Java heap in use after a full collection (jcmd GC.run, then GC.heap_info), in MiB; -1 if jcmd cannot
     * reach the process. RSS alone keeps what a burst once needed; this says what the open streams hold.
     */
    static double heapAfterGcMiB(long pid) {
        try {
            String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
            new ProcessBuilder(jcmd, Long.toString(pid), "GC.run").redirectErrorStream(true).start().waitFor();
            Process info = new ProcessBuilder(jcmd, Long.toString(pid), "GC.heap_info").redirectErrorStream(true).start();
            String out = new String(info.getInputStream().readAllBytes());
            info.waitFor();
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("total \\d+K, used (\\d+)K").matcher(out);
            return m.find() ? Long.parseLong(m.group(1)) / 1024.0 : -1;
        } catch (IOException | InterruptedException | RuntimeException e) {
            return -1;
        }
    }

    static long parentOf(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[1]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    static String loadavg() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "?";
        }
    }

    /** utime, stime, cutime, cstime in ticks, or null when the process is gone. */
    private static long[] stat(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // the command name may hold spaces and parentheses: fields start after the last ')'
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // after the name: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14)
            return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12]), Long.parseLong(f[13]), Long.parseLong(f[14])};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
