import os
import uuid

import pytest
import redis

from louyu.lib.cache import PrefixedRedisCache

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/14"


@pytest.fixture
def client():
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=5)
    client.ping()
    yield client
    client.close()


class PrefixedRedisCacheTests:
    def test_clear_deletes_its_own_keys_and_leaves_every_other_prefix(self, client):
        mine, theirs = (f"louyu-test-{uuid.uuid4().hex[:8]}" for _ in range(2))
        cache = PrefixedRedisCache(REDIS_URL, {"KEY_PREFIX": mine})
        other = PrefixedRedisCache(REDIS_URL, {"KEY_PREFIX": theirs})
        cache.set_many({f"k{n}": n for n in range(1200)})  # more than one delete batch
        cache.set("old", 1, version=2)
        other.set("kept", "yes")
        client.set("unprefixed", "yes")
        try:
            cache.clear()
            assert not list(client.scan_iter(match=f"{mine}:*"))
            assert other.get("kept") == "yes" and client.get("unprefixed") == b"yes"
        finally:
            other.clear()
            client.delete("unprefixed")
