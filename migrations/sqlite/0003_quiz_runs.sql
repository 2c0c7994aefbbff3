-- Live quiz runs and the answers accepted in them.
-- Times are milliseconds since the Unix epoch.

-- `state` is the whole run as JSON (serde of lectern_quiz::Run), saved at
-- every phase change. `quiz_id` is not a foreign key: a run keeps its own
-- copy of the quiz in `state`, so it outlives edits and deletion of the quiz.
CREATE TABLE quiz_runs (
    id         TEXT PRIMARY KEY,
    room_id    TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    quiz_id    TEXT NOT NULL,
    title      TEXT NOT NULL,
    started_by TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    -- NULL while the run has not ended.
    ended_at   INTEGER,
    phase      TEXT NOT NULL,
    state      TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE INDEX quiz_runs_room ON quiz_runs (room_id, started_at);

-- One row per accepted answer, written before the student is told it was
-- accepted. The primary key makes a second answer to the same question
-- from the same participant impossible to store. `answer` is the answer as
-- sent and `record` the scored lectern_quiz::AnswerRecord, both JSON.
CREATE TABLE quiz_answers (
    run_id         TEXT NOT NULL REFERENCES quiz_runs (id) ON DELETE CASCADE,
    question_index INTEGER NOT NULL,
    participant_id TEXT NOT NULL,
    question_id    TEXT NOT NULL,
    answer         TEXT NOT NULL,
    record         TEXT NOT NULL,
    received_at    INTEGER NOT NULL,
    PRIMARY KEY (run_id, question_index, participant_id)
);
