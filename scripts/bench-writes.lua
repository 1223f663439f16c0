-- wrk script for scripts/bench: each request writes to another order, read
-- from the file named by BENCH_IDS (one id per line). wrk's threads each
-- take every n-th id, so that no order is written twice, and stop when
-- their share of the ids is used up.
--   BENCH_PATH     the request path, with %d for the order id
--   BENCH_BODY     a JSON body to send, if any
--   BENCH_THREADS  wrk's thread count
--   BENCH_ORIGIN   the Origin header (the portal refuses cross-site writes)
local ids = {}
for line in io.lines(os.getenv("BENCH_IDS")) do
  ids[#ids + 1] = line
end
local threads = 0
local next_id = 0

function setup(thread)
  thread:set("first", threads)
  threads = threads + 1
end

function init(args)
  step = tonumber(os.getenv("BENCH_THREADS"))
  path = os.getenv("BENCH_PATH")
  body = os.getenv("BENCH_BODY")
  if body == "" then
    body = nil
  end
  next_id = first
  wrk.headers["Origin"] = os.getenv("BENCH_ORIGIN")
  if body then
    wrk.headers["Content-Type"] = "application/json"
  end
end

function request()
  local id = ids[next_id + 1]
  next_id = next_id + step
  if id == nil then
    -- This thread's share of the ids is used up: stop rather than write
    -- to an order twice. A request is still due; a health check writes
    -- nothing.
    wrk.thread:stop()
    return wrk.format("GET", "/healthz")
  end
  return wrk.format("POST", string.format(path, id), nil, body)
end
