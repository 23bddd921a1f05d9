-- A checkpoint page that queued scans while offline sends each with its own
-- id; a scan sent twice (its answer was lost) is recorded once. The key holds
-- venue_id, the column checkins would be distributed by.
ALTER TABLE checkins ADD COLUMN client_scan_id TEXT;
CREATE UNIQUE INDEX checkins_client_scan ON checkins (venue_id, client_scan_id);
