-- A trace job that lists more contacts than EPINET_TRACE_REVIEW_ABOVE is
-- saved but not handed to closed-loop management until a commander decides
-- (status 'review'): hand over every tier, or some tiers, or none. The
-- decision, who made it and when are kept with the job; reported_at (the
-- index cases' report time, from which the 24-hour deadline runs) is kept so
-- that a hand-over decided later, or resumed after a restart, schedules as
-- the job would have.
--
-- status: queued | running | review | done | failed.

ALTER TABLE tracing_jobs ADD COLUMN review_above BIGINT;        -- the threshold the job exceeded (NULL: no review)
ALTER TABLE tracing_jobs ADD COLUMN reported_at BIGINT;
ALTER TABLE tracing_jobs ADD COLUMN decision TEXT;              -- handover | decline (NULL: none asked or not yet)
ALTER TABLE tracing_jobs ADD COLUMN handover_kinds TEXT;        -- comma-separated tiers handed over: close,secondary,companion
ALTER TABLE tracing_jobs ADD COLUMN decision_note TEXT;
ALTER TABLE tracing_jobs ADD COLUMN decided_by BIGINT;
ALTER TABLE tracing_jobs ADD COLUMN decided_by_name TEXT;
ALTER TABLE tracing_jobs ADD COLUMN decided_at BIGINT;
