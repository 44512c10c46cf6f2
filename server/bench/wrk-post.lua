-- wrk script for bench:ingest. Posts pre-signed Stripe events read from <prefix>.<thread>, one per
-- line as "<Stripe-Signature>\t<body>", each once; when a thread's list runs out it stops sending
-- new events and posts to /_exhausted (counted as errors by the bench). Every 200 answer's event
-- id is written to <prefix>.<thread>.acked, so the bench can look each one up in Postgres.
local threads = 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

function init(args)
  reqs = {}
  for line in io.lines(args[1] .. "." .. tid) do
    local sig, body = line:match("^([^\t]*)\t(.*)$")
    reqs[#reqs + 1] = wrk.format("POST", args[2],
      { ["Content-Type"] = "application/json", ["Stripe-Signature"] = sig }, body)
  end
  exhausted = wrk.format("POST", "/_exhausted", {}, "")
  n = 0
  acked = io.open(args[1] .. "." .. tid .. ".acked", "w")
  acked:setvbuf("line") -- wrk never closes thread states: keep the file current
end

function request()
  n = n + 1
  if n > #reqs then return exhausted end
  return reqs[n]
end

function response(status, headers, body)
  if status == 200 then
    local id = body:match('"id":"(evt_[%w_]+)"')
    acked:write(id or "ok", "\n")
  end
end
