"""Printing through CUPS with its command-line tools (Linux, macOS): `lp` submits, `ipptool` reads
a job's IPP job-state, `lpstat` lists queues and printer states, `cancel` withdraws a job.

A job counts as printed only when CUPS reports its job-state as `completed`. `lpstat` cannot tell a
completed job from an aborted or cancelled one (all three are "completed" to `lpstat -W`, and CUPS
2.4 leaves stale job-state-reasons on finished jobs), so the exact state comes from `ipptool`
(Debian: cups-ipp-utils). Without ipptool a job that leaves the queue counts as printed unless its
last status line reads like an error — a weaker check, logged as such.

Every tool runs in the C locale (their messages are parsed) with a timeout; problems a person can
act on become `UserError`s with a Chinese sentence. No Qt, no database.
"""

from __future__ import annotations

import atexit
import logging
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from inspector.domain.errors import UserError

log = logging.getLogger("inspector.print.cups")

TOOL_TIMEOUT_S = 15.0  # one lpstat/ipptool/cancel call
SUBMIT_TIMEOUT_S = 60.0  # lp copies the whole file to the scheduler
MAX_COPIES = 99

NO_TOOLS = (
    "打印失败：本机没有 CUPS 打印命令（lp），无法直接发送到打印机。"
    "请安装 CUPS 打印服务（cups-client）后重试。"
)
NOT_RUNNING = "打印失败：本机的打印服务（CUPS）没有运行。请启动打印服务或重启电脑后重试。"

# which ipptool prints: DISPLAY lines "    job-state (enum) = completed"
_IPP_LINE = re.compile(r"^\s*([a-z0-9-]+) \([^)]*\) = ?(.*)$")
_REQUEST_ID = re.compile(r"request id is (\S+-\d+)")
# words of a failed job's status line, for the lpstat fallback only
_ERROR_WORDS = re.compile(
    r"error|fail|abort|cancel|jam|stopp|offline|unable|not responding|错误|失败|卡纸|缺纸|中止",
    re.IGNORECASE,
)

_IPP_TEST = """{
  NAME "job state"
  OPERATION Get-Job-Attributes
  GROUP operation-attributes-tag
  ATTR charset attributes-charset utf-8
  ATTR naturalLanguage attributes-natural-language en
  ATTR uri job-uri $uri
  ATTR name requesting-user-name $user
  ATTR keyword requested-attributes job-state,job-printer-state-message
  STATUS successful-ok
  DISPLAY job-state
  DISPLAY job-printer-state-message
}
"""


@dataclass(frozen=True)
class JobStatus:
    """One look at a job. `state` is the IPP job-state keyword (pending, pending-held, processing,
    processing-stopped, canceled, aborted, completed); "active" while it is queued or printing and
    "gone" when the scheduler no longer knows it (both only without ipptool or after a purge)."""

    state: str
    message: str  # the printer's own status line (driver text, usually English); may be ""


@dataclass(frozen=True)
class JobOutcome:
    """How a job ended. `reason` is a Chinese clause (no final 。) saying why it did not print."""

    job_id: str
    printer: str
    state: str  # completed | aborted | canceled | stopped | held | unknown
    reason: str = ""
    detail: str = ""  # the printer's last status line, as the driver wrote it

    @property
    def ok(self) -> bool:
        return self.state == "completed"


# -- running the tools ------------------------------------------------------------------------


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["LC_ALL"] = "C"  # messages are parsed; a Chinese desktop would translate them
    env["LANG"] = "C"
    return env


def _run(args: list[str], timeout: float = TOOL_TIMEOUT_S) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            args,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            env=_env(),
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError:
        raise UserError(NO_TOOLS) from None
    except subprocess.TimeoutExpired:
        raise UserError(
            f"打印失败：打印服务（CUPS）没有响应（{args[0]} 超过 {timeout:g} 秒），"
            "请稍后重试，或重启电脑后再试。"
        ) from None


def _has(tool: str) -> bool:
    return shutil.which(tool) is not None


def scheduler_running() -> bool:
    """True when `lpstat -r` reaches a running CUPS scheduler."""
    if not _has("lpstat"):
        return False
    try:
        out = _run(["lpstat", "-r"], 5.0).stdout
    except UserError:
        return False
    return "scheduler is running" in out


def cups_available() -> bool:
    """lp and lpstat are installed and the scheduler answers."""
    return _has("lp") and scheduler_running()


def queues() -> list[str]:
    """The CUPS destinations this machine can print to ([] when CUPS is missing or down)."""
    if not _has("lpstat"):
        return []
    try:
        result = _run(["lpstat", "-e"], 5.0)
        if result.returncode != 0:  # CUPS before 2.2 has no -e
            result = _run(["lpstat", "-a"], 5.0)
            return [line.split()[0] for line in result.stdout.splitlines() if line.strip()]
    except UserError:
        return []
    return [line.strip() for line in result.stdout.splitlines() if line.strip()]


def split_job_id(job_id: str) -> tuple[str, int]:
    """Job id "InspectorPDF-12" → ("InspectorPDF", 12); queue names may hold dashes too."""
    printer, _, number = job_id.rpartition("-")
    if not printer or not number.isdigit():
        raise ValueError(f"not a CUPS job id: {job_id!r}")
    return printer, int(number)


# -- submitting -------------------------------------------------------------------------------


def submit(pdf_path: Path, printer: str, copies: int, title: str) -> str:
    """Queue a PDF on `printer` (`lp -d`), `copies` collated copies; returns the job id
    ("InspectorPDF-12"). UserError when the printer, the scheduler or lp is missing."""
    if not 1 <= copies <= MAX_COPIES:
        raise UserError(f"打印份数应在 1 到 {MAX_COPIES} 份之间。", field="copies")
    if not pdf_path.is_file():
        raise UserError(f"打印失败：要打印的文件 {pdf_path} 不存在。")
    if not _has("lp"):
        raise UserError(NO_TOOLS)
    args = ["lp", "-d", printer, "-n", str(copies), "-o", "collate=true"]
    args += ["-t", title or pdf_path.name, str(pdf_path.resolve())]
    result = _run(args, SUBMIT_TIMEOUT_S)
    match = _REQUEST_ID.search(result.stdout)
    if result.returncode == 0 and match:
        job_id = match.group(1)
        log.info("submitted %s: %d copies to %s", job_id, copies, printer)
        return job_id
    raise _submit_error(printer, result)


def _submit_error(printer: str, result: subprocess.CompletedProcess[str]) -> UserError:
    said = (result.stderr or result.stdout).strip()
    log.warning("lp refused (%s): %s", result.returncode, said)
    if not scheduler_running():
        return UserError(NOT_RUNNING)  # lp then claims every printer "does not exist"
    low = said.lower()
    if "does not exist" in low or "not found" in low:
        return UserError(f"打印失败：找不到打印机“{printer}”，请重新选择打印机后再试。")
    if "not accepting" in low:
        return UserError(
            f"打印失败：打印机“{printer}”已被设为不接受打印任务，请在系统的打印机设置中启用它。"
        )
    detail = re.sub(r"^lp: (Error - )?", "", said) or f"lp 退出码 {result.returncode}"
    return UserError(f"打印失败：打印服务拒绝了这个任务（{detail}）。")


# -- watching a job ---------------------------------------------------------------------------

_ipp_test_file: Path | None = None


def _ipp_test() -> Path:
    global _ipp_test_file
    if _ipp_test_file is None or not _ipp_test_file.exists():
        fd, name = tempfile.mkstemp(prefix="inspector-ipp-", suffix=".test")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(_IPP_TEST)
        _ipp_test_file = Path(name)
        atexit.register(_ipp_test_file.unlink, missing_ok=True)
    return _ipp_test_file


def _server() -> str:
    """The scheduler lp talks to: a socket path or host[:port] (`lpstat -H`)."""
    out = _run(["lpstat", "-H"], 5.0).stdout.strip()
    return out or "localhost"


def _ipp_status(job_id: str, server: str) -> JobStatus | None:
    """The job's exact IPP job-state via ipptool; None when ipptool cannot ask."""
    _, number = split_job_id(job_id)
    host = quote(server, safe="") if server.startswith("/") else server
    result = _run(["ipptool", "-T", "10", "-t", f"ipp://{host}/jobs/{number}", str(_ipp_test())])
    fields: dict[str, str] = {}
    for line in result.stdout.splitlines():
        m = _IPP_LINE.match(line)
        if m:
            fields.setdefault(m.group(1), m.group(2).strip())
    if "job-state" in fields:
        return JobStatus(fields["job-state"], fields.get("job-printer-state-message", ""))
    if "client-error-not-found" in result.stdout:  # "status-code = client-error-not-found (…)"
        return JobStatus("gone", "")
    log.warning("ipptool could not read %s: %s", job_id, (result.stderr or result.stdout)[-300:])
    return None


def _lpstat_job(text: str, job_id: str) -> str | None:
    """The Status line of `job_id` in `lpstat -l -o` output; None when the job is not listed."""
    found = False
    message = ""
    for line in text.splitlines():
        if not line[:1].isspace():
            if found:
                break
            found = line.split(" ", 1)[0] == job_id
        elif found and line.strip().startswith("Status:"):
            message = line.strip()[len("Status:") :].strip()
    return message if found else None


def _lpstat_status(job_id: str) -> JobStatus:
    printer, _ = split_job_id(job_id)
    active = _run(["lpstat", "-l", "-W", "not-completed", "-o", printer]).stdout
    message = _lpstat_job(active, job_id)
    if message is not None:
        return JobStatus("active", message)
    done = _run(["lpstat", "-l", "-W", "completed", "-o", printer]).stdout
    message = _lpstat_job(done, job_id)
    if message is None:
        return JobStatus("gone", "")
    # lpstat shows no job-state: guess from the last status line (see the module docstring)
    return JobStatus("aborted" if _ERROR_WORDS.search(message) else "completed", message)


def job_status(job_id: str, server: str | None = None) -> JobStatus:
    """Where the job is now: ipptool's exact state, else what lpstat shows."""
    if _has("ipptool"):
        status = _ipp_status(job_id, server or _server())
        if status is not None:
            return status
    return _lpstat_status(job_id)


def printer_stopped(printer: str) -> tuple[bool, str]:
    """(True, why) when the queue is paused or stopped by an error (`lpstat -p`: "disabled")."""
    lines = _run(["lpstat", "-p", printer]).stdout.splitlines()
    for n, line in enumerate(lines):
        if line.startswith(f"printer {printer} ") and " disabled" in line:
            why = lines[n + 1].strip() if n + 1 < len(lines) and lines[n + 1][:1].isspace() else ""
            return True, why
    return False, ""


def cancel_job(job_id: str) -> bool:
    """Withdraw the job; False when CUPS refused (e.g. it has just completed)."""
    result = _run(["cancel", job_id])
    if result.returncode != 0:
        log.info("cancel %s refused: %s", job_id, result.stderr.strip())
    return result.returncode == 0


def _said(message: str) -> str:
    return f"（打印机报告：{message}）" if message else ""


def wait_for_job(
    job_id: str,
    timeout_s: float = 300.0,
    poll_s: float = 0.25,
    cancelled: Callable[[], bool] | None = None,
) -> JobOutcome:
    """Poll until the job ends and say how. A job that cannot finish by itself — its printer
    stopped or paused, the job held or stopped after an error, the person cancelled, the time ran
    out — is cancelled in CUPS, so it cannot come out later without being counted.

    Raises UserError on timeout (after cancelling) and when CUPS stops answering."""
    printer, _ = split_job_id(job_id)
    server = _server() if _has("lpstat") else "localhost"
    deadline = time.monotonic() + timeout_s
    last = ""

    def withdraw(state: str, reason: str) -> JobOutcome:
        # CUPS refuses to cancel a finished job, so a cancel that went through means it did not
        # complete (the lpstat fallback could not tell a cancelled job from a printed one)
        if cancel_job(job_id):
            return JobOutcome(job_id, printer, state, f"{reason}，任务已取消", last)
        after = job_status(job_id, server)
        if after.state == "completed":  # it finished while we were cancelling: it printed
            return JobOutcome(job_id, printer, "completed", "", after.message or last)
        if after.state not in ("canceled", "aborted", "gone"):
            reason += f"，且未能取消任务 {job_id}，请在系统的打印队列中删除它"
        return JobOutcome(job_id, printer, state, reason, last)

    while True:
        if cancelled is not None and cancelled():
            return withdraw("canceled", "已取消打印")
        status = job_status(job_id, server)
        last = status.message or last
        state = status.state
        if state == "completed":
            return JobOutcome(job_id, printer, "completed", "", last)
        if state == "aborted":
            return JobOutcome(
                job_id,
                printer,
                "aborted",
                f"打印机“{printer}”在打印过程中出错{_said(last)}，打印任务已中止",
                last,
            )
        if state == "canceled":
            return JobOutcome(
                job_id, printer, "canceled", f"打印任务 {job_id} 已在打印系统中被取消", last
            )
        if state == "gone":
            if not scheduler_running():
                raise UserError(
                    f"打印失败：打印服务（CUPS）在打印任务 {job_id} 进行中停止了，"
                    "无法确认是否打印成功，请查看打印出的纸张。"
                )
            return JobOutcome(
                job_id,
                printer,
                "unknown",
                f"打印系统中已查不到任务 {job_id}，无法确认是否打印成功，请查看打印出的纸张",
                last,
            )
        if state == "processing-stopped":
            return withdraw("stopped", f"打印机“{printer}”出错停止{_said(last)}")
        if state == "pending-held":
            return withdraw("held", f"打印任务被挂起，没有开始打印{_said(last)}")
        stopped, why = printer_stopped(printer)
        if stopped:
            return withdraw("stopped", f"打印机“{printer}”已暂停或出错停止{_said(why or last)}")
        if time.monotonic() >= deadline:
            outcome = withdraw(
                "timeout",
                f"打印机“{printer}”在 {timeout_s:g} 秒内没有打完{_said(last)}"
                "（可能未开机、缺纸或卡纸）",
            )
            if outcome.ok:
                return outcome
            raise UserError(f"打印失败：{outcome.reason}。")
        time.sleep(poll_s)
