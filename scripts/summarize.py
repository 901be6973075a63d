"""Closing summary of the test command: counts from pytest's JUnit XML plus one test per
linter, and the exit code. Browser tests that were skipped count as failures: without
Chromium or websocket-client Odoo skips every tour and would otherwise still pass."""
import sys
import xml.etree.ElementTree as ET


def main(junit, pytest_rc, *linters):
    passed = failed = skipped = 0
    try:
        cases = ET.parse(junit).getroot().iter("testcase")  # noqa: S314 (our own report)
    except (OSError, ET.ParseError) as exc:
        print(f"[test] no pytest report ({exc})")
        cases = []
    for case in cases:
        skip = case.find("skipped")
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
        elif skip is not None:
            reason = (skip.get("message") or "").lower()
            if any(word in reason for word in ("browser", "chrom", "websocket")):
                print(f"[test] FAILED: browser test skipped: {case.get('name')}: {reason}")
                failed += 1
            else:
                skipped += 1
        else:
            passed += 1
    if int(pytest_rc) not in (0, 1) and not failed:
        print(f"[test] FAILED: pytest exited with {pytest_rc}")
        failed += 1
    for linter in linters:
        name, rc = linter.split("=")
        if int(rc) == 0:
            passed += 1
        else:
            print(f"[test] FAILED: {name}")
            failed += 1
    print(f"total: {passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
