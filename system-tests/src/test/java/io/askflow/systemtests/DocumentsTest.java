package io.askflow.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.askflow.kafka.KafkaClients;
import io.askflow.kafka.Topics;
import io.askflow.localmodel.Reply;
import io.askflow.message.DocumentUpload;
import io.askflow.message.Json;
import io.askflow.message.Source;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Documents in every accepted format, over HTTP and askflow.documents, found by search_documents and cited. */
class DocumentsTest {
    private static RunningPipeline p;
    private static Http acme;

    @BeforeAll
    static void pipeline() throws Exception {
        p = RunningPipeline.get();
        acme = new Http(p.pipeline.httpPort(), RunningPipeline.ACME_KEY);
    }

    @Test
    void textMarkdownHtmlAndPdfAreIndexedAndSearchableWithCitations() throws Exception {
        String w = "w" + UUID.randomUUID().toString().replaceAll("[^a-z]", "");
        String plain = upload("text/plain", "Plain " + w + " notes", ("The plain file mentions " + w + " once.").getBytes());
        String md = upload("text/markdown", "", ("# Markdown " + w + "\n\nThe markdown file says " + w + " and " + w
                + " twice.").getBytes());
        String html = upload("text/html", "", ("<html><head><title>Html " + w + "</title><script>evil()</script></head>"
                + "<body><nav>menu</nav><p>The html page says " + w + " " + w + " " + w + ".</p></body></html>").getBytes());
        String pdf = upload("application/pdf", "Pdf " + w, pdf("The pdf report covers " + w + "."));

        JsonNode htmlDoc = acme.get("/v1/documents/" + html).json();
        assertThat(htmlDoc.path("title").asText()).isEqualTo("Html " + w);
        assertThat(htmlDoc.path("text").asText()).contains("The html page says").doesNotContain("evil").doesNotContain("menu");
        assertThat(acme.get("/v1/documents/" + pdf).json().path("text").asText()).contains("The pdf report covers " + w);

        p.model.respondWith(req -> req.lastMessage().orElseThrow().hasRole("tool")
                ? Reply.text(req.lastMessage().orElseThrow().text())
                : Reply.toolCall("search_documents", "{\"query\":\"" + w + "\"}"));
        Http.Response r = acme.postJson("/v1/prompts?wait=30", "{\"prompt\":\"what do my files say about " + w + "?\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        var answer = Json.read(r.body().getBytes(StandardCharsets.UTF_8), io.askflow.message.Answer.class);
        // Ranked: the page that says the word three times comes first, the one-mention files later.
        assertThat(answer.text()).contains("document " + html).contains("document " + pdf).contains("document " + plain)
                .contains("untrusted");
        assertThat(answer.text().indexOf("document " + html)).isLessThan(answer.text().indexOf("document " + plain));
        assertThat(answer.sources()).extracting(Source::kind).containsOnly("document");
        assertThat(answer.sources()).extracting(Source::documentId).contains(plain, md, html, pdf);
        assertThat(answer.sources()).extracting(Source::title).contains("Html " + w, "Pdf " + w);
    }

    @Test
    void documentsArriveThroughTheDocumentsTopic() throws Exception {
        String id = "kafka-doc-" + UUID.randomUUID();
        String w = "k" + UUID.randomUUID().toString().replaceAll("[^a-z]", "");
        DocumentUpload upload = new DocumentUpload(1, id, "acme", "u9", "From Kafka", "text/plain", null,
                Base64.getEncoder().encodeToString(("Kafka brought " + w).getBytes(StandardCharsets.UTF_8)));
        try (var producer = KafkaClients.producer(p.config, "documents-test")) {
            producer.send(new ProducerRecord<>(Topics.DOCUMENTS.name(), "acme", Json.write(upload))).get();
            producer.send(new ProducerRecord<>(Topics.DOCUMENTS.name(), "acme", Json.write(upload))).get(); // redelivered
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Http.Response doc;
        do {
            Thread.sleep(100);
            doc = acme.get("/v1/documents/" + id);
        } while (doc.status() != 200 && System.nanoTime() < deadline);
        assertThat(doc.status()).isEqualTo(200);
        assertThat(doc.json().path("text").asText()).isEqualTo("Kafka brought " + w);
        assertThat(doc.json().path("title").asText()).isEqualTo("From Kafka");
    }

    @Test
    void unsupportedOrEmptyDocumentsAreRefused() throws Exception {
        assertThat(acme.post("/v1/documents", "image/png", new byte[] {1, 2, 3}).status()).isEqualTo(400);
        assertThat(acme.post("/v1/documents", "text/plain", new byte[0]).status()).isEqualTo(400);
        assertThat(acme.post("/v1/documents", "application/pdf", "not a pdf".getBytes()).status()).isEqualTo(400);
    }

    private static String upload(String type, String title, byte[] body) throws Exception {
        Http.Response r = acme.post("/v1/documents?title=" + title.replace(" ", "+"), type, body);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().path("id").asText();
    }

    static byte[] pdf(String text) throws Exception {
        try (PDDocument doc = new PDDocument(); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            PDPage page = new PDPage();
            doc.addPage(page);
            try (PDPageContentStream s = new PDPageContentStream(doc, page)) {
                s.beginText();
                s.setFont(new PDType1Font(Standard14Fonts.FontName.HELVETICA), 12);
                s.newLineAtOffset(72, 700);
                s.showText(text);
                s.endText();
            }
            doc.save(out);
            return out.toByteArray();
        }
    }
}
