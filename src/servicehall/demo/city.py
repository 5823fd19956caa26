"""What of the demo city the import does not carry: the logins' password, custody, the
leadership groups, the portraits. The people themselves are in data/staff.csv."""

import io
from pathlib import Path

from servicehall.org.choices import LeadershipPosition

from .registry import read_sheet

DEMO_PASSWORD = "servicehall-demo"

# The order the logins are printed in (and the README lists them): by role, the hotline seat last.
_LOGIN_ORDER = (
    "admin",
    "reviewer",
    "leader",
    "dutylead",
    "officer",
    "auxiliary",
    "inspector",
    "inspector2",
    "surveyor",
    "operator110",
)


def _logins() -> dict:
    """username → (unit code or organization, badge), from the staff sheet's login column."""
    found = {
        r["username"]: (r["unit"] or r["organization"], r["badge_no"])
        for r in read_sheet("staff")
        if r["username"]
    }
    order = {name: i for i, name in enumerate(_LOGIN_ORDER)}
    return dict(sorted(found.items(), key=lambda item: order.get(item[0], len(order))))


# One login per role: username → (unit code or organization, badge).
LOGINS = _logins()

# Who keeps the seal, certificates and fees (R-ORG-4): (unit code, badge).
KEEPERS = (("kf-gulou-hukou", "041235"), ("kf-centre-police", "041115"))

CITY_GROUP = (
    "开封市窗口行业规范管理优质服务竞赛活动领导小组",
    "开封市文明办",
    "领导小组办公室设在市文明办，负责日常工作",
    [
        (LeadershipPosition.LEADER, "李明德", "市委副书记", "13937899001"),
        (LeadershipPosition.DEPUTY, "高建设", "市委常委、宣传部长", "13937899002"),
        (LeadershipPosition.DEPUTY, "田永安", "副市长", "13937899003"),
        (LeadershipPosition.OFFICE_DIRECTOR, "周文明", "市文明办业务科科长", "13937800001"),
        (LeadershipPosition.MEMBER, "孙审核", "市公安局政治处副主任", "13903780001"),
        (LeadershipPosition.LIAISON, "马晓", "市文明办干部", "13937899010"),
    ],
)


def photo(name: str, seed: int) -> bytes:
    """A plain portrait card: a silhouette on a coloured ground with the surname."""
    from PIL import Image, ImageDraw, ImageFont

    colours = ["#8c2f2f", "#2f5d8c", "#2f7a5a", "#7a5a2f", "#5a2f7a", "#2f6f7a"]
    img = Image.new("RGB", (240, 300), colours[seed % len(colours)])
    draw = ImageDraw.Draw(img)
    draw.ellipse((70, 50, 170, 150), fill="#f1e3d3")
    draw.rounded_rectangle((40, 160, 200, 320), radius=60, fill="#1f2a44")
    font_path = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
    if font_path.exists():
        font = ImageFont.truetype(str(font_path), 40)
        draw.text((120, 235), name[0], fill="#ffffff", font=font, anchor="mm")
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()
