//! A small element tree built from quick-xml events, with line numbers,
//! without DTDs or entities beyond XML's predefined ones.

use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

use super::{MAX_ELEMENT_DEPTH, MoodleXmlError, MoodleXmlErrorKind};

/// One XML element with its attributes, text and child elements.
#[derive(Debug, Default)]
pub(super) struct Element {
    pub name: String,
    pub attributes: Vec<(String, String)>,
    /// Text and CDATA directly inside this element, concatenated.
    pub text: String,
    pub children: Vec<Element>,
    /// 1-based line of the start tag.
    pub line: usize,
}

impl Element {
    /// Returns the first child element called `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|child| child.name == name)
    }

    /// Returns every child element called `name`, in document order.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.children.iter().filter(move |child| child.name == name)
    }

    /// Returns the value of the attribute `name`.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// Returns the text of the `<text>` child, Moodle's wrapper for every
    /// text field.
    pub fn text_child(&self) -> Option<&str> {
        self.child("text").map(|text| text.text.as_str())
    }
}

/// Maps byte offsets of the input to 1-based line numbers.
pub(super) struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(input: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(input.match_indices('\n').map(|(index, _)| index + 1));
        Self { starts }
    }

    pub fn line(&self, offset: u64) -> usize {
        let offset = usize::try_from(offset).unwrap_or(usize::MAX);
        self.starts.partition_point(|&start| start <= offset).max(1)
    }
}

/// Parses `input` into its root element.
///
/// # Errors
///
/// Rejects a DOCTYPE, an entity other than XML's five predefined ones or
/// a character reference, nesting deeper than [`MAX_ELEMENT_DEPTH`],
/// malformed XML, and a document without a root element.
pub(super) fn parse(input: &str) -> Result<Element, MoodleXmlError> {
    let lines = LineIndex::new(input);
    let mut reader = Reader::from_str(input);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;

    loop {
        let event_start = reader.buffer_position();
        let event = reader.read_event().map_err(|error| MoodleXmlError {
            line: lines.line(reader.error_position()),
            kind: MoodleXmlErrorKind::MalformedXml {
                reason: error.to_string(),
            },
        })?;
        let line = lines.line(event_start);
        let at = |kind| MoodleXmlError { line, kind };

        match event {
            Event::DocType(_) => return Err(at(MoodleXmlErrorKind::DoctypeNotAllowed)),
            Event::Start(start) => {
                if stack.len() >= MAX_ELEMENT_DEPTH {
                    return Err(at(MoodleXmlErrorKind::TooDeep {
                        max: MAX_ELEMENT_DEPTH,
                    }));
                }
                stack.push(new_element(&start, line)?);
            }
            Event::Empty(start) => {
                let element = new_element(&start, line)?;
                attach(element, &mut stack, &mut root, line)?;
            }
            Event::End(_) => {
                // quick-xml checks that end names match their start tags.
                if let Some(element) = stack.pop() {
                    attach(element, &mut stack, &mut root, line)?;
                }
            }
            Event::Text(text) => {
                if let Some(parent) = stack.last_mut() {
                    push_text(&mut parent.text, &text.xml10_content());
                }
            }
            Event::CData(data) => {
                if let Some(parent) = stack.last_mut() {
                    push_text(&mut parent.text, &data.xml10_content());
                }
            }
            Event::GeneralRef(reference) => {
                let decoded = decode_reference(&reference).ok_or_else(|| {
                    at(MoodleXmlErrorKind::UndefinedEntity {
                        name: reference.to_string(),
                    })
                })?;
                if let Some(parent) = stack.last_mut() {
                    push_text(&mut parent.text, decoded.encode_utf8(&mut [0; 4]));
                }
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
        }
    }

    if let Some(open) = stack.last() {
        return Err(MoodleXmlError {
            line: open.line,
            kind: MoodleXmlErrorKind::MalformedXml {
                reason: format!("element <{}> is never closed", open.name),
            },
        });
    }
    root.ok_or(MoodleXmlError {
        line: 1,
        kind: MoodleXmlErrorKind::MissingQuiz,
    })
}

fn new_element(start: &BytesStart<'_>, line: usize) -> Result<Element, MoodleXmlError> {
    let malformed = |reason: String| MoodleXmlError {
        line,
        kind: MoodleXmlErrorKind::MalformedXml { reason },
    };
    let name = start.name().as_ref().to_owned();

    let mut attributes = Vec::new();
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|error| malformed(error.to_string()))?;
        let key = attribute.key.as_ref().to_owned();
        // Only predefined entities and character references are expanded.
        let value = attribute
            .normalized_value(XmlVersion::Explicit1_0)
            .map_err(|error| malformed(error.to_string()))?
            .into_owned();
        attributes.push((key, value));
    }

    Ok(Element {
        name,
        attributes,
        line,
        ..Element::default()
    })
}

/// Adds a finished element to its parent, or makes it the root.
fn attach(
    element: Element,
    stack: &mut [Element],
    root: &mut Option<Element>,
    line: usize,
) -> Result<(), MoodleXmlError> {
    if let Some(parent) = stack.last_mut() {
        parent.children.push(element);
        return Ok(());
    }
    if root.is_some() {
        return Err(MoodleXmlError {
            line,
            kind: MoodleXmlErrorKind::MalformedXml {
                reason: "more than one root element".to_owned(),
            },
        });
    }
    *root = Some(element);
    Ok(())
}

/// Appends `text`, replacing characters XML 1.0 does not allow, which the
/// parser lets through, with U+FFFD as the exporter does.
fn push_text(target: &mut String, text: &str) {
    target.extend(text.chars().map(|ch| match ch {
        '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}' => {
            '\u{FFFD}'
        }
        _ => ch,
    }));
}

/// Decodes one of XML's five predefined entities or a character
/// reference. Returns `None` for anything else, which a document could
/// only define in a DTD.
fn decode_reference(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => {
            let digits = name.strip_prefix('#')?;
            let code = match digits.strip_prefix('x') {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => digits.parse::<u32>().ok()?,
            };
            char::from_u32(code).filter(|&ch| ch != '\0')
        }
    }
}
