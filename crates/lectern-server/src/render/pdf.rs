//! A minimal PDF 1.4 writer: one page per raster, each page showing its
//! raster as a Flate-compressed RGB image that fills the page.

use std::io::Write;

use flate2::Compression;
use flate2::write::ZlibEncoder;
use tiny_skia::Pixmap;

/// PDF points per pixel, so that a page prints at 96 pixels per inch.
const POINTS_PER_PIXEL: f64 = 72.0 / 96.0;

/// Writes a PDF with one page per raster, in order. Transparent pixels
/// come out black, so callers render on an opaque background.
pub fn write_pdf(pages: &[Pixmap]) -> Vec<u8> {
    let mut writer = PdfWriter::default();
    writer
        .out
        .extend_from_slice(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n");

    // Objects 1 and 2 are the catalog and the page tree, then each page
    // takes three: the page, its content stream and its image.
    let page_ids: Vec<usize> = (0..pages.len()).map(|index| 3 + index * 3).collect();

    writer.object(1, b"<< /Type /Catalog /Pages 2 0 R >>");
    let kids: Vec<String> = page_ids.iter().map(|id| format!("{id} 0 R")).collect();
    writer.object(
        2,
        format!(
            "<< /Type /Pages /Kids [{}] /Count {} >>",
            kids.join(" "),
            pages.len()
        )
        .as_bytes(),
    );

    for (pixmap, &page_id) in pages.iter().zip(&page_ids) {
        let width = f64::from(pixmap.width()) * POINTS_PER_PIXEL;
        let height = f64::from(pixmap.height()) * POINTS_PER_PIXEL;
        writer.object(
            page_id,
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width:.2} {height:.2}] \
                 /Resources << /XObject << /Im0 {} 0 R >> >> /Contents {} 0 R >>",
                page_id + 2,
                page_id + 1
            )
            .as_bytes(),
        );

        let content = format!("q {width:.2} 0 0 {height:.2} 0 0 cm /Im0 Do Q\n");
        writer.stream(page_id + 1, "", content.as_bytes());

        let dictionary = format!(
            "/Type /XObject /Subtype /Image /Width {} /Height {} \
             /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /FlateDecode",
            pixmap.width(),
            pixmap.height()
        );
        writer.stream(page_id + 2, &dictionary, &compress(&rgb_bytes(pixmap)));
    }

    writer.finish(1 + 2 + pages.len() * 3)
}

/// Returns the RGB bytes of a pixmap, dropping alpha.
fn rgb_bytes(pixmap: &Pixmap) -> Vec<u8> {
    let mut rgb = Vec::with_capacity(pixmap.pixels().len() * 3);
    for pixel in pixmap.pixels() {
        let color = pixel.demultiply();
        rgb.extend_from_slice(&[color.red(), color.green(), color.blue()]);
    }
    rgb
}

fn compress(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = ZlibEncoder::new(Vec::new(), Compression::default());
    // `Write` for `Vec<u8>` never returns an error.
    let _ = encoder.write_all(bytes);
    encoder.finish().unwrap_or_default()
}

#[derive(Default)]
struct PdfWriter {
    out: Vec<u8>,
    /// Byte offset of each object, indexed by object number.
    offsets: Vec<usize>,
}

impl std::fmt::Debug for PdfWriter {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("PdfWriter")
            .field("bytes", &self.out.len())
            .finish()
    }
}

impl PdfWriter {
    fn begin(&mut self, id: usize) {
        if self.offsets.len() <= id {
            self.offsets.resize(id + 1, 0);
        }
        self.offsets[id] = self.out.len();
        self.out
            .extend_from_slice(format!("{id} 0 obj\n").as_bytes());
    }

    fn object(&mut self, id: usize, body: &[u8]) {
        self.begin(id);
        self.out.extend_from_slice(body);
        self.out.extend_from_slice(b"\nendobj\n");
    }

    /// Writes a stream object. `dictionary` contains the entries besides
    /// `/Length`.
    fn stream(&mut self, id: usize, dictionary: &str, data: &[u8]) {
        self.begin(id);
        self.out.extend_from_slice(
            format!("<< {dictionary} /Length {} >>\nstream\n", data.len()).as_bytes(),
        );
        self.out.extend_from_slice(data);
        self.out.extend_from_slice(b"\nendstream\nendobj\n");
    }

    /// Writes the cross-reference table and trailer for objects 1 to
    /// `count - 1` and returns the file.
    fn finish(mut self, count: usize) -> Vec<u8> {
        let xref = self.out.len();
        let mut table = format!("xref\n0 {count}\n0000000000 65535 f \n");
        for id in 1..count {
            let offset = self.offsets.get(id).copied().unwrap_or(0);
            table.push_str(&format!("{offset:010} 00000 n \n"));
        }
        table.push_str(&format!(
            "trailer\n<< /Size {count} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
        ));
        self.out.extend_from_slice(table.as_bytes());
        self.out
    }
}
