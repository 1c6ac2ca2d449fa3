-- The newest commit (notes, "Weekly summary 2026-W10") gathers a second,
-- parallel Claude session: its turns after the third move into it, so the
-- commit has two sessions and Enter lists them instead of opening turns.
INSERT INTO sessions (id, commit_id, claude_session_id, started_at, ended_at, cwd, git_branch,
    cli_version)
VALUES ('00000000-0000-5000-8000-0000000000aa', '2780038f-ba10-5dbc-90c4-307dfc160e95',
    'a1b2c3d4-0000-4000-8000-00000000beef', '2026-03-06T17:40:50.000Z',
    '2026-03-06T17:41:08.438Z', '/home/sam/notes', 'notes-2', '2.1.39');
UPDATE turns SET session_id = '00000000-0000-5000-8000-0000000000aa'
WHERE session_id = '638dda5d-aa86-57ff-aa05-b202b1215167' AND seq > 3;
