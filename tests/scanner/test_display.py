"""The verdict on screen and in sound: the view is chosen without ever risking an abort, the
terminal says everything, the window's picture carries the Chinese text, REFUSE sounds unlike
ALLOW."""

from __future__ import annotations

import io
import os
import sys
import threading
import wave
from dataclasses import replace
from datetime import UTC, datetime

import numpy as np
import pytest
from rich.console import Console

from scanner.display.screen import Screen, Tone
from scanner.display.sound import PATTERNS, BellSound, Silent, choose_sound, wav_bytes
from scanner.display.terminal import TerminalView
from scanner.display.view import RecordingView, can_open_window, choose_view, has_gui_build
from scanner.display.window import font, render, wrap
from scanner.offline.verdict import GateAnswer
from scanner.station.screens import verdict_screen
from service.domain.reasons import Finding

ABORTS = [sys.executable, "-c", "import os; os.abort()"]
SUCCEEDS = [sys.executable, "-c", "pass"]
GUI_BUILD = "  GUI:                           QT5\n    QT:   YES (ver 5.15)\n"
AS_OF = datetime(2026, 11, 29, 1, 30, tzinfo=UTC)


def refused_offline() -> GateAnswer:
    return GateAnswer(
        is_allowed=False,
        code="7KQM4XR92TB",
        model="YSP35.5",
        reasons=(Finding.of("INSPECTION_OVERDUE"), Finding.of("BLACKLISTED")),
        warnings=(Finding.of("NEEDS_PURGE"),),
        is_offline=True,
        checked_at=AS_OF,
        cache_as_of=AS_OF,
    )


def test_reads_the_gui_backend_from_the_build_information() -> None:
    assert not has_gui_build("  GUI:                           NONE\n")
    assert has_gui_build(GUI_BUILD)
    assert not has_gui_build("")


def test_uses_the_terminal_without_a_display() -> None:
    assert isinstance(choose_view({}), TerminalView)
    assert isinstance(choose_view({"TERM": "xterm"}, probe=SUCCEEDS), TerminalView)


def test_uses_the_terminal_when_opening_a_window_would_abort() -> None:
    """The GUI build aborts the process (exit 134) when it cannot reach the display: the probe
    dies in its subprocess instead, and this process carries on."""
    assert not can_open_window(ABORTS)
    view = choose_view({"DISPLAY": ":93"}, probe=ABORTS, build_information=GUI_BUILD)
    assert isinstance(view, TerminalView)


def test_uses_the_terminal_when_the_window_cannot_be_made_here() -> None:
    """A display and a probe that succeeds, but this process's OpenCV is headless: making the
    window raises cv2.error, which is caught; nothing aborts."""
    view = choose_view({"DISPLAY": ":93"}, probe=SUCCEEDS, build_information=GUI_BUILD)
    assert isinstance(view, TerminalView)


def test_the_installed_opencv_is_headless_so_a_display_alone_never_chooses_the_window() -> None:
    assert not has_gui_build()  # opencv-python-headless, as the scanner extra installs
    assert isinstance(choose_view({"DISPLAY": ":0"}, probe=SUCCEEDS), TerminalView)


def test_the_terminal_shows_the_verdict_every_reason_and_that_it_is_offline() -> None:
    out = io.StringIO()
    TerminalView(Console(file=out, width=120, color_system=None)).show(
        verdict_screen(refused_offline())
    )
    text = out.getvalue()
    for expected in (
        "禁止充装  /  REFUSE",
        "7KQM4XR92TB  YSP35.5",
        "超期未检，禁止充装",
        "Periodic inspection overdue",
        "列入黑名单或召回",
        "Blacklisted or under recall",
        "注意：首次充装或检验后首次充装，须先置换",
        "网络中断：离线判断",
        "Offline: decided from the local copy",
    ):
        assert expected in text, expected
    assert "恢复后自动上传" not in text  # a refusal uploads nothing


def test_the_offline_allow_says_it_will_upload() -> None:
    answer = GateAnswer(
        True, "7KQM4XR92TB", "YSP35.5", (), (), is_offline=True, checked_at=AS_OF, cache_as_of=AS_OF
    )
    screen = verdict_screen(answer)
    assert (screen.tone, screen.title.zh, screen.title.en) == (Tone.ALLOW, "可以充装", "ALLOW")
    assert screen.banner is not None
    assert screen.banner.zh.startswith("网络中断：离线判断，恢复后自动上传")
    assert screen.banner.en.startswith(
        "Offline: decided from the local copy; will upload when the network is back"
    )
    online = verdict_screen(GateAnswer(True, "7KQM4XR92TB", "YSP35.5", (), ()))
    assert online.banner is None


def test_the_window_picture_is_red_for_refuse_green_for_allow_with_a_yellow_offline_band() -> None:
    refused = render(verdict_screen(refused_offline()))
    allowed = render(Screen(Tone.ALLOW, verdict_screen(refused_offline()).title))
    assert refused.shape == allowed.shape == (720, 1280, 3)
    assert [int(v) for v in refused[60, 10]] == [28, 28, 185]  # red (BGR)
    assert [int(v) for v in allowed[60, 10]] == [61, 128, 21]  # green
    assert [int(v) for v in refused[-20, 10]] == [71, 224, 253]  # the yellow offline band
    assert (refused == 255).all(axis=2).sum() > 5000  # white text was drawn


def test_the_window_fits_many_reasons_above_the_offline_band() -> None:
    many = tuple(
        Finding.of(code)
        for code in (
            "INSPECTION_OVERDUE",
            "SERVICE_LIFE_EXCEEDED",
            "SCRAPPED",
            "BLACKLISTED",
            "INSPECTION_FAILED",
            "REFURBISHED_OR_MODIFIED",
            "STATION_NOT_LICENSED",
        )
    )
    picture = render(verdict_screen(replace(refused_offline(), reasons=many, warnings=())))
    band = picture[720 - 110 :]
    whitish = (band > 200).all(axis=2)
    assert not whitish.any()  # no reason text runs into the band
    assert (picture[:610] > 200).all(axis=2).sum() > 5000


def test_the_window_font_has_the_chinese_glyphs_and_long_text_wraps() -> None:
    face = font(44)
    tofu = face.getmask("\uffff").getbbox()
    for char in "禁止充装超期未检":
        assert face.getmask(char).getbbox() != tofu
        assert face.getlength(char) > 30
    lines = wrap("超期未检，禁止充装" * 8, face, 600)
    assert len(lines) > 1
    assert all(face.getlength(line) <= 600 for line in lines)
    words = wrap("Periodic inspection overdue and more words here", font(28), 200)
    assert all(not line.startswith(" ") for line in words)
    assert "".join(words).replace(" ", "") == "Periodicinspectionoverdueandmorewordshere"


def test_refuse_sounds_unlike_allow() -> None:
    def read(tone: Tone) -> tuple[int, bytes]:
        with wave.open(io.BytesIO(wav_bytes(PATTERNS[tone]))) as wav:
            return wav.getnframes(), wav.readframes(wav.getnframes())

    allow_frames, _ = read(Tone.ALLOW)
    refuse_frames, refuse = read(Tone.REFUSE)
    assert refuse_frames > 5 * allow_frames  # three long beeps against one short one
    assert np.frombuffer(refuse, np.int16).any()
    assert PATTERNS[Tone.REFUSE][0][0] < PATTERNS[Tone.ALLOW][0][0]  # lower
    assert Tone.DONE not in PATTERNS  # the event screens stay quiet


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_bells_once_for_allow_three_times_for_refuse_and_only_on_a_terminal() -> None:
    done = threading.Event()
    for tone, count in ((Tone.ALLOW, 1), (Tone.REFUSE, 3)):
        stream = Terminal()
        BellSound(stream).play(tone)
        for _ in range(40):
            if stream.getvalue().count("\a") == count:
                break
            done.wait(0.05)
        assert stream.getvalue() == "\a" * count
    piped = io.StringIO()
    BellSound(piped).play(Tone.REFUSE)
    assert piped.getvalue() == ""
    Silent().play(Tone.REFUSE)


def test_never_fails_without_an_audio_player(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", os.devnull)
    assert isinstance(choose_sound(io.StringIO()), BellSound)


def test_a_recording_view_keeps_what_would_be_shown() -> None:
    view = RecordingView()
    view.show(verdict_screen(refused_offline()))
    view.tick()
    view.close()
    assert [s.title.en for s in view.screens] == ["REFUSE"]
