-- API tokens for scripts and quiz authoring tools, and quizzes.
-- Times are milliseconds since the Unix epoch.

CREATE TABLE api_tokens (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    -- NULL for a token that does not expire.
    expires_at INTEGER
);

CREATE INDEX api_tokens_user ON api_tokens (user_id, created_at);

-- A quiz is stored whole as JSON in `body`; `title` and `question_count`
-- repeat parts of it so that listing quizzes need not parse every body.
CREATE TABLE quizzes (
    id             TEXT PRIMARY KEY,
    owner_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title          TEXT NOT NULL,
    question_count INTEGER NOT NULL,
    version        INTEGER NOT NULL,
    body           TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);

CREATE INDEX quizzes_owner ON quizzes (owner_id, updated_at);
