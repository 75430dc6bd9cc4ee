package io.askflow.knowledge.text;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.nodes.TextNode;
import org.jsoup.select.NodeTraversor;
import org.jsoup.select.NodeVisitor;

/**
 * The text of an HTML page: its title, its text with headings and list items kept recognisable,
 * and where it links to. Navigation, scripts, forms and other chrome are dropped, because they say
 * nothing about the page (and a script's text is not text). One extractor for uploaded documents
 * and fetched pages; they differ only in how much of the body they read (see {@link #document} and
 * {@link #page}).
 *
 * @param title null when the page has none
 * @param links absolute http(s) links, at most {@link #MAX_LINKS}
 */
public record HtmlText(String title, String text, List<Link> links) {
    public static final int MAX_LINKS = 20;
    private static final String CHROME = "script, style, noscript, nav, header, footer, aside, form, iframe, svg, template";
    private static final Set<String> BLOCKS = Set.of("p", "div", "section", "article", "main", "h1", "h2", "h3", "h4",
            "h5", "h6", "ul", "ol", "li", "dl", "dt", "dd", "table", "tr", "pre", "blockquote", "figure", "figcaption",
            "hr", "address", "details", "summary", "br");
    private static final Set<String> PARAGRAPHS = Set.of("p", "blockquote", "pre", "table", "ul", "ol", "dl", "figure");

    public record Link(String text, String url) {
    }

    public HtmlText {
        links = List.copyOf(links);
    }

    /**
     * An uploaded document: all of its body (but the chrome) is its content, to be searched, and its
     * title is the one its {@code <title>} gives.
     */
    public static HtmlText document(String html) {
        Document doc = Jsoup.parse(html);
        String title = doc.title().strip();
        doc.select(CHROME).remove();
        return of(title, doc.body());
    }

    /**
     * A fetched page as a reader sees it: its {@code <main>} or {@code <article>} when it has one,
     * else its body; titled by its {@code <title>}, else by its first {@code <h1>}.
     *
     * @param charset null to let jsoup detect it from a BOM or {@code <meta charset>}, defaulting to UTF-8
     * @param baseUri what relative links are resolved against
     */
    public static HtmlText page(InputStream html, String charset, String baseUri) throws IOException {
        Document doc = Jsoup.parse(html, charset, baseUri);
        String title = doc.title().strip();
        doc.select(CHROME).remove();
        Element root = doc.selectFirst("main");
        if (root == null) {
            root = doc.selectFirst("article");
        }
        if (root == null) {
            root = doc.body();
        }
        if (title.isEmpty()) {
            Element h1 = root.selectFirst("h1");
            title = h1 == null ? "" : h1.text().strip();
        }
        return of(title, root);
    }

    private static HtmlText of(String title, Element root) {
        return new HtmlText(title.isEmpty() ? null : title, text(root), links(root));
    }

    private static String text(Element root) {
        StringBuilder out = new StringBuilder();
        NodeTraversor.traverse(new NodeVisitor() {
            @Override
            public void head(Node node, int depth) {
                if (node instanceof TextNode t) {
                    // Source indentation between blocks is not text; inside a line a space separates words.
                    if (!t.isBlank() || (!out.isEmpty() && out.charAt(out.length() - 1) != '\n')) {
                        out.append(t.text());
                    }
                } else if (node instanceof Element e && BLOCKS.contains(e.normalName())) {
                    String name = e.normalName();
                    if (isHeading(name)) {
                        endLines(out, 2);
                        out.append("#".repeat(name.charAt(1) - '0')).append(' ');
                    } else {
                        endLines(out, 1);
                        if (name.equals("li")) {
                            out.append("- ");
                        }
                    }
                }
            }

            @Override
            public void tail(Node node, int depth) {
                if (node instanceof Element e) {
                    String name = e.normalName();
                    if (PARAGRAPHS.contains(name) || isHeading(name)) {
                        endLines(out, 2);
                    } else if (BLOCKS.contains(name)) {
                        endLines(out, 1);
                    } else if (name.equals("td") || name.equals("th")) {
                        out.append(' ');
                    }
                }
            }
        }, root);
        return tidy(out.toString());
    }

    private static boolean isHeading(String name) {
        return name.length() == 2 && name.charAt(0) == 'h' && name.charAt(1) >= '1' && name.charAt(1) <= '6';
    }

    /** Ends the text so far with at least {@code n} line breaks (2: a blank line), counting those already there. */
    private static void endLines(StringBuilder out, int n) {
        if (out.isEmpty()) {
            return;
        }
        int end = out.length();
        while (end > 0 && out.charAt(end - 1) == ' ') {
            end--;
        }
        out.setLength(end);
        int have = 0;
        while (have < n && have < out.length() && out.charAt(out.length() - 1 - have) == '\n') {
            have++;
        }
        out.append("\n".repeat(n - have));
    }

    /** One space between words, at most one blank line in a row, no space at either end of a line. */
    private static String tidy(String raw) {
        StringBuilder out = new StringBuilder();
        int blank = 0;
        for (String line : raw.split("\n", -1)) {
            String l = line.replace('\u00a0', ' ').replaceAll("[ \\t]+", " ").strip();
            if (l.isEmpty() || l.equals("-")) {
                blank++;
                continue;
            }
            if (!out.isEmpty()) {
                out.append(blank > 0 ? "\n\n" : "\n");
            }
            out.append(l);
            blank = 0;
        }
        return out.toString();
    }

    private static List<Link> links(Element root) {
        Map<String, Link> byUrl = new LinkedHashMap<>();
        for (Element a : root.select("a[href]")) {
            String url = a.absUrl("href");
            if (!(url.startsWith("http://") || url.startsWith("https://")) || byUrl.containsKey(url)) {
                continue;
            }
            String text = a.text().strip();
            byUrl.put(url, new Link(text.length() > 80 ? text.substring(0, 80) + "…" : text, url));
            if (byUrl.size() == MAX_LINKS) {
                break;
            }
        }
        return new ArrayList<>(byUrl.values());
    }
}
