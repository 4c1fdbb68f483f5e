import subprocess
import sys


def test_command_line_start_up_leaves_heavy_libraries_unloaded() -> None:
    # `farmdock parse` and `farmdock match` are timed end to end by outside scripts:
    # discovering the subcommands must not pay for plotting or spreadsheets.
    probe = (
        "import sys; from bot.cli import build_parser; build_parser(); "
        "print(' '.join(m for m in ('matplotlib', 'openpyxl') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            timeout=60, check=True)
    assert result.stdout.strip() == ""
