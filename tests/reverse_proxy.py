"""nginx in front of webhook workers, configured by the repository's own file."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from tests.test_run_command import free_port

WEBHOOK_LOCATION = Path(__file__).resolve().parent.parent / "deploy/nginx/farmdock-webhook.conf"


@asynccontextmanager
async def nginx_in_front(folder: Path, worker_ports: list[int], path: str) -> AsyncIterator[str]:
    """nginx on 127.0.0.1 spreading calls over ``worker_ports``; yields the URL of ``path``
    through it. A machine without nginx fails the test: ``.ci/run`` installs it."""
    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    if nginx is None:
        pytest.fail("nginx is not installed (apt-get install nginx-light; .ci/run does)")
    port = free_port()
    conf = _write_config(folder, port, worker_ports)
    process = await asyncio.create_subprocess_exec(
        nginx, "-p", str(folder), "-c", str(conf), stderr=asyncio.subprocess.PIPE)
    try:
        await _listening(port, process)
        yield f"http://127.0.0.1:{port}{path}"
    finally:
        if process.returncode is None:
            process.terminate()
        await process.wait()


async def _listening(port: int, process: asyncio.subprocess.Process) -> None:
    for _ in range(200):
        if process.returncode is not None:
            assert process.stderr is not None
            pytest.fail(f"nginx did not start: {(await process.stderr.read()).decode()}")
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.05)
            continue
        writer.close()
        await writer.wait_closed()
        return
    pytest.fail("nginx never listened")


def _write_config(folder: Path, port: int, worker_ports: list[int]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    servers = "\n".join(f"server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;"
                        for p in worker_ports)
    conf = folder / "nginx.conf"
    conf.write_text(f"""
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
daemon off;
worker_processes 1;
events {{ worker_connections 512; }}
http {{
    access_log off;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    upstream farmdock_workers {{ {servers} keepalive 16; }}
    server {{ listen 127.0.0.1:{port}; include {WEBHOOK_LOCATION}; }}
}}
""", encoding="utf-8")
    return conf
