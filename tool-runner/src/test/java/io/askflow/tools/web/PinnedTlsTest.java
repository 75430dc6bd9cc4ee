package io.askflow.tools.web;

import io.askflow.tools.spi.ToolException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * https over a pinned connection: the TLS layer still gets the URL's host name, for SNI and for
 * certificate hostname verification, although the socket goes to an address chosen beforehand.
 * The certificate (for {@code fixture.test}) is made by the JDK's keytool for this run.
 */
class PinnedTlsTest {
    @TempDir
    static Path dir;
    private static SSLServerSocket server;
    private static SSLContext clientContext;
    private static final List<String> SNI = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        Path store = dir.resolve("fixture.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "fixture", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=fixture.test",
                "-ext", "SAN=dns:fixture.test", "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(),
                "-storepass", "changeit", "-keypass", "changeit").redirectErrorStream(true).start();
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(keytool.exitValue()).as(new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, "changeit".toCharArray());
        SSLContext serverContext = SSLContext.getInstance("TLS");
        serverContext.init(kmf.getKeyManagers(), null, null);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(keys);
        clientContext = SSLContext.getInstance("TLS");
        clientContext.init(null, tmf.getTrustManagers(), null);

        server = (SSLServerSocket) serverContext.getServerSocketFactory().createServerSocket(0, 50,
                InetAddress.getByName("127.0.0.1"));
        Thread.ofVirtual().start(() -> {
            while (!server.isClosed()) {
                try {
                    SSLSocket s = (SSLSocket) server.accept();
                    Thread.ofVirtual().start(() -> serve(s));
                } catch (IOException closed) {
                    return;
                }
            }
        });
    }

    private static void serve(SSLSocket s) {
        try (s) {
            s.startHandshake();
            for (SNIServerName name : ((ExtendedSSLSession) s.getSession()).getRequestedServerNames()) {
                SNI.add(new String(name.getEncoded(), StandardCharsets.US_ASCII));
            }
            InputStream in = s.getInputStream();
            HttpHead.readLine(in, 8192);
            while (!HttpHead.readLine(in, 8192).isEmpty()) {
                // skip the request's fields
            }
            s.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 6\r\n\r\nsecure"
                    .getBytes(StandardCharsets.ISO_8859_1));
        } catch (IOException | RuntimeException e) {
            // a handshake the client aborted: what the mismatch test expects
        }
    }

    @AfterAll
    static void stop() throws IOException {
        server.close();
    }

    private static PageFetcher fetcher(String host) {
        HostResolver toLoopback = name -> new InetAddress[] {InetAddress.getByName("127.0.0.1")};
        return new PageFetcher(HostAllowList.parse(List.of(host + ":" + server.getLocalPort())), toLoopback,
                Duration.ofSeconds(5), 4096, Clock.systemUTC(), SocketConnector.DIRECT, clientContext.getSocketFactory());
    }

    @Test
    void theCertificateIsVerifiedForTheUrlsHostAndSniNamesIt() throws Exception {
        PageFetcher.Page page = fetcher("fixture.test").fetch(
                URI.create("https://fixture.test:" + server.getLocalPort() + "/"), Instant.now().plusSeconds(10));
        assertThat(new String(page.body(), StandardCharsets.UTF_8)).isEqualTo("secure");
        assertThat(SNI).contains("fixture.test");
    }

    @Test
    void aCertificateForAnotherHostIsRejected() {
        assertThatThrownBy(() -> fetcher("other.test").fetch(
                URI.create("https://other.test:" + server.getLocalPort() + "/"), Instant.now().plusSeconds(10)))
                .isInstanceOf(ToolException.class).hasMessageContaining("TLS failure");
    }
}
