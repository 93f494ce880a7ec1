"""The ``cylinders`` command: serve, migrate, import, labels, token, verify.

Without ``DATABASE_URL`` every command uses the embedded PostgreSQL in ``CYLINDERS_DATA_DIR``
(started on demand, and stopped when the last command using it exits). ``serve --demo`` loads
the demo county first (``service.cli.demo``).
"""

from __future__ import annotations

import asyncio
import csv
import gc
import json
import os
import re
import signal
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import FrameType
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from service.app import build_context, open_driver_pool
from service.cli import demo
from service.db import migrate as migrations
from service.db.embedded import start_embedded
from service.domain.access import Role
from service.domain.errors import DomainError
from service.labels.sheet import SheetSpec
from service.settings import Settings
from service.use_cases import history, ledger_import, users
from service.use_cases import labels as label_printing
from service.use_cases.auth import new_token
from service.use_cases.context import Context

app = typer.Typer(
    help="一瓶一码 气瓶追溯服务 / gas-cylinder traceability service", no_args_is_help=True
)
console = Console()
err = Console(stderr=True)
T = TypeVar("T")


def _database_url(settings: Settings) -> str:
    if settings.database_url:
        return settings.database_url
    return start_embedded(settings.data_dir)


def _prepare(settings: Settings) -> str:
    """The database URL, with every migration applied."""
    url = _database_url(settings)
    migrations.upgrade(url)
    return url


def _run(settings: Settings, job: Callable[[Context], Awaitable[T]]) -> T:
    async def main() -> T:
        ctx = build_context(settings)
        ctx.pool = pool = await open_driver_pool(settings)
        try:
            return await job(ctx)
        finally:
            await pool.close()
            await ctx.engine.dispose()

    return asyncio.run(main())


def _settings(url: str | None = None) -> Settings:
    try:
        settings = Settings()
    except ValueError as exc:
        err.print(f"[red]配置错误 / configuration error:[/] {exc}")
        raise typer.Exit(2) from exc
    if url is not None:
        settings = settings.model_copy(update={"database_url": url})
    return settings


def _print_demo_tokens(path: Path, base: str) -> None:
    tokens = json.loads(path.read_text(encoding="utf-8"))
    table = Table(title="演示账号 / demo tokens (Authorization: Bearer <token>)")
    table.add_column("who")
    table.add_column("token")
    for who, token in tokens.items():
        table.add_row(who, token)
    console.print(table)
    console.print(
        f"试一试 / try:  curl -s {base}/api/v1/me -H 'Authorization: Bearer {tokens['filler_1a']}'"
    )
    console.print(f"API docs: {base}/docs")


def _load_demo(settings: Settings) -> Path:
    path = settings.data_dir / "demo-tokens.json"

    async def job(ctx: Context) -> None:
        if await demo.is_loaded(ctx):
            return
        started = time.perf_counter()
        loaded = await demo.load_demo(ctx)
        admin_token = new_token()
        await users.ensure_admin(ctx, admin_token)
        tokens = {"admin": admin_token, **loaded.tokens}
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(tokens, ensure_ascii=False, indent=1), encoding="utf-8")
        path.chmod(0o600)
        console.print(
            f"演示数据已载入 / demo county loaded in {time.perf_counter() - started:.1f} s"
        )

    _run(settings, job)
    return path


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port")] = 8000,
    demo_data: Annotated[
        bool, typer.Option("--demo", help="load the demo county once and print its tokens")
    ] = False,
    workers: Annotated[int, typer.Option(help="worker processes (about one per core)")] = 1,
) -> None:
    """Start the service (embedded PostgreSQL unless DATABASE_URL is set; migrations first)."""
    import uvicorn

    started = time.perf_counter()
    os.environ.setdefault("CYLINDERS_PUBLIC_URL", f"http://{host}:{port}")
    settings = _settings()
    url = _prepare(settings)
    settings = settings.model_copy(update={"database_url": url})
    if demo_data:
        tokens = _load_demo(settings)
        _print_demo_tokens(tokens, f"http://{host}:{port}")
    os.environ["DATABASE_URL"] = url
    console.print(
        f"数据库就绪 / database ready in {time.perf_counter() - started:.1f} s; serving on http://{host}:{port}"
    )
    uvicorn.run(
        "service.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
    )


@app.command()
def migrate(
    check: Annotated[
        bool, typer.Option(help="only check that the tables and revisions agree")
    ] = False,
) -> None:
    """Apply every Alembic revision (or check them)."""
    settings = _settings()
    url = _database_url(settings)
    migrations.upgrade(url)
    if check:
        migrations.check(url)
    console.print("数据库已是最新 / database schema is up to date")


def _progress_bar() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )


def _write_report(path: Path, errors: list[Any]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["行 row", "字段 field", "代码 code", "说明 message"])
        for e in errors:
            writer.writerow([e.loc[0], ".".join(str(p) for p in e.loc[1:]), e.code, e.message])


def _show_errors(errors: list[Any], limit: int = 20) -> None:
    table = Table(title=f"错误 / errors ({len(errors)})")
    for column in ("行 row", "字段 field", "代码 code", "说明 message"):
        table.add_column(column)
    for e in errors[:limit]:
        table.add_row(str(e.loc[0]), ".".join(str(p) for p in e.loc[1:]), e.code, e.message)
    err.print(table)
    if len(errors) > limit:
        err.print(f"... {len(errors) - limit} more (use --report to write them all)")


@app.command("import")
def import_(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="ledger: .csv or .xlsx")
    ],
    owner: Annotated[str, typer.Option(help="the owning company (产权单位): its id or exact name")],
    skip_bad: Annotated[
        bool, typer.Option("--skip-bad", help="import the good rows, report the bad")
    ] = False,
    report: Annotated[Path | None, typer.Option(help="write every row error to this CSV")] = None,
) -> None:
    """Import a cylinder ledger (台账). Nothing is imported if any row is bad, unless --skip-bad."""
    # A one-shot process holding a few hundred thousand rows: the cyclic GC would rescan
    # them over and over and find nothing to free.
    gc.disable()
    settings = _settings()
    settings = settings.model_copy(update={"database_url": _prepare(settings)})
    with _progress_bar() as bar:
        tasks: dict[str, Any] = {}

        def progress(stage: str, done: int, total: int) -> None:
            label = {"read": "读取 reading", "write": "写入 writing"}.get(stage, stage)
            if stage not in tasks:
                tasks[stage] = bar.add_task(label, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        async def job(ctx: Context) -> ledger_import.ImportResult:
            actor = await users.cli_actor(ctx)
            return await ledger_import.import_ledger(
                ctx, actor, file, owner, skip_bad=skip_bad, progress=progress
            )

        started = time.perf_counter()
        try:
            result = _run(settings, job)
        except DomainError as exc:
            bar.stop()
            err.print(f"[red]{exc.detail}[/]")
            if exc.errors:
                _show_errors(exc.errors)
                if report:
                    _write_report(report, exc.errors)
            raise typer.Exit(1) from exc
    elapsed = time.perf_counter() - started
    console.print(
        f"导入 / imported {len(result.imported)} of {result.rows} rows in {elapsed:.1f} s"
    )
    if result.errors:
        _show_errors(result.errors)
        if report:
            _write_report(report, result.errors)


@app.command()
def token(
    org: Annotated[str, typer.Option(help="organisation id")],
    role: Annotated[Role, typer.Option(help="role")],
    name: Annotated[str, typer.Option(help="the person's name")],
    certificate_no: Annotated[
        str | None, typer.Option(help="operator certificate (fillers)")
    ] = None,
) -> None:
    """Create a user and print its token (shown once)."""
    settings = _settings()
    settings = settings.model_copy(update={"database_url": _prepare(settings)})

    async def job(ctx: Context) -> str:
        actor = await users.cli_actor(ctx)
        _, secret = await users.create_user(
            ctx, actor, users.UserInput(name, uuid.UUID(org), role, certificate_no)
        )
        return secret

    try:
        console.print(_run(settings, job))
    except (DomainError, ValueError) as exc:
        err.print(f"[red]{exc}[/]")
        raise typer.Exit(1) from exc


@app.command()
def verify() -> None:
    """Check every cylinder's hash chain, and its state against its history."""
    settings = _settings()
    settings = settings.model_copy(update={"database_url": _prepare(settings)})
    checked, bad = _run(settings, history.verify_all)
    for report in bad:
        for problem in report.problems:
            err.print(
                f"[red]{report.code}[/] event {problem.seq}: {problem.problem}: {problem.detail}"
            )
    if bad:
        err.print(
            f"[red]{len(bad)} of {checked} cylinders have a history that was changed outside the service[/]"
        )
        raise typer.Exit(1)
    console.print(f"全部完好 / all {checked} cylinder histories verify")


def _read_codes(path: Path) -> tuple[str, ...]:
    """One code a line; in a CSV (comma, semicolon or tab), the first column. Blank lines and
    ``#`` comments are skipped."""
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    cells = (re.split(r"[,;\t]", line, maxsplit=1)[0].strip() for line in lines)
    return tuple(c for c in cells if c and not c.startswith("#"))


def _label_job(
    owner: str, selection: label_printing.Selection, spec: SheetSpec, bar: Progress
) -> Callable[[Context], Awaitable[label_printing.PrintedLabels]]:
    task = bar.add_task("排版 rendering", total=None)

    async def job(ctx: Context) -> label_printing.PrintedLabels:
        actor = await users.cli_actor(ctx)
        company = await ledger_import.find_owner(ctx, owner)
        return await label_printing.print_labels(
            ctx,
            actor,
            company.id,
            selection,
            spec=spec,
            on_label=lambda done, total: bar.update(task, completed=done, total=total),
        )

    return job


@app.command()
def labels(
    owner: Annotated[str, typer.Option(help="the owning company (产权单位): its id or exact name")],
    out: Annotated[Path, typer.Option(dir_okay=False, help="the PDF to write")],
    codes: Annotated[
        Path | None,
        typer.Option(exists=True, dir_okay=False, help="only these codes: one a line, or a CSV"),
    ] = None,
    unprinted: Annotated[
        bool, typer.Option("--unprinted", help="only cylinders whose label was never printed")
    ] = False,
    outline: Annotated[
        bool, typer.Option("--outline", help="faint cutting lines, for plain paper")
    ] = False,
) -> None:
    """Print label sheets (打印标签): an A4 PDF, 24 labels a page; marks them printed."""
    if codes is not None and unprinted:
        err.print("[red]--codes 与 --unprinted 只能选一个 / give --codes or --unprinted[/]")
        raise typer.Exit(2)
    selection = label_printing.Selection(
        codes=_read_codes(codes) if codes else None, only_unprinted=unprinted
    )
    settings = _settings()
    settings = settings.model_copy(update={"database_url": _prepare(settings)})
    # Written beside ``out`` and renamed at the end: a place that cannot be written fails
    # before any label is marked printed, and a failed run leaves no half-written PDF.
    part = out.with_name(out.name + ".part")
    started = time.perf_counter()
    try:
        with part.open("wb") as sink, _progress_bar() as bar:
            printed = _run(settings, _label_job(owner, selection, SheetSpec(outline=outline), bar))
            sink.write(printed.pdf)
        part.replace(out)
    except DomainError as exc:
        err.print(f"[red]{exc.detail}[/]")
        if exc.errors:
            _show_errors(exc.errors)
        raise typer.Exit(1) from exc
    finally:
        part.unlink(missing_ok=True)
    console.print(
        f"已生成 / wrote {len(printed.codes)} labels on {printed.pages} pages to {out} "
        f"in {time.perf_counter() - started:.1f} s"
    )


def _exit_on_sigterm(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def main() -> None:
    # ``kill`` (SIGTERM) ends a command the way Ctrl-C does, through Python's exit: the embedded
    # PostgreSQL a command started is stopped by an exit hook, which the signal's default action
    # (the process killed outright) never runs. ``serve`` included: uvicorn handles SIGTERM
    # itself, shuts down, then raises it again with this handler restored.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover
        sys.exit(130)
