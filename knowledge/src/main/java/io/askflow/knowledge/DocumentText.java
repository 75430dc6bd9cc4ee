package io.askflow.knowledge;

import io.askflow.knowledge.text.HtmlText;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;

/**
 * The searchable text of an uploaded document, by content type: plain text and Markdown as they
 * are, HTML through {@link HtmlText#document} (its body without scripts, navigation and other
 * chrome), PDF through PDFBox.
 */
public final class DocumentText {
    private DocumentText() {
    }

    /** What was read, and the title the document gives itself when it has one. */
    public record Extracted(String text, String title) {
    }

    /** @throws IllegalArgumentException for an unsupported type or unreadable bytes; the message says which */
    public static Extracted extract(byte[] bytes, String contentType) {
        String type = normalise(contentType);
        return switch (type) {
            case "text/plain", "text/markdown" -> new Extracted(new String(bytes, StandardCharsets.UTF_8), null);
            case "text/html" -> html(bytes);
            case "application/pdf" -> pdf(bytes);
            default -> throw new IllegalArgumentException("Unsupported content type '" + contentType
                    + "'; use text/plain, text/markdown, text/html or application/pdf");
        };
    }

    static String normalise(String contentType) {
        if (contentType == null || contentType.isBlank()) {
            return "text/plain";
        }
        String t = contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
        return switch (t) {
            case "text/x-markdown", "markdown", "md" -> "text/markdown";
            case "html", "application/xhtml+xml" -> "text/html";
            case "pdf" -> "application/pdf";
            case "text", "txt" -> "text/plain";
            default -> t;
        };
    }

    private static Extracted html(byte[] bytes) {
        HtmlText html = HtmlText.document(new String(bytes, StandardCharsets.UTF_8));
        return new Extracted(html.text(), html.title());
    }

    private static Extracted pdf(byte[] bytes) {
        try (PDDocument pdf = Loader.loadPDF(bytes)) {
            String title = pdf.getDocumentInformation() == null ? null : pdf.getDocumentInformation().getTitle();
            return new Extracted(new PDFTextStripper().getText(pdf).strip(), title == null || title.isBlank() ? null : title);
        } catch (IOException e) {
            throw new IllegalArgumentException("The PDF could not be read: " + e.getMessage(), e);
        }
    }
}
