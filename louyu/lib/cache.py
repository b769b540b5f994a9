"""The Redis cache, made safe to share.

Django's `RedisCache.clear()` runs FLUSHDB: it empties the whole Redis database, including the
keys of every other process that shares it under another prefix (a second deployment, the other
workers of a parallel test run). Here `clear()` deletes only this cache's own keys.
"""

from __future__ import annotations

from django.core.cache.backends.redis import RedisCache

# Keys deleted per round trip: large enough to be fast, small enough not to block Redis.
_BATCH = 500


class PrefixedRedisCache(RedisCache):
    def clear(self) -> None:
        client = self._cache.get_client(None, write=True)
        # make_key("*") is "<KEY_PREFIX>:<VERSION>:*"; every version of this prefix goes.
        pattern = f"{self.key_prefix}:*" if self.key_prefix else "*"
        batch: list[bytes] = []
        for key in client.scan_iter(match=pattern, count=_BATCH):
            batch.append(key)
            if len(batch) >= _BATCH:
                client.delete(*batch)
                batch.clear()
        if batch:
            client.delete(*batch)
