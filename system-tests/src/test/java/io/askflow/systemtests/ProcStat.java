package io.askflow.systemtests;

import io.askflow.config.Settings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** CPU counters from Linux's /proc: of the embedded broker's child JVM, of PostgreSQL's processes, of the machine. */
final class ProcStat {
    /** USER_HZ, 100 on every Linux build this runs on. */
    static final int TICKS = 100;

    private ProcStat() {
    }

    /** utime + stime of the child JVM that runs the embedded broker. */
    static long brokerTicks() {
        return ProcessHandle.current().descendants()
                .filter(h -> cmdline(h.pid()).contains("KafkaBrokerMain"))
                .mapToLong(h -> ticks(h.pid(), false)).sum();
    }

    /**
     * utime + stime of the PostgreSQL postmaster listening on the configured port and of its live
     * children (connection backends, background workers), plus what its exited children used.
     */
    static long postgresTicks(RunningPipeline p) {
        long master = postmaster(p);
        if (master < 0) {
            return 0;
        }
        long sum = ticks(master, true);
        for (long pid : pids()) {
            if (parentOf(pid) == master) {
                sum += ticks(pid, false);
            }
        }
        return sum;
    }

    /** The pid of the PostgreSQL server listening on the configured port, or -1. */
    static long postmaster(RunningPipeline p) {
        Matcher m = Pattern.compile(":(\\d+)/").matcher(p.config.get(Settings.DATABASE_URL));
        if (!m.find()) {
            return -1;
        }
        String port = m.group(1);
        return pids().stream().filter(pid -> {
            String[] args = cmdline(pid).split("\0");
            for (int i = 0; i + 1 < args.length; i++) {
                if (args[0].endsWith("postgres") && args[i].equals("-p") && args[i + 1].equals(port)) {
                    return true;
                }
            }
            return false;
        }).findFirst().orElse(-1L);
    }

    /** The first eight columns of /proc/stat's cpu line: user nice system idle iowait irq softirq steal. */
    static long[] machine() {
        String[] f = read(Path.of("/proc/stat")).lines().findFirst().orElse("cpu").trim().split("\\s+");
        long[] v = new long[8];
        for (int i = 0; i < 8 && i + 1 < f.length; i++) {
            v[i] = Long.parseLong(f[i + 1]);
        }
        return v;
    }

    static String loadAverage() {
        String[] f = read(Path.of("/proc/loadavg")).trim().split("\\s+");
        return f.length >= 3 ? f[0] + " " + f[1] + " " + f[2] : "?";
    }

    private static List<Long> pids() {
        List<Long> pids = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of("/proc"))) {
            s.map(x -> x.getFileName().toString()).filter(n -> n.chars().allMatch(Character::isDigit)).forEach(n -> pids.add(Long.parseLong(n)));
        } catch (IOException e) {
            return pids;
        }
        return pids;
    }

    private static String[] statFields(long pid) {
        String stat = read(Path.of("/proc", Long.toString(pid), "stat"));
        int close = stat.lastIndexOf(')');
        return close < 0 ? new String[0] : stat.substring(close + 2).trim().split("\\s+");
    }

    private static long parentOf(long pid) {
        String[] f = statFields(pid);
        return f.length > 1 ? Long.parseLong(f[1]) : -1;
    }

    /** CPU time of this JVM (the test's, with whatever services and servers it runs in-process). */
    static long jvmCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** utime + stime of one process (a service's own JVM, say). */
    static long processTicks(long pid) {
        return ticks(pid, false);
    }

    /** Fields 14 and 15 (utime, stime), and 16 and 17 (of reaped children) when asked. */
    private static long ticks(long pid, boolean withReapedChildren) {
        String[] f = statFields(pid);
        if (f.length < 15) {
            return 0;
        }
        long t = Long.parseLong(f[11]) + Long.parseLong(f[12]);
        return withReapedChildren ? t + Long.parseLong(f[13]) + Long.parseLong(f[14]) : t;
    }

    private static String cmdline(long pid) {
        return read(Path.of("/proc", Long.toString(pid), "cmdline"));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (IOException | RuntimeException e) {
            return ""; // the process ended meanwhile
        }
    }
}
