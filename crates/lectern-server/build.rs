//! Builds the browser site with Vite and embeds it into the binary.
//!
//! The site is built into Cargo's `OUT_DIR`, and `assets.rs` there lists
//! every file with `include_bytes!`. `LECTERN_FRONTEND_DIST=DIR` embeds an
//! already built site instead; `LECTERN_SKIP_FRONTEND=1` embeds only the
//! placeholder page, for builds without Node.js.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let manifest_dir = PathBuf::from(env("CARGO_MANIFEST_DIR"));
    let frontend = manifest_dir.join("../../frontend");
    let out_dir = PathBuf::from(env("OUT_DIR"));

    println!("cargo:rerun-if-env-changed=LECTERN_FRONTEND_DIST");
    println!("cargo:rerun-if-env-changed=LECTERN_SKIP_FRONTEND");
    for input in [
        "src",
        "public",
        "index.html",
        "package.json",
        "package-lock.json",
        "vite.config.ts",
    ] {
        println!("cargo:rerun-if-changed={}", frontend.join(input).display());
    }

    let dist = if let Some(dist) = std::env::var_os("LECTERN_FRONTEND_DIST") {
        PathBuf::from(dist)
    } else if std::env::var("LECTERN_SKIP_FRONTEND").as_deref() == Ok("1") {
        let placeholder = out_dir.join("placeholder");
        std::fs::create_dir_all(&placeholder).expect("create placeholder directory");
        std::fs::copy(
            manifest_dir.join("src/placeholder.html"),
            placeholder.join("index.html"),
        )
        .expect("copy placeholder page");
        placeholder
    } else {
        build_site(&frontend, &out_dir.join("site"))
    };

    write_asset_table(&dist, &out_dir.join("assets.rs"));
}

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set"))
}

/// Runs `npm ci` when `node_modules` is missing, then `vite build`.
fn build_site(frontend: &Path, out: &Path) -> PathBuf {
    let npm = if cfg!(windows) { "npm.cmd" } else { "npm" };

    if !frontend.join("node_modules/.bin/vite").exists() {
        run(Command::new(npm)
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(frontend));
    }
    run(Command::new(frontend.join("node_modules/.bin/vite"))
        .args(["build", "--emptyOutDir", "--logLevel", "warn", "--outDir"])
        .arg(out)
        .current_dir(frontend));
    out.to_path_buf()
}

fn run(command: &mut Command) {
    let status = command.status().unwrap_or_else(|error| {
        panic!(
            "cannot run {:?}: {error}. Install Node.js 20 or later with npm, or set \
             LECTERN_SKIP_FRONTEND=1 to build the server with a placeholder page",
            command.get_program()
        )
    });
    assert!(status.success(), "{command:?} failed with {status}");
}

/// Writes `pub static ASSETS: &[(&str, &[u8])]`, paths relative to `dist`
/// with `/` separators.
fn write_asset_table(dist: &Path, target: &Path) {
    let mut files = Vec::new();
    collect_files(dist, dist, &mut files);
    files.sort();
    assert!(
        files.iter().any(|(path, _)| path == "index.html"),
        "{} has no index.html",
        dist.display()
    );

    let mut table = String::from("pub static ASSETS: &[(&str, &[u8])] = &[\n");
    for (path, absolute) in files {
        writeln!(
            table,
            "    ({path:?}, include_bytes!({:?})),",
            absolute.display().to_string()
        )
        .expect("write to string");
    }
    table.push_str("];\n");
    std::fs::write(target, table).expect("write asset table");
}

fn collect_files(root: &Path, directory: &Path, files: &mut Vec<(String, PathBuf)>) {
    let entries = std::fs::read_dir(directory)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", directory.display()));
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            collect_files(root, &path, files);
        } else {
            let relative = path.strip_prefix(root).expect("inside root");
            let name = relative
                .components()
                .map(|part| part.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            files.push((name, path.canonicalize().expect("canonical path")));
        }
    }
}
