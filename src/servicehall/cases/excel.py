"""The ledger (台账) as an Excel workbook, personal data masked (R-CASE-5)."""

from django.core.exceptions import ObjectDoesNotExist
from openpyxl import Workbook

from servicehall.core.money import yuan_decimal
from servicehall.core.xlsx import XLSX, write_table

__all__ = ["HEADERS", "XLSX", "ledger_workbook"]
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
    "收费(元) fee",
    "收费方式 paid by",
    "收费依据 fee basis",
    "罚款决定书 fine decision",
    "罚款(元) fine",
    "罚款缴纳 fine paid",
]


def ledger_workbook(qs, unit):
    """Times are Excel dates in local time, visits and window numbers are numbers, fees and
    fines yuan with two decimals (R-CASE-6)."""
    wb = Workbook()
    ws = wb.active
    ws.title = f"台账 {unit.code}"[:31]
    write_table(ws, HEADERS, (_row(case) for case in qs.iterator(chunk_size=2000)))
    return wb


def _row(case):
    return [
        case.number,
        case.received_at,
        case.matter.name,
        case.window.number if case.window_id else None,
        case.applicant_name[:1] + "*" * (len(case.applicant_name) - 1),
        case.masked_id,
        case.masked_phone,
        case.get_outcome_display(),
        case.get_status_display(),
        case.visits,
        "是" if case.green_channel else "",
        case.due_at,
        case.finished_at,
        {True: "是", False: "否"}.get(case.on_time, ""),
        *_fee(case),
        *_fine(case),
    ]


def _one(case, name):
    """The case's fee or fine, joined by the ledger's query (None when it has none)."""
    try:
        return getattr(case, name)
    except ObjectDoesNotExist:
        return None


def _fee(case):
    fee = _one(case, "fee")
    if fee is None:
        return [None, "", ""]
    basis = fee.waiver_basis if fee.waived else fee.basis
    return [yuan_decimal(fee.amount_fen), fee.get_channel_display(), basis]


def _fine(case):
    fine = _one(case, "fine")
    if fine is None:
        return ["", None, ""]
    paid = fine.paid_at if fine.paid else "否"
    return [fine.number, yuan_decimal(fine.amount_fen), paid]
