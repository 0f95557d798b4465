//! The access route of each request (DESIGN.md §5): `hscn` when the client's address is in one of
//! the HSCN networks, otherwise `internet`; when allowed networks are configured, everyone else
//! is refused. Behind a reverse proxy the client's address is read from `X-Forwarded-For`, but
//! only the hops added by trusted proxies are believed: the list is read from the right, and the
//! first address that is not a trusted proxy is the client.

use std::net::IpAddr;

pub use ipnet::IpNet;

use model::common::AccessRoute;

/// The configured networks.
#[derive(Debug, Clone)]
pub struct NetworkPolicy {
    pub hscn: Vec<IpNet>,
    /// `None`: every address may use the service.
    pub allowed: Option<Vec<IpNet>>,
    pub trusted_proxies: Vec<IpNet>,
}

impl Default for NetworkPolicy {
    /// Loopback counts as HSCN, so a laptop run shows everything; everyone is allowed; no proxy
    /// is trusted.
    fn default() -> Self {
        Self {
            hscn: parse_networks("127.0.0.0/8,::1/128").expect("valid loopback networks"),
            allowed: None,
            trusted_proxies: Vec::new(),
        }
    }
}

/// Where a request comes from, as the service sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientInfo {
    pub addr: IpAddr,
    pub route: AccessRoute,
}

/// A request from outside the allowed networks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused {
    pub addr: IpAddr,
}

impl NetworkPolicy {
    /// The client's address: the peer's, or (when the peer is a trusted proxy) the right-most
    /// address in `X-Forwarded-For` that is not itself a trusted proxy.
    pub fn client_addr(&self, peer: IpAddr, forwarded_for: Option<&str>) -> IpAddr {
        if !self.is_trusted_proxy(peer) {
            return peer;
        }
        let Some(header) = forwarded_for else {
            return peer;
        };
        let mut client = peer;
        for hop in header.rsplit(',') {
            match hop.trim().parse::<IpAddr>() {
                Ok(addr) => {
                    client = addr;
                    if !self.is_trusted_proxy(addr) {
                        break;
                    }
                }
                // A hop that is not an address cannot be believed, nor anything left of it.
                Err(_) => break,
            }
        }
        client
    }

    /// The route for a client address, or a refusal.
    pub fn route(&self, client: IpAddr) -> Result<AccessRoute, Refused> {
        let client = canonical(client);
        if self.hscn.iter().any(|n| n.contains(&client)) {
            return Ok(AccessRoute::Hscn);
        }
        match &self.allowed {
            Some(allowed) if !allowed.iter().any(|n| n.contains(&client)) => {
                Err(Refused { addr: client })
            }
            _ => Ok(AccessRoute::Internet),
        }
    }

    /// Both steps for one request.
    pub fn classify(
        &self,
        peer: IpAddr,
        forwarded_for: Option<&str>,
    ) -> Result<ClientInfo, Refused> {
        let addr = canonical(self.client_addr(peer, forwarded_for));
        self.route(addr).map(|route| ClientInfo { addr, route })
    }

    fn is_trusted_proxy(&self, addr: IpAddr) -> bool {
        let addr = canonical(addr);
        self.trusted_proxies.iter().any(|n| n.contains(&addr))
    }
}

/// IPv4 addresses written as IPv6 (`::ffff:10.1.2.3`) are read as IPv4.
fn canonical(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(addr, IpAddr::V4),
        v4 => v4,
    }
}

/// Reads a comma-separated list of networks (`10.0.0.0/8, 2001:db8::/32`); a bare address is a
/// network of one.
pub fn parse_networks(text: &str) -> Result<Vec<IpNet>, String> {
    text.split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| {
            part.parse::<IpNet>()
                .or_else(|_| part.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| format!("‘{part}’ is not a network such as 10.0.0.0/8 or an address"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn policy(hscn: &str, allowed: Option<&str>, proxies: &str) -> NetworkPolicy {
        NetworkPolicy {
            hscn: parse_networks(hscn).unwrap(),
            allowed: allowed.map(|a| parse_networks(a).unwrap()),
            trusted_proxies: parse_networks(proxies).unwrap(),
        }
    }

    #[test]
    fn loopback_is_hscn_by_default_and_everyone_else_is_internet() {
        let p = NetworkPolicy::default();
        assert_eq!(p.route(ip("127.0.0.1")), Ok(AccessRoute::Hscn));
        assert_eq!(p.route(ip("::1")), Ok(AccessRoute::Hscn));
        assert_eq!(p.route(ip("81.2.69.160")), Ok(AccessRoute::Internet));
    }

    #[test]
    fn hscn_networks_decide_the_route_and_allowed_networks_refuse_the_rest() {
        let p = policy("10.0.0.0/8", Some("81.2.69.0/24"), "");
        assert_eq!(p.route(ip("10.20.30.40")), Ok(AccessRoute::Hscn));
        assert_eq!(p.route(ip("::ffff:10.20.30.40")), Ok(AccessRoute::Hscn));
        assert_eq!(p.route(ip("81.2.69.160")), Ok(AccessRoute::Internet));
        assert_eq!(
            p.route(ip("203.0.113.9")),
            Err(Refused {
                addr: ip("203.0.113.9")
            })
        );
    }

    #[test]
    fn forwarded_addresses_are_believed_only_from_trusted_proxies() {
        let p = policy("10.0.0.0/8", None, "192.0.2.10, 192.0.2.11");
        // Not from a proxy: the header is ignored (anyone can send it).
        assert_eq!(
            p.client_addr(ip("81.2.69.160"), Some("10.1.1.1")),
            ip("81.2.69.160")
        );
        // From a proxy: the right-most address the proxies did not add.
        assert_eq!(
            p.client_addr(ip("192.0.2.10"), Some("10.1.1.1")),
            ip("10.1.1.1")
        );
        assert_eq!(
            p.client_addr(ip("192.0.2.10"), Some("10.9.9.9, 81.2.69.160, 192.0.2.11")),
            ip("81.2.69.160"),
            "a client cannot claim an HSCN address by writing it first"
        );
        assert_eq!(
            p.client_addr(ip("192.0.2.10"), Some("junk, 81.2.69.160")),
            ip("81.2.69.160")
        );
        assert_eq!(
            p.client_addr(ip("192.0.2.10"), Some("81.2.69.160, junk")),
            ip("192.0.2.10")
        );
        assert_eq!(p.client_addr(ip("192.0.2.10"), None), ip("192.0.2.10"));
        let info = p.classify(ip("192.0.2.10"), Some("10.1.1.1")).unwrap();
        assert_eq!(info.route, AccessRoute::Hscn);
    }

    #[test]
    fn reads_network_lists_and_names_a_bad_entry() {
        assert_eq!(parse_networks("10.0.0.0/8, 192.0.2.1 ,").unwrap().len(), 2);
        assert_eq!(parse_networks("").unwrap().len(), 0);
        assert_eq!(
            parse_networks("10.0.0.0/8,nonsense").unwrap_err(),
            "‘nonsense’ is not a network such as 10.0.0.0/8 or an address"
        );
    }
}
