package io.askflow.tools.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet6Address;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class AddressPolicyTest {

    @ParameterizedTest
    @ValueSource(strings = {"93.184.216.34", "8.8.8.8", "1.1.1.1", "172.15.255.255", "172.32.0.1", "100.63.255.255",
            "100.128.0.1", "169.253.255.255", "169.255.0.1", "192.167.255.255", "192.169.0.1", "11.0.0.1", "126.255.255.255",
            "223.255.255.255", "2606:4700:4700::1111", "2001:4860:4860::8888", "64:ff9b::808:808", "2002:808:808::1",
            "::ffff:8.8.8.8"})
    void publicAddressesAreAllowed(String literal) throws Exception {
        assertThat(AddressPolicy.refusal(InetAddress.getByName(literal))).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({
            "127.0.0.1, loopback",
            "127.255.255.254, loopback",
            "0.0.0.0, this-network",
            "0.1.2.3, this-network",
            "10.0.0.1, private",
            "10.255.255.255, private",
            "172.16.0.1, private",
            "172.31.255.255, private",
            "192.168.1.1, private",
            "192.168.255.255, private",
            "169.254.169.254, cloud metadata",
            "169.254.1.1, link-local",
            "100.64.0.1, carrier-grade NAT",
            "100.127.255.255, carrier-grade NAT",
            "224.0.0.1, multicast",
            "239.255.255.250, multicast",
            "240.0.0.1, reserved",
            "250.1.2.3, reserved",
            "255.255.255.255, broadcast",
            "192.0.2.10, documentation",
            "198.18.0.1, benchmarking",
            "::1, loopback",
            "::, unspecified",
            "fc00::1, unique-local",
            "fd12:3456:789a::1, unique-local",
            "fe80::1, link-local",
            "febf:ffff::1, link-local",
            "ff02::1, multicast",
            "2001:db8::1, documentation",
            "64:ff9b::a00:1, private",
            "64:ff9b::a9fe:a9fe, cloud metadata",
            "64:ff9b::7f00:1, loopback",
            "2002:a00:1::1, private",
            "::7f00:1, loopback",
            "::ffff:127.0.0.1, loopback",
            "::ffff:10.1.2.3, private",
    })
    void nonPublicAddressesAreRefusedWithTheirClass(String literal, String reason) throws Exception {
        InetAddress address = InetAddress.getByName(literal);
        assertThat(AddressPolicy.refusal(address)).hasValueSatisfying(r -> assertThat(r)
                .startsWith("address " + address.getHostAddress() + " is ")
                .contains(reason));
    }

    @Test
    void ipv4MappedAddressesAreJudgedByTheEmbeddedAddressEvenWhenKeptAsIpv6() throws Exception {
        // InetAddress.getByName turns ::ffff:a.b.c.d into an Inet4Address; a raw Inet6Address must not slip through.
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 169, (byte) 254, (byte) 169, (byte) 254};
        InetAddress v6 = Inet6Address.getByAddress(null, mapped, -1);
        assertThat(v6).isInstanceOf(Inet6Address.class);
        assertThat(AddressPolicy.refusal(v6)).hasValueSatisfying(r -> assertThat(r).contains("cloud metadata"));

        byte[] publicMapped = mapped.clone();
        publicMapped[12] = 8;
        publicMapped[13] = 8;
        publicMapped[14] = 8;
        publicMapped[15] = 8;
        assertThat(AddressPolicy.refusal(Inet6Address.getByAddress(null, publicMapped, -1))).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"metadata.google.internal", "METADATA.google.internal.", "metadata", "metadata.goog",
            "instance-data", "localhost", "LOCALHOST", "api.localhost"})
    void metadataAndLoopbackNamesAreRefusedByName(String host) {
        assertThat(AddressPolicy.refusal(host)).isPresent();
    }

    @ParameterizedTest
    @ValueSource(strings = {"example.com", "metadata.example.com", "localhost.example.com", "news.google.com"})
    void ordinaryNamesAreLeftToTheirAddresses(String host) {
        assertThat(AddressPolicy.refusal(host)).isEmpty();
    }

    @Test
    void anIpv6LiteralIsReadWithOrWithoutItsBrackets() throws Exception {
        assertThat(HostLiteral.address("[::1]")).hasValue(InetAddress.getByName("::1"));
        assertThat(HostLiteral.address("[FD00::7]")).hasValue(InetAddress.getByName("fd00::7"));
        assertThat(HostLiteral.address("::1")).hasValue(InetAddress.getByName("::1"));
        assertThat(HostLiteral.address("example.com")).isEmpty();
    }
}
