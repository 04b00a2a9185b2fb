"""Throttling of log-in attempts."""

from rest_framework.throttling import SimpleRateThrottle


class LoginFailureThrottle(SimpleRateThrottle):
    """At most the ``login`` rate of *failed* log-ins per client address.

    Only failures count (the view calls ``record_failure``), so a member of
    staff who logs in correctly is never locked out by their own successes;
    once the failures reach the rate, every attempt from that address is
    refused with 429 until the oldest failure leaves the window.
    """

    scope = "login"

    def get_cache_key(self, request, view):
        ident = self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def _load_history(self, request, view):
        self.key = self.get_cache_key(request, view)
        self.history = self.cache.get(self.key, [])
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - self.duration:
            self.history.pop()

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self._load_history(request, view)
        if len(self.history) >= self.num_requests:
            return self.throttle_failure()
        return True

    def record_failure(self, request, view):
        if self.rate is None:
            return
        self._load_history(request, view)
        self.history.insert(0, self.now)
        self.cache.set(self.key, self.history, self.duration)
