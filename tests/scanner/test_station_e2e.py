"""``cylinder-scan station`` end to end, as a filler runs it: a video of a real label, a real
service (uvicorn on the test's database), the event checked in the database. Then the same
with the service down during the fill and back afterwards."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import cv2
import numpy as np
import segno

from service.use_cases.context import Context
from tests.factories import register_one
from tests.scanner.live_service import LiveService, events_in_db
from tests.scanner.scanner_process import command_line, run_scanner, scanner_env
from tests.world import World

FRAME = (720, 1280)  # rows, columns
PX_PER_MODULE = 7


def label_frame(payload: str) -> np.ndarray:
    """A white label with the QR (error level Q, as printed), on a grey 1280×720 frame."""
    modules = np.array(segno.make(payload, error="q", micro=False).matrix, dtype=np.uint8)
    quiet = np.pad(modules, 4)
    qr = np.where(np.kron(quiet, np.ones((PX_PER_MODULE, PX_PER_MODULE), np.uint8)), 0, 255)
    label = np.full((qr.shape[0] + 80, qr.shape[1] + 40), 255, np.uint8)
    label[20 : 20 + qr.shape[0], 20 : 20 + qr.shape[1]] = qr
    cv2.putText(label, "YI PING YI MA", (30, label.shape[0] - 25), 0, 0.8, 0, 2)
    frame = np.full(FRAME, 120, np.uint8)
    top, left = 100, 400
    frame[top : top + label.shape[0], left : left + label.shape[1]] = label
    return cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)


def write_video(path: Path, payload: str, seconds: float = 3, fps: int = 10) -> Path:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mp4v"), fps, FRAME[::-1])
    assert writer.isOpened()
    blank = np.full((*FRAME, 3), 120, np.uint8)
    frames = [blank] * fps + [label_frame(payload)] * int((seconds - 1) * fps)
    for frame in frames:
        writer.write(frame)
    writer.release()
    return path


def station_args(video: Path, service: LiveService, token: str, data_dir: Path) -> list[str]:
    return command_line(
        "station",
        source=video,
        service=service.url,
        token=token,
        net_kg=14.5,
        max_reads=1,
        data_dir=data_dir,
    )


def outbox(data_dir: Path) -> list[tuple[str, str, str]]:
    conn = sqlite3.connect(data_dir / "outbox.sqlite3")
    try:
        return conn.execute("SELECT event_id, kind, state FROM outbox ORDER BY seq").fetchall()
    finally:
        conn.close()


async def test_records_the_fill_of_a_label_seen_on_video(
    ctx: Context, world: World, service: LiveService, tmp_path: Path, superuser_dsn: str
) -> None:
    code = await register_one(ctx, world)
    video = write_video(tmp_path / "label.mp4", ctx.qr_payload(code))
    token = world.tokens["filler_a1"]
    done = await run_scanner(*station_args(video, service, token, tmp_path / "data"))
    assert done.returncode == 0, done.stderr
    assert "可以充装" in done.stdout
    assert "ALLOW" in done.stdout
    assert "已记录充装" in done.stdout
    assert "网络中断" not in done.stdout
    (filled,) = await events_in_db(superuser_dsn, code=code, type_="filled")
    payload = json.loads(filled["payload"])
    assert payload["net_kg"] == 14.5
    assert "offline" not in payload
    assert outbox(tmp_path / "data") == [(str(filled["event_id"]), "fill", "sent")]


async def test_fills_offline_while_the_service_is_down_and_uploads_once_it_is_back(
    ctx: Context, world: World, service: LiveService, tmp_path: Path, superuser_dsn: str
) -> None:
    code = await register_one(ctx, world)
    video = write_video(tmp_path / "label.mp4", ctx.qr_payload(code))
    token, data = world.tokens["filler_a1"], tmp_path / "data"
    common = command_line("sync", service=service.url, token=token, data_dir=data)
    synced = await run_scanner(*common)
    assert synced.returncode == 0, synced.stdout + synced.stderr

    await service.stop()
    done = await run_scanner(*station_args(video, service, token, data))
    assert done.returncode == 0, done.stderr
    assert "可以充装" in done.stdout
    assert "网络中断：离线判断，恢复后自动上传" in done.stdout
    assert "已保存，待上传" in done.stdout
    assert "待上传 1 条" in done.stderr
    ((event_id, kind, state),) = outbox(data)
    assert (kind, state) == ("fill", "pending")
    assert [row["type"] for row in await events_in_db(superuser_dsn, code=code)] == ["registered"]

    await service.start()
    uploaded = await run_scanner(*common)
    assert uploaded.returncode == 0, uploaded.stdout + uploaded.stderr
    again = await run_scanner(*common)
    assert again.returncode == 0, again.stdout + again.stderr
    (filled,) = await events_in_db(superuser_dsn, code=code, type_="filled")
    assert str(filled["event_id"]) == event_id
    offline = json.loads(filled["payload"])["offline"]
    assert offline["verdict"] == "allow"
    assert offline["cache_as_of"] is not None
    assert outbox(data) == [(event_id, "fill", "sent")]


async def test_shows_the_verdict_in_the_terminal_and_never_aborts_without_a_display(
    ctx: Context, world: World, service: LiveService, tmp_path: Path
) -> None:
    """No display, and a DISPLAY that leads nowhere (with the headless OpenCV installed here,
    imshow would raise; with the GUI build it would abort the process): both use the
    terminal view, and the run completes."""
    code = await register_one(ctx, world, company="company_b")
    token = world.tokens["filler_a1"]
    for number, env in enumerate([scanner_env(), scanner_env(DISPLAY=":93")]):
        data_dir = tmp_path / str(number)
        args = command_line(
            "station", "--once", source="-", service=service.url, token=token, data_dir=data_dir
        )
        done = await run_scanner(*args, stdin=ctx.qr_payload(code) + "\n", env=env)
        assert done.returncode == 0, done.stderr
        assert "禁止充装  /  REFUSE" in done.stdout
        assert "非本单位自有气瓶，禁止充装" in done.stdout
        assert "Not this station's company's cylinder" in done.stdout
        assert code in done.stdout


async def test_stops_and_says_so_when_the_token_is_wrong(
    ctx: Context, world: World, service: LiveService, tmp_path: Path
) -> None:
    code = await register_one(ctx, world)
    wrong = "cyl_wrong-token"
    args = command_line(
        "station", "--once", source="-", service=service.url, token=wrong, data_dir=tmp_path
    )
    done = await run_scanner(*args, stdin=ctx.qr_payload(code) + "\n")
    assert done.returncode == 2
    assert "令牌被拒绝" in done.stderr
    assert "check --token" in done.stderr
