#!/usr/bin/env bash
# Runs every Serve test on this machine: installs what the tests need when it is missing
# (redis-server, from Debian), builds in Release, and runs the suite.
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v redis-server >/dev/null 2>&1; then
  echo "test.sh: installing redis-server (needed by the cluster tests)"
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq redis-server >/dev/null
fi

# Debian's chromium, which the dashboard's browser test drives through Playwright (no browser download).
if [ -z "${SERVE_CHROMIUM:-}" ] && ! [ -x /usr/bin/chromium ]; then
  echo "test.sh: installing chromium (needed by the dashboard's browser test)"
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

dotnet build Serve.sln -c Release -nologo -v quiet
# The NuGet packages, from that build, into the local folder the package and template tests (and users) install from.
rm -rf artifacts/packages
dotnet pack Serve.sln -c Release --no-build --no-restore -nologo -v quiet -o artifacts/packages
results=$(mktemp -d)
# Files tests leave for a reader (the dashboard's screenshot) go beside the test results.
export SERVE_TEST_RESULTS="$results"
set +e
dotnet test Serve.sln -c Release --no-build -nologo --logger "console;verbosity=normal" --logger "trx;LogFileName=serve.trx" --results-directory "$results" "$@"
status=$?
set -e
echo "test.sh: test results and screenshots in $results"

# Each failed test with its message's first lines, then one plain closing line for any reader: "N passed, N failed,
# N skipped". They come last so that a log cut to its tail (CI's) still names what failed. On a loaded machine dotnet
# test has been seen to return while its runner still ran and had not yet written its results: the summary waits for
# them (up to 15 min), and their outcome decides the exit status too, so a run whose results never came does not pass.
set +e
python3 - "$results" <<'PY'
import glob, sys, time, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
deadline = time.monotonic() + 15 * 60
roots = None
while roots is None:
    try:
        paths = glob.glob(sys.argv[1] + "/**/*.trx", recursive=True)
        roots = [ET.parse(path).getroot() for path in paths] if paths else None
    except ET.ParseError:
        roots = None  # still being written
    if roots is None:
        if time.monotonic() > deadline:
            print("test.sh: no test results were written within 15 min of dotnet test's end: the run did not finish")
            sys.exit(1)
        time.sleep(2)
passed = failed = skipped = 0
for root in roots:
    for result in root.iterfind("t:Results/t:UnitTestResult", ns):
        if result.get("outcome") == "Failed":
            message = result.findtext("t:Output/t:ErrorInfo/t:Message", default="", namespaces=ns).strip()
            print(f"FAILED {result.get('testName')} ({result.get('duration')})")
            for line in message.splitlines()[:6]:
                print(f"    {line[:300]}")
    counters = root.find("t:ResultSummary/t:Counters", ns)
    passed += int(counters.get("passed", 0))
    failed += int(counters.get("failed", 0)) + int(counters.get("error", 0)) + int(counters.get("timeout", 0))
    skipped += int(counters.get("notExecuted", 0))
print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed > 0 or passed == 0 else 0)
PY
summary=$?
set -e
if [ "$status" -eq 0 ] && [ "$summary" -ne 0 ]; then status=$summary; fi
exit $status
