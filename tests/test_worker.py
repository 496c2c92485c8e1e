"""
The worker as production runs it: `manage.py run_huey`, a consumer process of its own beside
the web side, with the queue between them (here the SQLite queue file, the embedded default)
and a real SMTP server at the other end. A request's e-mail leaves through the worker.
"""

import json
import os
import signal
import subprocess
import sys
import time
from email import message_from_bytes
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from tests.test_serving import free_port

ROOT = Path(__file__).resolve().parent.parent


class Inbox:
    """An aiosmtpd handler that keeps what it is sent."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 Message accepted"


@pytest.mark.slow
def test_an_e_mail_queued_by_the_web_side_is_sent_by_the_worker(tmp_path):
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DEBUG", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}},
        "DJANGO_SETTINGS_MODULE": "spasmlog.settings",
        "SECRET_KEY": "worker-test-" + "k3y!" * 15,
        "ALLOWED_HOSTS": "spasmlog.test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'worker.sqlite3'}",
        "TASK_QUEUE_FILE": str(tmp_path / "tasks.sqlite3"),
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp.port),
        "SECURE_SSL_REDIRECT": "0",
    }
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "--no-input", "--verbosity", "0"], cwd=ROOT, env=env, check=True)
    # The web side: Django's send_mail, as the sign-up and reset pages call it, only queues.
    subprocess.run(
        [
            python,
            "manage.py",
            "shell",
            "-c",
            "from django.core.mail import send_mail; "
            "send_mail('Confirm your address', 'Open this link.', None, ['new@example.com'])",
        ],
        cwd=ROOT,
        env=env,
        check=True,
    )
    assert inbox.messages == []  # Nothing was sent inside the "request".

    worker = subprocess.Popen(
        [python, "manage.py", "run_huey", "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        for _ in range(120):
            if inbox.messages or worker.poll() is not None:
                break
            time.sleep(0.25)
    finally:
        worker.send_signal(signal.SIGINT)
        output = worker.communicate(timeout=30)[0].decode()
        smtp.stop()
    assert len(inbox.messages) == 1, output
    recipients, message = inbox.messages[0]
    assert recipients == ["new@example.com"]
    assert message["Subject"] == "Confirm your address"
    assert message.get_payload().strip() == "Open this link."
    # The worker logs in the project's JSON lines (each once), and never the message.
    logged = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    executed = [line["message"] for line in logged if line["message"].startswith("Executing spasmlog.tasks.deliver")]
    assert len(executed) == 1, output
    assert "Open this link." not in output and "new@example.com" not in output
