"""Fixed-window request counters, one per key (token).

Windows are aligned to multiples of the period, as Mastodon's rack-attack
does: the reset time is the next multiple of the period after now.
"""
import threading


class Limiter:
    def __init__(self, limit, period):
        self.limit = int(limit)
        self.period = float(period)
        self._lock = threading.Lock()
        self._windows = {}   # key -> [window_start, count]

    def _window_start(self, now):
        return now - (now % self.period)

    def hit(self, key, now):
        """Count one request. Returns (allowed, remaining, reset_epoch)."""
        start = self._window_start(now)
        with self._lock:
            win = self._windows.get(key)
            if win is None or win[0] != start:
                win = [start, 0]
                self._windows[key] = win
            if win[1] >= self.limit:
                return False, 0, start + self.period
            win[1] += 1
            return True, self.limit - win[1], start + self.period

    def peek(self, key, now):
        start = self._window_start(now)
        with self._lock:
            win = self._windows.get(key)
            used = win[1] if win and win[0] == start else 0
        return self.limit - used, start + self.period
