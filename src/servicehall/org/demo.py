"""The demo city (开封市) seeded from the seed documents: the organizing office, four sector
authorities, eight window units with numbered windows, named staff and one login per role.

Idempotent: records are found by their natural keys and created only when missing, so a
second run changes nothing.
"""

import datetime as dt
import io
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction

from .choices import CustodyItem, LeadershipPosition, OrganizationKind, Role, UnitKind, WindowKind
from .data import load_sectors
from .models import (
    Custody,
    LeadershipGroup,
    LeadershipMember,
    Organization,
    Sector,
    Staff,
    Unit,
    Window,
)

DEMO_PASSWORD = "servicehall-demo"

ORGANIZATIONS = [
    ("开封市文明办", OrganizationKind.ORGANIZER, None, "0371-23338100", "开封市龙亭区市政府大院"),
    ("开封市卫生局", OrganizationKind.AUTHORITY, "health", "0371-23336120", "开封市鼓楼区"),
    (
        "开封市公安局",
        OrganizationKind.AUTHORITY,
        "public_security",
        "0371-25955110",
        "开封市金明大道",
    ),
    ("开封市地方税务局", OrganizationKind.AUTHORITY, "taxation", "0371-23229366", "开封市鼓楼区"),
    (
        "开封市人力资源和社会保障局",
        OrganizationKind.AUTHORITY,
        "social_security",
        "0371-12333",
        "开封市龙亭区",
    ),
]

# code, name, kind, sector, authority, address, phone, supervision phone, population,
# windows: (number, function, kind, duty lead)
UNITS = [
    (
        "kf-childrens-hospital",
        "开封市儿童医院",
        UnitKind.HOSPITAL,
        "health",
        "开封市卫生局",
        "开封市鼓楼区解放路",
        "0371-25952120",
        "0371-25952100",
        None,
        [
            (1, "门诊服务台 · 咨询投诉", WindowKind.CONSULTATION, True),
            (2, "门诊挂号", WindowKind.REGISTRATION, False),
            (3, "门诊挂号（儿保）", WindowKind.REGISTRATION, False),
            (4, "门诊收费", WindowKind.CASHIER, False),
            (5, "住院收费 · 一日清单", WindowKind.CASHIER, False),
            (6, "西药房", WindowKind.PHARMACY, False),
            (7, "中药房", WindowKind.PHARMACY, False),
        ],
    ),
    (
        "kf-centre-police",
        "市行政服务中心公安窗口",
        UnitKind.SERVICE_CENTRE,
        "public_security",
        "开封市公安局",
        "开封市行政服务中心二楼",
        "0371-23880110",
        "0371-23880100",
        None,
        [
            (1, "值班领导 · 咨询投诉", WindowKind.CONSULTATION, True),
            (2, "户籍业务", WindowKind.HOUSEHOLD, False),
            (3, "出入境业务", WindowKind.EXIT_ENTRY, False),
            (4, "车驾管业务", WindowKind.VEHICLE, False),
        ],
    ),
    (
        "kf-vehicle-office",
        "交巡警支队车管所",
        UnitKind.TRAFFIC_POLICE,
        "public_security",
        "开封市公安局",
        "开封市金明大道西段",
        "0371-22981122",
        "0371-22981100",
        None,
        [
            (1, "咨询投诉 · 值班领导", WindowKind.CONSULTATION, True),
            (2, "机动车登记", WindowKind.VEHICLE, False),
            (3, "驾驶证业务", WindowKind.VEHICLE, False),
            (4, "交通违法处理", WindowKind.VIOLATION, False),
            (5, "驾驶证补换领", WindowKind.VEHICLE, False),
        ],
    ),
    (
        "kf-gulou-hukou",
        "鼓楼派出所户籍窗口",
        UnitKind.POLICE_STATION,
        "public_security",
        "开封市公安局",
        "开封市鼓楼区鼓楼街18号",
        "0371-25661234",
        "0371-25661200",
        23600,
        [
            (1, "所领导坐堂值班 · 咨询投诉", WindowKind.HOUSEHOLD, True),
            (2, "户口登记 · 迁移", WindowKind.HOUSEHOLD, False),
            (3, "居民身份证申领 · 照相", WindowKind.HOUSEHOLD, False),
        ],
    ),
    (
        "kf-110",
        "110指挥中心",
        UnitKind.HOTLINE,
        "public_security",
        "开封市公安局",
        "开封市公安局指挥中心",
        "110",
        "0371-25955100",
        None,
        [
            (1, "值班长席", WindowKind.HOTLINE, True),
            (2, "接警一席", WindowKind.HOTLINE, False),
            (3, "接警二席", WindowKind.HOTLINE, False),
            (4, "接警三席", WindowKind.HOTLINE, False),
        ],
    ),
    (
        "kf-exit-entry",
        "出入境窗口",
        UnitKind.EXIT_ENTRY,
        "public_security",
        "开封市公安局",
        "开封市公安局出入境管理支队一楼",
        "0371-25955180",
        "0371-25955100",
        None,
        [
            (1, "处领导值班 · 咨询", WindowKind.CONSULTATION, True),
            (2, "护照受理", WindowKind.EXIT_ENTRY, False),
            (3, "港澳台通行证受理", WindowKind.EXIT_ENTRY, False),
            (4, "审核签发", WindowKind.EXIT_ENTRY, False),
            (5, "绿色通道 · 证件领取", WindowKind.EXIT_ENTRY, False),
        ],
    ),
    (
        "kf-tax-hall",
        "开封市地税直属局办税服务厅",
        UnitKind.TAX_HALL,
        "taxation",
        "开封市地方税务局",
        "开封市鼓楼区中山路",
        "0371-12366",
        "0371-23229300",
        None,
        [
            (1, "导税咨询 · 值班领导", WindowKind.CONSULTATION, True),
            (2, "综合申报", WindowKind.TAX, False),
            (3, "发票领用", WindowKind.INVOICE, False),
            (4, "发票代开", WindowKind.INVOICE, False),
            (5, "税费缴纳", WindowKind.TAX, False),
        ],
    ),
    (
        "kf-daqing-labour",
        "大庆路劳动保障事务所",
        UnitKind.LABOUR_OFFICE,
        "social_security",
        "开封市人力资源和社会保障局",
        "开封市顺河区大庆路56号",
        "0371-23561233",
        "0371-12333",
        None,
        [
            (1, "所长值班 · 政策咨询", WindowKind.CONSULTATION, True),
            (2, "就业失业登记", WindowKind.LABOUR, False),
            (3, "退休人员资格认证", WindowKind.LABOUR, False),
        ],
    ),
]

# unit code → staff: (badge, name, role, title, window, party, certified on, phone, on duty)
C = dt.date
STAFF = {
    "kf-childrens-hospital": [
        (
            "ET0001",
            "赵立华",
            Role.UNIT_LEADER,
            "院长",
            None,
            True,
            C(2019, 3, 1),
            "13937810001",
            False,
        ),
        (
            "ET0102",
            "钱丽",
            Role.DUTY_LEAD,
            "门诊部主任",
            1,
            True,
            C(2020, 5, 8),
            "13937810102",
            True,
        ),
        ("ET0211", "孙静", Role.OFFICER, "挂号员", 2, False, C(2021, 6, 12), "13937810211", True),
        ("ET0212", "李晓燕", Role.OFFICER, "挂号员", 3, True, C(2022, 4, 2), "13937810212", True),
        ("ET0405", "周倩", Role.OFFICER, "收费员", 4, False, C(2021, 9, 1), "13937810405", True),
        ("ET0406", "吴敏", Role.OFFICER, "收费员", 5, True, C(2020, 11, 20), "13937810406", True),
        ("ET0608", "郑海涛", Role.OFFICER, "药剂师", 6, True, C(2018, 7, 15), "13937810608", True),
        ("ET0609", "王芳", Role.OFFICER, "中药师", 7, False, C(2019, 8, 30), "13937810609", True),
    ],
    "kf-centre-police": [
        (
            "041101",
            "冯志强",
            Role.UNIT_LEADER,
            "窗口负责人",
            None,
            True,
            C(2017, 4, 1),
            "13903781101",
            False,
        ),
        (
            "041102",
            "陈晓东",
            Role.DUTY_LEAD,
            "值班领导",
            1,
            True,
            C(2018, 3, 5),
            "13903781102",
            True,
        ),
        (
            "041115",
            "褚红梅",
            Role.OFFICER,
            "户籍民警",
            2,
            True,
            C(2019, 6, 18),
            "13903781115",
            True,
        ),
        (
            "041120",
            "卫国平",
            Role.OFFICER,
            "出入境民警",
            3,
            False,
            C(2020, 10, 9),
            "13903781120",
            True,
        ),
        (
            "041131",
            "蒋伟",
            Role.OFFICER,
            "车驾管民警",
            4,
            True,
            C(2021, 5, 27),
            "13903781131",
            True,
        ),
        ("FJ1103", "沈佳", Role.AUXILIARY, "辅警", 2, False, C(2022, 8, 1), "13903781903", True),
    ],
    "kf-vehicle-office": [
        (
            "042001",
            "韩东升",
            Role.UNIT_LEADER,
            "车管所所长",
            None,
            True,
            C(2016, 2, 1),
            "13903782001",
            False,
        ),
        ("042002", "杨军", Role.DUTY_LEAD, "副所长", 1, True, C(2017, 9, 9), "13903782002", True),
        (
            "042015",
            "朱海波",
            Role.OFFICER,
            "登记民警",
            2,
            True,
            C(2019, 11, 2),
            "13903782015",
            True,
        ),
        ("042016", "秦雪", Role.OFFICER, "驾管民警", 3, False, C(2020, 7, 21), "13903782016", True),
        (
            "042023",
            "尤建军",
            Role.OFFICER,
            "违法处理民警",
            4,
            True,
            C(2018, 12, 12),
            "13903782023",
            True,
        ),
        # A new colleague on duty before the training certificate: the staffing check flags it.
        ("042031", "许诺", Role.OFFICER, "驾管民警（新入职）", 5, False, None, "13903782031", True),
        (
            "FJ2011",
            "何佳琪",
            Role.AUXILIARY,
            "辅警 · 资料录入",
            2,
            False,
            C(2023, 3, 15),
            "13903782911",
            True,
        ),
    ],
    "kf-gulou-hukou": [
        (
            "041201",
            "吕国栋",
            Role.UNIT_LEADER,
            "所长",
            None,
            True,
            C(2015, 6, 1),
            "13903781201",
            False,
        ),
        (
            "041202",
            "施建华",
            Role.DUTY_LEAD,
            "副所长 · 坐堂值班",
            1,
            True,
            C(2016, 4, 20),
            "13903781202",
            True,
        ),
        (
            "041235",
            "王建国",
            Role.OFFICER,
            "专职户籍民警",
            2,
            True,
            C(2019, 5, 10),
            "13903781235",
            True,
        ),
        (
            "041236",
            "张丽萍",
            Role.OFFICER,
            "专职户籍民警",
            3,
            True,
            C(2020, 9, 16),
            "13903781236",
            True,
        ),
        (
            "FJ1201",
            "孔雪梅",
            Role.AUXILIARY,
            "户籍辅警 · 照相录入",
            3,
            False,
            C(2023, 2, 1),
            "13903781901",
            True,
        ),
        (
            "FJ1202",
            "曹阳",
            Role.AUXILIARY,
            "户籍辅警 · 档案整理",
            2,
            False,
            C(2023, 2, 1),
            "13903781902",
            True,
        ),
    ],
    "kf-110": [
        (
            "043001",
            "严正",
            Role.UNIT_LEADER,
            "指挥中心主任",
            None,
            True,
            C(2015, 3, 3),
            "13903783001",
            False,
        ),
        (
            "043002",
            "华丽娟",
            Role.DUTY_LEAD,
            "值班长",
            1,
            True,
            C(2017, 1, 10),
            "13903783002",
            True,
        ),
        ("043011", "金涛", Role.OFFICER, "接警员", 2, True, C(2019, 4, 4), "13903783011", True),
        ("043012", "魏晓琳", Role.OFFICER, "接警员", 3, False, C(2020, 6, 6), "13903783012", True),
        ("043013", "陶然", Role.OFFICER, "接警员", 4, True, C(2021, 8, 8), "13903783013", True),
    ],
    "kf-exit-entry": [
        (
            "044001",
            "姜文斌",
            Role.UNIT_LEADER,
            "出入境管理支队支队长",
            None,
            True,
            C(2014, 5, 1),
            "13903784001",
            False,
        ),
        (
            "044002",
            "戚美玲",
            Role.DUTY_LEAD,
            "副支队长 · 1号窗口",
            1,
            True,
            C(2016, 5, 1),
            "13903784002",
            True,
        ),
        ("044011", "谢宇", Role.OFFICER, "受理民警", 2, True, C(2019, 3, 1), "13903784011", True),
        (
            "044012",
            "邹静怡",
            Role.OFFICER,
            "受理民警",
            3,
            False,
            C(2020, 3, 1),
            "13903784012",
            True,
        ),
        ("044013", "喻强", Role.OFFICER, "审核民警", 4, True, C(2018, 3, 1), "13903784013", True),
        ("044014", "柏雪", Role.OFFICER, "发证民警", 5, True, C(2021, 3, 1), "13903784014", True),
    ],
    "kf-tax-hall": [
        (
            "DS0001",
            "水明远",
            Role.UNIT_LEADER,
            "办税服务厅主任",
            None,
            True,
            C(2016, 1, 5),
            "13937820001",
            False,
        ),
        (
            "DS0002",
            "窦红",
            Role.DUTY_LEAD,
            "值班长 · 导税",
            1,
            True,
            C(2017, 1, 5),
            "13937820002",
            True,
        ),
        (
            "DS0011",
            "章立新",
            Role.OFFICER,
            "综合申报",
            2,
            False,
            C(2019, 1, 5),
            "13937820011",
            True,
        ),
        ("DS0012", "云霞", Role.OFFICER, "发票管理", 3, True, C(2020, 1, 5), "13937820012", True),
        ("DS0013", "苏晨", Role.OFFICER, "发票代开", 4, False, C(2021, 1, 5), "13937820013", True),
        ("DS0014", "潘玉洁", Role.OFFICER, "税费缴纳", 5, True, C(2018, 1, 5), "13937820014", True),
    ],
    "kf-daqing-labour": [
        ("LB0001", "葛新民", Role.UNIT_LEADER, "所长", 1, True, C(2015, 9, 1), "13937830001", True),
        (
            "LB0011",
            "奚丽",
            Role.OFFICER,
            "就业失业登记",
            2,
            True,
            C(2019, 9, 1),
            "13937830011",
            True,
        ),
        (
            "LB0012",
            "范春生",
            Role.OFFICER,
            "资格认证",
            3,
            False,
            C(2020, 9, 1),
            "13937830012",
            True,
        ),
    ],
}

# Staff of the organizations: (organization, badge, name, role, title, phone)
ORG_STAFF = [
    ("开封市文明办", "WMB001", "周文明", Role.ORGANIZER_ADMIN, "市文明办业务科科长", "13937800001"),
    ("开封市文明办", "WMB011", "陈督查", Role.INSPECTOR, "明察暗访组组长", "13937800011"),
    ("开封市文明办", "TJ0021", "刘抽样", Role.SURVEYOR, "市统计局抽样调查员", "13937800021"),
    (
        "开封市公安局",
        "040001",
        "孙审核",
        Role.SECTOR_REVIEWER,
        "市公安局政治处副主任",
        "13903780001",
    ),
]

# One login per role: username → (unit code or organization, badge).
LOGINS = {
    "admin": ("开封市文明办", "WMB001"),
    "reviewer": ("开封市公安局", "040001"),
    "leader": ("kf-gulou-hukou", "041201"),
    "dutylead": ("kf-gulou-hukou", "041202"),
    "officer": ("kf-gulou-hukou", "041235"),
    "auxiliary": ("kf-gulou-hukou", "FJ1201"),
    "inspector": ("开封市文明办", "WMB011"),
    "surveyor": ("开封市文明办", "TJ0021"),
    "operator110": ("kf-110", "043011"),  # 金涛, seat 2 of the 110 command centre
}

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


def _photo(name: str, seed: int) -> bytes:
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


def _get_or_create(model, lookup, defaults, counter):
    obj, created = model.objects.get_or_create(**lookup, defaults=defaults)
    counter[model.__name__] = counter.get(model.__name__, 0) + int(created)
    return obj


@transaction.atomic
def seed_demo() -> dict:
    """Create whatever of the demo city is missing; return counts of what was created."""
    created: dict = {}
    load_sectors(Sector)
    sectors = {s.code: s for s in Sector.objects.all()}
    orgs = {}
    for name, kind, sector, phone, address in ORGANIZATIONS:
        orgs[name] = _get_or_create(
            Organization,
            {"name": name},
            {"kind": kind, "sector": sectors.get(sector), "phone": phone, "address": address},
            created,
        )
    units, windows = {}, {}
    for code, name, kind, sector, authority, address, phone, sup, population, wins in UNITS:
        unit = _get_or_create(
            Unit,
            {"code": code},
            {
                "name": name,
                "kind": kind,
                "sector": sectors[sector],
                "authority": orgs[authority],
                "address": address,
                "phone": phone,
                "supervision_phone": sup,
                "registered_population": population,
                "hours": "24小时" if kind == UnitKind.HOTLINE else "8:30–12:00 14:30–17:30",
            },
            created,
        )
        units[code] = unit
        for number, function, wkind, lead in wins:
            windows[(code, number)] = _get_or_create(
                Window,
                {"unit": unit, "number": number},
                {"function": function, "kind": wkind, "is_duty_lead": lead},
                created,
            )
    staff_by_key = {}
    seed = 0
    for code, people in STAFF.items():
        for badge, name, role, title, window, party, certified, phone, on_duty in people:
            seed += 1
            person = _get_or_create(
                Staff,
                {"unit": units[code], "badge_no": badge},
                {
                    "name": name,
                    "role": role,
                    "title": title,
                    "window": windows[(code, window)] if window else None,
                    "party_member": party,
                    "certified_on": certified,
                    "phone": phone,
                    "on_duty": on_duty,
                },
                created,
            )
            if not person.photo:
                person.photo.save(f"{badge}.png", ContentFile(_photo(name, seed)), save=True)
            staff_by_key[(code, badge)] = person
    for org, badge, name, role, title, phone in ORG_STAFF:
        staff_by_key[(org, badge)] = _get_or_create(
            Staff,
            {"organization": orgs[org], "badge_no": badge},
            {
                "name": name,
                "role": role,
                "title": title,
                "phone": phone,
                "certified_on": C(2018, 1, 1),
            },
            created,
        )
    User = get_user_model()
    for username, key in LOGINS.items():
        staff = staff_by_key[key]
        if staff.user_id:
            continue
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username, is_staff=username == "admin", is_superuser=username == "admin"
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
            created["User"] = created.get("User", 0) + 1
        staff.user = user
        staff.save(update_fields=["user"])
    for code, keeper in (("kf-gulou-hukou", "041235"), ("kf-centre-police", "041115")):
        for item in CustodyItem:
            _get_or_create(
                Custody,
                {"unit": units[code], "item": item},
                {"holder": staff_by_key[(code, keeper)]},
                created,
            )
    _seed_groups(units, orgs, staff_by_key, created)
    from servicehall.worktime.demo import seed_worktime

    created["TimeLimits"] = seed_worktime(units)
    from servicehall.catalog.demo import seed_matters

    created["Matters"] = seed_matters(units)
    from servicehall.queueing.demo import seed_queues

    created["Queues"] = seed_queues(units)
    from servicehall.queueing.demo import seed_slots

    created["AppointmentSlots"] = seed_slots()
    from servicehall.queueing.demo import seed_rota

    created["DutyRota"] = seed_rota(units)
    return created


def _seed_groups(units, orgs, staff_by_key, created):
    name, org, office, members = CITY_GROUP
    group = _get_or_create(
        LeadershipGroup,
        {"name": name, "organization": orgs[org]},
        {"office": office, "established_on": C(2026, 6, 1)},
        created,
    )
    if not group.members.exists():
        for i, (position, person, title, phone) in enumerate(members):
            _get_or_create(
                LeadershipMember,
                {"group": group, "order": i},
                {"position": position, "name": person, "title": title, "phone": phone},
                created,
            )
    for code, people in STAFF.items():
        unit = units[code]
        group = _get_or_create(
            LeadershipGroup,
            {"name": f"{unit.name}创建优质服务窗口活动领导小组", "unit": unit},
            {"office": f"办公室设在{unit.name}综合办", "established_on": C(2026, 6, 8)},
            created,
        )
        if group.members.exists():
            continue
        leader = people[0]
        deputy = people[1]
        liaison = people[-1]
        rows = [
            (LeadershipPosition.LEADER, leader),
            (LeadershipPosition.DEPUTY, deputy),
            (LeadershipPosition.MEMBER, people[2]),
            (LeadershipPosition.LIAISON, liaison),
        ]
        for i, (position, p) in enumerate(rows):
            _get_or_create(
                LeadershipMember,
                {"group": group, "order": i},
                {
                    "position": position,
                    "name": p[1],
                    "title": p[3],
                    "phone": p[7],
                    "staff": staff_by_key[(code, p[0])],
                },
                created,
            )
