"""Data behind the service-center demo: department duties, the catalog of the five services
into the building, the eight people of a building community and the mixes of categories and
channels. Plain data; `louyu.servicedesk.demo` writes it."""

from __future__ import annotations

from typing import Any

from louyu.accounts.models import Role
from louyu.servicedesk.models import Category, Channel, PersonnelKind

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超华建国志红霞平刚斌波辉琳婷晨悦"

# (code, duty window, responsibilities) of the departments the core seed creates.
DEPARTMENT_DUTIES: dict[str, str] = {
    "market": "企业登记、许可、市场监管",
    "tax": "税务登记、发票、纳税申报与减免",
    "police": "治安、户籍、居住证",
    "traffic-police": "道路交通、违法处理、停车秩序",
    "hrss": "就业、社保、劳动关系、人才",
    "housing": "房屋租赁备案、物业监管",
    "urban-management": "市容、招牌广告、垃圾分类",
    "fire": "消防安全检查与隐患整改",
    "ecology": "环境影响、噪声油烟",
    "health": "卫生许可、职业健康",
    "civil-affairs": "社会组织登记、社会救助",
    "statistics": "统计调查与联网直报",
    "commerce": "商贸流通、外经贸",
    "development-reform": "项目备案、价格",
    "science-technology": "科技项目、高新技术企业",
    "justice": "法律援助、人民调解",
    "emergency": "安全生产",
    "housing-fund": "住房公积金缴存提取",
    "medical-insurance": "医保参保与结算",
    "organization": "两新组织党建",
    "trade-union": "工会组建与职工服务",
    "youth-league": "青年与团组织",
    "womens-federation": "妇女儿童权益",
    "financial-office": "融资对接、上市辅导",
    "building-office": "楼宇招商、空间资源",
}

F = dict  # a form-field definition, for brevity below


# (code, name, category, kind, lead, co-handlers, statutory, promised, documents, proxy, fee,
#  role, urgent, form fields)
# fmt: off
CATALOG: list[tuple[Any, ...]] = [
    ("company-setup", "企业设立登记", Category.ECONOMY, "joint", "market", ["tax"], 15, 3,
     ["公司登记（备案）申请书", "公司章程", "股东主体资格证明", "住所使用证明"], True, "0",
     Role.CLERK, False, []),
    ("company-change", "企业变更登记", Category.ECONOMY, "promised", "market", [], 15, 3,
     ["变更登记申请书", "股东会决议", "营业执照正副本"], True, "0", Role.CLERK, False, []),
    ("invoice", "发票领用", Category.ECONOMY, "immediate", "tax", [], 5, 0, ["经办人身份证件",
     "发票专用章"], True, "0", Role.CLERK, False, [F(code="invoice_kind", label="发票种类",
     datatype="singlevaluelist", required=True, values=[F(key="vat", name="增值税专用发票"),
     F(key="plain", name="普通发票")]), F(code="count", label="份数", datatype="number",
     required=True)]),
    ("tax-relief", "税收优惠备案", Category.ECONOMY, "promised", "tax", [], 20, 5,
     ["优惠事项备案表", "相关证明材料"], True, "0", Role.CLERK, False, []),
    ("policy-cash", "产业扶持政策兑现", Category.ECONOMY, "joint", "commerce", ["finance",
     "building-office"], 30, 20, ["政策兑现申请表", "营业收入证明", "纳税证明"], True, "0",
     Role.INVESTMENT, False, []),
    ("talent", "人才安居补贴申领", Category.ECONOMY, "promised", "hrss", [], 20, 15, ["申请表",
     "学历学位证书", "劳动合同"], False, "0", Role.INVESTMENT, False, []),
    ("hightech", "高新技术企业认定辅导", Category.ECONOMY, "promised", "science-technology", [], 60,
     20, ["知识产权证明", "研发费用专项审计报告"], False, "0", Role.INVESTMENT, False, []),
    ("financing", "融资对接", Category.ECONOMY, "promised", "financial-office", [], 20, 10,
     ["融资需求表", "近两年财务报表"], False, "0", Role.INVESTMENT, False, [F(code="amount",
     label="融资需求（万元）", datatype="number", required=True)]),
    ("office-space", "办公用房对接", Category.ECONOMY, "promised", "building-office", [], 10, 5, [],
     False, "0", Role.INVESTMENT, False, [F(code="area", label="需求面积（平方米）",
     datatype="number", required=True)]),
    ("social-insurance", "社保参保登记", Category.LIVELIHOOD, "immediate", "hrss", [], 5, 0,
     ["营业执照", "参保人员名单"], True, "0", Role.CLERK, False, []),
    ("housing-fund", "公积金缴存开户", Category.LIVELIHOOD, "promised", "housing-fund", [], 5, 1,
     ["单位登记表", "营业执照"], True, "0", Role.CLERK, False, []),
    ("medical", "医保参保变更", Category.LIVELIHOOD, "promised", "medical-insurance", [], 5, 1,
     ["变更申请表"], True, "0", Role.CLERK, False, []),
    ("recruitment", "招聘用工服务", Category.LIVELIHOOD, "promised", "hrss", [], 10, 5, [], False,
     "0", Role.LIAISON, False, [F(code="positions", label="岗位数", datatype="number",
     required=True)]),
    ("labour-dispute", "劳动争议调解", Category.LIVELIHOOD, "joint", "hrss", ["justice"], 45, 15,
     ["调解申请书", "劳动合同"], False, "0", Role.LIAISON, False, []),
    ("residence", "居住证办理", Category.LIVELIHOOD, "promised", "police", [], 15, 10, ["身份证",
     "居住登记凭证", "照片"], True, "0", Role.SAFETY, False, []),
    ("signboard", "户外招牌设置", Category.URBAN, "promised", "urban-management", [], 20, 5,
     ["设置申请表", "效果图"], True, "0", Role.MANAGER, False, []),
    ("garbage", "垃圾分类清运", Category.URBAN, "promised", "urban-management", [], 5, 3, [], False,
     "0", Role.MANAGER, False, []),
    ("parking", "停车与交通组织", Category.URBAN, "promised", "traffic-police", [], 15, 10, [],
     False, "0", Role.MANAGER, False, []),
    ("traffic-fine", "交通违法代缴", Category.URBAN, "promised", "traffic-police", [], 5, 3,
     ["行驶证", "授权委托书"], True, "0", Role.CLERK, False, [F(code="plate", label="车牌号",
     datatype="string", required=True)]),
    ("noise", "噪声油烟投诉", Category.URBAN, "promised", "ecology", [], 15, 7, [], False, "0",
     Role.MANAGER, False, []),
    ("fire-hazard", "消防安全隐患", Category.GOVERNANCE, "promised", "fire", [], 3, 1, [], False,
     "0", Role.SAFETY, True, []),
    ("security", "治安隐患报告", Category.GOVERNANCE, "promised", "police", [], 3, 1, [], False,
     "0", Role.SAFETY, True, []),
    ("mediation", "商事纠纷调解", Category.GOVERNANCE, "promised", "justice", [], 30, 10,
     ["调解申请书"], False, "0", Role.LIAISON, False, []),
    ("work-safety", "安全生产检查", Category.GOVERNANCE, "promised", "emergency", [], 10, 5, [],
     False, "0", Role.SAFETY, False, []),
    ("party-org", "党组织组建指导", Category.PARTY, "promised", "organization", [], 30, 10,
     ["党员名册", "组建申请"], False, "0", Role.GUIDE, False, []),
    ("party-transfer", "党员组织关系转接", Category.PARTY, "promised", "organization", [], 10, 5,
     ["介绍信"], True, "0", Role.GUIDE, False, []),
    ("union", "工会组建", Category.PARTY, "promised", "trade-union", [], 30, 10, ["会员名册"],
     False, "0", Role.LIAISON, False, []),
    ("youth", "青年活动与团组织", Category.PARTY, "promised", "youth-league", [], 20, 10, [], False,
     "0", Role.LIAISON, False, []),
    ("women", "妇女权益与组织", Category.PARTY, "promised", "womens-federation", [], 20, 10, [],
     False, "0", Role.LIAISON, False, []),
]
# fmt: on
CATEGORY_WEIGHTS = {
    Category.ECONOMY: 38,
    Category.LIVELIHOOD: 24,
    Category.URBAN: 18,
    Category.GOVERNANCE: 12,
    Category.PARTY: 8,
}
CHANNEL_WEIGHTS = {
    Channel.MOBILE: 34,
    Channel.WEB: 18,
    Channel.CHAT: 14,
    Channel.COUNTER: 16,
    Channel.VISIT: 10,
    Channel.PHONE: 8,
}
# The eight people of a building community: (role, personnel kind, agency).
EIGHT: list[tuple[str, str, str]] = [
    (Role.GUIDE, PersonnelKind.STREET_CADRE, "街道办事处"),
    (Role.INVESTMENT, PersonnelKind.STREET_INVESTMENT, "街道招商办"),
    (Role.MANAGER, PersonnelKind.PROPERTY_MANAGER, "物业服务中心"),
    (Role.SAFETY, PersonnelKind.LOCAL_POLICE, "派出所"),
    (Role.CLERK, PersonnelKind.NATIONAL_TAX, "国税所"),
    (Role.CLERK, PersonnelKind.LOCAL_TAX, "地税所"),
    (Role.CLERK, PersonnelKind.INDUSTRY_COMMERCE, "市场监管所"),
    (Role.LIAISON, PersonnelKind.COMMUNITY_CADRE, "社区居委会"),
]
HOURS = ("周二、周四 9:00–17:00", "周一、周三 9:00–17:00", "周三、周五 9:00–17:00")
TITLES = {
    "company-setup": ["新设分公司登记", "设立子公司咨询"],
    "invoice": ["申领增值税专用发票", "增加发票领用数量"],
    "garbage": ["大楼垃圾清运不及时", "垃圾分类投放点设置"],
    "fire-hazard": ["消防通道堆放杂物", "疏散指示灯损坏"],
    "security": ["地下车库监控盲区", "夜间可疑人员出入"],
    "parking": ["访客停车位不足", "门前道路违停严重"],
}
