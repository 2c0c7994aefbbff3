//! GIFT import never panics, on random text and on mutated fixtures, and
//! what it reads survives a second export and import.

use lectern_quiz::gift;
use lectern_quiz::{Question, Quiz};

/// xorshift64, seeded, so every failure reproduces.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound as u64) as usize
    }
}

/// Characters weighted towards GIFT syntax.
const ALPHABET: &[&str] = &[
    "{",
    "}",
    "~",
    "=",
    "#",
    ":",
    "::",
    "\\",
    "%",
    "-",
    ">",
    "->",
    "..",
    "\n",
    "\n\n",
    " ",
    "\t",
    "T",
    "TRUE",
    "F",
    "a",
    "b",
    "1",
    "2.5",
    "-3",
    "%50%",
    "%-25%",
    "####",
    "[html]",
    "[plain]",
    "<p>",
    "&amp;",
    "//",
    "$CATEGORY:",
    "_",
    "é",
    "\u{0}",
    "\r",
    "e9",
    "inf",
    "NaN",
];

fn random_input(rng: &mut XorShift) -> String {
    let length = rng.below(60);
    (0..length)
        .map(|_| ALPHABET[rng.below(ALPHABET.len())])
        .collect()
}

fn mutate(text: &str, rng: &mut XorShift) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for _ in 0..=rng.below(6) {
        if chars.is_empty() {
            break;
        }
        let position = rng.below(chars.len());
        match rng.below(3) {
            0 => {
                chars.remove(position);
            }
            1 => {
                let insert: Vec<char> = ALPHABET[rng.below(ALPHABET.len())].chars().collect();
                for (offset, ch) in insert.into_iter().enumerate() {
                    chars.insert(position + offset, ch);
                }
            }
            _ => {
                let other = rng.below(chars.len());
                chars.swap(position, other);
            }
        }
    }
    chars.into_iter().collect()
}

/// Imports `input`, then checks that exporting and importing what was read
/// gives the same questions.
fn check(input: &str) {
    let Ok(first) = gift::import(input) else {
        return;
    };
    let quiz = Quiz {
        title: "random".to_owned(),
        description: None,
        questions: first.questions.clone(),
    };
    let export = gift::export(&quiz);
    let second = gift::import(&export.text).expect("export is small");

    assert_eq!(
        second.errors,
        vec![],
        "input {input:?}\nexport {:?}",
        export.text
    );
    let kept: Vec<&Question> = first
        .questions
        .iter()
        .filter(|question| export.skipped.iter().all(|skip| skip.id != question.id))
        .collect();
    assert_eq!(
        second.questions.iter().collect::<Vec<_>>(),
        kept,
        "input {input:?}\nexport {:?}",
        export.text
    );
}

#[test]
fn random_input_never_panics() {
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    for _ in 0..20_000 {
        check(&random_input(&mut rng));
    }
}

#[test]
fn mutated_fixtures_never_panic() {
    let fixtures = [
        include_str!("fixtures/gift/all_kinds.gift"),
        include_str!("fixtures/gift/errors.gift"),
        include_str!("fixtures/gift/escapes.gift"),
    ];
    let mut rng = XorShift(0x2545_F491_4F6C_DD1D);
    for _ in 0..3_000 {
        let fixture = fixtures[rng.below(fixtures.len())];
        check(&mutate(fixture, &mut rng));
    }
}
