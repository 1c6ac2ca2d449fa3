-- The notes commit's last answer in Markdown (the samples hold none): a
-- heading, strong words, a list and a fenced block, which the conversation
-- shows without their marks.
UPDATE turns SET content = '## Week 10' || char(10) || char(10) ||
    'Wrote **weekly/2026-W10.md** from the daily notes:' || char(10) || char(10) ||
    '- projects' || char(10) || '- reading' || char(10) || char(10) ||
    '```' || char(10) || 'git commit -m "Weekly summary 2026-W10"' || char(10) || '```'
    WHERE id = 'e400a047-8e29-439a-b328-bbb308e68dca';
