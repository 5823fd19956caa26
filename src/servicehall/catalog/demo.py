"""Realistic matters for every demo unit (from shared/data/demo-matters.md), idempotent."""

from servicehall.org.choices import Role

from .models import Material, Matter, Step

ORIG, COPY, BOTH, ONSITE = "original", "copy", "both", "on_site"
W = ["window"]
WA = ["window", "appointment", "online"]

# unit code → matters: (code, name, name_en, materials, steps, options)
# materials: (name, form, count, required, condition)
# steps: (name, role, n, unit, pausable)
MATTERS = {
    "kf-gulou-hukou": [
        (
            "hukou-migration-city",
            "户口迁移（市内）",
            "Moving household registration within the city",
            [
                ("居民户口簿", ORIG, 1, True, ""),
                ("居民身份证", ORIG, 1, True, ""),
                ("房产证明或落户地址证明", BOTH, 1, True, ""),
                ("迁入地户主同意落户证明", ORIG, 1, False, "投靠亲属落户时"),
                ("结婚证", BOTH, 1, False, "夫妻投靠时"),
            ],
            [
                ("受理并报所领导审核", Role.OFFICER, 2, "working_days", False),
                ("社区民警调查核实", Role.OFFICER, 3, "working_days", True),
                ("所领导审核审批", Role.DUTY_LEAD, 2, "working_days", False),
                ("办结并通知申请人", Role.OFFICER, 1, "working_days", False),
            ],
            {
                "promised_n": 8,
                "statutory_n": 20,
                # 户口迁移审批 is an administrative licence: step 3 decides (R-LAW-1)
                "licensing": "single",
                "deciding_step": 3,
                "fee_fen": 0,
                "max_visits": 2,
                "channels": WA,
                "legal_basis": "《中华人民共和国户口登记条例》；派出所户籍窗口优质服务操作规范 六",
                "refusal_basis": "《中华人民共和国户口登记条例》第十条及本市户籍管理规定",
                "conditions": "在本市有合法固定住所，或符合投靠亲属条件。",
                "handler": "鼓楼派出所户籍室",
                "contact_phone": "0371-25661234",
            },
        ),
        (
            "id-card-apply",
            "居民身份证申领、换领",
            "Resident ID card: first issue and renewal",
            [
                ("居民户口簿", ORIG, 1, True, ""),
                ("原居民身份证", ORIG, 1, False, "换领时"),
                ("证件照片", ONSITE, 1, True, ""),
            ],
            [
                ("受理", Role.OFFICER, 1, "working_days", False),
                ("审核签发", Role.DUTY_LEAD, 3, "working_days", False),
                ("制证", Role.OFFICER, 10, "working_days", False),
                ("发证并通知领取", Role.OFFICER, 1, "working_days", False),
            ],
            {
                "promised_n": 15,
                "statutory_n": 60,
                "statutory_unit": "calendar_days",
                "fee_fen": 2000,
                "fee_basis": "《居民身份证法》第二十条；发改价格〔2003〕2322号（补领 40 元，临时身份证 10 元）",
                "max_visits": 2,
                "channels": W,
                "legal_basis": "《中华人民共和国居民身份证法》",
                "refusal_basis": "《中华人民共和国居民身份证法》第八条",
                "handler": "鼓楼派出所户籍室",
                "contact_phone": "0371-25661234",
            },
        ),
        (
            "hukou-migration-report",
            "户口迁移（需报上级审批）",
            "Moving household registration (approved by the district bureau)",
            [
                ("居民户口簿", ORIG, 1, True, ""),
                ("居民身份证", ORIG, 1, True, ""),
                ("房产证明或落户地址证明", BOTH, 1, True, ""),
                ("迁入地户主同意落户证明", ORIG, 1, False, "投靠亲属落户时"),
            ],
            [
                ("受理并报所领导审核", Role.OFFICER, 2, "working_days", False),
                ("社区民警调查核实", Role.OFFICER, 3, "working_days", True),
                ("所领导审核", Role.DUTY_LEAD, 2, "working_days", False),
                ("上报分局审批", Role.OFFICER, 2, "working_days", True),
                ("办结并通知申请人", Role.OFFICER, 1, "working_days", False),
            ],
            {
                "promised_n": 10,
                "statutory_n": 20,
                "fee_fen": 0,
                "max_visits": 2,
                "channels": ["window", "appointment"],
                "legal_basis": "《中华人民共和国户口登记条例》；派出所户籍窗口优质服务操作规范 六：需上报审批的，所领导核准后 2 个工作日内上报",
                "refusal_basis": "《中华人民共和国户口登记条例》第十条及本市户籍管理规定",
                "conditions": "属于分局、市局审批权限的户口迁移（如投靠落户）。",
                "handler": "鼓楼派出所户籍室",
                "contact_phone": "0371-25661234",
            },
        ),
    ],
    "kf-exit-entry": [
        (
            "passport-issue",
            "普通护照签发",
            "Ordinary passport",
            [
                ("居民身份证", ORIG, 1, True, ""),
                ("证件照片", ONSITE, 1, True, ""),
                ("中国公民出入境证件申请表", ORIG, 1, True, ""),
                ("国家工作人员出境审批意见", ORIG, 1, False, "登记备案的国家工作人员"),
            ],
            [
                ("受理", Role.OFFICER, 1, "working_days", False),
                ("审核", Role.OFFICER, 3, "working_days", False),
                ("审批签发", Role.DUTY_LEAD, 2, "working_days", False),
                ("制证发证", Role.OFFICER, 1, "working_days", False),
            ],
            {
                "promised_n": 7,
                "statutory_n": 15,
                "statutory_unit": "calendar_days",
                "fee_fen": 12000,
                "fee_basis": "发改价格〔2017〕1186号",
                "max_visits": 3,
                "green_channel": True,
                "separation_of_duties": True,
                "channels": WA,
                "legal_basis": "《中华人民共和国护照法》第六条",
                "refusal_basis": "《中华人民共和国护照法》第十三条",
                "handler": "出入境管理支队",
                "contact_phone": "0371-25955180",
            },
        ),
        (
            "hk-macao-permit",
            "往来港澳通行证及签注",
            "Hong Kong and Macao travel permit and endorsement",
            [("居民身份证", ORIG, 1, True, ""), ("证件照片", ONSITE, 1, True, "")],
            [
                ("受理", Role.OFFICER, 1, "working_days", False),
                ("审核", Role.OFFICER, 3, "working_days", False),
                ("审批签发", Role.DUTY_LEAD, 2, "working_days", False),
                ("制证发证", Role.OFFICER, 1, "working_days", False),
            ],
            {
                "promised_n": 7,
                "statutory_n": 15,
                "statutory_unit": "calendar_days",
                "fee_fen": 6000,
                "fee_basis": "发改价格〔2017〕1186号（签注每次 15 元）",
                "max_visits": 3,
                "green_channel": True,
                "separation_of_duties": True,
                "channels": WA,
                "legal_basis": "《中国公民因私事往来香港地区或者澳门地区的暂行管理办法》",
                "refusal_basis": "《中国公民因私事往来香港地区或者澳门地区的暂行管理办法》第十三条",
                "handler": "出入境管理支队",
                "contact_phone": "0371-25955180",
            },
        ),
    ],
    "kf-vehicle-office": [
        (
            "driving-licence-renew",
            "机动车驾驶证补领、换证",
            "Driving licence: replacement and renewal",
            [
                ("居民身份证", ORIG, 1, True, ""),
                ("原机动车驾驶证", ORIG, 1, False, "换证时"),
                ("身体条件证明", ORIG, 1, True, ""),
            ],
            [],
            {
                "promised_n": 0,
                "fee_fen": 1000,
                "fee_basis": "计价格〔2004〕1109号（工本费 10 元）",
                "max_visits": 2,
                "channels": W,
                "legal_basis": "《机动车驾驶证申领和使用规定》",
                "refusal_basis": "《机动车驾驶证申领和使用规定》第十五条",
                "handler": "车管所驾驶证科",
                "contact_phone": "0371-22981122",
            },
        ),
        (
            "traffic-violation",
            "交通违法处理",
            "Traffic violation handling",
            [("机动车驾驶证", ORIG, 1, True, ""), ("机动车行驶证", ORIG, 1, True, "")],
            [],
            {
                "promised_n": 0,
                "fee_fen": 0,
                "max_visits": 1,
                "channels": W,
                "conditions": "罚款凭处罚决定书到银行缴纳（罚缴分离）。",
                "legal_basis": "《道路交通安全法》；《罚款决定与罚款收缴分离实施办法》",
                "refusal_basis": "《道路交通安全违法行为处理程序规定》",
                "handler": "车管所违法处理窗口",
                "contact_phone": "0371-22981122",
            },
        ),
    ],
    "kf-centre-police": [
        (
            "household-certificate",
            "户籍证明开具",
            "Household registration certificate",
            [("居民身份证", ORIG, 1, True, ""), ("居民户口簿", ORIG, 1, True, "")],
            [],
            {
                "promised_n": 0,
                "fee_fen": 0,
                "max_visits": 1,
                "channels": W,
                "legal_basis": "《中华人民共和国户口登记条例》",
                "refusal_basis": "公安部《关于规范派出所出具证明工作的意见》",
                "handler": "市行政服务中心公安窗口",
                "contact_phone": "0371-23880110",
            },
        ),
    ],
    "kf-tax-hall": [
        (
            "invoice-collect",
            "发票领用",
            "Invoice collection",
            [
                ("税务登记信息", ORIG, 1, True, ""),
                ("经办人居民身份证", ORIG, 1, True, ""),
                ("发票领用簿", ORIG, 1, True, ""),
            ],
            [],
            {
                "promised_n": 0,
                "fee_fen": 0,
                "max_visits": 1,
                "channels": ["window", "online"],
                "legal_basis": "《中华人民共和国发票管理办法》",
                "refusal_basis": "《中华人民共和国发票管理办法》第十五条",
                "handler": "办税服务厅发票窗口",
                "contact_phone": "0371-12366",
            },
        ),
        (
            "tax-filing",
            "纳税申报",
            "Tax filing",
            [("纳税申报表", ORIG, 1, True, ""), ("财务会计报表", ORIG, 1, True, "")],
            [],
            {
                "promised_n": 0,
                "fee_fen": 0,
                "max_visits": 1,
                "channels": ["window", "online"],
                "legal_basis": "《中华人民共和国税收征收管理法》第二十五条",
                "refusal_basis": "《中华人民共和国税收征收管理法实施细则》",
                "handler": "办税服务厅综合申报窗口",
                "contact_phone": "0371-12366",
            },
        ),
    ],
    "kf-daqing-labour": [
        (
            "unemployment-register",
            "失业登记",
            "Unemployment registration",
            [("居民身份证", ORIG, 1, True, ""), ("解除或终止劳动合同证明", ORIG, 1, True, "")],
            [],
            {
                "promised_n": 0,
                "fee_fen": 0,
                "max_visits": 1,
                "channels": W,
                "legal_basis": "《就业服务与就业管理规定》第六十三条",
                "refusal_basis": "《就业服务与就业管理规定》",
                "handler": "大庆路劳动保障事务所",
                "contact_phone": "0371-23561233",
            },
        ),
        (
            "pensioner-verification",
            "退休人员资格认证",
            "Pensioner status verification",
            [("居民身份证", ORIG, 1, True, ""), ("养老金领取资料", ORIG, 1, True, "")],
            [],
            {
                "promised_n": 0,
                "fee_fen": 0,
                "max_visits": 1,
                "channels": W,
                "legal_basis": "《社会保险法》",
                "refusal_basis": "《社会保险法》",
                "handler": "大庆路劳动保障事务所",
                "contact_phone": "0371-23561233",
            },
        ),
    ],
    "kf-childrens-hospital": [
        (
            "outpatient-registration",
            "门诊挂号",
            "Outpatient registration",
            [("就诊卡或居民身份证", ORIG, 1, True, "")],
            [],
            {
                "promised_n": 0,
                "fee_fen": 0,
                "max_visits": 1,
                "channels": ["window", "appointment"],
                "conditions": "挂号费按本市医疗服务价格公示标准收取。",
                "legal_basis": "本市医疗服务价格目录",
                "refusal_basis": "《医疗机构管理条例》",
                "handler": "门诊服务台",
                "contact_phone": "0371-25952120",
            },
        ),
    ],
}


def seed_matters(units) -> int:
    created = 0
    for unit_code, matters in MATTERS.items():
        unit = units.get(unit_code)
        if unit is None:
            continue
        for order, (code, name, name_en, materials, steps, options) in enumerate(matters):
            options = dict(options)
            deciding = options.pop("deciding_step", None)
            matter, new = Matter.objects.get_or_create(
                code=code,
                defaults={
                    "unit": unit,
                    "name": name,
                    "name_en": name_en,
                    "order": order,
                    **options,
                },
            )
            created += new
            if not new:
                continue
            for i, (m_name, form, count, required, condition) in enumerate(materials):
                Material.objects.create(
                    matter=matter,
                    name=m_name,
                    form=form,
                    count=count,
                    required=required,
                    condition=condition,
                    order=i,
                )
            for i, (s_name, role, n, unit_name, pausable) in enumerate(steps, start=1):
                Step.objects.create(
                    matter=matter,
                    order=i,
                    name=s_name,
                    role=role,
                    limit_n=n,
                    limit_unit=unit_name,
                    pausable=pausable,
                    decides=i == deciding,
                )
    return created
