//! GIFT lexing: splitting the input into question blocks, dropping comment
//! lines and resolving backslash escapes into [`Sym`]s.

/// One character of a question block after escape resolution.
///
/// `escaped` is true for characters written with a backslash (`\~`, `\n`,
/// ...), which never act as GIFT syntax.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Sym {
    pub ch: char,
    pub escaped: bool,
    /// 1-based line of the input the character came from.
    pub line: usize,
}

/// The lines of one question, with comments dropped and escapes resolved.
#[derive(Debug)]
pub(super) struct Block {
    /// 1-based line of the block's first non-comment line.
    pub line: usize,
    pub syms: Vec<Sym>,
    /// Question id from a `// question: ID` comment right before or inside
    /// the block, as Moodle's GIFT export writes it.
    pub id_hint: Option<String>,
}

/// Characters a backslash escapes. `\n` is handled separately.
const ESCAPABLE: [char; 7] = ['\\', '~', '=', '#', '{', '}', ':'];

/// Splits `input` into question blocks separated by blank lines.
///
/// Lines whose first non-blank characters are `//` are comments, as in
/// Moodle: they are dropped and do not end a block. A comment of the form
/// `// question: ID` sets the id hint of the block it belongs to.
pub(super) fn split_blocks(input: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut current: Vec<(usize, &str)> = Vec::new();
    let mut id_hint: Option<String> = None;

    for (index, raw_line) in input.split('\n').enumerate() {
        let line_number = index + 1;
        let line = raw_line.strip_suffix('\r').unwrap_or(raw_line);
        let trimmed = line.trim();

        if trimmed.is_empty() {
            if !current.is_empty() {
                blocks.push(lex_block(&current, id_hint.take()));
                current.clear();
            }
            continue;
        }
        if let Some(comment) = trimmed.strip_prefix("//") {
            if let Some(id) = parse_id_comment(comment) {
                id_hint = Some(id);
            }
            continue;
        }
        current.push((line_number, line));
    }
    if !current.is_empty() {
        blocks.push(lex_block(&current, id_hint.take()));
    }
    blocks
}

/// Reads the id from a `question: ID ...` comment body.
fn parse_id_comment(comment: &str) -> Option<String> {
    let rest = comment.trim_start().strip_prefix("question:")?;
    rest.split_whitespace().next().map(str::to_owned)
}

/// Joins a block's lines with newlines and resolves escapes.
fn lex_block(lines: &[(usize, &str)], id_hint: Option<String>) -> Block {
    let mut syms = Vec::new();
    for (position, &(line, text)) in lines.iter().enumerate() {
        if position > 0 {
            syms.push(Sym {
                ch: '\n',
                escaped: false,
                line,
            });
        }
        lex_line(text, line, &mut syms);
    }
    Block {
        line: lines.first().map_or(1, |&(line, _)| line),
        syms,
        id_hint,
    }
}

fn lex_line(text: &str, line: usize, syms: &mut Vec<Sym>) {
    // A carriage return inside a line is dropped like one ending a line.
    let mut chars = text.chars().filter(|&ch| ch != '\r').peekable();
    while let Some(ch) = chars.next() {
        if ch == '\\' {
            match chars.peek().copied() {
                Some(next) if ESCAPABLE.contains(&next) => {
                    chars.next();
                    syms.push(Sym {
                        ch: next,
                        escaped: true,
                        line,
                    });
                    continue;
                }
                Some('n') => {
                    chars.next();
                    syms.push(Sym {
                        ch: '\n',
                        escaped: true,
                        line,
                    });
                    continue;
                }
                // Moodle keeps a backslash before any other character.
                _ => {}
            }
        }
        syms.push(Sym {
            ch,
            escaped: false,
            line,
        });
    }
}

/// Returns true when `sym` is the unescaped character `ch`.
pub(super) fn is_syntax(sym: &Sym, ch: char) -> bool {
    sym.ch == ch && !sym.escaped
}

/// Returns the index of the first unescaped `ch` in `syms`.
pub(super) fn find(syms: &[Sym], ch: char) -> Option<usize> {
    syms.iter().position(|sym| is_syntax(sym, ch))
}

/// Returns the index of the first unescaped occurrence of `pattern`.
pub(super) fn find_str(syms: &[Sym], pattern: &str) -> Option<usize> {
    let pattern: Vec<char> = pattern.chars().collect();
    if pattern.is_empty() || syms.len() < pattern.len() {
        return None;
    }
    (0..=syms.len() - pattern.len()).find(|&start| {
        pattern
            .iter()
            .enumerate()
            .all(|(offset, &ch)| is_syntax(&syms[start + offset], ch))
    })
}

/// Returns the index of the last unescaped occurrence of `pattern`.
pub(super) fn rfind_str(syms: &[Sym], pattern: &str) -> Option<usize> {
    let pattern: Vec<char> = pattern.chars().collect();
    if pattern.is_empty() || syms.len() < pattern.len() {
        return None;
    }
    (0..=syms.len() - pattern.len()).rev().find(|&start| {
        pattern
            .iter()
            .enumerate()
            .all(|(offset, &ch)| is_syntax(&syms[start + offset], ch))
    })
}

/// Strips whitespace, escaped or not, from both ends.
pub(super) fn trim(syms: &[Sym]) -> &[Sym] {
    let start = syms
        .iter()
        .position(|sym| !sym.ch.is_whitespace())
        .unwrap_or(syms.len());
    let end = syms
        .iter()
        .rposition(|sym| !sym.ch.is_whitespace())
        .map_or(start, |index| index + 1);
    &syms[start..end]
}

/// Collects the characters of `syms` into a string.
pub(super) fn to_string(syms: &[Sym]) -> String {
    syms.iter().map(|sym| sym.ch).collect()
}

/// Returns true when `syms` holds only whitespace.
pub(super) fn is_blank(syms: &[Sym]) -> bool {
    syms.iter().all(|sym| sym.ch.is_whitespace())
}

/// Splits `syms` before every unescaped character in `markers`.
///
/// Returns the text before the first marker and then each marker with the
/// text that follows it, up to the next marker.
pub(super) fn split_markers<'a>(
    syms: &'a [Sym],
    markers: &[char],
) -> (&'a [Sym], Vec<(char, &'a [Sym])>) {
    let positions: Vec<usize> = syms
        .iter()
        .enumerate()
        .filter(|(_, sym)| !sym.escaped && markers.contains(&sym.ch))
        .map(|(index, _)| index)
        .collect();

    let leading_end = positions.first().copied().unwrap_or(syms.len());
    let mut parts = Vec::with_capacity(positions.len());
    for (number, &start) in positions.iter().enumerate() {
        let end = positions.get(number + 1).copied().unwrap_or(syms.len());
        parts.push((syms[start].ch, &syms[start + 1..end]));
    }
    (&syms[..leading_end], parts)
}
