"""Closing summary of the test command.

Arguments are `REPORT.xml=EXITCODE` for each pytest session (JUnit XML) and `NAME=EXITCODE`
for each linter (one test each). Browser tests that were skipped count as failures: without
Chromium or websocket-client Odoo skips every tour, and the run would otherwise still pass.
"""
import sys
import xml.etree.ElementTree as ET

BROWSER_WORDS = ("browser", "chrom", "websocket")


def count_report(path, rc):
    """Return (passed, failed, skipped) of one pytest session."""
    passed = failed = skipped = 0
    try:
        cases = list(ET.parse(path).getroot().iter("testcase"))  # noqa: S314 (our own report)
    except (OSError, ET.ParseError) as exc:
        print(f"[test] FAILED: no pytest report {path} ({exc})")
        return 0, 1, 0
    for case in cases:
        skip = case.find("skipped")
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
        elif skip is not None:
            reason = (skip.get("message") or "").lower()
            if any(word in reason for word in BROWSER_WORDS):
                print(f"[test] FAILED: browser test skipped: {case.get('name')}: {reason}")
                failed += 1
            else:
                skipped += 1
        else:
            passed += 1
    if rc not in (0, 1) and not failed:  # interrupted, usage error, no tests collected...
        print(f"[test] FAILED: pytest exited with {rc} for {path}")
        failed += 1
    return passed, failed, skipped


def main(*args):
    passed = failed = skipped = 0
    for arg in args:
        name, rc = arg.rsplit("=", 1)
        if name.endswith(".xml"):
            p, f, s = count_report(name, int(rc))
            passed, failed, skipped = passed + p, failed + f, skipped + s
        elif int(rc) == 0:
            passed += 1
        else:
            print(f"[test] FAILED: {name}")
            failed += 1
    print(f"total: {passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
