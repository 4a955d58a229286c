-- wrk script: cycles through query values read from QUERIES (one per line), each request with the API key.
-- PATH_TEMPLATE holds %s where the value goes, e.g. /m/raw_lookup?signal_type=pdq&signal=%s
local queries = {}
local path_template = os.getenv("PATH_TEMPLATE")
local key = os.getenv("API_KEY")
for line in io.lines(os.getenv("QUERIES")) do
  queries[#queries + 1] = line
end

local counter = 0
function setup(thread)
  thread:set("offset", counter * 7919)
  counter = counter + 1
end

local i = 0
function init(args)
  i = offset or 0
end

function request()
  i = i + 1
  local value = queries[(i % #queries) + 1]
  return wrk.format("GET", string.format(path_template, value), { ["Authorization"] = "Bearer " .. key })
end

function done(summary, latency, requests)
  io.write(string.format("JSON {\"requests\":%d,\"duration_s\":%.3f,\"rps\":%.0f,\"p50_ms\":%.3f,\"p90_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f,\"errors_status\":%d,\"errors_socket\":%d}\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
