"""The event pump's polling rhythm: no pause while there is work, backing off when idle."""

from __future__ import annotations

import threading

from infra.local.pump import Poller


class RecordingStop(threading.Event):
    """A stop event that records each wait instead of sleeping."""

    def __init__(self) -> None:
        super().__init__()
        self.waits: list[float] = []

    def wait(self, timeout: float | None = None) -> bool:
        self.waits.append(timeout or 0.0)
        return self.is_set()


class ScriptedPoller(Poller):
    def __init__(self, script: list[int], stop: RecordingStop) -> None:
        super().__init__("scripted", stop)
        self.script = script
        self.calls = 0

    def poll_once(self) -> int:
        busy = self.script[self.calls] if self.calls < len(self.script) else 0
        self.calls += 1
        if self.calls >= len(self.script):
            self.stop.set()
        return busy


def test_a_busy_queue_is_polled_again_at_once_and_an_idle_one_backs_off() -> None:
    # Given a queue with work for three rounds, then nothing for five
    stop = RecordingStop()
    poller = ScriptedPoller([1, 1, 1, 0, 0, 0, 0, 0], stop)
    # When the poller runs
    poller.run()
    # Then the busy rounds did not pause at all, and the idle ones doubled their pause
    assert poller.calls == 8
    assert stop.waits == [0.05, 0.1, 0.2, 0.4, 0.8]


def test_the_idle_backoff_is_capped_and_resets_when_work_arrives() -> None:
    # Given a long idle spell, one message, then idle again
    stop = RecordingStop()
    poller = ScriptedPoller([0, 0, 0, 0, 0, 0, 0, 1, 0, 0], stop)
    # When the poller runs
    poller.run()
    # Then the pause never exceeds a second, and restarts at 50 ms after the work
    assert max(stop.waits) == Poller.max_wait_s
    assert stop.waits[-2:] == [0.05, 0.1]
