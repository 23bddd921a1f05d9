-- bench/scan/scan.lua — wrk script: POST /api/v1/checkpoints/scan at a venue's
-- entrance, cycling through the health-code tokens in a file (one a line).
--
--   wrk ... -s bench/scan/scan.lua http://HOST:PORT/api/v1/checkpoints/scan -- \
--       TOKENS_FILE BEARER_TOKEN VENUE_ID ENTRANCE
--
-- The requests are built once, in init; request() only picks the next one.
-- Every response that is not a 200 is a failure. At the end it prints one line
--   scan: sent=S ok=O failed=F
-- (S counts the requests written, O the 200 responses read; S - O - F were in
-- flight when wrk stopped) and, if there were failures, the first one's status
-- and body.

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

local requests = {}
local n, i = 0, 0
sent, ok, failed, first_failure = 0, 0, 0, ""

local function json_string(s)
  return '"' .. s:gsub('[%c"\\]', function(c) return string.format("\\u%04x", c:byte()) end) .. '"'
end

function init(args)
  local tokens_file, bearer, venue_id, entrance = args[1], args[2], args[3], args[4]
  assert(tokens_file and bearer and venue_id and entrance, "usage: -- TOKENS_FILE BEARER_TOKEN VENUE_ID ENTRANCE")
  local headers = {
    ["Authorization"] = "Bearer " .. bearer,
    ["Content-Type"] = "application/json",
  }
  for token in io.lines(tokens_file) do
    if token ~= "" then
      local body = '{"venue_id":' .. venue_id .. ',"entrance":' .. json_string(entrance) ..
          ',"direction":"in","token":' .. json_string(token) .. ',"temperature_c":36.5,"mask":true}'
      table.insert(requests, wrk.format("POST", nil, headers, body))
    end
  end
  n = #requests
  assert(n > 0, "no tokens in " .. tokens_file)
  -- Threads start at different places in the list.
  i = (id or 0) * math.floor(n / 7) % n
end

function request()
  i = i % n + 1
  sent = sent + 1
  return requests[i]
end

function response(status, headers, body)
  if status == 200 then
    ok = ok + 1
  else
    failed = failed + 1
    if first_failure == "" then first_failure = status .. " " .. (body or "") end
  end
end

function done(summary, latency, requests)
  local s, o, f, first = 0, 0, 0, ""
  for _, thread in ipairs(threads) do
    s = s + thread:get("sent")
    o = o + thread:get("ok")
    f = f + thread:get("failed")
    if first == "" then first = thread:get("first_failure") end
  end
  io.write(string.format("scan: sent=%d ok=%d failed=%d\n", s, o, f))
  if first ~= "" then io.write("scan: first failure: " .. first:gsub("\n", " ") .. "\n") end
end
