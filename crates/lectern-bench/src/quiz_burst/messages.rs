//! The control-channel messages of a quiz run, as the bench's clients send
//! and read them: JSON text frames with a protocol version `v` and a `type`.

use serde_json::{Value, json};

/// The control protocol version the bench speaks.
const VERSION: u64 = 1;

/// A server message, reduced to the fields the bench reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerEvent {
    /// `welcome`, the first message after the upgrade.
    Welcome,
    /// `quiz.state` with a run; `question_index` is set in the phases that
    /// concern a question.
    QuizState {
        run_id: String,
        phase: String,
        question_index: Option<u64>,
    },
    /// `quiz.state` while no run exists.
    NoRun,
    /// `quiz.accepted`, the reply to an answer once it is stored.
    Accepted {
        reference: Option<String>,
        duplicate: bool,
    },
    /// `quiz.progress`, sent to the lecturer as answers are stored.
    Progress { answered: u64 },
    /// `error`, a rejected request.
    Error {
        reference: Option<String>,
        code: String,
        message: String,
    },
    /// A message the bench does not use, such as `floor.state`.
    Other,
}

/// A text frame that is not a control message the bench can read.
#[derive(Debug, thiserror::Error)]
pub enum MessageError {
    #[error("the frame is not JSON: {0}")]
    Json(#[from] serde_json::Error),

    #[error("the {kind} message has no valid {field:?} field: {text}")]
    Field {
        kind: String,
        field: &'static str,
        text: String,
    },
}

/// Parses one text frame from the server.
pub fn parse(text: &str) -> Result<ServerEvent, MessageError> {
    let value: Value = serde_json::from_str(text)?;
    let kind = value["type"].as_str().unwrap_or_default();
    let missing = |field: &'static str| MessageError::Field {
        kind: kind.to_owned(),
        field,
        text: text.to_owned(),
    };
    let reference = value["ref"].as_str().map(str::to_owned);

    let event = match kind {
        "welcome" => ServerEvent::Welcome,
        "quiz.state" => {
            let run = &value["run"];
            if run.is_null() {
                ServerEvent::NoRun
            } else {
                ServerEvent::QuizState {
                    run_id: run["run_id"]
                        .as_str()
                        .ok_or_else(|| missing("run.run_id"))?
                        .to_owned(),
                    phase: run["phase"]
                        .as_str()
                        .ok_or_else(|| missing("run.phase"))?
                        .to_owned(),
                    question_index: run["question"]["index"].as_u64(),
                }
            }
        }
        "quiz.accepted" => ServerEvent::Accepted {
            reference,
            duplicate: value["duplicate"]
                .as_bool()
                .ok_or_else(|| missing("duplicate"))?,
        },
        "quiz.progress" => ServerEvent::Progress {
            answered: value["answered"]
                .as_u64()
                .ok_or_else(|| missing("answered"))?,
        },
        "error" => ServerEvent::Error {
            reference,
            code: value["code"]
                .as_str()
                .ok_or_else(|| missing("code"))?
                .to_owned(),
            message: value["message"].as_str().unwrap_or_default().to_owned(),
        },
        _ => ServerEvent::Other,
    };
    Ok(event)
}

/// Encodes the lecturer's `quiz.launch` of quiz `quiz_id`.
pub fn launch(quiz_id: &str) -> String {
    json!({ "v": VERSION, "type": "quiz.launch", "ref": "launch", "quiz_id": quiz_id }).to_string()
}

/// Encodes the lecturer's `quiz.next`, which opens the next question.
pub fn next_question() -> String {
    json!({ "v": VERSION, "type": "quiz.next", "ref": "next" }).to_string()
}

/// Encodes the lecturer's `quiz.end`.
pub fn end() -> String {
    json!({ "v": VERSION, "type": "quiz.end", "ref": "end" }).to_string()
}

/// Encodes a student's `quiz.answer` picking choice `choice` of a
/// single-choice question.
pub fn answer(reference: &str, run_id: &str, question_index: u64, choice: usize) -> String {
    json!({
        "v": VERSION,
        "type": "quiz.answer",
        "ref": reference,
        "run_id": run_id,
        "question_index": question_index,
        "answer": { "type": "choice", "index": choice },
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_question_state() {
        let text = r#"{"v":1,"type":"quiz.state","server_time":1,"run":{"run_id":"r_1",
            "phase":"question_open","question":{"index":0,"count":1}}}"#;
        assert_eq!(
            parse(text).expect("valid state"),
            ServerEvent::QuizState {
                run_id: "r_1".to_owned(),
                phase: "question_open".to_owned(),
                question_index: Some(0),
            }
        );
    }

    #[test]
    fn lobby_state_has_no_question() {
        let text =
            r#"{"v":1,"type":"quiz.state","run":{"run_id":"r_1","phase":"lobby","question":null}}"#;
        let ServerEvent::QuizState { question_index, .. } = parse(text).expect("valid state")
        else {
            panic!("expected a quiz state");
        };
        assert_eq!(question_index, None);
    }

    #[test]
    fn state_without_run() {
        let text = r#"{"v":1,"type":"quiz.state","server_time":1,"run":null}"#;
        assert_eq!(parse(text).expect("valid state"), ServerEvent::NoRun);
    }

    #[test]
    fn accepted_keeps_reference() {
        let text = r#"{"v":1,"type":"quiz.accepted","ref":"s7","run_id":"r_1",
            "question_index":0,"duplicate":false}"#;
        assert_eq!(
            parse(text).expect("valid reply"),
            ServerEvent::Accepted {
                reference: Some("s7".to_owned()),
                duplicate: false,
            }
        );
    }

    #[test]
    fn error_keeps_code() {
        let text = r#"{"v":1,"type":"error","ref":"s7","code":"late","message":"too late"}"#;
        assert_eq!(
            parse(text).expect("valid error"),
            ServerEvent::Error {
                reference: Some("s7".to_owned()),
                code: "late".to_owned(),
                message: "too late".to_owned(),
            }
        );
    }

    #[test]
    fn unknown_type_is_other() {
        let text = r#"{"v":1,"type":"floor.state","queue":[]}"#;
        assert_eq!(parse(text).expect("valid JSON"), ServerEvent::Other);
    }

    #[test]
    fn state_without_phase_is_invalid() {
        let text = r#"{"v":1,"type":"quiz.state","run":{"run_id":"r_1"}}"#;
        assert!(parse(text).is_err());
    }

    #[test]
    fn answer_names_choice() {
        let value: Value = serde_json::from_str(&answer("s3", "r_1", 0, 2)).expect("JSON");
        assert_eq!(value["type"], "quiz.answer");
        assert_eq!(value["ref"], "s3");
        assert_eq!(value["run_id"], "r_1");
        assert_eq!(value["question_index"], 0);
        assert_eq!(value["answer"]["type"], "choice");
        assert_eq!(value["answer"]["index"], 2);
    }
}
