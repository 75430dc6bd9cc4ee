package io.askflow.tools.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class HostAllowListTest {

    @Test
    void hostWithPortAllowsOnlyThatPort() {
        HostAllowList allow = HostAllowList.parse(List.of("127.0.0.1:8080"));
        assertThat(allow.permits("127.0.0.1", 8080)).isTrue();
        assertThat(allow.permits("127.0.0.1", 8081)).isFalse();
        assertThat(allow.permits("localhost", 8080)).isFalse();
    }

    @Test
    void bareHostAllowsAnyPortAndIgnoresCase() {
        HostAllowList allow = HostAllowList.parse(List.of(" Wiki.Intranet ", "localhost:9000"));
        assertThat(allow.permits("wiki.intranet", 80)).isTrue();
        assertThat(allow.permits("WIKI.intranet", 8443)).isTrue();
        assertThat(allow.permits("localhost", 9000)).isTrue();
        assertThat(allow.permits("localhost", 80)).isFalse();
    }

    @Test
    void ipv6EntriesWithAndWithoutBrackets() {
        HostAllowList allow = HostAllowList.parse(List.of("[::1]:8080", "fd00::5"));
        assertThat(allow.permits("[::1]", 8080)).isTrue();
        assertThat(allow.permits("::1", 8080)).isTrue();
        assertThat(allow.permits("::1", 80)).isFalse();
        assertThat(allow.permits("fd00::5", 443)).isTrue();
    }

    @Test
    void emptyListAllowsNothingAndBadPortsAreRejected() {
        assertThat(HostAllowList.none().permits("127.0.0.1", 80)).isFalse();
        assertThat(HostAllowList.parse(List.of()).permits("127.0.0.1", 80)).isFalse();
        assertThatThrownBy(() -> HostAllowList.parse(List.of("host:http"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HostAllowList.parse(List.of("host:70000"))).isInstanceOf(IllegalArgumentException.class);
    }
}
