import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from odoo.tests import BaseCase, tagged

ADDON = Path(__file__).resolve().parent.parent


@tagged("post_install", "-at_install")
class TestDemoCommand(BaseCase):
    def test_demo_check(self):
        """scripts/demo.sh --check: fake server, fresh demo database, OAuth, a first sync both ways
        checked against the database, Odoo answering."""
        work = tempfile.mkdtemp(prefix="qbo_demo_check_")
        self.addCleanup(shutil.rmtree, work, ignore_errors=True)
        env = dict(os.environ, QBO_WORKDIR=work)
        for name in ("ODOO_PORT", "QBO_FAKE_PORT", "QBO_DEMO_DB"):
            env.pop(name, None)
        result = subprocess.run(  # noqa: S603 -- our own script
            ["bash", str(ADDON / "scripts" / "demo.sh"), "--check"],  # noqa: S607
            cwd=ADDON, env=env, capture_output=True, text=True, timeout=900, check=False)
        output = result.stdout + result.stderr
        self.assertEqual(result.returncode, 0, output[-3000:])
        self.assertRegex(output, r"\[demo\] connected realm=\d+ company=\S")
        self.assertRegex(output, r"\[demo\] synced downloaded=(\d+) uploaded=[1-9]\d* linked=\d+ errors=0 ")
        self.assertIn("check passed", output)
