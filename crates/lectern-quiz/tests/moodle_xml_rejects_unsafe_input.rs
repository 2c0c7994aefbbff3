//! Moodle XML import rejects DOCTYPEs, undefined entities, oversized and
//! deeply nested input, and reports malformed XML with its line number.

use lectern_quiz::moodle_xml::{self, MoodleXmlErrorKind};

#[test]
fn doctype_is_rejected() {
    let xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE quiz [\n<!ENTITY x SYSTEM \"file:///etc/passwd\">\n]>\n<quiz>&x;</quiz>";
    let error = moodle_xml::import(xml).expect_err("DOCTYPE");

    assert_eq!(error.kind, MoodleXmlErrorKind::DoctypeNotAllowed);
    assert_eq!(error.line, 2);
}

#[test]
fn undefined_entity_is_rejected() {
    let xml =
        "<quiz>\n<question type=\"truefalse\"><name><text>&bomb;</text></name></question></quiz>";
    let error = moodle_xml::import(xml).expect_err("entity");

    assert_eq!(
        error.kind,
        MoodleXmlErrorKind::UndefinedEntity {
            name: "bomb".to_owned()
        }
    );
    assert_eq!(error.line, 2);
}

#[test]
fn undefined_entity_in_attribute_is_rejected() {
    let xml = "<quiz><question type=\"&bomb;\"></question></quiz>";
    let error = moodle_xml::import(xml).expect_err("entity");

    assert!(matches!(
        error.kind,
        MoodleXmlErrorKind::MalformedXml { .. }
    ));
}

#[test]
fn predefined_entities_are_decoded() {
    let xml = r#"<quiz><question type="truefalse"><name><text>a &amp; b &#x263A; &#65;</text></name>
        <questiontext format="plain_text"><text>&lt;&gt;&quot;&apos;</text></questiontext>
        <answer fraction="100"><text>true</text></answer>
        <answer fraction="0"><text>false</text></answer></question></quiz>"#;
    let import = moodle_xml::import(xml).expect("well-formed");

    assert_eq!(
        import.questions[0].title.as_deref(),
        Some("a & b \u{263A} A")
    );
    assert_eq!(import.questions[0].text, "<>\"'");
}

#[test]
fn oversized_input_is_rejected() {
    let mut xml = String::from("<quiz>");
    xml.push_str(&" ".repeat(moodle_xml::MAX_MOODLE_XML_INPUT_BYTES));
    xml.push_str("</quiz>");
    let error = moodle_xml::import(&xml).expect_err("too large");

    assert!(matches!(
        error.kind,
        MoodleXmlErrorKind::InputTooLarge { .. }
    ));
}

#[test]
fn deep_nesting_is_rejected() {
    let depth = moodle_xml::MAX_ELEMENT_DEPTH + 1;
    let xml = format!("{}{}", "<a>".repeat(depth), "</a>".repeat(depth));
    let error = moodle_xml::import(&xml).expect_err("too deep");

    assert_eq!(
        error.kind,
        MoodleXmlErrorKind::TooDeep {
            max: moodle_xml::MAX_ELEMENT_DEPTH
        }
    );
}

#[test]
fn mismatched_tag_has_line_number() {
    let xml = "<quiz>\n<question type=\"truefalse\">\n<name><text>x</name>\n</question>\n</quiz>";
    let error = moodle_xml::import(xml).expect_err("malformed");

    assert!(matches!(
        error.kind,
        MoodleXmlErrorKind::MalformedXml { .. }
    ));
    assert_eq!(error.line, 3);
}

#[test]
fn unclosed_root_is_rejected() {
    let error = moodle_xml::import("<quiz>\n<question>").expect_err("malformed");

    assert!(matches!(
        error.kind,
        MoodleXmlErrorKind::MalformedXml { .. }
    ));
}

#[test]
fn other_root_is_rejected() {
    let error = moodle_xml::import("<questions/>").expect_err("not a quiz");

    assert_eq!(error.kind, MoodleXmlErrorKind::MissingQuiz);
}

#[test]
fn empty_input_is_rejected() {
    let error = moodle_xml::import("").expect_err("no root");

    assert_eq!(error.kind, MoodleXmlErrorKind::MissingQuiz);
}
