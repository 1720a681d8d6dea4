"""The audit log: appending, reading with filters (emulator.policy), and the ``audit`` command (emulator.tools)."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from emulator.policy import AuditLog, audit_path, read_audit
from emulator.tools.audit_log_cli import main as audit_main

T0 = datetime(2020, 6, 10, tzinfo=UTC)


def fill(log: AuditLog) -> None:
    """Record three decisions an hour apart."""
    log.record(
        time=T0,
        account="111111111111",
        operation="SearchFacesByImage",
        decision="deny",
        rule="police-moratorium-2020",
        request_id="req-1",
    )
    log.record(
        time=T0 + timedelta(hours=1),
        account="123456789012",
        operation="IndexFaces",
        decision="allow",
        rule=None,
        request_id="req-2",
    )
    log.record(
        time=T0 + timedelta(hours=2),
        account="111111111111",
        operation="DetectFaces",
        decision="allow",
        rule=None,
        request_id="req-3",
    )


def test_append_and_read(tmp_path: Path) -> None:
    path = audit_path(tmp_path)
    with AuditLog(path) as log:
        fill(log)
    lines = path.read_text().splitlines()
    assert len(lines) == 3
    assert json.loads(lines[0]) == {
        "time": "2020-06-10T00:00:00.000Z",
        "account": "111111111111",
        "operation": "SearchFacesByImage",
        "decision": "deny",
        "rule": "police-moratorium-2020",
        "request_id": "req-1",
    }
    assert [e["request_id"] for e in read_audit(path)] == ["req-1", "req-2", "req-3"]
    assert [e["request_id"] for e in read_audit(tmp_path)] == [
        "req-1",
        "req-2",
        "req-3",
    ]  # a data dir works too


def test_appends_across_instances(tmp_path: Path) -> None:
    path = audit_path(tmp_path / "new-dir")
    for _ in range(2):
        log = AuditLog(path)
        fill(log)
        log.close()
    assert len(list(read_audit(path))) == 6
    assert len(AuditLog(path).entries()) == 6


def test_in_memory(tmp_path: Path) -> None:
    log = AuditLog(None)
    fill(log)
    assert log.path is None
    assert [e["decision"] for e in log.entries()] == ["deny", "allow", "allow"]
    assert not list(tmp_path.iterdir())


def test_in_memory_keeps_the_latest() -> None:
    log = AuditLog(None, memory_limit=2)
    fill(log)
    assert [e["request_id"] for e in log.entries()] == ["req-2", "req-3"]


def test_invalid_decision_refused() -> None:
    with pytest.raises(ValueError, match="decision"):
        AuditLog(None).record(
            time=T0, account="1", operation="X", decision="maybe", rule=None, request_id="r"
        )


def test_times_with_offsets_are_recorded_in_utc() -> None:
    log = AuditLog(None)
    offset = datetime(2020, 6, 10, 2, tzinfo=UTC).astimezone(timezone(timedelta(hours=2)))
    log.record(time=offset, account="1", operation="X", decision="allow", rule=None, request_id="r")
    log.record(
        time=datetime(2020, 6, 10), account="1", operation="X", decision="allow", rule=None, request_id="r"
    )
    assert [e["time"] for e in log.entries()] == ["2020-06-10T02:00:00.000Z", "2020-06-10T00:00:00.000Z"]


def test_filters(tmp_path: Path) -> None:
    path = audit_path(tmp_path)
    fill(AuditLog(path))

    def ids(**filters: object) -> list[str]:
        return [e["request_id"] for e in read_audit(path, **filters)]  # type: ignore[arg-type]

    assert ids(account="111111111111") == ["req-1", "req-3"]
    assert ids(decision="deny") == ["req-1"]
    assert ids(account="111111111111", decision="allow") == ["req-3"]
    assert ids(since=T0 + timedelta(hours=1)) == ["req-2", "req-3"]  # inclusive
    assert ids(until=T0 + timedelta(hours=1)) == ["req-1"]  # exclusive
    assert ids(since=T0 + timedelta(minutes=30), until=T0 + timedelta(hours=3)) == ["req-2", "req-3"]
    assert ids(since=datetime(2020, 6, 10, 1)) == ["req-2", "req-3"]  # naive means UTC


def test_missing_file_reads_nothing(tmp_path: Path) -> None:
    assert list(read_audit(tmp_path / "absent.jsonl")) == []
    assert list(read_audit(tmp_path)) == []


def test_torn_last_line_skipped_and_sealed_on_the_next_append(tmp_path: Path) -> None:
    path = audit_path(tmp_path)
    fill(AuditLog(path))
    with path.open("a") as handle:
        handle.write('{"time": "2020-06-10T03:00:00.000Z", "acc')
    assert len(list(read_audit(path))) == 3
    log = AuditLog(path)
    log.record(time=T0, account="1", operation="X", decision="allow", rule=None, request_id="after")
    log.close()
    entries = list(read_audit(path))
    assert [e["request_id"] for e in entries] == ["req-1", "req-2", "req-3", "after"]


def test_thread_safe_appends(tmp_path: Path) -> None:
    path = audit_path(tmp_path)
    log = AuditLog(path, fsync=False)

    def work(n: int) -> None:
        for i in range(200):
            log.record(
                time=T0,
                account=str(n),
                operation="IndexFaces",
                decision="allow",
                rule=None,
                request_id=f"{n}-{i}" + "x" * 300,
            )

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    log.close()
    lines = path.read_text().splitlines()
    assert len(lines) == 1600
    assert len({json.loads(line)["request_id"] for line in lines}) == 1600


def test_fsync_option(tmp_path: Path) -> None:
    with AuditLog(audit_path(tmp_path), fsync=True) as log:
        fill(log)
    assert len(list(read_audit(tmp_path))) == 3


# The command.


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str], str]:
    """Run the command, returning its exit code, stdout lines and stderr."""
    code = audit_main(argv)
    captured = capsys.readouterr()
    return code, captured.out.splitlines(), captured.err


def test_cli_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fill(AuditLog(audit_path(tmp_path)))
    code, lines, err = run(["--data-dir", str(tmp_path)], capsys)
    assert code == 0 and err == ""
    assert len(lines) == 3
    assert lines[0].split() == [
        "2020-06-10T00:00:00.000Z",
        "deny",
        "111111111111",
        "SearchFacesByImage",
        "police-moratorium-2020",
        "req-1",
    ]
    assert lines[1].split() == [
        "2020-06-10T01:00:00.000Z",
        "allow",
        "123456789012",
        "IndexFaces",
        "-",
        "req-2",
    ]
    assert len({line.index("req-") for line in lines}) == 1  # columns line up


def test_cli_json_and_filters(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fill(AuditLog(audit_path(tmp_path)))
    argv = ["--data-dir", str(tmp_path), "--json", "--account", "111111111111", "--decision", "allow"]
    code, lines, _ = run(argv, capsys)
    assert code == 0
    assert [json.loads(line)["request_id"] for line in lines] == ["req-3"]
    argv = [
        "--data-dir",
        str(tmp_path),
        "--json",
        "--since",
        "2020-06-10T01:00:00Z",
        "--until",
        "2020-06-10T02:00:00Z",
    ]
    assert [json.loads(line)["request_id"] for line in run(argv, capsys)[1]] == ["req-2"]
    argv = ["--data-dir", str(tmp_path), "--json", "--since", "2020-06-10T03:00:00+02:00"]
    assert [json.loads(line)["request_id"] for line in run(argv, capsys)[1]] == ["req-2", "req-3"]


def test_cli_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--data-dir", str(tmp_path / "nowhere")], capsys) == (0, [], "")
    assert run(["--data-dir", str(tmp_path)], capsys) == (0, [], "")


def test_cli_torn_last_line_is_skipped_quietly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = audit_path(tmp_path)
    fill(AuditLog(path))
    with path.open("a") as handle:
        handle.write('{"time": "2020')
    code, lines, err = run(["--data-dir", str(tmp_path), "--json"], capsys)
    assert (code, len(lines), err) == (0, 3, "")


def test_cli_reports_corrupt_middle_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = audit_path(tmp_path)
    path.write_text('{"time": "2020-06-10T00:00:00Z", "decision": "deny"}\nnot json\n[1]\n')
    code, lines, err = run(["--data-dir", str(tmp_path)], capsys)
    assert (code, len(lines)) == (0, 1)
    assert "skipped 2 unreadable line(s)" in err


@pytest.mark.parametrize(
    "argv", [[], ["--data-dir", "x", "--decision", "maybe"], ["--data-dir", "x", "--since", "yesterday"]]
)
def test_cli_bad_arguments(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, lines, err = run(argv, capsys)
    assert code == 2 and lines == [] and "usage:" in err


def test_cli_help_and_default_data_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, lines, _ = run(["--help"], capsys)
    assert code == 0 and any("--data-dir" in line for line in lines)
    fill(AuditLog(audit_path(tmp_path)))
    assert audit_main(["--decision", "deny"], default_data_dir=tmp_path) == 0
    assert len(capsys.readouterr().out.splitlines()) == 1
