//! Moodle XML import never panics, on random markup and on mutated
//! documents, and what it reads survives a second export and import.

use lectern_quiz::moodle_xml;
use lectern_quiz::{Question, QuestionKind, Quiz};

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

/// Fragments weighted towards Moodle XML structure.
const FRAGMENTS: &[&str] = &[
    "<quiz>",
    "</quiz>",
    "<question type=\"multichoice\">",
    "<question type=\"truefalse\">",
    "<question type=\"shortanswer\">",
    "<question type=\"numerical\">",
    "<question type=\"matching\">",
    "<question type=\"ordering\">",
    "<question type=\"category\">",
    "</question>",
    "<answer fraction=\"100\">",
    "<answer fraction=\"-50\">",
    "<answer fraction=\"2\">",
    "</answer>",
    "<text>",
    "</text>",
    "<subquestion>",
    "</subquestion>",
    "<single>false</single>",
    "<tolerance>0.5</tolerance>",
    "<defaultgrade>2</defaultgrade>",
    "<idnumber>x</idnumber>",
    "<name><text>n</text></name>",
    "<questiontext format=\"html\"><text>",
    "<![CDATA[<p>a</p>]]>",
    "&amp;",
    "&lt;",
    "&#65;",
    "&#0;",
    "&x;",
    "<!DOCTYPE x>",
    "<!-- c -->",
    "<br/>",
    "true",
    "false",
    "*",
    "3.5",
    "abc",
    "\n",
    " ",
    "\u{1}",
    "é",
    "<",
    ">",
    "\"",
];

fn random_input(rng: &mut XorShift) -> String {
    let length = rng.below(80);
    (0..length)
        .map(|_| FRAGMENTS[rng.below(FRAGMENTS.len())])
        .collect()
}

fn mutate(text: &str, rng: &mut XorShift) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for _ in 0..=rng.below(4) {
        if chars.is_empty() {
            break;
        }
        let position = rng.below(chars.len());
        match rng.below(3) {
            0 => {
                chars.remove(position);
            }
            1 => {
                let insert: Vec<char> = FRAGMENTS[rng.below(FRAGMENTS.len())].chars().collect();
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

/// Returns `question` without what Moodle XML cannot carry back: a title
/// equal to the id, and short-text correct/incorrect and numeric correct
/// feedback.
fn carried(question: &Question) -> Question {
    let mut carried = question.clone();
    if carried.title.as_deref() == Some(carried.id.as_str()) {
        carried.title = None;
    }
    match carried.kind {
        QuestionKind::ShortText { .. } => {
            carried.feedback.correct = None;
            carried.feedback.incorrect = None;
        }
        QuestionKind::Numeric { .. } => carried.feedback.correct = None,
        _ => {}
    }
    carried
}

/// Imports `input`, then checks that exporting and importing what was read
/// gives the same questions.
fn check(input: &str) {
    let Ok(first) = moodle_xml::import(input) else {
        return;
    };
    let quiz = Quiz {
        title: "random".to_owned(),
        description: None,
        questions: first.questions.clone(),
    };
    let export = moodle_xml::export(&quiz);
    let second = moodle_xml::import(&export.text).expect("export is well-formed");

    assert_eq!(
        second.errors,
        vec![],
        "input {input:?}\nexport {}",
        export.text
    );
    let expected: Vec<Question> = first.questions.iter().map(carried).collect();
    assert_eq!(
        second.questions, expected,
        "input {input:?}\nexport {}",
        export.text
    );
}

#[test]
fn random_markup_never_panics() {
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    for _ in 0..20_000 {
        check(&random_input(&mut rng));
    }
}

#[test]
fn mutated_documents_never_panic() {
    let sample: Quiz =
        serde_json::from_str(include_str!("fixtures/sample_quiz.json")).expect("valid quiz JSON");
    let exported = moodle_xml::export(&sample).text;
    let documents = [
        include_str!("fixtures/moodle_xml/all_types.xml"),
        exported.as_str(),
    ];
    let mut rng = XorShift(0x2545_F491_4F6C_DD1D);
    for _ in 0..2_000 {
        let document = documents[rng.below(documents.len())];
        check(&mutate(document, &mut rng));
    }
}
