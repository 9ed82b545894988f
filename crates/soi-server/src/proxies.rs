//! Who the client is when a proxy relays the request. Per-client rate limits
//! key on the client's address; behind nginx or an ingress controller every
//! TCP peer is the proxy, so the gateway reads `X-Forwarded-For` — but only
//! from peers named in `SOI_TRUSTED_PROXIES`. Anyone else could write any
//! address there and get a fresh limit with every request.

use axum::http::HeaderMap;
use ipnet::IpNet;
use std::net::IpAddr;
use std::sync::Arc;

/// The proxies whose `X-Forwarded-For` is believed (addresses and CIDR
/// ranges). Empty by default: nobody is trusted and the peer is the client.
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(Arc<[IpNet]>);

impl TrustedProxies {
    /// Comma-separated addresses (`10.0.0.7`, `::1`) and ranges
    /// (`10.244.0.0/16`); blank trusts nobody.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let nets = raw
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse::<IpNet>()
                    .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                    .map(|net| net.trunc())
                    .map_err(|_| format!("'{s}' is not an IP address or CIDR range"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self(nets.into()))
    }

    /// 127.0.0.0/8 and ::1: a proxy on this host (and the tests, which play
    /// the proxy for many clients).
    pub fn loopback() -> Self {
        Self::parse("127.0.0.0/8, ::1").unwrap_or_default()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client behind `peer`: the peer itself unless it is trusted; then
    /// the rightmost `X-Forwarded-For` address that is not trusted (each
    /// trusted hop appended the address it saw; what lies left of the first
    /// untrusted one its sender may have made up). When every hop is
    /// trusted, the leftmost. A header that does not parse, or none, leaves
    /// the peer.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = peer.to_canonical();
        if !self.trusts(peer) {
            return peer;
        }
        let mut hops = Vec::new();
        for value in headers.get_all("x-forwarded-for") {
            let Ok(value) = value.to_str() else {
                return peer;
            };
            for hop in value.split(',') {
                match hop.trim().parse::<IpAddr>() {
                    Ok(ip) => hops.push(ip.to_canonical()),
                    Err(_) => return peer,
                }
            }
        }
        hops.iter()
            .rev()
            .find(|ip| !self.trusts(**ip))
            .or(hops.first())
            .copied()
            .unwrap_or(peer)
    }

    /// The setting as `soi config` shows it.
    pub fn describe(&self) -> String {
        if self.0.is_empty() {
            return "(none: the peer is the client)".into();
        }
        self.0
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(",")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or(IpAddr::from([0, 0, 0, 0]))
    }

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            if let Ok(v) = HeaderValue::from_str(v) {
                h.append("x-forwarded-for", v);
            }
        }
        h
    }

    fn trusted(raw: &str) -> TrustedProxies {
        TrustedProxies::parse(raw).unwrap_or_default()
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_forwards() {
        let none = TrustedProxies::default();
        let h = forwarded(&["198.51.100.1"]);
        assert_eq!(none.client(ip("127.0.0.1"), &h), ip("127.0.0.1"));
        let other = trusted("10.0.0.0/8");
        assert_eq!(other.client(ip("192.0.2.9"), &h), ip("192.0.2.9"));
    }

    #[test]
    fn the_rightmost_untrusted_hop_is_the_client() {
        let t = trusted("10.0.0.0/8, 192.0.2.1");
        // A forged first entry, the real client, then an inner proxy.
        let h = forwarded(&["203.0.113.66, 198.51.100.7", "10.1.2.3"]);
        assert_eq!(t.client(ip("192.0.2.1"), &h), ip("198.51.100.7"));
        // Every hop trusted: the leftmost.
        let h = forwarded(&["10.9.9.9, 10.1.2.3"]);
        assert_eq!(t.client(ip("10.0.0.1"), &h), ip("10.9.9.9"));
    }

    #[test]
    fn a_missing_or_malformed_header_leaves_the_peer() {
        let t = trusted("127.0.0.1");
        let peer = ip("127.0.0.1");
        assert_eq!(t.client(peer, &HeaderMap::new()), peer);
        for bad in [
            "",
            "not-an-ip",
            "198.51.100.7, ",
            "198.51.100.7:443",
            "unknown",
        ] {
            assert_eq!(t.client(peer, &forwarded(&[bad])), peer, "{bad:?}");
        }
    }

    #[test]
    fn ipv4_mapped_peers_match_ipv4_ranges() {
        let t = trusted("10.0.0.0/8");
        let h = forwarded(&["::ffff:198.51.100.7"]);
        assert_eq!(t.client(ip("::ffff:10.0.0.5"), &h), ip("198.51.100.7"));
    }

    #[test]
    fn settings_parse_addresses_and_ranges_and_refuse_the_rest() {
        assert!(trusted("").is_empty());
        assert_eq!(
            trusted(" 10.0.0.7, 172.16.0.0/12 ,::1").describe(),
            "10.0.0.7/32,172.16.0.0/12,::1/128"
        );
        // Host bits are dropped: the range is what was meant.
        assert_eq!(trusted("10.1.2.3/8").describe(), "10.0.0.0/8");
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
        assert!(TrustedProxies::parse("proxy.local").is_err());
    }
}
