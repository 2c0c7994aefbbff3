//! PDF slides rendered by poppler-utils. These tests need `pdfinfo` and
//! `pdftoppm` on `PATH` (Debian's poppler-utils, installed by .ci/run).

mod common;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use image::GenericImageView;
use lectern_media::{
    MediaError, MediaKind, MediaLimits, PdfRenderer, ProcessedMedia, process_pdf, process_upload,
};

fn small_limits() -> MediaLimits {
    MediaLimits {
        display_max_edge: 200,
        thumbnail_max_edge: 40,
        ..MediaLimits::default()
    }
}

fn two_page_pdf() -> Vec<u8> {
    common::pdf_with_pages(&[common::RED_RECTANGLE, common::BLUE_RECTANGLE])
}

#[test]
fn two_pages_render_in_order() {
    let pages =
        process_pdf(&two_page_pdf(), &small_limits(), &PdfRenderer::default()).expect("rendered");
    assert_eq!(pages.len(), 2);

    // A 400x300 pt page scaled to a 200 px longest edge.
    let expected_colors = [[255, 0, 0], [0, 0, 255]];
    for (page, expected) in pages.iter().zip(expected_colors) {
        assert_eq!((page.width, page.height), (200, 150));
        assert_eq!((page.display.width, page.display.height), (200, 150));
        assert_eq!((page.thumbnail.width, page.thumbnail.height), (40, 30));

        let display = common::decode(&page.display.bytes);
        assert_eq!(
            display.get_pixel(100, 75).0[..3],
            expected,
            "rectangle colour"
        );
        assert_eq!(
            display.get_pixel(5, 5).0[..3],
            [255, 255, 255],
            "white margin"
        );
    }
}

#[test]
fn default_limits_fit_display_edge() {
    let pdf = common::pdf_with_pages(&[common::RED_RECTANGLE]);
    let pages =
        process_pdf(&pdf, &MediaLimits::default(), &PdfRenderer::default()).expect("rendered");
    assert_eq!((pages[0].width, pages[0].height), (2048, 1536));
    assert_eq!(
        (pages[0].thumbnail.width, pages[0].thumbnail.height),
        (256, 192)
    );
}

#[test]
fn process_upload_reports_slides() {
    let processed = process_upload(&two_page_pdf(), &small_limits()).expect("rendered");
    assert_eq!(processed.kind(), MediaKind::Pdf);
    assert_eq!(processed.dimensions(), Some((200, 150)));
    match processed {
        ProcessedMedia::Slides { pages } => assert_eq!(pages.len(), 2),
        other => panic!("expected slides, got {other:?}"),
    }
}

#[test]
fn too_many_pages_rejected() {
    let limits = MediaLimits {
        max_pdf_pages: 1,
        ..small_limits()
    };
    let error = process_pdf(&two_page_pdf(), &limits, &PdfRenderer::default())
        .expect_err("two pages over a limit of one");
    assert!(
        matches!(error, MediaError::TooManyPages { pages: 2, limit: 1 }),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "the PDF has 2 pages, over the limit of 1; split it into smaller files"
    );
}

#[test]
fn corrupt_pdf_is_rejected() {
    let mut bytes = b"%PDF-1.4\n".to_vec();
    bytes.extend_from_slice(b"this is not a PDF body at all\n%%EOF\n");
    let error = process_pdf(&bytes, &small_limits(), &PdfRenderer::default()).expect_err("damaged");
    match &error {
        MediaError::Corrupt { kind, reason } => {
            assert_eq!(*kind, MediaKind::Pdf);
            assert!(reason.contains("pdfinfo"), "{reason}");
        }
        other => panic!("expected Corrupt, got {other:?}"),
    }
}

#[test]
fn truncated_pdf_is_rejected_or_rendered() {
    // poppler rebuilds a missing cross-reference table, so a PDF cut just
    // before its xref may still render; it must never hang or panic.
    let pdf = two_page_pdf();
    let cut = pdf.len() * 2 / 3;
    let result = process_pdf(&pdf[..cut], &small_limits(), &PdfRenderer::default());
    match result {
        Ok(pages) => assert!(!pages.is_empty()),
        Err(error) => assert!(
            matches!(
                error,
                MediaError::Corrupt {
                    kind: MediaKind::Pdf,
                    ..
                }
            ),
            "{error:?}"
        ),
    }
}

#[test]
fn text_named_pdf_is_rejected() {
    // A text file renamed to slides.pdf: the name never reaches this
    // crate, and the bytes are text.
    let error = process_pdf(
        b"slide 1: limits\n",
        &small_limits(),
        &PdfRenderer::default(),
    )
    .expect_err("text");
    assert!(
        matches!(&error, MediaError::UnsupportedType { detected } if detected == "a plain text file"),
        "{error:?}"
    );
}

#[test]
fn png_given_as_pdf_is_wrong_category() {
    let png = common::encode_png(&image::DynamicImage::ImageRgb8(common::photo(8, 8)));
    let error = process_pdf(&png, &small_limits(), &PdfRenderer::default()).expect_err("PNG");
    assert!(matches!(
        error,
        MediaError::WrongCategory {
            kind: MediaKind::Png,
            ..
        }
    ));
}

#[test]
fn missing_renderer_is_named() {
    let renderer = PdfRenderer {
        pdfinfo: PathBuf::from("/nonexistent/lectern/pdfinfo"),
        pdftoppm: PathBuf::from("/nonexistent/lectern/pdftoppm"),
    };
    let error = process_pdf(&two_page_pdf(), &small_limits(), &renderer).expect_err("missing");
    assert!(
        matches!(&error, MediaError::RendererMissing { program } if program == &renderer.pdfinfo)
    );
    assert!(error.to_string().contains("poppler-utils"), "{error}");
}

#[test]
fn hanging_renderer_is_killed() {
    let directory = tempfile::tempdir().expect("temporary directory");
    let script = directory.path().join("slow-pdfinfo");
    fs::write(&script, "#!/bin/sh\nexec sleep 30\n").expect("write script");
    fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).expect("make executable");

    let renderer = PdfRenderer {
        pdfinfo: script.clone(),
        ..PdfRenderer::default()
    };
    let limits = MediaLimits {
        renderer_timeout: Duration::from_millis(300),
        ..small_limits()
    };
    let started = Instant::now();
    let error = process_pdf(&two_page_pdf(), &limits, &renderer).expect_err("timed out");

    assert!(
        matches!(&error, MediaError::RendererTimeout { program, .. } if program == &script),
        "{error:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "killed promptly"
    );
}

#[test]
fn oversized_pdf_is_too_large() {
    let limits = MediaLimits {
        max_pdf_bytes: 100,
        ..small_limits()
    };
    let error =
        process_pdf(&two_page_pdf(), &limits, &PdfRenderer::default()).expect_err("over 100 bytes");
    assert!(matches!(
        error,
        MediaError::TooLarge {
            kind: MediaKind::Pdf,
            limit: 100,
            ..
        }
    ));
}

#[test]
fn encrypted_pdf_is_rejected() {
    let error = process_pdf(
        &common::encrypted_pdf(),
        &small_limits(),
        &PdfRenderer::default(),
    )
    .expect_err("needs a password");
    assert!(matches!(error, MediaError::EncryptedPdf), "{error:?}");
    assert_eq!(
        error.to_string(),
        "the PDF is password-protected; upload a copy saved without a password"
    );
}

/// Wraps a poppler program in a script that appends its last argument to
/// `record` before running it: for `pdfinfo` the input PDF, for `pdftoppm`
/// the output prefix, both inside the renderer's temporary directory.
fn recording_wrapper(directory: &Path, program: &str, record: &Path) -> PathBuf {
    let script = directory.join(format!("recording-{program}"));
    let body = format!(
        "#!/bin/sh\nfor last in \"$@\"; do :; done\necho \"$last\" >> '{}'\nexec {program} \"$@\"\n",
        record.display()
    );
    fs::write(&script, body).expect("write script");
    fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).expect("make executable");
    script
}

#[test]
fn failed_render_removes_temporary_directory() {
    let directory = tempfile::tempdir().expect("temporary directory");
    let record = directory.path().join("arguments.txt");
    let renderer = PdfRenderer {
        pdfinfo: recording_wrapper(directory.path(), "pdfinfo", &record),
        pdftoppm: recording_wrapper(directory.path(), "pdftoppm", &record),
    };
    let mut corrupt = b"%PDF-1.4\n".to_vec();
    corrupt.extend_from_slice(b"this is not a PDF body at all\n%%EOF\n");
    let too_many_pages = MediaLimits {
        max_pdf_pages: 1,
        ..small_limits()
    };
    let cases: [(&str, Vec<u8>, &MediaLimits); 3] = [
        ("corrupt", corrupt, &small_limits()),
        ("encrypted", common::encrypted_pdf(), &small_limits()),
        ("too many pages", two_page_pdf(), &too_many_pages),
    ];

    for (name, pdf, limits) in cases {
        let _ = fs::remove_file(&record);
        let error = process_pdf(&pdf, limits, &renderer).expect_err(name);
        assert!(
            !matches!(
                error,
                MediaError::RendererMissing { .. } | MediaError::Io { .. }
            ),
            "{name}: {error:?}"
        );

        let recorded = fs::read_to_string(&record).expect("the renderer ran");
        let input = PathBuf::from(recorded.lines().next().expect("one recorded argument"));
        let workdir = input.parent().expect("the input is in a directory");
        assert!(
            workdir
                .file_name()
                .and_then(|name| name.to_str())
                .is_some_and(|name| name.starts_with("lectern-pdf-")),
            "{name}: the input {} is not in the renderer's directory",
            input.display()
        );
        assert!(
            !workdir.exists(),
            "{name}: {} is left behind",
            workdir.display()
        );
    }
}

#[test]
fn failed_page_render_removes_temporary_directory() {
    // pdfinfo succeeds and pdftoppm fails, after creating the pages
    // directory.
    let directory = tempfile::tempdir().expect("temporary directory");
    let record = directory.path().join("arguments.txt");
    let failing = directory.path().join("failing-pdftoppm");
    fs::write(
        &failing,
        format!(
            "#!/bin/sh\nfor last in \"$@\"; do :; done\necho \"$last\" >> '{}'\n\
             echo 'Syntax Error: broken page' >&2\nexit 1\n",
            record.display()
        ),
    )
    .expect("write script");
    fs::set_permissions(&failing, fs::Permissions::from_mode(0o755)).expect("make executable");
    let renderer = PdfRenderer {
        pdfinfo: PathBuf::from("pdfinfo"),
        pdftoppm: failing,
    };

    let error = process_pdf(&two_page_pdf(), &small_limits(), &renderer).expect_err("failed");
    assert!(
        matches!(&error, MediaError::Corrupt { reason, .. } if reason.contains("broken page")),
        "{error:?}"
    );
    let recorded = fs::read_to_string(&record).expect("pdftoppm ran");
    let prefix = PathBuf::from(recorded.trim());
    let pages_dir = prefix
        .parent()
        .expect("the prefix is in the pages directory");
    let workdir = pages_dir
        .parent()
        .expect("the pages directory is in the workdir");
    assert!(
        workdir
            .file_name()
            .and_then(|name| name.to_str())
            .is_some_and(|name| name.starts_with("lectern-pdf-")),
        "{}",
        prefix.display()
    );
    assert!(!workdir.exists(), "{} is left behind", workdir.display());
}
