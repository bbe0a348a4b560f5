"""Child processes that a test stops with Ctrl-C (SIGINT), as a user at a terminal would."""

from __future__ import annotations

import signal


def default_sigint() -> None:
    """``preexec_fn`` for Popen: give the child the default SIGINT action.

    A test runner started in the background (``cmd &`` without job control, nohup) ignores SIGINT, and children
    inherit that; Python then never raises KeyboardInterrupt and a test that sends Ctrl-C waits for nothing.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)
