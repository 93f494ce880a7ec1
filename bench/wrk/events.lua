-- GET /api/v1/cylinders/CODE/events: the cylinder with 1,000 events.
local token, path

function init(args)
  token = os.getenv("TOKEN")
  path = "/api/v1/cylinders/" .. os.getenv("CODE") .. "/events"
end

function request()
  return wrk.format("GET", path, {["Authorization"] = "Bearer " .. token})
end
