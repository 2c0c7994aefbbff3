//! GIFT import reports each unreadable question with its line number and
//! goes on with the rest, read from `fixtures/gift/errors.gift`.

use lectern_quiz::gift::{self, GiftError, GiftErrorKind, GiftImport};

fn import_errors_fixture() -> GiftImport {
    gift::import(include_str!("fixtures/gift/errors.gift")).expect("small")
}

fn error_at(import: &GiftImport, line: usize) -> &GiftError {
    import
        .errors
        .iter()
        .find(|error| error.line == line)
        .unwrap_or_else(|| panic!("no error at line {line}: {:?}", import.errors))
}

#[test]
fn good_questions_are_still_imported() {
    let import = import_errors_fixture();
    let titles: Vec<Option<&str>> = import
        .questions
        .iter()
        .map(|question| question.title.as_deref())
        .collect();

    assert_eq!(
        titles,
        vec![Some("Good one"), Some("Good two"), Some("Last")]
    );
}

#[test]
fn every_bad_question_has_one_error() {
    let import = import_errors_fixture();
    let lines: Vec<usize> = import.errors.iter().map(|error| error.line).collect();

    assert_eq!(lines, vec![4, 6, 8, 12, 14, 16, 22]);
}

#[test]
fn essay_is_rejected() {
    let import = import_errors_fixture();

    assert_eq!(error_at(&import, 4).kind, GiftErrorKind::EssayNotSupported);
}

#[test]
fn description_is_rejected() {
    let import = import_errors_fixture();

    assert_eq!(
        error_at(&import, 6).kind,
        GiftErrorKind::DescriptionNotSupported
    );
}

#[test]
fn unclosed_block_is_rejected() {
    let import = import_errors_fixture();

    assert_eq!(
        error_at(&import, 8).kind,
        GiftErrorKind::UnclosedAnswerBlock
    );
}

#[test]
fn invalid_number_is_rejected() {
    let import = import_errors_fixture();

    assert_eq!(
        error_at(&import, 12).kind,
        GiftErrorKind::InvalidNumber {
            text: "three".to_owned()
        }
    );
}

#[test]
fn weight_out_of_range_is_rejected() {
    let import = import_errors_fixture();

    assert_eq!(
        error_at(&import, 14).kind,
        GiftErrorKind::InvalidWeight {
            weight: "150".to_owned()
        }
    );
}

#[test]
fn matching_without_arrow_is_rejected() {
    let import = import_errors_fixture();

    assert_eq!(
        error_at(&import, 16).kind,
        GiftErrorKind::MissingMatchArrow {
            text: "c".to_owned()
        }
    );
}

#[test]
fn error_inside_block_points_at_its_line() {
    let import = import_errors_fixture();

    assert_eq!(
        error_at(&import, 22).kind,
        GiftErrorKind::InvalidNumber {
            text: "two".to_owned()
        }
    );
}

#[test]
fn message_starts_with_line() {
    let import = import_errors_fixture();
    let message = error_at(&import, 4).to_string();

    assert!(message.starts_with("line 4: essay questions"), "{message}");
}

#[test]
fn stray_closing_brace_is_rejected() {
    let import = gift::import("\n\nText } with {T}").expect("small");

    assert_eq!(
        import.errors,
        vec![GiftError {
            line: 3,
            kind: GiftErrorKind::UnexpectedClosingBrace
        }]
    );
}

#[test]
fn second_block_is_rejected() {
    let import = gift::import("A {T} and {F}").expect("small");

    assert_eq!(import.errors[0].kind, GiftErrorKind::MultipleAnswerBlocks);
}

#[test]
fn unclosed_title_is_rejected() {
    let import = gift::import("::Title without end {T}").expect("small");

    assert_eq!(import.errors[0].kind, GiftErrorKind::UnclosedTitle);
}

#[test]
fn single_choice_answer_is_too_few() {
    let import = gift::import("Pick{~only}").expect("small");

    assert_eq!(
        import.errors[0].kind,
        GiftErrorKind::TooFewAnswers {
            kind: "multiple-choice",
            min: 2,
            found: 1
        }
    );
}

#[test]
fn inverted_range_is_rejected() {
    let import = gift::import("Number{#5..1}").expect("small");

    assert!(matches!(
        import.errors[0].kind,
        GiftErrorKind::InvertedRange { .. }
    ));
}

#[test]
fn negative_tolerance_is_rejected() {
    let import = gift::import("Number{#5:-1}").expect("small");

    assert!(matches!(
        import.errors[0].kind,
        GiftErrorKind::NegativeTolerance { .. }
    ));
}

#[test]
fn infinite_number_is_rejected() {
    let import = gift::import("Number{#inf}").expect("small");

    assert!(matches!(
        import.errors[0].kind,
        GiftErrorKind::InvalidNumber { .. }
    ));
}
