"""docs/permissions.md, rendered from the matrix so the documentation cannot drift."""

from django.utils import translation

from .choices import Role
from .permissions import matrix_rows


def permissions_markdown() -> str:
    lines = [
        "# Permissions: role × action (R-ORG-4)",
        "",
        "Generated from `src/servicehall/org/permissions.py` by `servicehall permissions_doc`;",
        "a test fails when this file and the code disagree. Every service checks this matrix,",
        "so the web UI, the API, the admin and imports all get the same answer. Scope: unit",
        "roles act in their own unit, sector roles in their sector's units, the organizing",
        "office everywhere.",
        "",
    ]
    with translation.override("zh-hans"):
        zh_roles = {r: str(r.label) for r in Role}
        zh_actions = {a: str(a.label) for a, _ in matrix_rows()}
    with translation.override("en"):
        header = "| action | " + " | ".join(f"{r.label}<br>{zh_roles[r]}" for r in Role) + " |"
        lines += [header, "|" + "---|" * (len(Role) + 1)]
        for action, allowed in matrix_rows():
            cells = " | ".join("✓" if allowed[r] else "—" for r in Role)
            lines.append(f"| `{action.value}` {action.label}<br>{zh_actions[action]} | {cells} |")
    lines += [
        "",
        "An auxiliary (辅警) may answer questions, file archives, enter data and take ID photos,",
        "but may never accept a registration, issue a certificate, keep the seal or blank",
        "certificates, hold fee money or make a penalty decision: the services refuse with a",
        "message naming the rule. Fines are paid at the bank (罚缴分离, R-CASE-6): no window",
        "role records a fine as paid; only the office enters the bank's confirmation.",
        "",
    ]
    return "\n".join(lines)
