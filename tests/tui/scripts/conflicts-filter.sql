-- The state of conflicts.sql (kept the same here, so the filtered lists below have the
-- same rows as the screens there).
-- The store as a sync against a second machine leaves it (what sync/merge.c
-- writes), made by hand so the screens never depend on a server (the ids
-- keep the records in this order; no machines: this machine found them):
--   Weekly summary 2026-W10 (notes): its title retitled here and in the cloud,
--     held (sync.conflicts manual); published here since, which merges.
--   Document the -t idle timeout (tinyhttp): retitled on both sides, the
--     cloud's title won by the last write; published on both sides
--     differently, this machine's won. It waits to go up with the merge.
--   Document install and usage (weatherbot): moved on both sides, the
--     cloud's order won (shown as places in the list, not numbers).
--   Close idle keep-alive connections (tinyhttp): deleted here, pending.
UPDATE projects SET sync_status = 'synced', cloud_id = id, cloud_version = version;
UPDATE cognitive_commits SET sync_status = 'synced', cloud_id = id, cloud_version = version,
    last_synced_at = '2026-03-07T11:58:00.000Z';
UPDATE sessions SET sync_status = 'synced', cloud_id = id, cloud_version = version;
UPDATE turns SET sync_status = 'synced', cloud_id = id, cloud_version = version;
UPDATE visuals SET sync_status = 'synced', cloud_id = id, cloud_version = version;
INSERT OR REPLACE INTO sync_state (key, value) VALUES ('last_sync', '2026-03-07T11:58:00.000Z');

UPDATE cognitive_commits SET title = 'Weekly summary (A)', published = 1, version = 3,
    updated_at = '2026-03-07T11:58:00.000Z', sync_status = 'conflict'
    WHERE id = '2780038f-ba10-5dbc-90c4-307dfc160e95';
INSERT OR REPLACE INTO sync_base (table_name, record_id, row) VALUES ('cognitive_commits',
    '2780038f-ba10-5dbc-90c4-307dfc160e95',
    '{"id":"2780038f-ba10-5dbc-90c4-307dfc160e95","title":"Weekly summary (B)","published":false,"hidden":false,"display_order":0,"version":2,"updated_at":"2026-03-07T11:50:00.000Z","deleted_at":null}');
INSERT INTO conflicts (id, table_name, record_id, field, local_value, cloud_value,
    local_row_version, cloud_row_version, winner, detected_at) VALUES
    ('c0000000-0000-4000-8000-000000000001', 'cognitive_commits', '2780038f-ba10-5dbc-90c4-307dfc160e95', 'title', '"Weekly summary (A)"',
    '"Weekly summary (B)"', 2, 2, NULL, '2026-03-07T11:58:00.000Z');

UPDATE cognitive_commits SET title = 'Document -t, the idle timeout', published = 1,
    version = 4, updated_at = '2026-03-07T11:58:00.000Z', sync_status = 'pending'
    WHERE id = '1fbf0d17-1425-5a29-a10b-83c9d70931d7';
INSERT OR REPLACE INTO sync_base (table_name, record_id, row) VALUES ('cognitive_commits',
    '1fbf0d17-1425-5a29-a10b-83c9d70931d7',
    '{"id":"1fbf0d17-1425-5a29-a10b-83c9d70931d7","title":"Document -t, the idle timeout","published":false,"hidden":false,"display_order":0,"version":3,"updated_at":"2026-03-07T11:57:00.000Z","deleted_at":null}');
INSERT INTO conflicts (id, table_name, record_id, field, local_value, cloud_value,
    local_row_version, cloud_row_version, winner, detected_at) VALUES
    ('c0000000-0000-4000-8000-000000000002', 'cognitive_commits',
    '1fbf0d17-1425-5a29-a10b-83c9d70931d7', 'title', '"Idle timeout docs"',
    '"Document -t, the idle timeout"', 2, 3, 'cloud', '2026-03-07T11:58:00.000Z');
INSERT INTO conflicts (id, table_name, record_id, field, local_value, cloud_value,
    local_row_version, cloud_row_version, winner, detected_at) VALUES
    ('c0000000-0000-4000-8000-000000000003', 'cognitive_commits',
    '1fbf0d17-1425-5a29-a10b-83c9d70931d7', 'published', 'true', 'false', 2, 3, 'local',
    '2026-03-07T11:58:00.000Z');
INSERT INTO conflicts (id, table_name, record_id, field, local_value, cloud_value,
    local_row_version, cloud_row_version, winner, detected_at) VALUES
    ('c0000000-0000-4000-8000-000000000004', 'cognitive_commits',
    '85b956b1-9485-5c59-85d9-971f7cbecccb', 'display_order', '9', '0', 1, 2, 'cloud',
    '2026-03-07T11:58:00.000Z');

UPDATE cognitive_commits SET deleted_at = '2026-03-07T11:30:00.000Z', version = version + 1,
    updated_at = '2026-03-07T11:30:00.000Z', sync_status = 'pending'
    WHERE id = '8ce90746-bef3-5b0d-bc06-fd2632343563';
