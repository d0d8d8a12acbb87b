//! KPI HTTP sources (reqwest): fetch a JSON document and pick a number from it with a JSON
//! pointer, within limits, never reaching a private address unless the config allows it. The
//! rules are `docs/kpis.md`, "HTTP sources". Nothing here writes: the caller records the value
//! (or the failure) in its own transaction, after the fetch.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::Url;

/// How a fetch may behave. `allow_private` and `allow_loopback` are the config's
/// `http_sources.allow_private` and `http_sources.allow_loopback`.
#[derive(Debug, Clone)]
pub struct Policy {
    pub allow_private: bool,
    /// Loopback only (`127.0.0.0/8`, `::1`, and v4 loopback inside v6).
    pub allow_loopback: bool,
    pub timeout: Duration,
    pub max_bytes: usize,
    /// Attempts in all, for answers 5xx and for timeouts and connection failures.
    pub attempts: u32,
    /// The wait before the second attempt; doubled before each one after.
    pub backoff: Duration,
    pub max_redirects: u32,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            allow_private: false,
            allow_loopback: false,
            timeout: Duration::from_secs(10),
            max_bytes: 1024 * 1024,
            attempts: 3,
            backoff: Duration::from_millis(500),
            max_redirects: 5,
        }
    }
}

/// Why no number came back. `Display` is what `/kpi show` and the digest say; it never holds a
/// header value, and the URL it names is the one the user gave (no token is put in a URL by us).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FetchError {
    #[error("{0:?} is not an http(s) URL: give one like https://example.com/metrics.json")]
    BadUrl(String),
    #[error("{host} resolves to {addr}, a private, loopback or link-local address: sources must be public addresses")]
    Private { host: String, addr: IpAddr },
    #[error("{host} could not be resolved: {why}")]
    Resolve { host: String, why: String },
    #[error("no answer within {0} s")]
    Timeout(u64),
    #[error("the connection failed: {0}")]
    Connect(String),
    #[error("the source answered HTTP {0}")]
    Status(u16),
    #[error("more than {0} redirects")]
    Redirects(u32),
    #[error("the answer is larger than {0} bytes")]
    TooLarge(usize),
    #[error("the answer is not JSON: {0}")]
    NotJson(String),
    #[error("the JSON has nothing at {0}")]
    NoPointer(String),
    #[error("the JSON at {pointer} is {found}, not a number")]
    NotANumber { pointer: String, found: String },
    #[error("the number at {0} is not finite or too large")]
    NotFinite(String),
}

impl FetchError {
    /// Worth another attempt: the source may answer next time.
    fn transient(&self) -> bool {
        matches!(
            self,
            FetchError::Timeout(_) | FetchError::Connect(_) | FetchError::Status(500..=599)
        )
    }
}

/// Whether an address is one a user-given URL may not reach: loopback, private, link-local,
/// unspecified, carrier-grade NAT, documentation, multicast, broadcast. An IPv6 address that
/// carries an IPv4 one ([`embedded_v4`]) is judged by that IPv4 address, since that is where the
/// packets end up; IPv6 site-local (`fec0::/10`, deprecated but still routed by some stacks),
/// Teredo (`2001::/32`, whose embedded addresses are obfuscated and can tunnel anywhere) and the
/// rest of `64:ff9b::/32` (the local-use NAT64 prefix `64:ff9b:1::/48` is a translator of the
/// operator's own network whose prefix length, and so the IPv4 address's place, only the
/// operator knows; the remainder is reserved) are refused outright.
pub fn is_private(addr: IpAddr) -> bool {
    match addr {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || (o[0] == 100 && (64..128).contains(&o[1]))
                || o[0] == 0
                || o[0] >= 240
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = embedded_v4(v6) {
                return is_private(IpAddr::V4(v4));
            }
            let s = v6.segments();
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80
                || (s[0] & 0xffc0) == 0xfec0
                || (s[0] == 0x2001 && s[1] == 0x0db8)
                || (s[0] == 0x2001 && s[1] == 0)
                || (s[0] == 0x0064 && s[1] == 0xff9b)
        }
    }
}

/// The IPv4 address an IPv6 one stands for: IPv4-mapped (`::ffff:a.b.c.d`), IPv4-compatible
/// (`::a.b.c.d`, deprecated; not `::` nor `::1`), IPv4-translated (`::ffff:0:a.b.c.d`, SIIT),
/// NAT64 with the well-known prefix (`64:ff9b::a.b.c.d`, RFC 6052: a NAT64 form of a public
/// address stays public, so IPv6-only networks behind DNS64 still reach public sources) and
/// 6to4 (`2002:aabb:ccdd::/48`).
fn embedded_v4(v6: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = v6.segments();
    let low = Ipv4Addr::from((u32::from(s[6]) << 16) | u32::from(s[7]));
    match s[..6] {
        [0, 0, 0, 0, 0, 0xffff] | [0, 0, 0, 0, 0xffff, 0] | [0x0064, 0xff9b, 0, 0, 0, 0] => {
            Some(low)
        }
        [0, 0, 0, 0, 0, 0] if !v6.is_unspecified() && !v6.is_loopback() => Some(low),
        [0x2002, hi, lo, ..] => Some(Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo))),
        _ => None,
    }
}

/// Checks a URL as typed: http or https, with a host.
pub fn check_url(text: &str) -> Result<Url, FetchError> {
    let url = Url::parse(text.trim()).map_err(|_| FetchError::BadUrl(text.trim().to_owned()))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(FetchError::BadUrl(text.trim().to_owned()));
    }
    Ok(url)
}

/// Checks a JSON pointer as typed: empty (the whole document) or starting with `/`.
pub fn check_pointer(text: &str) -> Result<String, String> {
    let p = text.trim();
    if p.is_empty() || p.starts_with('/') {
        Ok(p.to_owned())
    } else {
        Err(format!(
            "pointer:{p:?} is not a JSON pointer: it starts with /, e.g. pointer:/data/rate"
        ))
    }
}

/// Resolves the URL's host and refuses a private address unless allowed; returns the first
/// address. For the checks made before anything is written (`/okr webhook add`); a request's own
/// lookup is [`Guard`]'s, which applies the same [`lookup`].
pub(crate) async fn resolve(url: &Url, policy: &Policy) -> Result<SocketAddr, FetchError> {
    let host = url.host_str().unwrap_or_default();
    let port = url.port_or_known_default().unwrap_or(80);
    let addrs = lookup(host, port, policy).await?;
    Ok(addrs[0])
}

/// The address guard, the one place it is decided: the addresses `host` (a name, or an IP
/// address, bracketed or not) resolves to, never empty, all of them allowed by the policy, else
/// the first one that is not.
pub(crate) async fn lookup(
    host: &str,
    port: u16,
    policy: &Policy,
) -> Result<Vec<SocketAddr>, FetchError> {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let addrs: Vec<SocketAddr> = match bare.parse::<IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, port)],
        Err(_) => tokio::net::lookup_host((bare, port))
            .await
            .map_err(|e| FetchError::Resolve {
                host: host.to_owned(),
                why: e.to_string(),
            })?
            .collect(),
    };
    if addrs.is_empty() {
        return Err(FetchError::Resolve {
            host: host.to_owned(),
            why: "no address".into(),
        });
    }
    if let Some(a) = addrs.iter().find(|a| !allowed(a.ip(), policy)) {
        return Err(FetchError::Private {
            host: host.to_owned(),
            addr: a.ip(),
        });
    }
    Ok(addrs)
}

/// Whether the policy lets a user-given URL reach `ip`: a public address, or a private one the
/// config allows (all of them, or loopback alone).
fn allowed(ip: IpAddr, policy: &Policy) -> bool {
    !is_private(ip) || policy.allow_private || (policy.allow_loopback && is_loopback(ip))
}

/// A URL whose host is an IP address is connected to without a lookup (hyper skips the
/// resolver for it), so [`Guard`] never sees it: it is judged here, before the request. Returns
/// that address, if the host is one.
pub(crate) fn check_literal(url: &Url, policy: &Policy) -> Result<Option<IpAddr>, FetchError> {
    let host = url.host_str().unwrap_or_default();
    // The URL parser writes every IPv4 form (`0x7f.1`, `2130706433`) as dotted decimal, and an
    // IPv6 address in brackets.
    let Ok(ip) = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<IpAddr>()
    else {
        return Ok(None);
    };
    if !allowed(ip, policy) {
        return Err(FetchError::Private {
            host: host.to_owned(),
            addr: ip,
        });
    }
    Ok(Some(ip))
}

/// The resolver of the clients that reach user-given URLs: every name is looked up through
/// [`lookup`], so a connection only ever goes to addresses the guard let through, whichever
/// request, hop or pooled connection asks; there is no second lookup to race. Its refusal is a
/// [`FetchError`], found again in the request's error by [`cause`].
#[derive(Debug, Clone)]
pub(crate) struct Guard(pub(crate) Policy);

impl Resolve for Guard {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.0.clone();
        Box::pin(async move {
            // Port 0: reqwest puts the URL's port (or the scheme's) in its place.
            let addrs = lookup(name.as_str(), 0, &policy).await?;
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

/// The error of type `T` inside a failed request's error (a resolver's refusal), if that is
/// why it failed.
pub(crate) fn cause<T: std::error::Error + 'static>(e: &reqwest::Error) -> Option<&T> {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(c) = cause {
        if let Some(found) = c.downcast_ref::<T>() {
            return Some(found);
        }
        cause = c.source();
    }
    None
}

/// A client for user-given URLs, whose lookups go through `resolver`. Redirects are never
/// followed by reqwest (a caller that follows them checks each hop itself), and no proxy is
/// used: through a proxy, the proxy would look the name up and connect, out of the guard's
/// sight, and only the proxy's own address would be judged.
pub(crate) fn guarded_client(
    resolver: Arc<impl Resolve + 'static>,
    timeout: Duration,
) -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .timeout(timeout)
        .dns_resolver(resolver)
        .build()
        .map_err(|e| without_url(&e))
}

/// Fetches KPI sources under a [`Policy`] through one client, made once, so fetches of a source
/// (and hops of a redirect) reuse its connections and TLS sessions. Cloning shares the client.
#[derive(Debug, Clone)]
pub struct Fetcher {
    policy: Policy,
    /// A client that could not be made fails each fetch as a connection failure, as making one
    /// per fetch did.
    client: Result<reqwest::Client, String>,
}

impl Fetcher {
    pub fn new(policy: Policy) -> Fetcher {
        let client = guarded_client(Arc::new(Guard(policy.clone())), policy.timeout);
        Fetcher { policy, client }
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Fetches `url` and picks the number at `pointer`, retrying transient failures with
    /// backoff.
    pub async fn fetch(
        &self,
        url: &Url,
        pointer: &str,
        headers: &[(String, String)],
    ) -> Result<f64, FetchError> {
        let policy = &self.policy;
        let client = self
            .client
            .as_ref()
            .map_err(|e| FetchError::Connect(e.clone()))?;
        let mut wait = policy.backoff;
        let mut last = FetchError::Connect("no attempt made".into());
        for n in 0..policy.attempts.max(1) {
            if n > 0 {
                tokio::time::sleep(wait).await;
                wait *= 2;
            }
            match attempt(client, url, headers, policy).await {
                Ok(body) => return pick(&body, pointer),
                Err(e) if e.transient() => last = e,
                Err(e) => return Err(e),
            }
        }
        Err(last)
    }
}

/// This machine's loopback: `127.0.0.0/8`, `::1`, and `::ffff:127.x.y.z` (a dual-stack socket
/// connects to it over IPv4 loopback). The other IPv6 forms of `127.x` are not: a NAT64 one goes
/// to the translator (whose loopback, if anything, it names) and an IPv4-compatible one is not
/// routed to loopback; [`is_private`] refuses both, so `allow_loopback` does not let them through.
pub fn is_loopback(addr: IpAddr) -> bool {
    match addr {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map_or(v6.is_loopback(), |v4| v4.is_loopback()),
    }
}

/// One attempt: follows redirects by hand, so each hop is counted and its address checked (by
/// [`check_literal`] here, or by the client's [`Guard`] when it names a host). The configured headers
/// are credentials for the configured origin: they go with every hop until a redirect leaves
/// that origin (scheme, host or port), and never after, as browsers and reqwest's own redirect
/// policy do; a source that moves elsewhere gets the request without them.
async fn attempt(
    client: &reqwest::Client,
    url: &Url,
    headers: &[(String, String)],
    policy: &Policy,
) -> Result<Vec<u8>, FetchError> {
    let origin = url.origin();
    let mut url = url.clone();
    let mut headers = headers;
    for _ in 0..=policy.max_redirects {
        if url.origin() != origin {
            headers = &[];
        }
        check_literal(&url, policy)?;
        let mut request = client.get(url.clone()).header("accept", "application/json");
        for (name, value) in headers {
            request = request.header(name.as_str(), value.as_str());
        }
        let secs = policy.timeout.as_secs();
        let mut response = request.send().await.map_err(|e| {
            if let Some(refused) = cause::<FetchError>(&e) {
                refused.clone()
            } else if e.is_timeout() {
                FetchError::Timeout(secs)
            } else {
                FetchError::Connect(without_url(&e))
            }
        })?;
        let status = response.status();
        if status.is_redirection() {
            let next = response
                .headers()
                .get("location")
                .and_then(|l| l.to_str().ok())
                .and_then(|l| url.join(l).ok())
                .ok_or(FetchError::Status(status.as_u16()))?;
            if !matches!(next.scheme(), "http" | "https") {
                return Err(FetchError::BadUrl(next.to_string()));
            }
            url = next;
            continue;
        }
        if !status.is_success() {
            return Err(FetchError::Status(status.as_u16()));
        }
        let mut body = Vec::new();
        loop {
            let chunk = response.chunk().await.map_err(|e| {
                if e.is_timeout() {
                    FetchError::Timeout(secs)
                } else {
                    FetchError::Connect(without_url(&e))
                }
            })?;
            let Some(chunk) = chunk else { break };
            if body.len() + chunk.len() > policy.max_bytes {
                return Err(FetchError::TooLarge(policy.max_bytes));
            }
            body.extend_from_slice(&chunk);
        }
        return Ok(body);
    }
    Err(FetchError::Redirects(policy.max_redirects))
}

/// reqwest's message names the URL, which may carry a user's query secret: keep only the cause.
pub(crate) fn without_url(e: &reqwest::Error) -> String {
    let mut cause: &dyn std::error::Error = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

/// The number at `pointer` in a JSON document.
pub fn pick(body: &[u8], pointer: &str) -> Result<f64, FetchError> {
    let doc: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
        let mut why = e.to_string();
        why.truncate(120);
        FetchError::NotJson(why)
    })?;
    let shown = if pointer.is_empty() { "/" } else { pointer };
    let v = doc
        .pointer(pointer)
        .ok_or_else(|| FetchError::NoPointer(shown.to_owned()))?;
    let n = v.as_f64().ok_or_else(|| FetchError::NotANumber {
        pointer: shown.to_owned(),
        found: match v {
            serde_json::Value::String(_) => "a string".into(),
            serde_json::Value::Bool(_) => "true or false".into(),
            serde_json::Value::Null => "null".into(),
            serde_json::Value::Array(_) => "a list".into(),
            serde_json::Value::Object(_) => "an object".into(),
            serde_json::Value::Number(_) => "a number out of range".into(),
        },
    })?;
    if !n.is_finite() || n.abs() > crate::domain::value::MAX_ABS_VALUE {
        return Err(FetchError::NotFinite(shown.to_owned()));
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_loopback_and_link_local_addresses_are_recognised() {
        for a in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(is_private(a.parse().unwrap()), "{a}");
        }
        for a in ["93.184.216.34", "2606:2800:220:1::1", "8.8.8.8"] {
            assert!(!is_private(a.parse().unwrap()), "{a}");
        }
    }

    #[test]
    fn an_ipv6_address_carrying_an_ipv4_one_is_judged_by_it_and_tunnels_are_refused() {
        for a in [
            // NAT64, well-known prefix: the translator would connect to the IPv4 address.
            "64:ff9b::10.1.2.3",
            "64:ff9b::169.254.169.254",
            "64:ff9b::127.0.0.1",
            "64:ff9b::192.168.0.1",
            // NAT64, local-use prefix: the operator's own network, refused whatever it embeds.
            "64:ff9b:1::5db8:d822",
            "64:ff9b:1:abcd::1",
            // The rest of 64:ff9b::/32 is reserved.
            "64:ff9b:2::1",
            // IPv4-translated (SIIT).
            "::ffff:0:10.1.2.3",
            // 6to4: 2002:AABB:CCDD:: carries AA.BB.CC.DD.
            "2002:a01:203::1",
            "2002:a9fe:a9fe::",
            "2002:7f00:1::1",
            // IPv4-compatible (deprecated).
            "::10.1.2.3",
            "::127.0.0.1",
            "::169.254.169.254",
            "::0.0.0.2",
            // Site-local (deprecated) and Teredo.
            "fec0::1",
            "feff:ffff::1",
            "2001::1",
            "2001:0:4136:e378:8000:63bf:3fff:fdd2",
        ] {
            assert!(is_private(a.parse().unwrap()), "{a} is refused");
        }
        // The same forms of a public address reach a public host: an IPv6-only network behind
        // DNS64 gets 64:ff9b::/96 answers for every IPv4-only source.
        for a in [
            "64:ff9b::93.184.216.34",
            "64:ff9b::808:808",
            "2002:5db8:d822::1",
            "::93.184.216.34",
            "::ffff:0:93.184.216.34",
            // Next to the refused ranges, not in them.
            "2001:1::1",
            "2003::1",
            "2001:4860:4860::8888",
        ] {
            assert!(!is_private(a.parse().unwrap()), "{a} is public");
        }
    }

    #[test]
    fn only_addresses_that_reach_this_machine_count_as_loopback() {
        for a in ["127.0.0.1", "127.9.9.9", "::1", "::ffff:127.0.0.1"] {
            assert!(is_loopback(a.parse().unwrap()), "{a}");
        }
        // A NAT64, IPv4-compatible or 6to4 form of 127.0.0.1 goes elsewhere: not loopback,
        // and private, so allow_loopback does not let it through.
        for a in ["64:ff9b::127.0.0.1", "::127.0.0.1", "2002:7f00:1::1"] {
            let ip: IpAddr = a.parse().unwrap();
            assert!(!is_loopback(ip) && is_private(ip), "{a}");
        }
    }

    #[tokio::test]
    async fn allow_loopback_lets_no_ipv6_form_of_127_through() {
        let policy = Policy {
            allow_loopback: true,
            ..Policy::default()
        };
        for url in [
            "http://[64:ff9b::7f00:1]:9/x",
            "http://[::7f00:1]:9/x",
            "http://[2002:7f00:1::]:9/x",
        ] {
            let url = Url::parse(url).unwrap();
            assert!(
                matches!(
                    resolve(&url, &policy).await,
                    Err(FetchError::Private { .. })
                ),
                "{url}"
            );
        }
        let url = Url::parse("http://[::ffff:127.0.0.1]:9/x").unwrap();
        assert!(resolve(&url, &policy).await.is_ok());
    }

    #[tokio::test]
    async fn the_clients_resolver_refuses_a_name_that_resolves_to_loopback_unless_allowed() {
        let localhost = || "localhost".parse::<Name>().expect("a name");
        let refused = Guard(Policy::default()).resolve(localhost()).await.err();
        let refused = refused
            .as_deref()
            .and_then(|e| e.downcast_ref::<FetchError>());
        assert!(
            matches!(refused, Some(FetchError::Private { host, .. }) if host == "localhost"),
            "{refused:?}"
        );
        let policy = Policy {
            allow_loopback: true,
            ..Policy::default()
        };
        let addrs: Vec<SocketAddr> = Guard(policy)
            .resolve(localhost())
            .await
            .expect("loopback allowed")
            .collect();
        assert!(addrs.iter().all(|a| is_loopback(a.ip())), "{addrs:?}");
    }

    #[test]
    fn the_number_is_picked_by_pointer_and_anything_else_is_refused() {
        let body = br#"{"data": {"rate": 6.4, "name": "x", "n": null}}"#;
        assert_eq!(pick(body, "/data/rate"), Ok(6.4));
        assert_eq!(pick(b"42", ""), Ok(42.0));
        assert!(matches!(
            pick(body, "/data/missing"),
            Err(FetchError::NoPointer(_))
        ));
        assert_eq!(
            pick(body, "/data/name").unwrap_err().to_string(),
            "the JSON at /data/name is a string, not a number"
        );
        assert!(matches!(pick(b"<html>", "/a"), Err(FetchError::NotJson(_))));
        assert!(matches!(pick(b"1e300", ""), Err(FetchError::NotFinite(_))));
    }

    #[test]
    fn urls_and_pointers_are_checked_as_typed() {
        assert!(check_url("https://example.com/m.json").is_ok());
        for bad in [
            "ftp://example.com/x",
            "file:///etc/passwd",
            "example.com",
            "",
        ] {
            assert!(
                matches!(check_url(bad), Err(FetchError::BadUrl(_))),
                "{bad}"
            );
        }
        assert_eq!(check_pointer("/data/rate"), Ok("/data/rate".into()));
        assert!(check_pointer("data.rate").is_err());
    }
}
