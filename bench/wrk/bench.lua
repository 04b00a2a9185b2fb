-- wrk script for the Lắng Nghe bench. Configured through the environment:
--   BENCH_MODE   floor | track_api | track_html | fixed
--   BENCH_KEYS   file of keys, one a line: case ids (floor) or "CODE PIN"
--   BENCH_PATH   request path (fixed mode)
--   BENCH_METHOD GET or POST (fixed mode)
--   BENCH_BODY   file whose content is the request body (fixed mode, POST)
--   BENCH_AUTH   Authorization header value, if any
--   BENCH_COOKIE Cookie header value, if any
--   BENCH_CSRF   CSRF secret used as cookie and form token (track_html)
--   BENCH_SPREAD "1": each request from a citizen address of its own, sent in
--                X-Real-IP as the proxy in front of the app would (fixed mode)
-- At the end it prints one line "BENCHJSON {...}" that the harness parses.

local mode = os.getenv("BENCH_MODE") or "fixed"
local keys = {}
local fixed_body = nil

local function read_lines(path)
  local out = {}
  local f = assert(io.open(path, "r"))
  for line in f:lines() do
    if #line > 0 then out[#out + 1] = line end
  end
  f:close()
  return out
end

function init(args)
  local keys_file = os.getenv("BENCH_KEYS")
  if keys_file and #keys_file > 0 then keys = read_lines(keys_file) end
  local body_file = os.getenv("BENCH_BODY")
  if body_file and #body_file > 0 then
    local f = assert(io.open(body_file, "r"))
    fixed_body = f:read("*a")
    f:close()
  end
  math.randomseed(os.time() + (tonumber(tostring({}):sub(8), 16) or 0))
  wrk.headers["Host"] = "127.0.0.1"
  local auth = os.getenv("BENCH_AUTH")
  if auth and #auth > 0 then wrk.headers["Authorization"] = auth end
  local cookie = os.getenv("BENCH_COOKIE")
  if cookie and #cookie > 0 then wrk.headers["Cookie"] = cookie end
end

local threads = {}
bad = 0

function setup(thread)
  threads[#threads + 1] = thread
end

-- wrk counts only statuses of 400 and more as errors; a redirect (to the
-- log-in page, say) is a failure here too.
-- The HTML track page answers a wrong code or PIN with the form again, 200.
function response(status, headers, body)
  if status >= 300 then
    bad = bad + 1
  elseif mode == "track_html" and body:find('name="pin"', 1, true) then
    bad = bad + 1
  end
end

-- wrk.format replaces wrk.headers by the table it is given: merge them.
local function with_defaults(extra)
  local h = {}
  for name, value in pairs(wrk.headers) do h[name] = value end
  for name, value in pairs(extra) do h[name] = value end
  return h
end

local function pick()
  return keys[math.random(#keys)]
end

local function split(line)
  local a, b = line:match("^(%S+)%s+(%S+)$")
  return a, b
end

function request()
  if mode == "floor" then
    return wrk.format("GET", "/bench/floor/" .. pick() .. "/")
  elseif mode == "track_api" then
    local code, pin = split(pick())
    local body = '{"code":"' .. code .. '","pin":"' .. pin .. '"}'
    return wrk.format("POST", "/api/v1/public/track/",
      with_defaults({["Content-Type"] = "application/json"}), body)
  elseif mode == "track_html" then
    local code, pin = split(pick())
    local csrf = os.getenv("BENCH_CSRF")
    local body = "csrfmiddlewaretoken=" .. csrf .. "&code=" .. code .. "&pin=" .. pin
    return wrk.format("POST", "/tra-cuu/", with_defaults({
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["Cookie"] = "csrftoken=" .. csrf,
    }), body)
  else
    local method = os.getenv("BENCH_METHOD") or "GET"
    local headers = {}
    if fixed_body then headers["Content-Type"] = "application/json" end
    if os.getenv("BENCH_SPREAD") == "1" then
      headers["X-Real-IP"] = string.format("10.%d.%d.%d",
        math.random(0, 255), math.random(0, 255), math.random(1, 254))
    end
    return wrk.format(method, os.getenv("BENCH_PATH"), with_defaults(headers),
      fixed_body)
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  local not_ok = 0
  for _, thread in ipairs(threads) do not_ok = not_ok + (thread:get("bad") or 0) end
  io.write(string.format(
    'BENCHJSON {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,' ..
    '"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"not_ok":%d}\n',
    summary.requests, summary.duration, latency:percentile(50),
    latency:percentile(99), e.connect, e.read, e.write, e.status, e.timeout,
    not_ok))
end
