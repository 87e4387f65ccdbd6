"""One bounded in-process memory for results that are slow to make and used again (a bundle read
and validated, the history fits, the drivers' parameters), so that a notebook or a batch over many
regions reuses them while its memory stays bounded: the least recently used entry goes first.

>>> memo = Memo(2)
>>> [memo.get(k, lambda k=k: k * 10) for k in (1, 2, 1, 3)]
[10, 20, 10, 30]
>>> sorted(memo.keys())
[1, 3]
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

__all__ = ["Memo"]


class Memo:
    """At most ``size`` entries, key -> value; :meth:`get` makes a missing value with ``make()``.
    Safe to share between threads (a run makes its population in one while it plans in another):
    the entries change under a lock; two threads missing the same key at once may both make it."""

    def __init__(self, size: int = 8):
        self.size = size
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], object]):
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        value = make()
        self.put(key, value)
        return value

    def peek(self, key: Hashable, default=None):
        """The entry of ``key`` without making it (``default`` when absent)."""
        with self._lock:
            return self._entries.get(key, default)

    def put(self, key: Hashable, value) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def keys(self):
        return self._entries.keys()

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
