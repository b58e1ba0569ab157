"""The environment cache: keys, the on-disk store, private copies and the factory."""

from __future__ import annotations

from .factory import VenvFactory
from .fingerprint import fingerprint
from .key import CacheKey, cache_key
from .store import EnvStore

__all__ = ["CacheKey", "EnvStore", "VenvFactory", "cache_key", "fingerprint"]
