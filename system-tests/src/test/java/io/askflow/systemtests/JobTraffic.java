package io.askflow.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.askflow.localmodel.ChatRequest;
import io.askflow.message.Json;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Batch jobs as the job tests submit them, and when each of their documents reached the model. */
final class JobTraffic {
    /** How a job's turn names its document (see JobsApi's prompt). */
    private static final Pattern DOCUMENT = Pattern.compile("\\(id ([^)]+)\\)");

    private JobTraffic() {
    }

    /** Uploads {@code n} documents over HTTP, the i-th reading {@code text + " " + i}; returns their ids in order. */
    static List<String> upload(Http http, int n, String text) throws Exception {
        List<String> ids = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<Future<String>> uploads = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                byte[] body = (text + " " + i).getBytes(StandardCharsets.UTF_8);
                uploads.add(pool.submit(() -> http.post("/v1/documents?title=note", "text/plain", body).json().path("id").asText()));
            }
            for (Future<String> f : uploads) {
                ids.add(f.get());
            }
        }
        return ids;
    }

    /** Submits a job over the documents; returns its id. */
    static String submit(Http http, String instruction, List<String> documentIds) throws Exception {
        Http.Response r = http.postJson("/v1/jobs", "{\"instruction\":" + Json.writeString(instruction) + ",\"documentIds\":"
                + Json.writeString(documentIds) + "}", Duration.ofMinutes(10));
        assertThat(r.status()).as(r.body()).isEqualTo(202);
        return r.json().path("jobId").asText();
    }

    /** The model's side: each job document's arrivals, in nanoTime, recorded by the scripted model's responder. */
    static final class Arrivals {
        private final Map<String, ConcurrentLinkedQueue<Long>> byDocument = new ConcurrentHashMap<>();

        /** Records the request if it is a job turn; returns whether it was. */
        boolean record(ChatRequest request) {
            Matcher m = DOCUMENT.matcher(request.lastUserMessage().map(u -> u.text()).orElse(""));
            if (!m.find()) {
                return false;
            }
            byDocument.computeIfAbsent(m.group(1), d -> new ConcurrentLinkedQueue<>()).add(System.nanoTime());
            return true;
        }

        /** How many times each of the documents reached the model (0 for one that never did). */
        List<Integer> counts(List<String> documentIds) {
            return documentIds.stream().map(d -> byDocument.getOrDefault(d, new ConcurrentLinkedQueue<>()).size()).toList();
        }

        /** Every arrival of the documents, sorted. */
        List<Long> times(List<String> documentIds) {
            List<Long> times = new ArrayList<>();
            for (String d : documentIds) {
                times.addAll(byDocument.getOrDefault(d, new ConcurrentLinkedQueue<>()));
            }
            times.sort(null);
            return times;
        }

        /**
         * The most of the documents' model calls that were running at once, each running from its
         * arrival for {@code modelNanos} (the scripted delay; its reply is sent after that).
         */
        int mostAtOnce(List<String> documentIds, long modelNanos) {
            List<Long> t = times(documentIds);
            int most = 0;
            int first = 0;
            for (int i = 0; i < t.size(); i++) {
                while (t.get(first) + modelNanos <= t.get(i)) {
                    first++;
                }
                most = Math.max(most, i - first + 1);
            }
            return most;
        }
    }
}
