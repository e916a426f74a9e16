"""Progress of a locust run: one line rewritten in place at a terminal; elsewhere (CI
logs, notebooks) a line now and then, so that stored output stays short."""

import sys

LINE_EVERY_SECONDS = 15


def progress_text(label: str, elapsed: float, seconds: int, latest: dict | None) -> str:
    text = f"{label}: {min(elapsed, seconds):3.0f}/{seconds} s"
    if latest:
        text += (
            f" · {latest['users']} users · {latest['rps']:.0f} req/s"
            f" · {latest['requests']} requests, {latest['failures']} failed"
        )
    return text


def progress_mode(mode: str = "auto", stream=None) -> str:
    """``terminal``, ``lines`` or ``quiet``; ``auto`` picks by whether there is a terminal."""
    if mode != "auto":
        return mode
    return "terminal" if (stream or sys.stdout).isatty() else "lines"


class Progress:
    def __init__(self, label: str, seconds: int, *, mode: str = "auto", stream=None):
        self.label, self.seconds = label, seconds
        self.stream = stream or sys.stdout
        self.mode = progress_mode(mode, self.stream)
        self.next_line_at = LINE_EVERY_SECONDS

    def update(self, elapsed: float, latest: dict | None) -> None:
        text = progress_text(self.label, elapsed, self.seconds, latest)
        if self.mode == "terminal":
            self.stream.write(f"\r\033[K{text}")
            self.stream.flush()
        elif self.mode == "lines" and self.next_line_at <= elapsed < self.seconds:
            print(text, file=self.stream, flush=True)
            self.next_line_at += LINE_EVERY_SECONDS

    def done(self, latest: dict | None) -> None:
        if self.mode == "quiet":
            return
        if latest:  # the whole run's average, not locust's last few seconds
            latest = {**latest, "rps": latest["requests"] / self.seconds}
        text = progress_text(self.label, self.seconds, self.seconds, latest)
        start = "\r\033[K" if self.mode == "terminal" else ""
        print(f"{start}{text}", file=self.stream, flush=True)
