package io.askflow.tools.web;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Name resolution for fetch_url, replaceable so tests can give a host any addresses (private ones,
 * or a different answer on each lookup) without a DNS server. fetch_url resolves each host once and
 * connects only to the addresses it checked, so whatever this returns is exactly what is reached.
 */
@FunctionalInterface
public interface HostResolver {
    HostResolver SYSTEM = InetAddress::getAllByName;

    InetAddress[] resolve(String host) throws UnknownHostException;
}
