"""The verdict in the terminal: a full-width coloured panel per screen (rich). The view used
wherever a window cannot open (see ``scanner.display.view.choose_view``)."""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.text import Text

from scanner.display.screen import Screen, Tone

_STYLES = {
    Tone.ALLOW: "bold white on green4",
    Tone.REFUSE: "bold white on red3",
    Tone.DONE: "bold white on dark_green",
    Tone.QUEUED: "bold black on yellow3",
    Tone.NOTICE: "bold white on grey35",
}


class TerminalView:
    """A full-width coloured panel per screen."""

    def __init__(self, console: Console | None = None):
        self.console = console or Console(highlight=False)

    def show(self, screen: Screen) -> None:
        style = _STYLES[screen.tone]
        parts: list[Text] = [Text(f"\n{screen.title.zh}  /  {screen.title.en}\n", justify="center")]
        ident = "  ".join(x for x in (screen.code, screen.model) if x)
        if ident:
            parts.append(Text(ident + "\n", justify="center"))
        for line in screen.lines:
            parts.append(Text(f"• {line.zh}", style="bold"))
            parts.append(Text(f"  {line.en}", style="dim" if screen.tone is Tone.ALLOW else ""))
        if screen.banner is not None:
            parts.append(Text(f"\n{screen.banner.zh}\n{screen.banner.en}", style="bold yellow"))
        self.console.print(Panel(Group(*parts), style=style, expand=True, padding=(1, 4)))

    def tick(self) -> None:
        pass

    def close(self) -> None:
        pass
