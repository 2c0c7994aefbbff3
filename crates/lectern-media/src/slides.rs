//! PDF slides: one picture per page, rendered by poppler-utils.
//!
//! `pdfinfo` reads the page count first, so an oversized deck is rejected
//! before any page is rendered. `pdftoppm` then renders every page to PNG
//! with its longest edge at [`MediaLimits::display_max_edge`]. Both run as
//! subprocesses without a shell, in a fresh temporary directory, with
//! [`MediaLimits::renderer_timeout`] each, and are killed when it runs
//! out. Each page then goes through the picture pipeline.

use std::ffi::OsString;
use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::error::MediaError;
use crate::kind::{MediaKind, detect_kind};
use crate::limits::MediaLimits;
use crate::picture::{ProcessedImage, process_image};

/// The renderer's programs, from Debian's `poppler-utils` package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PdfRenderer {
    /// The `pdfinfo` program. Default: `pdfinfo`, found on `PATH`.
    pub pdfinfo: PathBuf,
    /// The `pdftoppm` program. Default: `pdftoppm`, found on `PATH`.
    pub pdftoppm: PathBuf,
}

impl Default for PdfRenderer {
    fn default() -> Self {
        PdfRenderer {
            pdfinfo: PathBuf::from("pdfinfo"),
            pdftoppm: PathBuf::from("pdftoppm"),
        }
    }
}

/// Renders a PDF into one processed picture per page, in page order.
///
/// Each page's `original` and `display` are the same picture, rendered to
/// fit [`MediaLimits::display_max_edge`]. Blocks for up to twice
/// [`MediaLimits::renderer_timeout`] plus the picture pipeline's time: an
/// async server runs it in `spawn_blocking`.
///
/// NOTE: the renderer runs with the server's memory and file limits; a
/// crafted PDF can make it use much memory within the time limit. Bound
/// the server's memory (for example with systemd's `MemoryMax=`).
pub fn process_pdf(
    bytes: &[u8],
    limits: &MediaLimits,
    renderer: &PdfRenderer,
) -> Result<Vec<ProcessedImage>, MediaError> {
    let kind = detect_kind(bytes)?;
    if kind != MediaKind::Pdf {
        return Err(MediaError::WrongCategory {
            kind,
            expected: "a PDF",
        });
    }
    limits.check_size(kind, bytes.len() as u64)?;

    let workdir = tempfile::Builder::new()
        .prefix("lectern-pdf-")
        .tempdir()
        .map_err(|source| MediaError::Io {
            action: "create a temporary directory for the PDF renderer",
            source,
        })?;
    let input = workdir.path().join("input.pdf");
    fs::write(&input, bytes).map_err(|source| MediaError::Io {
        action: "write the PDF to the renderer's temporary directory",
        source,
    })?;

    let pages = count_pages(workdir.path(), &input, limits, renderer)?;
    if pages > limits.max_pdf_pages {
        return Err(MediaError::TooManyPages {
            pages,
            limit: limits.max_pdf_pages,
        });
    }

    let page_files = render_pages(workdir.path(), &input, pages, limits, renderer)?;
    let mut processed = Vec::with_capacity(page_files.len());
    for page_file in page_files {
        let page = fs::read(&page_file).map_err(|source| MediaError::Io {
            action: "read a rendered page",
            source,
        })?;
        processed.push(process_image(&page, MediaKind::Png, limits)?);
    }
    Ok(processed)
}

/// Runs `pdfinfo` and returns the page count.
fn count_pages(
    workdir: &Path,
    input: &Path,
    limits: &MediaLimits,
    renderer: &PdfRenderer,
) -> Result<u32, MediaError> {
    let stdout_path = workdir.join("pdfinfo.out");
    let stderr_path = workdir.join("pdfinfo.err");
    let args = [input.as_os_str().to_owned()];
    let status = run(
        &renderer.pdfinfo,
        &args,
        &stdout_path,
        &stderr_path,
        limits.renderer_timeout,
    )?;
    let stderr = read_log(&stderr_path);
    if !status.success() {
        return Err(failure(&renderer.pdfinfo, status, &stderr));
    }

    let info = read_log(&stdout_path);
    let pages = info
        .lines()
        .find_map(|line| line.strip_prefix("Pages:"))
        .and_then(|count| count.trim().parse::<u32>().ok())
        .ok_or_else(|| MediaError::Corrupt {
            kind: MediaKind::Pdf,
            reason: "pdfinfo found no page count".to_owned(),
        })?;
    if pages == 0 {
        return Err(MediaError::Corrupt {
            kind: MediaKind::Pdf,
            reason: "the document has no pages".to_owned(),
        });
    }
    Ok(pages)
}

/// Runs `pdftoppm` and returns the rendered page files in page order.
fn render_pages(
    workdir: &Path,
    input: &Path,
    pages: u32,
    limits: &MediaLimits,
    renderer: &PdfRenderer,
) -> Result<Vec<PathBuf>, MediaError> {
    let output_dir = workdir.join("pages");
    fs::create_dir(&output_dir).map_err(|source| MediaError::Io {
        action: "create the directory for rendered pages",
        source,
    })?;
    // `-scale-to` sets the longest edge of each page in pixels, keeping
    // its aspect ratio, whatever the page's size in points.
    let args: Vec<OsString> = vec![
        "-png".into(),
        "-scale-to".into(),
        limits.display_max_edge.to_string().into(),
        "-f".into(),
        "1".into(),
        "-l".into(),
        pages.to_string().into(),
        input.as_os_str().to_owned(),
        output_dir.join("page").into_os_string(),
    ];
    let stderr_path = workdir.join("pdftoppm.err");
    let status = run(
        &renderer.pdftoppm,
        &args,
        Path::new("/dev/null"),
        &stderr_path,
        limits.renderer_timeout,
    )?;
    let stderr = read_log(&stderr_path);
    if !status.success() {
        return Err(failure(&renderer.pdftoppm, status, &stderr));
    }

    // pdftoppm names pages `page-1.png` or `page-01.png`, padding the
    // number to the width of the last page's number.
    let entries = fs::read_dir(&output_dir).map_err(|source| MediaError::Io {
        action: "list the rendered pages",
        source,
    })?;
    let mut numbered = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|source| MediaError::Io {
                action: "list the rendered pages",
                source,
            })?
            .path();
        let number = path
            .file_stem()
            .and_then(|stem| stem.to_str())
            .and_then(|stem| stem.rsplit('-').next())
            .and_then(|digits| digits.parse::<u32>().ok());
        if let Some(number) = number {
            numbered.push((number, path));
        }
    }
    numbered.sort();

    if numbered.len() != pages as usize {
        return Err(MediaError::Corrupt {
            kind: MediaKind::Pdf,
            reason: format!(
                "pdftoppm rendered {} of {pages} pages{}",
                numbered.len(),
                last_line_suffix(&stderr)
            ),
        });
    }
    Ok(numbered.into_iter().map(|(_, path)| path).collect())
}

/// Runs a program without a shell, with standard input closed and output
/// written to files (a pipe could fill up and stall the program), and
/// kills it when `timeout` runs out.
fn run(
    program: &Path,
    args: &[OsString],
    stdout_path: &Path,
    stderr_path: &Path,
    timeout: Duration,
) -> Result<ExitStatus, MediaError> {
    let open_log = |path: &Path| {
        File::create(path).map_err(|source| MediaError::Io {
            action: "create a log file for the PDF renderer",
            source,
        })
    };
    let stdout = open_log(stdout_path)?;
    let stderr = open_log(stderr_path)?;

    let mut child = Command::new(program)
        .args(args)
        .env("LC_ALL", "C")
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .spawn()
        .map_err(|error| match error.kind() {
            io::ErrorKind::NotFound => MediaError::RendererMissing {
                program: program.to_owned(),
            },
            _ => MediaError::Renderer {
                program: program.to_owned(),
                reason: format!("could not start it: {error}"),
            },
        })?;

    let started = Instant::now();
    let mut pause = Duration::from_millis(5);
    loop {
        let waited = child.try_wait().map_err(|error| MediaError::Renderer {
            program: program.to_owned(),
            reason: format!("could not wait for it: {error}"),
        })?;
        if let Some(status) = waited {
            return Ok(status);
        }
        if started.elapsed() >= timeout {
            if let Err(error) = child.kill() {
                tracing::warn!(program = %program.display(), %error, "failed to kill the PDF renderer");
            }
            if let Err(error) = child.wait() {
                tracing::warn!(program = %program.display(), %error, "failed to reap the PDF renderer");
            }
            return Err(MediaError::RendererTimeout {
                program: program.to_owned(),
                timeout,
            });
        }
        thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(50));
    }
}

/// Maps a failed run to an error. An exit status means poppler rejected
/// the file; death by a signal means the renderer itself failed.
fn failure(program: &Path, status: ExitStatus, stderr: &str) -> MediaError {
    if stderr.contains("Incorrect password") {
        return MediaError::EncryptedPdf;
    }
    match status.code() {
        Some(code) => MediaError::Corrupt {
            kind: MediaKind::Pdf,
            reason: format!(
                "{} exited with status {code}{}",
                program.display(),
                last_line_suffix(stderr)
            ),
        },
        None => MediaError::Renderer {
            program: program.to_owned(),
            reason: format!(
                "it was stopped by a signal ({status}){}",
                last_line_suffix(stderr)
            ),
        },
    }
}

/// Reads up to 64 KiB of a renderer's log, lossily decoded.
fn read_log(path: &Path) -> String {
    let bytes = fs::read(path).unwrap_or_default();
    let end = bytes.len().min(64 * 1024);
    String::from_utf8_lossy(&bytes[..end]).into_owned()
}

/// Formats the last non-empty log line, cut to 200 characters, as a suffix
/// for an error reason.
fn last_line_suffix(log: &str) -> String {
    match log
        .lines()
        .rev()
        .map(str::trim)
        .find(|line| !line.is_empty())
    {
        Some(line) => format!(": {}", line.chars().take(200).collect::<String>()),
        None => String::new(),
    }
}
