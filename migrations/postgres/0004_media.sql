-- Pictures, videos and PDF slides uploaded to a room's board.
-- Times are milliseconds since the Unix epoch.

-- One row per upload and room. The files themselves live in the media
-- store under the data directory, named by the SHA-256 digest of their
-- bytes (64 lowercase hex digits), so the same file uploaded to two rooms
-- is stored once and has a row, and an id, in each room.
--
-- `kind` is what the API shows: `image`, `video` or `slides`. A slides
-- upload has one row of its own and one `image` row per PDF page, which
-- points to it with `slides_id` and `page_index` (0 for the first page).
-- The slides row serves its first page. `content_type` is the media type
-- of the served files (all variants of one row share it).
-- `thumbnail_digest` is NULL for a video, which has no thumbnail.
-- `filename` is the uploader's file name, cleaned for display, or NULL.
-- `uploaded_by` is a user id or a participant id.
CREATE TABLE media (
    id               TEXT PRIMARY KEY,
    room_id          TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    kind             TEXT NOT NULL CHECK (kind IN ('image', 'video', 'slides')),
    content_type     TEXT NOT NULL,
    width            BIGINT,
    height           BIGINT,
    original_digest  TEXT NOT NULL,
    display_digest   TEXT NOT NULL,
    thumbnail_digest TEXT,
    filename         TEXT,
    uploaded_by      TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    slides_id        TEXT REFERENCES media (id) ON DELETE CASCADE,
    page_index       BIGINT
);

CREATE INDEX media_room ON media (room_id, created_at);
CREATE INDEX media_slides ON media (slides_id, page_index);
