//! Uploading and downloading board media, and counting the stored files.

use std::path::Path;

use reqwest::header::HeaderMap;
use serde_json::Value;

use super::TestServer;

/// A media download: status, headers and body.
pub struct Download {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Download {
    /// Returns a header's value as text, or "" when it is missing.
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
    }

    /// Returns the body as JSON, for error responses.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

impl TestServer {
    /// Uploads `bytes` as the raw body to room `code`, and returns the
    /// status and the JSON body.
    pub async fn upload(
        &self,
        code: &str,
        token: Option<&str>,
        bytes: Vec<u8>,
        filename: Option<&str>,
    ) -> (u16, Value) {
        let mut request = self
            .http
            .post(self.url(&format!("/api/v1/rooms/{code}/media")))
            .header("content-type", "application/octet-stream")
            .body(bytes);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(filename) = filename {
            request = request.header("x-lectern-filename", filename);
        }
        let response = request.send().await.expect("upload sent");
        let status = response.status().as_u16();
        let text = response.text().await.expect("upload response body");
        let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, value)
    }

    /// Uploads as the lecturer or a student who may draw, and returns the
    /// response body after checking for 201.
    pub async fn upload_ok(&self, code: &str, token: &str, bytes: Vec<u8>) -> Value {
        let (status, body) = self.upload(code, Some(token), bytes, None).await;
        assert_eq!(status, 201, "upload failed: {body}");
        body
    }

    /// Sends `GET path` with the given headers, and returns the download.
    pub async fn download(&self, path: &str, headers: &[(&str, &str)]) -> Download {
        let mut request = self.http.get(self.url(path));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.expect("download sent");
        Download {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            body: response.bytes().await.expect("download body").to_vec(),
        }
    }

    /// Downloads with `Authorization: Bearer token`.
    pub async fn download_with(&self, path: &str, token: &str) -> Download {
        self.download(path, &[("authorization", &format!("Bearer {token}"))])
            .await
    }

    /// Returns the number of files in the media store, temporary files
    /// included.
    pub fn media_file_count(&self) -> usize {
        count_files(&self.settings.data_dir.join("media"))
    }
}

fn count_files(directory: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(directory) else {
        return 0;
    };
    entries
        .map(|entry| entry.expect("directory entry").path())
        .map(|path| if path.is_dir() { count_files(&path) } else { 1 })
        .sum()
}

/// Builds the start of an MP4 file: an `ftyp` box with the `isom` brand,
/// then an `mdat` box that fills the file to `size` bytes with a pattern,
/// so that every range of it has distinct content.
pub fn mp4(size: usize) -> Vec<u8> {
    let mut bytes = 20u32.to_be_bytes().to_vec();
    bytes.extend_from_slice(b"ftypisom\0\0\x02\0mp41");
    let mdat_size = u32::try_from(size - bytes.len()).expect("small file");
    bytes.extend_from_slice(&mdat_size.to_be_bytes());
    bytes.extend_from_slice(b"mdat");
    let mut position = 0u32;
    bytes.resize_with(size, || {
        position += 1;
        (position % 251) as u8
    });
    bytes
}

/// Returns the lowercase hex SHA-256 digest of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Returns whether `needle` occurs in `haystack`.
pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}
