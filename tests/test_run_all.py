"""`make run`'s supervisor: a child that exits is restarted with back-off, the others stay up."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap

from tests import support

SUPERVISOR = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, "scripts")
    import run_all

    log = sys.argv[1]
    def child(name, code):
        script = f"open({log!r}, 'a').write('{name}\\\\n'); {code}"
        return run_all.Child(name, [sys.executable, "-c", script])

    run_all.supervise(
        [child("crasher", "raise SystemExit(3)"), child("steady", "import time; time.sleep(60)")],
        poll_seconds=0.05,
    )
    """
)


def starts(log_path) -> list[str]:
    return log_path.read_text().split() if log_path.exists() else []


def test_a_crashing_child_is_restarted_while_the_others_keep_running(tmp_path):
    log_path = tmp_path / "starts.log"
    supervisor = subprocess.Popen(
        [sys.executable, "-c", SUPERVISOR, str(log_path)], cwd=support.ROOT
    )
    try:
        # Back-off 1 s, then 2 s: the third start comes about 3 s after the first.
        support.wait_for(lambda: starts(log_path).count("crasher") >= 3, timeout=30)
        assert starts(log_path).count("steady") == 1
        assert supervisor.poll() is None
    finally:
        supervisor.send_signal(signal.SIGTERM)
        supervisor.wait(timeout=30)
    assert supervisor.returncode == 0


def test_backoff_doubles_up_to_its_ceiling_and_resets_after_a_stable_run():
    sys.path.insert(0, str(support.ROOT / "scripts"))
    import run_all

    class Exited:
        returncode = 1

        def poll(self):
            return 1

    child = run_all.Child("worker", ["true"])
    now = 0.0
    waits = []
    for _ in range(7):
        child.process, child.started_at, child.restart_at = Exited(), now, None
        child.check(now)
        waits.append(child.restart_at - now)
    assert waits == [1, 2, 4, 8, 16, 30, 30]
    child.process, child.started_at, child.restart_at = Exited(), now, None
    child.check(now + run_all.STABLE_AFTER_SECONDS)
    assert child.restart_at - (now + run_all.STABLE_AFTER_SECONDS) == 1
