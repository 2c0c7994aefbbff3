//! The content-addressed store: layout, deduplication, strict digests and
//! atomic writes.

use std::fs;
use std::io::Read;
use std::path::Path;

use lectern_media::{Digest, MediaStore, StoreError};

fn store() -> (tempfile::TempDir, MediaStore) {
    let directory = tempfile::tempdir().expect("temporary directory");
    let store = MediaStore::new(directory.path().join("media")).expect("store opens");
    (directory, store)
}

/// Lists every file under a directory, recursively.
fn files_under(directory: &Path) -> Vec<String> {
    let mut files = Vec::new();
    for entry in fs::read_dir(directory).expect("list directory") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            files.extend(files_under(&path));
        } else {
            files.push(path.display().to_string());
        }
    }
    files.sort();
    files
}

// SHA-256 of "abc", from FIPS 180-2 appendix B.1.
const ABC_SHA256: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

#[test]
fn digest_of_abc_matches_standard() {
    assert_eq!(Digest::of(b"abc").to_string(), ABC_SHA256);
}

#[test]
fn put_stores_under_fan_out_path() {
    let (_directory, store) = store();
    let digest = store.put(b"abc").expect("stored");

    assert_eq!(digest.to_string(), ABC_SHA256);
    let expected = store.root().join("ba").join(&ABC_SHA256[2..]);
    assert_eq!(store.path(&digest), expected);
    assert_eq!(fs::read(&expected).expect("file exists"), b"abc");
    assert!(store.contains(&digest));
}

#[test]
fn open_and_read_return_content() {
    let (_directory, store) = store();
    let digest = store.put(b"slide bytes").expect("stored");

    let mut content = Vec::new();
    store
        .open(&digest)
        .expect("opens")
        .read_to_end(&mut content)
        .expect("reads");
    assert_eq!(content, b"slide bytes");
    assert_eq!(store.read(&digest).expect("reads"), b"slide bytes");
}

#[test]
fn same_content_is_stored_once() {
    let (_directory, store) = store();
    let first = store.put(b"the same picture").expect("stored");
    let modified = fs::metadata(store.path(&first))
        .and_then(|metadata| metadata.modified())
        .expect("modification time");

    let second = store.put(b"the same picture").expect("stored again");
    assert_eq!(first, second);
    assert_eq!(files_under(store.root()).len(), 1);
    let modified_again = fs::metadata(store.path(&first))
        .and_then(|metadata| metadata.modified())
        .expect("modification time");
    assert_eq!(
        modified, modified_again,
        "the stored file was not rewritten"
    );
}

#[test]
fn different_content_gets_different_files() {
    let (_directory, store) = store();
    let first = store.put(b"one").expect("stored");
    let second = store.put(b"two").expect("stored");
    assert_ne!(first, second);
    assert_eq!(files_under(store.root()).len(), 2);
}

#[test]
fn empty_content_can_be_stored() {
    let (_directory, store) = store();
    let digest = store.put(b"").expect("stored");
    assert_eq!(store.read(&digest).expect("reads"), b"");
}

#[test]
fn missing_digest_is_not_found() {
    let (_directory, store) = store();
    let digest = Digest::of(b"never stored");
    assert!(!store.contains(&digest));
    match store.open(&digest) {
        Err(StoreError::NotFound { digest: missing }) => assert_eq!(missing, digest),
        other => panic!("expected NotFound, got {other:?}"),
    }
    assert!(matches!(
        store.read(&digest),
        Err(StoreError::NotFound { .. })
    ));
}

#[test]
fn digest_round_trips_through_text() {
    let digest = Digest::of(b"round trip");
    let parsed: Digest = digest.to_string().parse().expect("own text parses");
    assert_eq!(parsed, digest);
}

#[test]
fn traversal_and_malformed_ids_are_rejected() {
    let uppercase = ABC_SHA256.to_uppercase();
    let with_slash = format!("ba/{}", &ABC_SHA256[3..]);
    let cases = [
        "",
        "../../etc/passwd",
        "..",
        "ba/../../../../etc/passwd",
        &with_slash,
        &ABC_SHA256[..63],
        &format!("{ABC_SHA256}0"),
        &format!("{}g", &ABC_SHA256[..63]),
        &format!(" {}", &ABC_SHA256[..63]),
        &format!("{}\0", &ABC_SHA256[..63]),
        &uppercase,
        &format!("{}é", &ABC_SHA256[..62]),
    ];
    for text in cases {
        let result = text.parse::<Digest>();
        assert!(result.is_err(), "{text:?} was accepted");
    }
}

#[test]
fn digest_error_names_expected_form() {
    let error = "../secret".parse::<Digest>().expect_err("rejected");
    assert_eq!(
        error.to_string(),
        "invalid media id \"../secret\": expected 64 lowercase hex digits (a SHA-256 digest)"
    );
}

#[test]
fn write_leaves_no_temporary_file() {
    let (_directory, store) = store();
    for index in 0..20 {
        store
            .put(format!("file {index}").as_bytes())
            .expect("stored");
    }
    let leftovers: Vec<String> = files_under(store.root())
        .into_iter()
        .filter(|path| path.contains(".upload-"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    assert_eq!(files_under(store.root()).len(), 20);
}

#[test]
fn put_replaces_truncated_file() {
    let (_directory, store) = store();
    let digest = Digest::of(b"complete content");
    let path = store.path(&digest);
    fs::create_dir_all(path.parent().expect("fan-out directory")).expect("create directory");
    fs::write(&path, b"compl").expect("write truncated copy");

    // The file is replaced by rename, so a reader that opened the old one
    // keeps reading it whole.
    let mut early_reader = store.open(&digest).expect("opens");
    assert_eq!(store.put(b"complete content").expect("stored"), digest);

    assert_eq!(store.read(&digest).expect("reads"), b"complete content");
    let mut early_content = Vec::new();
    early_reader
        .read_to_end(&mut early_content)
        .expect("old file still reads");
    assert_eq!(early_content, b"compl");
}

#[test]
fn new_creates_missing_directory() {
    let directory = tempfile::tempdir().expect("temporary directory");
    let root = directory.path().join("a").join("b");
    let store = MediaStore::new(&root).expect("store opens");
    assert!(root.is_dir());
    assert_eq!(store.root(), root);
}
