//! The request headers of the MESH API: a send's `Mex-*` headers (checked as the real service
//! checks them: lengths, no control characters, no URLs where IDs go), chunk ranges, content
//! encodings, and the inbox's `workflow_filter`.

use http::HeaderMap;

use super::MeshError;
use crate::content::ContentEncoding;

impl ContentEncoding {
    /// From `Content-Encoding`: none (or `identity`) and `gzip` are all MESH takes (422 else).
    pub fn parse(value: Option<&str>) -> Result<Self, MeshError> {
        match value.map(str::trim).unwrap_or("") {
            "" => Ok(Self::Identity),
            v if v.eq_ignore_ascii_case("identity") => Ok(Self::Identity),
            v if v.eq_ignore_ascii_case("gzip") => Ok(Self::Gzip),
            _ => Err(MeshError::new(
                422,
                "SEND",
                "",
                "UnsupportedContentEncoding",
            )),
        }
    }
}

/// `Mex-Chunk-Range: k:n`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkRange {
    pub number: i64,
    pub total: i64,
}

/// The most chunks a message may announce.
pub const MAX_CHUNKS: i64 = 100_000;

impl ChunkRange {
    /// `k:n` with `0 < k <= n`; `None` otherwise.
    pub fn parse(text: &str) -> Option<Self> {
        let (number, total) = text.trim().split_once(':')?;
        let number: i64 = number.trim().parse().ok()?;
        let total: i64 = total.trim().parse().ok()?;
        (0 < number && number <= total && total <= MAX_CHUNKS).then_some(Self { number, total })
    }
}

/// The refusal of a bad chunk range.
pub fn invalid_chunks() -> MeshError {
    MeshError::new(417, "SEND", "", "InvalidHeaderChunks")
}

/// A header's text: UTF-8 when it is, else each byte as a Latin-1 character (as HTTP/1.1 allows).
pub fn text(headers: &HeaderMap, name: &str) -> Option<String> {
    let bytes = headers.get(name)?.as_bytes();
    Some(match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => bytes.iter().map(|&b| char::from(b)).collect(),
    })
}

/// What the first request of a send says about the message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SendHeaders {
    pub to: String,
    pub workflow_id: String,
    pub total_chunks: i64,
    pub subject: String,
    pub local_id: String,
    pub partner_id: String,
    pub file_name: String,
    pub encrypted: bool,
    pub compressed: bool,
    pub checksum: String,
    /// `Mex-Content-Type`, else `Content-Type`, else `application/octet-stream`.
    pub content_type: String,
}

/// (header, longest value) of the free-text headers.
const LIMITS: [(&str, usize); 9] = [
    ("mex-to", 100),
    ("mex-workflowid", 300),
    ("mex-chunk-range", 20),
    ("mex-subject", 500),
    ("mex-localid", 300),
    ("mex-partnerid", 500),
    ("mex-filename", 300),
    ("mex-content-checksum", 100),
    ("mex-content-type", 100),
];

fn flag(headers: &HeaderMap, name: &str) -> Result<bool, MeshError> {
    match text(headers, name).as_deref().map(str::trim) {
        None | Some("") => Ok(false),
        Some(v)
            if ["y", "yes", "true", "1"]
                .iter()
                .any(|t| v.eq_ignore_ascii_case(t)) =>
        {
            Ok(true)
        }
        Some(v)
            if ["n", "no", "false", "0"]
                .iter()
                .any(|t| v.eq_ignore_ascii_case(t)) =>
        {
            Ok(false)
        }
        Some(_) => Err(MeshError::malformed(format!("{name} must be Y or N"))),
    }
}

fn looks_like_url(value: &str) -> bool {
    let lower = value.trim_start().to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

impl SendHeaders {
    /// Reads and checks a send's headers (the first request's, `Mex-Chunk-Range` `1:n`).
    pub fn parse(headers: &HeaderMap) -> Result<Self, MeshError> {
        for (name, longest) in LIMITS {
            if let Some(value) = text(headers, name) {
                if value.chars().count() > longest {
                    return Err(MeshError::malformed(format!(
                        "{name} is longer than {longest} characters"
                    )));
                }
                if value.chars().any(|c| c.is_control()) {
                    return Err(MeshError::malformed(format!(
                        "{name} contains control characters"
                    )));
                }
            }
        }
        let to = text(headers, "mex-to")
            .unwrap_or_default()
            .trim()
            .to_ascii_uppercase();
        if to.is_empty() {
            return Err(MeshError::new(
                400,
                "SEND",
                "08",
                "TO_DTS missing: Mex-To is required",
            ));
        }
        let workflow_id = text(headers, "mex-workflowid")
            .unwrap_or_default()
            .trim()
            .to_owned();
        if workflow_id.is_empty() {
            return Err(MeshError::malformed("Mex-WorkflowID is required"));
        }
        let checksum = text(headers, "mex-content-checksum")
            .unwrap_or_default()
            .trim()
            .to_owned();
        if looks_like_url(&to) || looks_like_url(&workflow_id) || looks_like_url(&checksum) {
            return Err(MeshError::malformed("MalformedControlFile"));
        }
        if !checksum
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c.is_ascii_whitespace() || ":-/".contains(c))
        {
            return Err(MeshError::bad_request("Invalid checksum"));
        }
        let total_chunks = match text(headers, "mex-chunk-range") {
            None => 1,
            Some(range) if range.trim().is_empty() => 1,
            Some(range) => match ChunkRange::parse(&range) {
                Some(ChunkRange { number: 1, total }) => total,
                _ => return Err(invalid_chunks()),
            },
        };
        let content_type = text(headers, "mex-content-type")
            .filter(|t| !t.trim().is_empty())
            .or_else(|| text(headers, "content-type").filter(|t| !t.trim().is_empty()))
            .unwrap_or_else(|| "application/octet-stream".to_owned());
        if content_type.chars().count() > 100 || content_type.chars().any(|c| c.is_control()) {
            return Err(MeshError::malformed("Content-Type is not a content type"));
        }
        Ok(Self {
            to,
            workflow_id,
            total_chunks,
            subject: text(headers, "mex-subject").unwrap_or_default(),
            local_id: text(headers, "mex-localid").unwrap_or_default(),
            partner_id: text(headers, "mex-partnerid").unwrap_or_default(),
            file_name: text(headers, "mex-filename").unwrap_or_default(),
            encrypted: flag(headers, "mex-content-encrypted")?,
            compressed: flag(headers, "mex-content-compressed")?,
            checksum,
            content_type: content_type.trim().to_owned(),
        })
    }
}

/// The inbox's `workflow_filter`: `WF` (equals), `!WF`, `WF*` (begins with), `!WF*`, `*X*`
/// (contains), `!*X*`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkflowFilter {
    pub negated: bool,
    pub kind: FilterKind,
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterKind {
    Equals,
    BeginsWith,
    Contains,
}

impl WorkflowFilter {
    /// A filter of 2 to 255 characters; `None` for an empty one; 400 for one MESH would refuse.
    pub fn parse(text: &str) -> Result<Option<Self>, MeshError> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        let bad = || {
            MeshError::bad_request(
                "workflow_filter must be 2 to 255 characters: WF, !WF, WF*, !WF*, *WF* or !*WF*",
            )
        };
        if !(2..=255).contains(&text.chars().count()) {
            return Err(bad());
        }
        let (negated, rest) = match text.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (kind, core) = if let Some(inner) = rest.strip_prefix('*') {
            (
                FilterKind::Contains,
                inner.strip_suffix('*').ok_or_else(bad)?,
            )
        } else if let Some(start) = rest.strip_suffix('*') {
            (FilterKind::BeginsWith, start)
        } else {
            (FilterKind::Equals, rest)
        };
        if core.is_empty() || core.contains('*') || core.chars().any(char::is_control) {
            return Err(bad());
        }
        Ok(Some(Self {
            negated,
            kind,
            text: core.to_owned(),
        }))
    }

    /// Whether a workflow ID passes.
    pub fn matches(&self, workflow_id: &str) -> bool {
        let hit = match self.kind {
            FilterKind::Equals => workflow_id == self.text,
            FilterKind::BeginsWith => workflow_id.starts_with(&self.text),
            FilterKind::Contains => workflow_id.contains(&self.text),
        };
        hit != self.negated
    }

    /// The `LIKE` pattern (escape character `\`) that [`Self::matches`] asks, without negation.
    pub fn like_pattern(&self) -> String {
        let escaped: String = self
            .text
            .chars()
            .flat_map(|c| match c {
                '%' | '_' | '\\' => vec!['\\', c],
                c => vec![c],
            })
            .collect();
        match self.kind {
            FilterKind::Equals => escaped,
            FilterKind::BeginsWith => format!("{escaped}%"),
            FilterKind::Contains => format!("%{escaped}%"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(
                http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                http::HeaderValue::from_bytes(value.as_bytes()).unwrap(),
            );
        }
        map
    }

    #[test]
    fn a_send_keeps_every_header_it_was_given() {
        let parsed = SendHeaders::parse(&headers(&[
            ("Mex-To", " x26abc2 "),
            ("Mex-WorkflowID", "PATH_MEDRPT_V3"),
            ("Mex-Chunk-Range", "1:3"),
            ("Mex-Subject", "Results"),
            ("Mex-LocalID", "ref-1"),
            ("Mex-PartnerID", "sub|tag"),
            ("Mex-FileName", "results.csv"),
            ("Mex-Content-Encrypted", "Y"),
            ("Mex-Content-Compressed", "N"),
            ("Mex-Content-Checksum", "md5:abc-123"),
            ("Mex-Content-Type", "text/csv"),
            ("Content-Type", "application/octet-stream"),
        ]))
        .unwrap();
        assert_eq!(
            parsed,
            SendHeaders {
                to: "X26ABC2".into(),
                workflow_id: "PATH_MEDRPT_V3".into(),
                total_chunks: 3,
                subject: "Results".into(),
                local_id: "ref-1".into(),
                partner_id: "sub|tag".into(),
                file_name: "results.csv".into(),
                encrypted: true,
                compressed: false,
                checksum: "md5:abc-123".into(),
                content_type: "text/csv".into(),
            }
        );
        let plain = SendHeaders::parse(&headers(&[
            ("Mex-To", "A"),
            ("Mex-WorkflowID", "W"),
            ("Content-Type", "text/plain"),
        ]))
        .unwrap();
        assert_eq!(
            (plain.total_chunks, plain.content_type.as_str()),
            (1, "text/plain")
        );
    }

    #[test]
    fn bad_send_headers_get_mesh_codes() {
        let long = "x".repeat(501);
        // The headers, the status and the MESH code expected.
        type Case<'a> = (Vec<(&'a str, &'a str)>, u16, &'a str);
        let cases: Vec<Case> = vec![
            (vec![("Mex-WorkflowID", "W")], 400, "08"),
            (vec![("Mex-To", " "), ("Mex-WorkflowID", "W")], 400, "08"),
            (vec![("Mex-To", "A")], 400, "06"),
            (
                vec![("Mex-To", "https://evil"), ("Mex-WorkflowID", "W")],
                400,
                "06",
            ),
            (
                vec![("Mex-To", "A"), ("Mex-WorkflowID", "http://x")],
                400,
                "06",
            ),
            (
                vec![
                    ("Mex-To", "A"),
                    ("Mex-WorkflowID", "W"),
                    ("Mex-Subject", &long),
                ],
                400,
                "06",
            ),
            (
                vec![
                    ("Mex-To", "A"),
                    ("Mex-WorkflowID", "W"),
                    ("Mex-Subject", "a\tb"),
                ],
                400,
                "06",
            ),
            (
                vec![
                    ("Mex-To", "A"),
                    ("Mex-WorkflowID", "W"),
                    ("Mex-Content-Encrypted", "maybe"),
                ],
                400,
                "06",
            ),
            (
                vec![
                    ("Mex-To", "A"),
                    ("Mex-WorkflowID", "W"),
                    ("Mex-Content-Checksum", "a;b"),
                ],
                400,
                "",
            ),
            (
                vec![
                    ("Mex-To", "A"),
                    ("Mex-WorkflowID", "W"),
                    ("Mex-Chunk-Range", "2:3"),
                ],
                417,
                "",
            ),
            (
                vec![
                    ("Mex-To", "A"),
                    ("Mex-WorkflowID", "W"),
                    ("Mex-Chunk-Range", "1:0"),
                ],
                417,
                "",
            ),
            (
                vec![
                    ("Mex-To", "A"),
                    ("Mex-WorkflowID", "W"),
                    ("Mex-Chunk-Range", "one:two"),
                ],
                417,
                "",
            ),
        ];
        for (pairs, status, code) in cases {
            let error = SendHeaders::parse(&headers(&pairs)).unwrap_err();
            assert_eq!(
                (error.status, error.code),
                (status, code),
                "{pairs:?}: {error:?}"
            );
        }
    }

    #[test]
    fn chunk_ranges_and_encodings() {
        assert_eq!(
            ChunkRange::parse("2:5"),
            Some(ChunkRange {
                number: 2,
                total: 5
            })
        );
        assert_eq!(
            ChunkRange::parse(" 1 : 1 "),
            Some(ChunkRange {
                number: 1,
                total: 1
            })
        );
        for bad in ["", "1", "0:1", "3:2", "1:2:3", "a:b", "-1:2", "1:100001"] {
            assert_eq!(ChunkRange::parse(bad), None, "{bad}");
        }
        assert_eq!(ContentEncoding::parse(None), Ok(ContentEncoding::Identity));
        assert_eq!(
            ContentEncoding::parse(Some("GZIP")),
            Ok(ContentEncoding::Gzip)
        );
        assert_eq!(ContentEncoding::parse(Some("br")).unwrap_err().status, 422);
    }

    #[test]
    fn workflow_filters_take_their_six_forms() {
        let ids = [
            "PATH_MEDRPT_V3",
            "PATH_MEDRPT_V3_ACK",
            "TOC_FHIR_EC_DISCH",
            "GPFED_CONSULT_REPORT",
        ];
        let cases = [
            ("PATH_MEDRPT_V3", vec!["PATH_MEDRPT_V3"]),
            (
                "!PATH_MEDRPT_V3",
                vec![
                    "PATH_MEDRPT_V3_ACK",
                    "TOC_FHIR_EC_DISCH",
                    "GPFED_CONSULT_REPORT",
                ],
            ),
            ("PATH_*", vec!["PATH_MEDRPT_V3", "PATH_MEDRPT_V3_ACK"]),
            ("!PATH_*", vec!["TOC_FHIR_EC_DISCH", "GPFED_CONSULT_REPORT"]),
            ("*_ACK*", vec!["PATH_MEDRPT_V3_ACK"]),
            (
                "!*_ACK*",
                vec![
                    "PATH_MEDRPT_V3",
                    "TOC_FHIR_EC_DISCH",
                    "GPFED_CONSULT_REPORT",
                ],
            ),
        ];
        for (filter, expected) in cases {
            let parsed = WorkflowFilter::parse(filter).unwrap().unwrap();
            let found: Vec<&str> = ids
                .iter()
                .copied()
                .filter(|id| parsed.matches(id))
                .collect();
            assert_eq!(found, expected, "{filter}");
        }
        assert_eq!(WorkflowFilter::parse("  ").unwrap(), None);
        for bad in ["A", "*AB", "!*", "**", "A*B", &"W".repeat(256)] {
            assert!(WorkflowFilter::parse(bad).is_err(), "{bad}");
        }
        let like = WorkflowFilter::parse("*_A%*")
            .unwrap()
            .unwrap()
            .like_pattern();
        assert_eq!(like, "%\\_A\\%%");
    }
}
