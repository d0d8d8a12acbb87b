//! A small `multipart/form-data` reader (axum's `multipart` feature is off to keep the
//! dev-dependencies lean). It handles what reqwest, serenity's client, writes: a boundary from the
//! content type, parts with a `Content-Disposition: form-data; name=...; filename=...` header.

use super::RecordedFile;

pub struct Parsed {
    /// The `payload_json` part, as text.
    pub payload_json: Option<String>,
    /// Parts with a file name.
    pub files: Vec<RecordedFile>,
    /// Other text parts, by name (serenity sends none today; kept so nothing passes unseen).
    pub fields: Vec<(String, String)>,
}

/// The boundary of a `multipart/form-data; boundary=...` content type.
pub fn boundary(content_type: &str) -> Option<String> {
    let (kind, params) = content_type.split_once(';')?;
    if !kind.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.split(';').find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        k.eq_ignore_ascii_case("boundary")
            .then(|| v.trim_matches('"').to_owned())
    })
}

pub fn parse(body: &[u8], boundary: &str) -> Result<Parsed, String> {
    let delimiter = format!("--{boundary}").into_bytes();
    let mut parsed = Parsed {
        payload_json: None,
        files: Vec::new(),
        fields: Vec::new(),
    };
    let mut rest = after(body, &delimiter).ok_or("no opening boundary")?;
    loop {
        if rest.starts_with(b"--") {
            return Ok(parsed);
        }
        rest = rest
            .strip_prefix(b"\r\n")
            .ok_or("boundary not followed by CRLF")?;
        let head_end = find(rest, b"\r\n\r\n").ok_or("part without a header end")?;
        let head = std::str::from_utf8(&rest[..head_end]).map_err(|_| "part header not UTF-8")?;
        let content = &rest[head_end + 4..];
        let mut closing = b"\r\n".to_vec();
        closing.extend_from_slice(&delimiter);
        let end = find(content, &closing).ok_or("part without a closing boundary")?;
        let (name, filename) = disposition(head).ok_or("part without a form-data name")?;
        let bytes = content[..end].to_vec();
        match filename {
            Some(filename) => parsed.files.push(RecordedFile { filename, bytes }),
            None => {
                let text = String::from_utf8(bytes).map_err(|_| "text part not UTF-8")?;
                if name == "payload_json" {
                    parsed.payload_json = Some(text);
                } else {
                    parsed.fields.push((name, text));
                }
            }
        }
        rest = &content[end + closing.len()..];
    }
}

/// `(name, filename)` from a part's `Content-Disposition` header.
fn disposition(head: &str) -> Option<(String, Option<String>)> {
    let line = head
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("content-disposition:"))?;
    let param = |key: &str| {
        line.split(';').find_map(|p| {
            let (k, v) = p.trim().split_once('=')?;
            (k == key).then(|| v.trim_matches('"').to_owned())
        })
    };
    Some((param("name")?, param("filename")))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn after<'a>(haystack: &'a [u8], needle: &[u8]) -> Option<&'a [u8]> {
    find(haystack, needle).map(|i| &haystack[i + needle.len()..])
}

#[test]
fn a_reqwest_style_body_yields_payload_json_and_files() {
    let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"files[0]\"; filename=\"chart.png\"\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n--XyZ\r\nContent-Disposition: form-data; name=\"payload_json\"\r\n\r\n{\"content\":\"hi\"}\r\n--XyZ--\r\n";
    let b = boundary("multipart/form-data; boundary=XyZ").unwrap();
    let parsed = parse(body, &b).unwrap();
    assert_eq!(parsed.payload_json.as_deref(), Some("{\"content\":\"hi\"}"));
    assert_eq!(parsed.files.len(), 1);
    assert_eq!(parsed.files[0].filename, "chart.png");
    assert_eq!(parsed.files[0].bytes, b"\x89PNG");
}
