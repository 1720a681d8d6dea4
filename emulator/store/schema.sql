-- Schema version 1 of the emulator's SQLite store: the source of truth.
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS collections (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    collection_id TEXT NOT NULL,
    created REAL NOT NULL,
    face_model_version TEXT NOT NULL,
    UNIQUE (account, region, collection_id)
);
CREATE TABLE IF NOT EXISTS tags (
    collection INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (collection, key)
);
CREATE TABLE IF NOT EXISTS faces (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    collection INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
    face_id TEXT NOT NULL,
    image_id TEXT NOT NULL,
    external_image_id TEXT,
    box_left REAL NOT NULL,
    box_top REAL NOT NULL,
    box_width REAL NOT NULL,
    box_height REAL NOT NULL,
    confidence REAL NOT NULL,
    descriptor BLOB NOT NULL,
    user_id TEXT,
    model_version TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS faces_by_face_id ON faces (collection, face_id);
CREATE INDEX IF NOT EXISTS faces_by_image ON faces (collection, image_id);
CREATE INDEX IF NOT EXISTS faces_by_user ON faces (collection, user_id) WHERE user_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS users (
    collection INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL,
    status TEXT NOT NULL,
    created REAL NOT NULL,
    PRIMARY KEY (collection, user_id)
);
CREATE TABLE IF NOT EXISTS idempotency (
    collection INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
    operation TEXT NOT NULL,
    token TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    response TEXT NOT NULL,
    created REAL NOT NULL,
    PRIMARY KEY (collection, operation, token)
);
CREATE TABLE IF NOT EXISTS video_jobs (
    job_id TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    api TEXT NOT NULL,
    token TEXT,
    fingerprint TEXT NOT NULL,
    params TEXT NOT NULL,
    status TEXT NOT NULL,
    status_message TEXT,
    metadata TEXT,
    created REAL NOT NULL,
    finished REAL
);
CREATE UNIQUE INDEX IF NOT EXISTS video_jobs_by_token ON video_jobs (account, region, api, token)
    WHERE token IS NOT NULL;
CREATE INDEX IF NOT EXISTS video_jobs_by_status ON video_jobs (status, created);
CREATE TABLE IF NOT EXISTS video_results (
    job_id TEXT NOT NULL REFERENCES video_jobs(job_id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    timestamp INTEGER NOT NULL,
    person INTEGER NOT NULL,
    item TEXT NOT NULL,
    PRIMARY KEY (job_id, position)
);
CREATE INDEX IF NOT EXISTS video_results_by_person ON video_results (job_id, person, timestamp, position);
