"""The ledger (台账) as an Excel workbook, personal data masked (R-CASE-5)."""

from django.utils import timezone
from openpyxl import Workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS = [
    "办件编号 case",
    "受理时间 received",
    "事项 matter",
    "窗口 window",
    "申请人 applicant",
    "证件号码 ID",
    "电话 phone",
    "结果 outcome",
    "状态 status",
    "到访次数 visits",
    "绿色通道 green",
    "承诺期限 due",
    "办结时间 finished",
    "按时 on time",
]


def _t(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def ledger_workbook(qs, unit):
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(f"台账 {unit.code}"[:31])
    ws.append(HEADERS)
    for case in qs.iterator(chunk_size=2000):
        ws.append(
            [
                case.number,
                _t(case.received_at),
                case.matter.name,
                case.window.number if case.window_id else "",
                case.applicant_name[:1] + "*" * (len(case.applicant_name) - 1),
                case.masked_id,
                case.masked_phone,
                case.get_outcome_display(),
                case.get_status_display(),
                case.visits,
                "是" if case.green_channel else "",
                _t(case.due_at),
                _t(case.finished_at),
                {True: "是", False: "否"}.get(case.on_time, ""),
            ]
        )
    return wb
