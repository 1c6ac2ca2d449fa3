-- The state of pending.sql (kept the same here, so the filtered lists below have the
-- same rows as the screens there).
-- 300 more commits waiting to go up (weatherbot's, one an hour from 2026-01-01),
-- so the pending list pages through more than its window of rows. The project id is
-- weatherbot's: a UUIDv5 of its key, "project:path:/home/sam/src/weatherbot".
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300)
INSERT INTO cognitive_commits (id, started_at, closed_at, closed_by, project_id, project_name,
    title, version, updated_at)
SELECT printf('00000000-0000-5000-8000-%012d', i),
    strftime('%Y-%m-%dT%H:%M:%S.000Z', '2026-01-01', '+' || i || ' hours'),
    strftime('%Y-%m-%dT%H:%M:%S.000Z', '2026-01-01', '+' || i || ' hours', '+10 minutes'),
    'session_end', 'db62e08e-1487-5d86-807b-08e217d33bf5', 'weatherbot',
    printf('Bulk commit %03d', i), 1, '2026-03-07T11:00:00.000Z'
FROM n;
