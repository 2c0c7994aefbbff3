//! The peer servers that `bench/setup` installs, and how the bench starts
//! and reaches them.
//!
//! - y-websocket: `@y/websocket-server`, the Node.js reference server,
//!   started by `bench/peers/y-websocket.mjs`;
//! - Hocuspocus: `@hocuspocus/server`, started by `bench/peers/hocuspocus.mjs`;
//! - y-sweet: the `y-sweet` binary that `cargo install` put in
//!   `bench/peers/cargo/bin`, run as `y-sweet serve` without a store or
//!   an auth key.
//!
//! Each listens on 127.0.0.1 with a free port and prints its address, which
//! [`crate::targets::spawn_server`] reads. The peers directory is
//! `$LECTERN_BENCH_PEERS`, else `bench/peers` under the current directory
//! when it exists, else `bench/peers` in the source tree the bench was
//! built from.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};
use serde_json::{Value, json};
use thiserror::Error;

use crate::targets::{ServerProcess, Target, pinned_command, require_loopback, spawn_server};

/// The environment variable that overrides the peers directory.
pub const PEERS_DIR_VAR: &str = "LECTERN_BENCH_PEERS";

/// A peer whose files `bench/setup` has not installed.
#[derive(Debug, Error)]
#[error(
    "{system} is not installed: {missing} was not found; run bench/setup \
     (or set {PEERS_DIR_VAR} to the directory it installed the peers in)"
)]
pub struct NotInstalled {
    pub system: &'static str,
    pub missing: String,
}

/// A Node.js peer: its npm package and the launcher script that starts it.
#[derive(Debug, Clone, Copy)]
struct NodePeer {
    package: &'static str,
    launcher: &'static str,
}

const Y_WEBSOCKET: NodePeer = NodePeer {
    package: "@y/websocket-server",
    launcher: "y-websocket.mjs",
};

const HOCUSPOCUS: NodePeer = NodePeer {
    package: "@hocuspocus/server",
    launcher: "hocuspocus.mjs",
};

/// Returns the directory that `bench/setup` installs the peers in.
pub fn peers_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os(PEERS_DIR_VAR) {
        return PathBuf::from(dir);
    }
    let relative = Path::new("bench/peers");
    if relative.is_dir() {
        return relative.to_path_buf();
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench/peers")
}

fn node_peer(target: Target) -> Option<NodePeer> {
    match target {
        Target::YWebsocket => Some(Y_WEBSOCKET),
        Target::Hocuspocus => Some(HOCUSPOCUS),
        Target::Lectern | Target::Raw | Target::YSweet => None,
    }
}

fn ysweet_binary(dir: &Path) -> PathBuf {
    dir.join("cargo/bin/y-sweet")
}

fn package_manifest(dir: &Path, package: &str) -> PathBuf {
    dir.join("node_modules").join(package).join("package.json")
}

/// Checks that the files `target` needs are installed; targets that are
/// not peers always pass.
pub fn check_installed(target: Target) -> Result<(), NotInstalled> {
    let dir = peers_dir();
    let mut needed = Vec::new();
    if let Some(peer) = node_peer(target) {
        if find_in_path("node").is_none() {
            return Err(NotInstalled {
                system: target.name(),
                missing: "the `node` program on PATH".to_owned(),
            });
        }
        needed.push(package_manifest(&dir, peer.package));
        needed.push(dir.join(peer.launcher));
    }
    if target == Target::YSweet {
        needed.push(ysweet_binary(&dir));
    }
    match needed.into_iter().find(|path| !path.is_file()) {
        Some(path) => Err(NotInstalled {
            system: target.name(),
            missing: path.display().to_string(),
        }),
        None => Ok(()),
    }
}

fn find_in_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

/// Starts a Node.js peer on 127.0.0.1 port 0 and returns it with its
/// version, such as `0.1.1 (Node.js v20.20.2)`.
pub fn start_node_peer(
    target: Target,
    cpu: Option<usize>,
) -> anyhow::Result<(ServerProcess, String)> {
    let Some(peer) = node_peer(target) else {
        bail!("{} is not a Node.js peer", target.name());
    };
    check_installed(target)?;
    let dir = peers_dir();

    let mut command = pinned_command(Path::new("node"), cpu);
    command
        .arg(dir.join(peer.launcher))
        .env("HOST", "127.0.0.1")
        .env("PORT", "0")
        .env("NODE_ENV", "production");
    let server = spawn_server(command, None)?;

    let package = package_version(&dir, peer.package)?;
    let node = command_output("node", &["--version"]).unwrap_or_else(|| "unknown".to_owned());
    Ok((server, format!("{package} (Node.js {node})")))
}

fn package_version(dir: &Path, package: &str) -> anyhow::Result<String> {
    let path = package_manifest(dir, package);
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let manifest: Value = serde_json::from_str(&text)
        .with_context(|| format!("invalid JSON in {}", path.display()))?;
    manifest["version"]
        .as_str()
        .map(str::to_owned)
        .with_context(|| format!("{} has no version", path.display()))
}

fn command_output(program: &str, args: &[&str]) -> Option<String> {
    let output = Command::new(program).args(args).output().ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    let text = text.trim();
    (output.status.success() && !text.is_empty()).then(|| text.to_owned())
}

/// Starts `y-sweet serve` on 127.0.0.1 port 0 and returns it with its
/// version. With no store it keeps documents in memory only, and with no
/// auth key it hands out connection URLs without tokens.
pub fn start_ysweet(cpu: Option<usize>) -> anyhow::Result<(ServerProcess, String)> {
    check_installed(Target::YSweet)?;
    let binary = ysweet_binary(&peers_dir());

    let mut command = pinned_command(&binary, cpu);
    command
        .args(["serve", "--host", "127.0.0.1", "--port", "0"])
        .env_remove("Y_SWEET_STORE")
        .env_remove("Y_SWEET_AUTH")
        .env("NO_COLOR", "1");
    let server = spawn_server(command, None)?;

    let binary = binary.to_string_lossy();
    let version = command_output(&binary, &["version"]).unwrap_or_else(|| "unknown".to_owned());
    Ok((server, version))
}

/// Creates document `document` on the y-sweet server at `base`
/// (`http://HOST:PORT`) and returns its y-websocket URL.
///
/// y-sweet's `POST /doc/new` creates the document, and
/// `POST /doc/{id}/auth` returns a base `url` to which a y-websocket
/// client appends the document id.
pub async fn ysweet_document_url(base: &str, document: &str) -> anyhow::Result<String> {
    let http = reqwest::Client::new();
    let base = base.trim_end_matches('/');

    let created = post_json(
        &http,
        &format!("{base}/doc/new"),
        json!({ "docId": document }),
    )
    .await?;
    let id = created["docId"]
        .as_str()
        .with_context(|| format!("y-sweet's /doc/new returned no docId: {created}"))?;

    let token = post_json(&http, &format!("{base}/doc/{id}/auth"), json!({})).await?;
    let url = token["url"]
        .as_str()
        .with_context(|| format!("y-sweet's /doc/{id}/auth returned no url: {token}"))?;
    let url = format!("{}/{id}", url.trim_end_matches('/'));
    require_loopback(&url)?;
    Ok(url)
}

async fn post_json(http: &reqwest::Client, url: &str, body: Value) -> anyhow::Result<Value> {
    let response = http
        .post(url)
        .json(&body)
        .send()
        .await
        .with_context(|| format!("POST {url} failed"))?;
    let status = response.status();
    let text = response.text().await?;
    if !status.is_success() {
        bail!("POST {url} returned {status}: {text}");
    }
    serde_json::from_str(&text).with_context(|| format!("POST {url} returned invalid JSON: {text}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lectern_and_raw_need_no_install() {
        for target in [Target::Lectern, Target::Raw] {
            assert!(check_installed(target).is_ok(), "{target:?}");
        }
    }

    #[test]
    fn missing_peer_names_setup() {
        let missing = NotInstalled {
            system: "y-sweet",
            missing: "bench/peers/cargo/bin/y-sweet".to_owned(),
        };
        let message = missing.to_string();
        assert!(message.contains("bench/setup"), "{message}");
        assert!(message.contains("y-sweet"), "{message}");
    }
}
