package io.askflow.systemtests;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One scrape of a management server's {@code /metrics}, parsed from the Prometheus text format. */
record Scrape(List<Series> series) {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Pattern LINE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})? (\\S+)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");

    record Series(String name, Map<String, String> labels, double value) {
    }

    static HttpResponse<String> get(int port, String path) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    static Scrape of(int port) throws Exception {
        HttpResponse<String> r = get(port, "/metrics");
        if (r.statusCode() != 200) {
            throw new AssertionError("/metrics answered " + r.statusCode());
        }
        return parse(r.body());
    }

    static Scrape parse(String text) {
        List<Series> all = new ArrayList<>();
        for (String line : text.lines().toList()) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Matcher m = LINE.matcher(line);
            if (!m.matches()) {
                throw new AssertionError("Not a Prometheus sample line: " + line);
            }
            Map<String, String> labels = new LinkedHashMap<>();
            if (m.group(3) != null) {
                Matcher l = LABEL.matcher(m.group(3));
                while (l.find()) {
                    labels.put(l.group(1), l.group(2));
                }
            }
            all.add(new Series(m.group(1), labels, Double.parseDouble(m.group(4))));
        }
        return new Scrape(all);
    }

    /** The sum over every series of {@code name} whose labels include {@code labels} (name, value pairs). */
    double sum(String name, String... labels) {
        return series.stream().filter(s -> s.name().equals(name) && has(s, labels)).mapToDouble(Series::value).sum();
    }

    boolean has(String name, String... labels) {
        return series.stream().anyMatch(s -> s.name().equals(name) && has(s, labels));
    }

    Set<String> names() {
        Set<String> names = new TreeSet<>();
        series.forEach(s -> names.add(s.name()));
        return names;
    }

    private static boolean has(Series s, String... labels) {
        for (int i = 0; i + 1 < labels.length; i += 2) {
            if (!labels[i + 1].equals(s.labels().get(labels[i]))) {
                return false;
            }
        }
        return true;
    }
}
