"""Distinct sounds for ALLOW and REFUSE: a filler in a noisy hall, gloves on, may not be looking.

ALLOW is one short high beep; REFUSE is three long low ones. Played with ``paplay`` or
``aplay`` when either is installed (a WAV generated here, no sound files shipped), else as
terminal bells (one, or three) when the output is a terminal. Never fails, never blocks: no
audio device means no sound, and the screen still says everything.
"""

from __future__ import annotations

import contextlib
import io
import math
import shutil
import struct
import subprocess
import tempfile
import threading
import time
import wave
from pathlib import Path
from typing import Protocol, TextIO

from scanner.display.screen import Tone

RATE = 16000
# (frequency Hz, seconds on, seconds off) per beep
PATTERNS: dict[Tone, list[tuple[float, float, float]]] = {
    Tone.ALLOW: [(1320.0, 0.15, 0.0)],
    Tone.REFUSE: [(440.0, 0.35, 0.12)] * 3,
}


class Sound(Protocol):
    def play(self, tone: Tone) -> None: ...


class Silent:
    def play(self, tone: Tone) -> None:
        pass


def wav_bytes(pattern: list[tuple[float, float, float]]) -> bytes:
    """A mono 16-bit WAV of the beeps (with 5 ms ramps, so they do not click)."""
    samples: list[int] = []
    ramp = int(RATE * 0.005)
    for freq, on_s, off_s in pattern:
        count = int(RATE * on_s)
        for i in range(count):
            envelope = min(1.0, i / ramp, (count - i) / ramp)
            samples.append(int(0.6 * 32767 * envelope * math.sin(2 * math.pi * freq * i / RATE)))
        samples.extend([0] * int(RATE * off_s))
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(struct.pack(f"<{len(samples)}h", *samples))
    return out.getvalue()


class PlayerSound:
    """Plays generated WAVs with an audio player command, in the background."""

    def __init__(self, player: str, directory: Path | None = None):
        self.player = player
        folder = directory or Path(tempfile.mkdtemp(prefix="cylinder-scan-"))
        folder.mkdir(parents=True, exist_ok=True)
        self.files: dict[Tone, Path] = {}
        for tone, pattern in PATTERNS.items():
            path = folder / f"{tone}.wav"
            path.write_bytes(wav_bytes(pattern))
            self.files[tone] = path

    def play(self, tone: Tone) -> None:
        path = self.files.get(tone)
        if path is not None:
            # A thread waits for the player, so that no finished player is left a zombie.
            threading.Thread(target=self._run, args=(path,), daemon=True).start()

    def _run(self, path: Path) -> None:
        # No sound is better than a stopped station.
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            subprocess.run(  # noqa: S603  (our own file, a player found on PATH)
                [self.player, str(path)], capture_output=True, timeout=10, check=False
            )


class BellSound:
    """Terminal bells: one for ALLOW, three for REFUSE (only on a terminal)."""

    def __init__(self, stream: TextIO):
        self.stream = stream

    def play(self, tone: Tone) -> None:
        pattern = PATTERNS.get(tone)
        if pattern is None or not self.stream.isatty():
            return
        threading.Thread(target=self._ring, args=(len(pattern),), daemon=True).start()

    def _ring(self, count: int) -> None:
        try:
            for _ in range(count):
                self.stream.write("\a")
                self.stream.flush()
                time.sleep(0.3)
        except (OSError, ValueError):
            pass  # a closed terminal


def choose_sound(stream: TextIO, directory: Path | None = None) -> Sound:
    for player in ("paplay", "aplay"):
        found = shutil.which(player)
        if found:
            try:
                return PlayerSound(found, directory)
            except OSError:
                break
    return BellSound(stream)
