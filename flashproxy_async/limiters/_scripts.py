"""The Lua scripts that keep the shared limit atomic inside Redis.

Every time is Redis's own ``TIME`` in integer microseconds, so the clocks of the
hosts sharing a key never enter the arithmetic (and 1.7e15 microseconds is still
exact in a Lua double). Redis formats numeric arguments with ``%.17g``, so scores
and hash values keep full precision; the scripts never build strings from numbers.

Keys, all under one hash tag so that a cluster keeps them on one slot:

* ``starts`` - ZSET, one member per request start, scored by its start time.
* ``holders`` - ZSET, one member per held concurrency slot, scored by lease expiry.
* ``pause`` - HASH: ``not_before`` (no start before it), ``paced_left`` and
  ``last_start`` (after a pause, the next ``rate`` starts go ``period / rate`` apart).
* ``generation`` - STRING naming the current window state; gone after a restart or
  a flush, which is how a limiter that knew it notices the state was lost.
"""

from __future__ import annotations

__all__ = [
    "ACQUIRE",
    "GRANTED",
    "PAUSE",
    "RELEASE",
    "RENEW",
    "TIME_US",
    "WAIT_FOR_SLOT",
    "WAIT_FOR_START",
    "WITHDRAW",
]

# Statuses returned by ACQUIRE, with a wait hint in microseconds.
GRANTED = 1
WAIT_FOR_SLOT = 2
WAIT_FOR_START = 3

# Redis 7 replicates effects by default; older servers need this before a write
# that follows TIME, a non-deterministic command.
_PRELUDE = """
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
"""

# Only ever lengthen a key's TTL: instances sharing a key may use different leases.
_EXTEND_TTL = """
local function extend_ttl(key, ms)
  if redis.call('PTTL', key) < ms then redis.call('PEXPIRE', key, ms) end
end
"""

TIME_US = (
    _PRELUDE
    + """
return now
"""
)

# KEYS: starts, holders, pause, generation
# ARGV: rate, spacing_us, step_us, max_concurrent, lease_us, member, known_generation,
#       new_generation, generation_ttl_ms
# Takes a concurrency slot and a start permit together, or neither: a slot is never
# held idle while its request waits on the window, and a permit is never granted
# before a slot is free. Returns {status, wait_us, generation}.
#
# The generation key lives as long as the window state does. A caller that knew a
# generation and finds none sees a Redis that restarted or was flushed: the starts it
# forgot may still be in the server's window, so the window counts as full. No start
# for one full window, then ``rate`` starts paced ``period / rate`` apart.
ACQUIRE = (
    _PRELUDE
    + _EXTEND_TTL
    + """
local rate = tonumber(ARGV[1])
local spacing = tonumber(ARGV[2])
local step = tonumber(ARGV[3])
local max_concurrent = tonumber(ARGV[4])
local lease = tonumber(ARGV[5])
local member = ARGV[6]
local known = ARGV[7]
local generation_ttl = tonumber(ARGV[9])

local generation = redis.call('GET', KEYS[4])
if not generation then
  generation = ARGV[8]
  redis.call('SET', KEYS[4], generation, 'PX', generation_ttl)
  if known ~= '' then
    redis.call('HSET', KEYS[3], 'not_before', now + spacing, 'paced_left', rate)
    extend_ttl(KEYS[3], math.ceil(3 * spacing / 1000))
    return {3, spacing, generation}
  end
else
  redis.call('PEXPIRE', KEYS[4], generation_ttl)
end

redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local held = redis.call('ZCARD', KEYS[2])
if held >= max_concurrent then
  local first = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
  return {2, tonumber(first[2]) - now, generation}
end

-- A start constrains the next one while it is less than `spacing` old.
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - spacing)
local earliest = now
local count = redis.call('ZCARD', KEYS[1])
if count >= rate then
  local oldest = redis.call('ZRANGE', KEYS[1], count - rate, count - rate, 'WITHSCORES')
  earliest = math.max(earliest, tonumber(oldest[2]) + spacing)
end
local pause = redis.call('HMGET', KEYS[3], 'not_before', 'paced_left', 'last_start')
local not_before = tonumber(pause[1])
local paced_left = tonumber(pause[2]) or 0
local last_start = tonumber(pause[3])
if not_before then earliest = math.max(earliest, not_before) end
if paced_left > 0 and last_start then earliest = math.max(earliest, last_start + step) end
if earliest > now then
  return {3, earliest - now, generation}
end

redis.call('ZADD', KEYS[1], now, member)
extend_ttl(KEYS[1], math.ceil(spacing / 1000) + 1000)
redis.call('ZADD', KEYS[2], now + lease, member)
extend_ttl(KEYS[2], math.ceil(lease / 1000) + 1000)
if paced_left > 0 then
  redis.call('HSET', KEYS[3], 'paced_left', paced_left - 1, 'last_start', now)
end
return {1, 0, generation}
"""
)

# KEYS: holders
# ARGV: member
RELEASE = """
return redis.call('ZREM', KEYS[1], ARGV[1])
"""

# KEYS: starts, holders
# ARGV: member
# Undoes an ACQUIRE whose caller was cancelled before it saw the grant: that request
# was never sent, so its start leaves the log as well as its slot.
WITHDRAW = """
redis.call('ZREM', KEYS[1], ARGV[1])
return redis.call('ZREM', KEYS[2], ARGV[1])
"""

# KEYS: holders
# ARGV: lease_us, member...
# Returns the members it found gone: their lease ran out and another process may
# have taken the slot. A lease that ran out but was not yet reclaimed is renewed,
# since nobody else can have counted its slot as free.
RENEW = (
    _PRELUDE
    + _EXTEND_TTL
    + """
local lease = tonumber(ARGV[1])
local missing = {}
for i = 2, #ARGV do
  if redis.call('ZSCORE', KEYS[1], ARGV[i]) then
    redis.call('ZADD', KEYS[1], now + lease, ARGV[i])
  else
    missing[#missing + 1] = ARGV[i]
  end
end
extend_ttl(KEYS[1], math.ceil(lease / 1000) + 1000)
return missing
"""
)

# KEYS: pause
# ARGV: seconds_us, rate, keep_us
PAUSE = (
    _PRELUDE
    + _EXTEND_TTL
    + """
local until_ = now + tonumber(ARGV[1])
local current = tonumber(redis.call('HGET', KEYS[1], 'not_before'))
if current and current > until_ then until_ = current end
redis.call('HSET', KEYS[1], 'not_before', until_, 'paced_left', tonumber(ARGV[2]))
extend_ttl(KEYS[1], math.ceil((until_ - now + tonumber(ARGV[3])) / 1000))
return until_
"""
)
