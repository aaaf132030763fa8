"""The region-wide home-nursing catalogue (互联网+护理服务 "六统一": one item list, one public price list).

Seed 004 names 37 first-batch items for six populations; seed 000 names pressure-sore care, wound care and
nasogastric-tube replacement. This module is pure data: the lead loads it into the database.

Money is integer fen. An order's fee is the item's public price plus its home-visit fee (上门服务费); the
consumables are billed by what was used (DOMAIN.md). Visit fees follow three tiers: 100 元 for most short
monitoring, teaching and TCM visits, 120 元 for standard procedures, and 150 元 for every item that needs a
wound/stoma, PICC or hospice certificate, every high-risk item and every two-nurse item. `credentials` lists the specialty certificates a nurse needs beyond the basic eligibility
(≥5 years, 护师 or above, registered at the dispatching institution, pre-job training passed).
"""

from __future__ import annotations

from dataclasses import dataclass

from yihu.nursing import catalogue


@dataclass(frozen=True)
class ConsumableSpec:
    code: str
    name_zh: str
    name_en: str
    unit: str
    price_fen: int


@dataclass(frozen=True)
class KitLine:
    consumable: str  # key into CONSUMABLES
    count: int  # the default count in the kit


@dataclass(frozen=True)
class ItemSpec:
    code: str
    name_zh: str
    name_en: str
    category: str
    populations: tuple[str, ...]
    description_zh: str
    duration_min: int
    price_fen: int
    visit_fee_fen: int
    credentials: tuple[str, ...]
    nurses_required: int
    risk_level: str
    kit: tuple[KitLine, ...]
    risks_zh: str
    waste_kinds: tuple[str, ...]


POPULATIONS: dict[str, tuple[str, str]] = {
    "post_discharge": ("出院后需延续护理的患者", "Patients needing continued care after discharge"),
    "elderly_disabled": ("高龄失能及行动不便老年人", "Very old, disabled or immobile elderly people"),
    "maternal_infant": ("孕产妇及新生儿", "Pregnant and postpartum women and newborns"),
    "specialty": ("需专科护理人群", "People needing specialty nursing"),
    "tcm": ("需中医护理人群", "People needing traditional Chinese medicine nursing"),
    "hospice": ("安宁疗护需求人群", "People needing hospice and palliative care"),
}

CATEGORIES = catalogue.CATEGORIES  # the product's own list; kept here for the demo's readers

CREDENTIAL_KINDS: tuple[str, ...] = (
    "picc",
    "wound_stoma",
    "midwifery",
    "tcm_nursing",
    "geriatric_nursing",
    "hospice_nursing",
)
RISK_LEVELS: tuple[str, ...] = ("low", "medium", "high")
WASTE_KINDS: dict[str, str] = {
    "infectious": "感染性废物",
    "sharps": "损伤性废物",
    "pathological": "病理性废物",
    "pharmaceutical": "药物性废物",
    "chemical": "化学性废物",
}

_CONSUMABLE_LIST: tuple[ConsumableSpec, ...] = (
    ConsumableSpec("mask", "医用外科口罩", "Surgical mask", "个", 50),
    ConsumableSpec("gloves", "一次性医用检查手套", "Examination gloves (pair)", "副", 60),
    ConsumableSpec("sterile_gloves", "一次性无菌手术手套", "Sterile gloves (pair)", "副", 250),
    ConsumableSpec("underpad", "一次性护理垫", "Disposable underpad", "片", 200),
    ConsumableSpec("waste_bag", "医疗废物包装袋", "Medical-waste bag", "个", 100),
    ConsumableSpec("sharps_box", "便携式利器盒", "Portable sharps container", "个", 600),
    ConsumableSpec("alcohol_pad", "75%酒精棉片", "Alcohol prep pad", "片", 20),
    ConsumableSpec("iodophor_swab", "碘伏棉签", "Povidone-iodine swab sticks", "包", 300),
    ConsumableSpec("cotton_swab", "无菌棉签", "Sterile cotton swabs", "包", 100),
    ConsumableSpec("gauze", "无菌纱布块", "Sterile gauze", "包", 200),
    ConsumableSpec("tape", "医用胶带", "Medical tape", "卷", 300),
    ConsumableSpec("dressing_pack", "一次性无菌换药包", "Sterile dressing pack", "包", 900),
    ConsumableSpec("saline_100", "0.9%氯化钠注射液 100ml", "Normal saline 100 ml", "瓶", 350),
    ConsumableSpec("saline_500", "0.9%氯化钠注射液 500ml", "Normal saline 500 ml", "瓶", 600),
    ConsumableSpec("syringe_1", "一次性使用无菌注射器 1ml", "Syringe 1 ml", "支", 40),
    ConsumableSpec("syringe_5", "一次性使用无菌注射器 5ml", "Syringe 5 ml", "支", 50),
    ConsumableSpec("syringe_50", "一次性使用无菌注射器 50ml", "Syringe 50 ml", "支", 300),
    ConsumableSpec("blood_needle", "一次性使用静脉血样采集针", "Blood-collection needle", "支", 100),
    ConsumableSpec("blood_tube", "一次性使用真空采血管", "Vacuum blood-collection tube", "支", 80),
    ConsumableSpec("tourniquet", "一次性止血带", "Disposable tourniquet", "根", 50),
    ConsumableSpec("glucose_strip", "血糖试纸", "Blood-glucose test strip", "片", 300),
    ConsumableSpec("lancet", "一次性末梢采血针", "Capillary lancet", "个", 30),
    ConsumableSpec("oral_care_pack", "一次性口腔护理包", "Oral-care pack", "包", 500),
    ConsumableSpec("enema_pack", "一次性使用灌肠包", "Enema kit", "包", 1200),
    ConsumableSpec("lubricant", "医用润滑剂", "Medical lubricant", "支", 300),
    ConsumableSpec("feeding_tube", "一次性使用硅胶胃管", "Silicone nasogastric feeding tube", "根", 2500),
    ConsumableSpec("tube_fixator", "鼻胃管固定贴", "Nasal tube fixation tape", "片", 300),
    ConsumableSpec(
        "catheter_pack",
        "一次性使用导尿包（含硅胶双腔导尿管）",
        "Catheterisation kit with silicone Foley catheter",
        "包",
        4500,
    ),
    ConsumableSpec("drainage_bag", "一次性使用引流袋", "Drainage bag", "个", 350),
    ConsumableSpec("irrigation_set", "一次性使用膀胱冲洗器", "Bladder irrigation set", "套", 800),
    ConsumableSpec("suction_catheter", "一次性使用吸痰管", "Suction catheter", "根", 300),
    ConsumableSpec("trach_dressing", "气管切开开口纱", "Tracheostomy split dressing", "片", 400),
    ConsumableSpec("trach_tie", "气管套管固定带", "Tracheostomy tube tie", "根", 500),
    ConsumableSpec("chg_swab", "氯己定醇皮肤消毒棉棒", "Chlorhexidine-alcohol applicator", "支", 500),
    ConsumableSpec("picc_kit", "PICC维护包（含透明敷料）", "PICC maintenance kit with dressing", "包", 3500),
    ConsumableSpec("transparent_film", "中心静脉导管透明敷料", "CVC transparent dressing", "片", 1500),
    ConsumableSpec("needleless_connector", "无针输液接头", "Needleless connector", "个", 1800),
    ConsumableSpec("flush_syringe", "预充式导管冲洗器 10ml", "Prefilled flush syringe 10 ml", "支", 800),
    ConsumableSpec("huber_needle", "输液港专用无损伤针", "Non-coring Huber needle", "支", 6500),
    ConsumableSpec("foam_dressing", "泡沫敷料", "Foam dressing", "片", 4500),
    ConsumableSpec("hydrocolloid", "水胶体敷料", "Hydrocolloid dressing", "片", 2800),
    ConsumableSpec("silver_dressing", "银离子抗菌敷料", "Silver antimicrobial dressing", "片", 9000),
    ConsumableSpec("suture_removal_pack", "一次性拆线包", "Suture-removal kit", "包", 800),
    ConsumableSpec("skin_barrier_wipe", "皮肤保护膜（湿巾型）", "No-sting skin barrier wipe", "片", 400),
    ConsumableSpec("stoma_bag", "一件式造口袋", "One-piece ostomy pouch", "个", 3000),
    ConsumableSpec("stoma_ring", "造口防漏环", "Ostomy barrier ring", "个", 2500),
    ConsumableSpec("body_wipes", "一次性清洁护理湿巾", "Bed-bath wipes", "包", 800),
    ConsumableSpec("breast_pad", "一次性防溢乳垫", "Disposable nursing pad", "片", 100),
    ConsumableSpec("massage_medium", "按摩介质（单次）", "Massage medium (single use)", "份", 300),
    ConsumableSpec("moxa_stick", "清艾条", "Moxa stick", "根", 600),
    ConsumableSpec("guasha_oil", "刮痧油（单次）", "Gua sha oil (single use)", "份", 300),
    ConsumableSpec("ear_seeds", "王不留行籽耳穴贴", "Vaccaria-seed ear patch", "片", 50),
)
CONSUMABLES: dict[str, ConsumableSpec] = {c.code: c for c in _CONSUMABLE_LIST}

VISIT_FEE_LIGHT = 10_000
VISIT_FEE_STANDARD = 12_000
VISIT_FEE_SPECIALTY = 15_000


def _kit(*lines: tuple[str, int]) -> tuple[KitLine, ...]:
    return tuple(KitLine(consumable, count) for consumable, count in lines)



# fmt: off
ITEMS: tuple[ItemSpec, ...] = (
    # 基础护理 basic: no specialty certificate.
    ItemSpec(
        code="HN001", name_zh="生命体征监测", name_en="Vital-signs monitoring",
        category="basic", populations=("elderly_disabled", "post_discharge"),
        description_zh="测量体温、脉搏、呼吸、血压和血氧饱和度，评估意识和一般情况，记录结果并告知异常值的处理方法。",
        duration_min=20, price_fen=3_000, visit_fee_fen=VISIT_FEE_LIGHT,
        credentials=(), nurses_required=1, risk_level="low",
        kit=_kit(("gloves", 1), ("alcohol_pad", 2)),
        risks_zh="操作本身风险低；发现血压、血氧等明显异常时护士将建议及时就医，上门监测不能替代医院诊治。",
        waste_kinds=("infectious",),
    ),
    ItemSpec(
        code="HN002", name_zh="静脉采血", name_en="Venous blood collection",
        category="basic", populations=("post_discharge", "elderly_disabled"),
        description_zh="凭医嘱上门采集静脉血标本，规范标识后按要求送派出机构检验科检测。",
        duration_min=20, price_fen=4_000, visit_fee_fen=VISIT_FEE_STANDARD,
        credentials=(), nurses_required=1, risk_level="low",
        kit=_kit(("gloves", 1), ("tourniquet", 1), ("iodophor_swab", 1), ("blood_needle", 1),
                 ("blood_tube", 3), ("cotton_swab", 1), ("sharps_box", 1), ("waste_bag", 1)),
        risks_zh="穿刺处可能疼痛、淤青或形成血肿，少数人会晕针晕血；标本如在运送中溶血需重新采集。",
        waste_kinds=("infectious", "sharps"),
    ),
    ItemSpec(
        code="HN003", name_zh="肌内注射", name_en="Intramuscular injection",
        category="basic", populations=("post_discharge", "elderly_disabled"),
        description_zh="凭医疗机构处方上门肌内注射（首次使用的药物须在医疗机构内完成），注射后现场观察不少于20分钟。",
        duration_min=35, price_fen=3_000, visit_fee_fen=VISIT_FEE_STANDARD,
        credentials=(), nurses_required=1, risk_level="medium",
        kit=_kit(("gloves", 1), ("iodophor_swab", 1), ("syringe_5", 1), ("cotton_swab", 1),
                 ("sharps_box", 1), ("waste_bag", 1)),
        risks_zh="可能发生药物过敏反应（严重时过敏性休克），注射部位可能疼痛、硬结、感染或神经损伤。",
        waste_kinds=("infectious", "sharps", "pharmaceutical"),
    ),
    ItemSpec(
        code="HN004", name_zh="皮下注射", name_en="Subcutaneous injection",
        category="basic", populations=("post_discharge", "elderly_disabled"),
        description_zh="按医嘱上门皮下注射低分子肝素、胰岛素等药物，并指导家属观察注射部位和不良反应。",
        duration_min=25, price_fen=3_000, visit_fee_fen=VISIT_FEE_STANDARD,
        credentials=(), nurses_required=1, risk_level="medium",
        kit=_kit(("gloves", 1), ("alcohol_pad", 2), ("syringe_1", 1), ("cotton_swab", 1),
                 ("sharps_box", 1), ("waste_bag", 1)),
        risks_zh="注射部位可能淤血、硬结；抗凝药可能引起出血，胰岛素可能引起低血糖，需按告知观察。",
        waste_kinds=("infectious", "sharps", "pharmaceutical"),
    ),
    ItemSpec(
        code="HN005", name_zh="口腔护理", name_en="Oral care",
        category="basic", populations=("elderly_disabled", "hospice"),
        description_zh="为卧床或不能自理者清洁口腔并评估口腔黏膜，预防口腔感染和吸入性肺炎。",
        duration_min=20, price_fen=4_000, visit_fee_fen=VISIT_FEE_STANDARD,
        credentials=(), nurses_required=1, risk_level="low",
        kit=_kit(("gloves", 1), ("oral_care_pack", 1), ("underpad", 1), ("waste_bag", 1)),
        risks_zh="清洁时可能引起恶心、呛咳，吞咽障碍者有误吸风险；有出血倾向者口腔黏膜可能少量出血。",
        waste_kinds=("infectious",),
    ),
    ItemSpec(
        code="HN006", name_zh="末梢血糖监测", name_en="Capillary blood-glucose monitoring",
        category="basic", populations=("elderly_disabled", "post_discharge"),
        description_zh="采指尖血测量血糖，核对近期血糖记录，指导进食和用药时间。",
        duration_min=15, price_fen=2_000, visit_fee_fen=VISIT_FEE_LIGHT,
        credentials=(), nurses_required=1, risk_level="low",
        kit=_kit(("gloves", 1), ("alcohol_pad", 1), ("lancet", 1), ("glucose_strip", 1),
                 ("sharps_box", 1), ("waste_bag", 1)),
        risks_zh="采血处轻微疼痛；单次末梢血糖只反映当时水平，不能替代医院的静脉血糖检验。",
        waste_kinds=("infectious", "sharps"),
    ),
    ItemSpec(
        code="HN007", name_zh="灌肠", name_en="Enema",
        category="basic", populations=("elderly_disabled", "hospice"),
        description_zh="对便秘或粪便嵌塞的患者按医嘱行不保留灌肠，观察排便情况和全身反应。",
        duration_min=40, price_fen=6_000, visit_fee_fen=VISIT_FEE_STANDARD,
        credentials=(), nurses_required=1, risk_level="medium",
        kit=_kit(("gloves", 1), ("underpad", 2), ("enema_pack", 1), ("lubricant", 1), ("waste_bag", 1)),
        risks_zh="可能出现腹痛、腹胀、肠黏膜损伤或出血，年老体弱者可能虚脱；有消化道出血或穿孔风险者不宜灌肠。",
        waste_kinds=("infectious",),
    ),
    # 压疮护理 pressure_sore
    ItemSpec(
        code="HN008", name_zh="压疮风险评估与预防指导", name_en="Pressure-injury risk assessment and prevention",
        category="pressure_sore", populations=("elderly_disabled", "post_discharge"),
        description_zh="用Braden量表评估压疮风险并检查受压部位皮肤，指导家属翻身、减压和营养支持。",
        duration_min=40, price_fen=5_000, visit_fee_fen=VISIT_FEE_STANDARD,
        credentials=("geriatric_nursing",), nurses_required=1, risk_level="low",
        kit=_kit(("gloves", 1), ("skin_barrier_wipe", 2)),
        risks_zh="评估和指导本身风险低；已有的皮肤损伤可能在短期内继续进展，需按指导定时翻身减压。",
        waste_kinds=("infectious",),
    ),
    ItemSpec(
        code="HN009", name_zh="压疮护理", name_en="Pressure-injury care",
        category="pressure_sore", populations=("elderly_disabled", "post_discharge", "specialty"),
        description_zh="评估压疮分期和面积，清洗创面、清除坏死组织并选用合适敷料，确定换药频次。",
        duration_min=45, price_fen=10_000, visit_fee_fen=VISIT_FEE_SPECIALTY,
        credentials=("wound_stoma",), nurses_required=1, risk_level="medium",
        kit=_kit(("sterile_gloves", 1), ("dressing_pack", 1), ("saline_100", 2), ("foam_dressing", 1),
                 ("skin_barrier_wipe", 1), ("underpad", 1), ("waste_bag", 1)),
        risks_zh="换药时可能疼痛、少量出血；深部压疮可能感染加重甚至引起败血症，护士判断需就医时将建议转诊。",
        waste_kinds=("infectious", "pathological"),
    ),
    ItemSpec(
        code="HN010", name_zh="协助翻身及压疮护理（重度卧床）",
        name_en="Repositioning and pressure-injury care for a heavily bedridden patient",
        category="pressure_sore", populations=("elderly_disabled", "specialty"),
        description_zh="两名护士协助体重大或全身瘫痪的卧床患者翻身、更换床单，并处理多处压疮创面。",
        duration_min=60, price_fen=16_000, visit_fee_fen=VISIT_FEE_SPECIALTY,
        credentials=("wound_stoma",), nurses_required=2, risk_level="medium",
        kit=_kit(("sterile_gloves", 2), ("dressing_pack", 2), ("saline_100", 2), ("foam_dressing", 2),
                 ("skin_barrier_wipe", 2), ("underpad", 2), ("waste_bag", 1)),
        risks_zh="翻身时可能发生管道脱出、坠床、骨折或关节损伤，换药时可能疼痛出血；多处深部压疮有感染加重的风险。",
        waste_kinds=("infectious", "pathological"),
    ),
    # 伤口护理 wound
    ItemSpec(
        code="HN011", name_zh="伤口换药", name_en="Wound dressing change",
        category="wound", populations=("post_discharge",),
        description_zh="为清洁或轻度污染的术后切口、小面积伤口消毒换药，观察愈合情况。",
        duration_min=25, price_fen=4_000, visit_fee_fen=VISIT_FEE_STANDARD,
        credentials=(), nurses_required=1, risk_level="low",
        kit=_kit(("gloves", 1), ("dressing_pack", 1), ("iodophor_swab", 1), ("gauze", 1), ("tape", 1),
                 ("waste_bag", 1)),
        risks_zh="换药时可能疼痛；伤口红肿、渗液增多或发热提示感染，需到医院处理。",
        waste_kinds=("infectious",),
    ),
    ItemSpec(
        code="HN012", name_zh="复杂伤口护理", name_en="Complex wound care",
        category="wound", populations=("post_discharge", "specialty", "elderly_disabled"),
        description_zh="对糖尿病足、下肢静脉溃疡、切口裂开等慢性或复杂伤口进行评估、清创并选用功能性敷料。",
        duration_min=50, price_fen=12_000, visit_fee_fen=VISIT_FEE_SPECIALTY,
        credentials=("wound_stoma",), nurses_required=1, risk_level="medium",
        kit=_kit(("sterile_gloves", 1), ("dressing_pack", 1), ("saline_100", 2), ("silver_dressing", 1),
                 ("foam_dressing", 1), ("tape", 1), ("underpad", 1), ("waste_bag", 1)),
        risks_zh="清创可能引起疼痛和出血；慢性伤口愈合慢，可能感染加重而需住院甚至手术，护士会按病情建议复诊。",
        waste_kinds=("infectious", "pathological"),
    ),
    ItemSpec(
        code="HN013", name_zh="拆线", name_en="Suture removal",
        category="wound", populations=("post_discharge",),
        description_zh="评估切口愈合情况后按医嘱拆除缝线，消毒并覆盖切口。",
        duration_min=20, price_fen=3_500, visit_fee_fen=VISIT_FEE_STANDARD,
        credentials=(), nurses_required=1, risk_level="low",
        kit=_kit(("gloves", 1), ("suture_removal_pack", 1), ("iodophor_swab", 1), ("gauze", 1), ("tape", 1),
                 ("sharps_box", 1), ("waste_bag", 1)),
        risks_zh="拆线时轻微疼痛；切口愈合不良者拆线后可能裂开，需要再次就医处理。",
        waste_kinds=("infectious", "sharps"),
    ),
    # 管道护理 tube
    ItemSpec(
        code="HN014", name_zh="更换鼻饲管", name_en="Nasogastric feeding-tube replacement",
        category="tube", populations=("elderly_disabled", "post_discharge", "hospice"),
        description_zh="拔除旧胃管并经鼻置入新胃管，回抽胃液等方法确认在胃内后固定，指导家属鼻饲。",
        duration_min=40, price_fen=8_000, visit_fee_fen=VISIT_FEE_SPECIALTY,
        credentials=(), nurses_required=1, risk_level="high",
        kit=_kit(("gloves", 1), ("feeding_tube", 1), ("lubricant", 1), ("syringe_50", 1), ("tube_fixator", 1),
                 ("gauze", 1), ("underpad", 1), ("waste_bag", 1)),
        risks_zh="插管时可能恶心呕吐、鼻咽黏膜出血，胃管可能误入气道引起呛咳或误吸；无法确认位置时护士将停止操作并建议到医院置管。",
        waste_kinds=("infectious",),
    ),
    ItemSpec(
        code="HN015", name_zh="更换导尿管", name_en="Indwelling urinary-catheter replacement",
        category="tube", populations=("elderly_disabled", "post_discharge"),
        description_zh="无菌操作下拔除旧导尿管、置入新的硅胶导尿管并连接引流袋，指导会阴护理和尿袋更换。",
        duration_min=40, price_fen=8_000, visit_fee_fen=VISIT_FEE_STANDARD,
        credentials=(), nurses_required=1, risk_level="medium",
        kit=_kit(("catheter_pack", 1), ("drainage_bag", 1), ("underpad", 1), ("waste_bag", 1)),
        risks_zh="可能引起尿道黏膜损伤、出血、疼痛和尿路感染；插管困难（如前列腺增生）时将停止操作并建议到医院处理。",
        waste_kinds=("infectious",),
    ),
    ItemSpec(
        code="HN016", name_zh="膀胱冲洗", name_en="Bladder irrigation",
        category="tube", populations=("post_discharge", "elderly_disabled"),
        description_zh="经留置导尿管用生理盐水冲洗膀胱，观察冲洗液颜色并记录出入量。",
        duration_min=40, price_fen=5_000, visit_fee_fen=VISIT_FEE_STANDARD,
        credentials=(), nurses_required=1, risk_level="medium",
        kit=_kit(("sterile_gloves", 1), ("irrigation_set", 1), ("saline_500", 1), ("iodophor_swab", 1),
                 ("underpad", 1), ("waste_bag", 1)),
        risks_zh="可能发生膀胱痉挛、腹痛、出血和逆行感染；冲洗液呈鲜红色或引流不畅时需立即就医。",
        waste_kinds=("infectious",),
    ),
    ItemSpec(
        code="HN017", name_zh="引流管护理", name_en="Surgical drain care",
        category="tube", populations=("post_discharge", "specialty"),
        description_zh="观察并记录引流液的颜色、性状和量，消毒置管处皮肤，更换引流袋并妥善固定。",
        duration_min=30, price_fen=5_000, visit_fee_fen=VISIT_FEE_STANDARD,
        credentials=(), nurses_required=1, risk_level="medium",
        kit=_kit(("gloves", 1), ("iodophor_swab", 1), ("gauze", 1), ("drainage_bag", 1), ("tape", 1),
                 ("waste_bag", 1)),
        risks_zh="可能发生管道滑脱、堵塞或置管处感染；引流量突然增多或呈鲜红色时需立即就医。",
        waste_kinds=("infectious",),
    ),
    ItemSpec(
        code="HN018", name_zh="气管切开护理", name_en="Tracheostomy care",
        category="tube", populations=("post_discharge", "specialty", "elderly_disabled"),
        description_zh="评估呼吸状况并按需吸痰，清洁消毒气管切开处，更换开口纱和套管固定带。",
        duration_min=40, price_fen=8_000, visit_fee_fen=VISIT_FEE_SPECIALTY,
        credentials=(), nurses_required=1, risk_level="high",
        kit=_kit(("sterile_gloves", 1), ("suction_catheter", 2), ("saline_100", 1), ("trach_dressing", 1),
                 ("trach_tie", 1), ("cotton_swab", 1), ("waste_bag", 1)),
        risks_zh="吸痰和更换固定带时可能发生套管脱出、气道出血、缺氧或支气管痉挛，家中须备吸引器；出现呼吸困难须立即呼叫急救。",
        waste_kinds=("infectious",),
    ),
    # PICC/输液港护理 picc_port
    ItemSpec(
        code="HN019", name_zh="PICC导管维护", name_en="PICC line maintenance",
        category="picc_port", populations=("post_discharge", "specialty"),
        description_zh="测量臂围和导管外露长度，冲封管，消毒穿刺点并更换透明敷料和无针接头。",
        duration_min=40, price_fen=10_000, visit_fee_fen=VISIT_FEE_SPECIALTY,
        credentials=("picc",), nurses_required=1, risk_level="high",
        kit=_kit(("mask", 1), ("picc_kit", 1), ("needleless_connector", 1), ("flush_syringe", 2),
                 ("waste_bag", 1)),
        risks_zh="可能发生导管相关感染、静脉血栓、导管堵塞、移位或断裂；发现导管异常时护士将暂停维护并建议返院处理。",
        waste_kinds=("infectious",),
    ),
    ItemSpec(
        code="HN020", name_zh="输液港维护", name_en="Implanted-port maintenance",
        category="picc_port", populations=("post_discharge", "specialty"),
        description_zh="消毒后用无损伤针穿刺输液港，抽回血确认通畅，脉冲式冲封管后拔针并覆盖穿刺点。",
        duration_min=40, price_fen=12_000, visit_fee_fen=VISIT_FEE_SPECIALTY,
        credentials=("picc",), nurses_required=1, risk_level="high",
        kit=_kit(("mask", 1), ("sterile_gloves", 1), ("chg_swab", 3), ("huber_needle", 1), ("flush_syringe", 2),
                 ("transparent_film", 1), ("gauze", 1), ("sharps_box", 1), ("waste_bag", 1)),
        risks_zh="可能发生穿刺处疼痛或感染、导管堵塞、血栓或药液外渗；抽不到回血时护士将停止操作并建议返院。",
        waste_kinds=("infectious", "sharps"),
    ),
    # 母婴护理 maternal_infant
    ItemSpec(
        code="HN021", name_zh="产后康复护理", name_en="Postpartum recovery care",
        category="maternal_infant", populations=("maternal_infant",),
        description_zh="评估产妇子宫复旧、恶露、会阴或剖宫产切口和情绪，指导产后饮食、活动和盆底肌锻炼。",
        duration_min=60, price_fen=12_000, visit_fee_fen=VISIT_FEE_STANDARD,
        credentials=("midwifery",), nurses_required=1, risk_level="low",
        kit=_kit(("gloves", 1), ("iodophor_swab", 1), ("underpad", 1), ("waste_bag", 1)),
        risks_zh="检查切口和会阴时可能不适；发现产后出血、发热、切口感染或明显情绪低落时需及时就医。",
        waste_kinds=("infectious",),
    ),
    ItemSpec(
        code="HN022", name_zh="新生儿护理", name_en="Newborn care",
        category="maternal_infant", populations=("maternal_infant",),
        description_zh="为新生儿测体重体温、沐浴和抚触，观察黄疸、喂养和大小便，并教会家长日常照护。",
        duration_min=60, price_fen=10_000, visit_fee_fen=VISIT_FEE_STANDARD,
        credentials=("midwifery",), nurses_required=1, risk_level="low",
        kit=_kit(("gloves", 1), ("cotton_swab", 1), ("alcohol_pad", 2), ("underpad", 1)),
        risks_zh="沐浴时有受凉、呛水或皮肤擦伤的风险；黄疸明显、体温异常或吃奶差时将建议就医。",
        waste_kinds=("infectious",),
    ),
    ItemSpec(
        code="HN023", name_zh="新生儿脐部护理", name_en="Newborn umbilical care",
        category="maternal_infant", populations=("maternal_infant",),
        description_zh="检查脐带残端和脐周皮肤，清洁消毒并保持干燥，教家长识别脐部感染。",
        duration_min=20, price_fen=3_000, visit_fee_fen=VISIT_FEE_LIGHT,
        credentials=("midwifery",), nurses_required=1, risk_level="low",
        kit=_kit(("gloves", 1), ("cotton_swab", 1), ("alcohol_pad", 2), ("waste_bag", 1)),
        risks_zh="消毒时新生儿可能哭闹；脐周红肿、渗液或有异味提示脐炎，需及时就医。",
        waste_kinds=("infectious",),
    ),
    ItemSpec(
        code="HN024", name_zh="母乳喂养指导", name_en="Breastfeeding guidance",
        category="maternal_infant", populations=("maternal_infant",),
        description_zh="观察一次完整哺乳，指导正确含接和哺乳姿势，评估乳汁分泌和新生儿吃奶情况。",
        duration_min=45, price_fen=6_000, visit_fee_fen=VISIT_FEE_LIGHT,
        credentials=("midwifery",), nurses_required=1, risk_level="low",
        kit=_kit(("breast_pad", 2)),
        risks_zh="指导本身风险低；乳头皲裂、乳腺炎或新生儿体重增长不佳时需就医。",
        waste_kinds=(),
    ),
    ItemSpec(
        code="HN025", name_zh="乳房护理（乳汁淤积疏通）", name_en="Breast care for milk stasis",
        category="maternal_infant", populations=("maternal_infant",),
        description_zh="评估乳房胀痛和硬结，手法疏通淤积的乳汁，指导有效排空和冷敷。",
        duration_min=60, price_fen=15_000, visit_fee_fen=VISIT_FEE_STANDARD,
        credentials=("midwifery",), nurses_required=1, risk_level="medium",
        kit=_kit(("gloves", 1), ("massage_medium", 1), ("breast_pad", 2), ("gauze", 1)),
        risks_zh="疏通时可能疼痛，手法不当可能加重组织水肿；伴高热或脓肿时应就医，不宜继续手法疏通。",
        waste_kinds=("infectious",),
    ),
    # 造口护理 stoma
    ItemSpec(
        code="HN026", name_zh="肠造口护理", name_en="Ostomy care",
        category="stoma", populations=("post_discharge", "specialty"),
        description_zh="评估造口及周围皮肤，清洁后测量造口尺寸、裁剪并更换造口袋，指导患者和家属自我护理。",
        duration_min=40, price_fen=8_000, visit_fee_fen=VISIT_FEE_SPECIALTY,
        credentials=("wound_stoma",), nurses_required=1, risk_level="low",
        kit=_kit(("gloves", 1), ("saline_100", 1), ("gauze", 1), ("skin_barrier_wipe", 1), ("stoma_bag", 1),
                 ("waste_bag", 1)),
        risks_zh="造口周围皮肤可能出现刺激性皮炎或过敏，造口黏膜可能少量出血；造口发紫发黑、回缩或出现梗阻症状须立即就医。",
        waste_kinds=("infectious",),
    ),
    ItemSpec(
        code="HN027", name_zh="造口并发症护理", name_en="Stoma complication care",
        category="stoma", populations=("specialty", "post_discharge"),
        description_zh="处理造口周围皮炎、渗漏和造口回缩等并发症，使用防漏环和护肤用品并调整造口用品方案。",
        duration_min=50, price_fen=10_000, visit_fee_fen=VISIT_FEE_SPECIALTY,
        credentials=("wound_stoma",), nurses_required=1, risk_level="medium",
        kit=_kit(("gloves", 1), ("saline_100", 1), ("skin_barrier_wipe", 2), ("hydrocolloid", 1),
                 ("stoma_ring", 1), ("stoma_bag", 1), ("waste_bag", 1)),
        risks_zh="处理皮炎时可能疼痛或对用品过敏；造口坏死、旁疝嵌顿等严重并发症须到医院手术处理，居家护理不能替代。",
        waste_kinds=("infectious",),
    ),
    # 中医护理 tcm
    ItemSpec(
        code="HN028", name_zh="艾灸", name_en="Moxibustion",
        category="tcm", populations=("tcm", "elderly_disabled"),
        description_zh="辨证选穴后用艾条温和灸，随时观察皮肤反应，防止烫伤。",
        duration_min=40, price_fen=5_000, visit_fee_fen=VISIT_FEE_LIGHT,
        credentials=("tcm_nursing",), nurses_required=1, risk_level="medium",
        kit=_kit(("moxa_stick", 2)),
        risks_zh="可能烫伤、起水疱，艾烟可能刺激呼吸道；孕妇腰腹部、皮肤破损处和高热者不宜施灸。",
        waste_kinds=(),
    ),
    ItemSpec(
        code="HN029", name_zh="刮痧", name_en="Gua sha (scraping)",
        category="tcm", populations=("tcm",),
        description_zh="涂刮痧油后用刮痧板沿经络刮拭至出痧，观察局部和全身反应。",
        duration_min=30, price_fen=5_000, visit_fee_fen=VISIT_FEE_LIGHT,
        credentials=("tcm_nursing",), nurses_required=1, risk_level="low",
        kit=_kit(("gloves", 1), ("guasha_oil", 1)),
        risks_zh="刮拭部位可能疼痛、皮肤擦伤，体弱者可能头晕；有出血倾向、皮肤破损或严重心脑血管病者不宜刮痧。",
        waste_kinds=("infectious",),
    ),
    ItemSpec(
        code="HN030", name_zh="穴位按摩", name_en="Acupoint massage",
        category="tcm", populations=("tcm", "elderly_disabled"),
        description_zh="辨证取穴，以按、揉、点等手法按摩，缓解疼痛、便秘和失眠等症状。",
        duration_min=30, price_fen=6_000, visit_fee_fen=VISIT_FEE_LIGHT,
        credentials=("tcm_nursing",), nurses_required=1, risk_level="low",
        kit=_kit(("massage_medium", 1)),
        risks_zh="按摩后局部可能酸痛或发红，骨质疏松者手法不当可能骨折；肿瘤、骨折和皮肤破损部位禁止按摩。",
        waste_kinds=(),
    ),
    ItemSpec(
        code="HN031", name_zh="耳穴压豆", name_en="Auricular acupressure",
        category="tcm", populations=("tcm",),
        description_zh="探查耳穴后贴压王不留行籽，指导每日自行按压，缓解失眠、便秘等症状。",
        duration_min=20, price_fen=3_000, visit_fee_fen=VISIT_FEE_LIGHT,
        credentials=("tcm_nursing",), nurses_required=1, risk_level="low",
        kit=_kit(("alcohol_pad", 2), ("ear_seeds", 6)),
        risks_zh="可能引起耳廓疼痛、胶布过敏或皮肤破溃；孕妇慎用，耳廓有炎症或冻伤者禁用。",
        waste_kinds=(),
    ),
    # 慢病管理/康复指导 rehab_chronic
    ItemSpec(
        code="HN032", name_zh="糖尿病居家护理指导", name_en="Diabetes home-care guidance",
        category="rehab_chronic", populations=("elderly_disabled", "post_discharge"),
        description_zh="复核血糖记录，检查胰岛素注射部位和双足，指导饮食、运动、注射技术和低血糖处理。",
        duration_min=45, price_fen=6_000, visit_fee_fen=VISIT_FEE_LIGHT,
        credentials=(), nurses_required=1, risk_level="low",
        kit=_kit(("gloves", 1), ("alcohol_pad", 1), ("lancet", 1), ("glucose_strip", 1), ("sharps_box", 1),
                 ("waste_bag", 1)),
        risks_zh="指导本身风险低；调整饮食和运动期间可能出现低血糖，药物剂量的调整须由医生决定。",
        waste_kinds=("infectious", "sharps"),
    ),
    ItemSpec(
        code="HN033", name_zh="肢体功能康复指导", name_en="Limb-function rehabilitation guidance",
        category="rehab_chronic", populations=("elderly_disabled", "post_discharge"),
        description_zh="评估脑卒中或骨折术后患者的肢体功能，指导关节活动度训练、肌力训练和助行器使用。",
        duration_min=45, price_fen=8_000, visit_fee_fen=VISIT_FEE_STANDARD,
        credentials=("geriatric_nursing",), nurses_required=1, risk_level="medium",
        kit=(),
        risks_zh="训练中可能跌倒、关节或肌肉拉伤，骨折术后负重不当可能影响愈合。",
        waste_kinds=(),
    ),
    ItemSpec(
        code="HN034", name_zh="失能患者体位转移与功能训练", name_en="Transfer and function training for a dependent patient",
        category="rehab_chronic", populations=("elderly_disabled", "post_discharge"),
        description_zh="两名护士评估失能程度，示范床椅转移、良肢位摆放和被动关节活动，指导家属安全搬运。",
        duration_min=60, price_fen=12_000, visit_fee_fen=VISIT_FEE_SPECIALTY,
        credentials=("geriatric_nursing",), nurses_required=2, risk_level="medium",
        kit=(),
        risks_zh="转移时可能跌倒、骨折、关节脱位或管道脱出；体位性低血压者可能头晕甚至晕厥。",
        waste_kinds=(),
    ),
    # 安宁疗护 hospice
    ItemSpec(
        code="HN035", name_zh="安宁疗护居家评估与症状护理", name_en="Hospice home assessment and symptom care",
        category="hospice", populations=("hospice",),
        description_zh="评估疼痛、呼吸困难、恶心和谵妄等症状及生活质量，配合医生调整舒适照护方案，并为家属提供照护指导和心理支持。",
        duration_min=60, price_fen=15_000, visit_fee_fen=VISIT_FEE_SPECIALTY,
        credentials=("hospice_nursing",), nurses_required=1, risk_level="medium",
        kit=_kit(("gloves", 1), ("mask", 1), ("waste_bag", 1)),
        risks_zh="终末期病情可能随时变化，症状未必能完全控制；护士会说明病情预期，并告知紧急情况的联系方式。",
        waste_kinds=("infectious",),
    ),
    ItemSpec(
        code="HN036", name_zh="癌痛护理", name_en="Cancer-pain nursing",
        category="hospice", populations=("hospice", "specialty"),
        description_zh="用数字评分法评估疼痛，核对阿片类药物的使用和不良反应，按医嘱更换患者自备的芬太尼透皮贴剂并指导爆发痛处理。",
        duration_min=40, price_fen=8_000, visit_fee_fen=VISIT_FEE_SPECIALTY,
        credentials=("hospice_nursing",), nurses_required=1, risk_level="medium",
        kit=_kit(("gloves", 1), ("waste_bag", 1)),
        risks_zh="阿片类药物可能引起便秘、恶心、嗜睡甚至呼吸抑制；用过的透皮贴剂仍含药物，须交回医疗机构回收，不可随意丢弃。",
        waste_kinds=("infectious", "pharmaceutical"),
    ),
    ItemSpec(
        code="HN037", name_zh="安宁疗护舒适护理", name_en="Hospice comfort care",
        category="hospice", populations=("hospice", "elderly_disabled"),
        description_zh="两名护士为终末期卧床患者床上擦浴、洗头、做口腔护理和更换体位，保持皮肤清洁和舒适。",
        duration_min=75, price_fen=15_000, visit_fee_fen=VISIT_FEE_SPECIALTY,
        credentials=("hospice_nursing",), nurses_required=2, risk_level="medium",
        kit=_kit(("gloves", 4), ("body_wipes", 2), ("oral_care_pack", 1), ("underpad", 2),
                 ("skin_barrier_wipe", 2), ("waste_bag", 2)),
        risks_zh="翻身擦浴时可能引起疼痛、呼吸困难加重、受凉或皮肤损伤；终末期患者在护理过程中也可能病情突变。",
        waste_kinds=("infectious",),
    ),
)
# fmt: on
