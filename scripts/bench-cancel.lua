-- wrk script for scripts/bench: each request cancels another order, read
-- from the file named by BENCH_IDS (one id per line). wrk's threads each
-- take every n-th id, so that no order is cancelled twice.
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
  next_id = first
  wrk.headers["Origin"] = os.getenv("BENCH_ORIGIN")
end

function request()
  next_id = next_id + step
  local id = ids[(next_id % #ids) + 1]
  return wrk.format("POST", "/order/" .. id .. "/cancel")
end
