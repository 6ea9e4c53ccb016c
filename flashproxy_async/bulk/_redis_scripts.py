"""The Lua scripts of :class:`~flashproxy_async.bulk.RedisJournal`, each run atomically.

Keys, all under one hash tag (the job), so that a Redis Cluster keeps them on one slot:

* ``state`` - reference -> ``in_doubt``, ``done``, ``retry`` or ``conflict``
  (no field: the journal has never heard of the order);
* ``version`` - reference -> how many intents were recorded for it; a write that
  judges an earlier lookup or attempt applies only while no intent came after it;
* ``sent`` - reference -> when its last intent, or an attempt left in doubt, was
  recorded, microseconds of Redis's clock (``TIME``); the settle window starts there,
  or at the claim's expiry if later;
* ``claims`` - reference -> ``run|expiry``: which run works on the order, and until
  when (microseconds) if that run stops renewing;
* ``record`` - reference -> the order's last record (JSON written by the client);
* ``events`` - every record, oldest first: the journal's history.

Redis's clock is the only clock, so that the hosts' clocks never need to agree.
"""

from __future__ import annotations

__all__ = [
    "CLAIM",
    "DONE",
    "HEADER",
    "HELD",
    "INTENT",
    "OUTCOME",
    "RELEASE",
    "RENEW",
    "SETTLING",
    "SNAPSHOT",
    "TAKEN",
]

# CLAIM's verdicts.
DONE = 1
HELD = 2
SETTLING = 3
TAKEN = 4

_PRELUDE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local function holder_of(claim)
  if not claim then return nil, 0 end
  local run, expiry = string.match(claim, '^(.*)|(%d+)$')
  return run, tonumber(expiry)
end
local function us(n) return string.format('%d', n) end
"""

CLAIM = (
    _PRELUDE
    + """
-- KEYS: state version sent claims record; ARGV: reference run lease_us settle_us
local ref, run = ARGV[1], ARGV[2]
local lease, settle = tonumber(ARGV[3]), tonumber(ARGV[4])
local state = redis.call('HGET', KEYS[1], ref)
local version = tonumber(redis.call('HGET', KEYS[2], ref) or '0')
if state == 'done' then
  return {1, version, 0, redis.call('HGET', KEYS[5], ref) or ''}
end
local holder, expiry = holder_of(redis.call('HGET', KEYS[4], ref))
if holder and holder ~= run and expiry > now then
  return {2, version, expiry - now, ''}
end
if state == 'in_doubt' then
  -- The purchase may have gone out at any moment its run held the claim: the window
  -- runs from the claim's expiry, or from the last intent or attempt.
  local ready = math.max(tonumber(redis.call('HGET', KEYS[3], ref) or '0'), expiry) + settle
  if ready > now then
    return {3, version, ready - now, ''}
  end
end
redis.call('HSET', KEYS[4], ref, run .. '|' .. us(now + lease))
return {4, version, 0, state or 'new'}
"""
)

INTENT = (
    _PRELUDE
    + """
-- KEYS: state version sent claims record events
-- ARGV: reference run lease_us expected_version record event
-- Refused ({0, version}) unless this run still holds the claim and no intent came
-- since it judged the order: then nobody else can have sent a purchase meanwhile.
local ref, run = ARGV[1], ARGV[2]
local holder = holder_of(redis.call('HGET', KEYS[4], ref))
local version = tonumber(redis.call('HGET', KEYS[2], ref) or '0')
if holder ~= run or version ~= tonumber(ARGV[4])
    or redis.call('HGET', KEYS[1], ref) == 'done' then
  return {0, version, 0}
end
version = redis.call('HINCRBY', KEYS[2], ref, 1)
redis.call('HSET', KEYS[1], ref, 'in_doubt')
redis.call('HSET', KEYS[3], ref, us(now))
redis.call('HSET', KEYS[5], ref, ARGV[5])
redis.call('HSET', KEYS[4], ref, run .. '|' .. us(now + tonumber(ARGV[3])))
redis.call('RPUSH', KEYS[6], ARGV[6])
return {1, version, now}
"""
)

OUTCOME = (
    _PRELUDE
    + """
-- KEYS: state version sent claims record events
-- ARGV: reference run new_state expected_version record event release
-- A plan found or bought is a fact: "done" always applies (and is never undone).
-- Any other verdict judges one attempt or lookup, and applies only if no intent
-- came after it (expected_version), so it never overrules a newer purchase.
local ref, run, new_state = ARGV[1], ARGV[2], ARGV[3]
local state = redis.call('HGET', KEYS[1], ref)
local version = tonumber(redis.call('HGET', KEYS[2], ref) or '0')
local applied = 0
if state ~= 'done' and (new_state == 'done' or version == tonumber(ARGV[4])) then
  redis.call('HSET', KEYS[1], ref, new_state)
  redis.call('HSET', KEYS[5], ref, ARGV[5])
  -- In doubt after an attempt: the settle window runs from now, past the last send.
  if new_state == 'in_doubt' then redis.call('HSET', KEYS[3], ref, us(now)) end
  applied = 1
end
redis.call('RPUSH', KEYS[6], ARGV[6])
if ARGV[7] == '1' then
  local holder = holder_of(redis.call('HGET', KEYS[4], ref))
  if holder == run then redis.call('HDEL', KEYS[4], ref) end
end
return {applied, version}
"""
)

RELEASE = (
    _PRELUDE
    + """
-- KEYS: claims; ARGV: run reference...
for i = 2, #ARGV do
  local holder = holder_of(redis.call('HGET', KEYS[1], ARGV[i]))
  if holder == ARGV[1] then redis.call('HDEL', KEYS[1], ARGV[i]) end
end
return 0
"""
)

RENEW = (
    _PRELUDE
    + """
-- KEYS: claims; ARGV: run lease_us reference...
-- Returns the references another run has taken (a claim given back is not lost).
local run, lease = ARGV[1], tonumber(ARGV[2])
local lost = {}
for i = 3, #ARGV do
  local holder = holder_of(redis.call('HGET', KEYS[1], ARGV[i]))
  if holder == run then
    redis.call('HSET', KEYS[1], ARGV[i], run .. '|' .. us(now + lease))
  elseif holder then
    table.insert(lost, ARGV[i])
  end
end
return lost
"""
)

HEADER = """
-- KEYS: header; ARGV: header.  The first run writes it; every run gets it back.
redis.call('SETNX', KEYS[1], ARGV[1])
return redis.call('GET', KEYS[1])
"""

SNAPSHOT = """
-- KEYS: state version sent record; ARGV: reference...
local out = {}
for i = 1, #ARGV do
  local ref = ARGV[i]
  table.insert(out, redis.call('HGET', KEYS[1], ref) or '')
  table.insert(out, redis.call('HGET', KEYS[2], ref) or '0')
  table.insert(out, redis.call('HGET', KEYS[3], ref) or '0')
  table.insert(out, redis.call('HGET', KEYS[4], ref) or '')
end
return out
"""
