package io.askflow.knowledge.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HtmlTextTest {
    private static final String PAGE = """
            <html><head><title> Guide </title><script>SCRIPT</script><style>STYLE</style></head><body>
              <header>HEADER</header><nav>NAV</nav>
              <main>
                <h1>Install</h1>
                <p>Run the <b>installer</b>, then <a href="/next">go on</a>.</p>
              </main>
              <section><h2>Notes</h2><ul><li>one</li><li>two</li></ul></section>
              <aside>ASIDE</aside><form>FORM</form><iframe>IFRAME</iframe><footer>FOOTER</footer>
            </body></html>""";

    private static HtmlText page(String html) throws IOException {
        return HtmlText.page(new ByteArrayInputStream(html.getBytes(StandardCharsets.UTF_8)), null,
                "https://example.org/docs/");
    }

    @Test
    void aDocumentIsItsWholeBodyWithoutTheChrome() {
        HtmlText doc = HtmlText.document(PAGE);
        assertThat(doc.title()).isEqualTo("Guide");
        assertThat(doc.text()).isEqualTo("# Install\n\nRun the installer, then go on.\n\n## Notes\n\n- one\n- two");
    }

    @Test
    void aPageIsItsMainPartAndItsLinks() throws IOException {
        HtmlText page = page(PAGE);
        assertThat(page.title()).isEqualTo("Guide");
        assertThat(page.text()).isEqualTo("# Install\n\nRun the installer, then go on.");
        assertThat(page.links()).containsExactly(new HtmlText.Link("go on", "https://example.org/next"));
    }

    @Test
    void onlyAPageIsTitledByItsHeadingWhenItHasNoTitle() throws IOException {
        String untitled = "<html><body><h1>Heading</h1><p>text</p></body></html>";
        assertThat(page(untitled).title()).isEqualTo("Heading");
        assertThat(HtmlText.document(untitled).title()).isNull();
    }

    @Test
    void blocksStaySeparateWords() {
        // Read as the body's raw text, adjacent paragraphs ran together ("firstsecond").
        assertThat(HtmlText.document("<p>first</p><p>second</p><div>third</div>").text())
                .isEqualTo("first\n\nsecond\n\nthird");
    }
}
