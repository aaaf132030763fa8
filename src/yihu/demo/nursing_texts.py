"""What the people of the home-nursing demo write: conditions, assessments, nursing records, ratings, reasons."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from yihu.demo.nursing_catalogue import ItemSpec

CONDITIONS: dict[str, tuple[str, ...]] = {
    "basic": ("高血压病史10余年，行动不便，需定期上门监测", "卧床，出院后遵医嘱复查", "脑梗后遗症，右侧肢体活动障碍",
              "慢性心衰，出院后居家休养", "高龄独居，家属白天上班"),
    "pressure_sore": ("长期卧床，骶尾部皮肤发红破损", "脑出血术后卧床3个月，足跟部压力性损伤",
                      "阿尔茨海默病，营养差，骶尾部2期压疮"),
    "wound": ("腹部手术后切口换药", "糖尿病足溃疡，门诊建议居家换药", "下肢外伤术后伤口愈合欠佳",
              "骨科术后切口需拆线"),
    "tube": ("脑梗后吞咽困难，留置胃管", "前列腺增生，长期留置导尿管", "术后带引流管出院", "气管切开术后居家护理"),
    "picc_port": ("乳腺癌化疗间歇期，PICC需每周维护", "结肠癌术后化疗，输液港需定期冲管", "淋巴瘤化疗中，带PICC出院"),
    "maternal_infant": ("剖宫产术后第7天，母乳喂养困难", "顺产后第5天，新生儿脐部护理指导", "产后乳汁淤积，乳房胀痛",
                        "产后42天内康复指导"),
    "stoma": ("直肠癌术后肠造口，造口袋渗漏", "结肠造口周围皮肤发红", "新近造口，需更换造口袋及指导"),
    "tcm": ("颈肩腰腿痛，希望中医理疗", "失眠、食欲不振，中医调理", "慢性胃炎，畏寒"),
    "rehab_chronic": ("2型糖尿病，血糖控制不佳", "脑梗后肢体功能锻炼", "髋关节置换术后康复指导"),
    "hospice": ("肺癌晚期，居家安宁疗护", "胰腺癌晚期疼痛明显", "多器官衰竭，家属希望居家陪伴"),
}

HOMES = ("居住环境整洁，通风良好，有家属陪护", "楼层较高无电梯，家属可协助", "农村自建房，光线充足，可操作",
         "独居老人，邻居协助开门", "室内空间小，已嘱家属提前整理操作台")

REJECT_REASONS = ("居家环境不具备无菌操作条件，建议到门诊就诊", "病情不稳定，建议住院治疗",
                  "服务地址超出本机构上门服务范围，建议选择就近机构", "所需项目须先经医生面诊评估，请先门诊就诊")
CANCEL_RESIDENT = ("家属已陪同去医院门诊处理", "时间安排有变，改天再约", "患者已住院", "家属自行处理，暂不需要")
CANCEL_AT_DOOR = ("护士已出发，家中临时无人",)
CANCEL_INSTITUTION = ("当日护士临时短缺，已电话协商改期", "恶劣天气，已与家属协商改期")

GOOD = ("护士很专业，操作轻柔，讲解耐心", "准时上门，服务周到，老人很满意", "非常感谢，省去了去医院排队",
        "态度好，技术好，下次还约", "讲解很细致，家属学会了日常护理")
FAIR = ("服务不错，就是比约定时间晚了一点", "整体满意，希望上门时间更灵活")
POOR = ("等了一个多小时护士才到，也没有提前电话告知", "操作时老人很疼，感觉不够耐心", "费用比预想的高，耗材没有事先说明")
FOLLOWUP_OUTCOMES = ("已电话回访，向家属致歉并说明迟到原因，调整排班预留路途时间",
                     "已回访并安排护士长复评，家属表示理解", "已说明耗材收费标准，今后上门前告知费用明细")

ALARMS = (("服务对象家属情绪激动，言语威胁", "已电话联系家属安抚，护士安全离开，记入服务对象档案"),
          ("楼道无照明，护士下楼时扭伤脚踝", "已安排同事接回，工伤登记"),
          ("入户时遇犬只扑咬", "家属将犬只拴好后继续服务，护士未受伤"))

_ACTIONS: dict[str, tuple[str, str]] = {
    "basic": ("核对身份，测量生命体征，按规范完成“{item}”，操作过程顺利，患者无不适。",
              "注意休息，按时服药，如有不适及时就医。"),
    "pressure_sore": ("评估压疮部位及周围皮肤，生理盐水清洗创面，更换泡沫敷料，指导家属每2小时翻身一次。",
                      "保持皮肤清洁干燥，加强营养，使用减压垫，2–3天后复查。"),
    "wound": ("消毒伤口周围皮肤，清洗创面，更换无菌敷料，观察伤口愈合情况。",
              "保持伤口敷料清洁干燥，避免沾水，如有渗液、发热及时联系。"),
    "tube": ("检查管道位置与通畅情况，按规范完成“{item}”，妥善固定，观察引流/喂养情况。",
             "防止管道扭曲、打折、滑脱，记录出入量，异常及时联系。"),
    "picc_port": ("测量臂围，消毒穿刺点，冲封管，更换贴膜及接头，导管通畅，回血良好。",
                  "置管侧手臂避免提重物，贴膜卷边或潮湿及时更换，7天后再次维护。"),
    "maternal_infant": ("评估产妇恢复及新生儿情况，完成“{item}”，指导正确哺乳姿势与新生儿日常护理。",
                        "按需哺乳，注意产妇休息与营养，新生儿黄疸加重或发热及时就医。"),
    "stoma": ("评估造口及周围皮肤，清洁后使用防漏环，更换造口袋，指导家属更换方法。",
              "注意饮食，避免造口袋过满，造口周围皮肤破溃及时联系。"),
    "tcm": ("辨证施护，完成“{item}”，操作中观察皮肤反应，患者自觉舒适。", "注意保暖，操作后4小时内避免洗浴，清淡饮食。"),
    "rehab_chronic": ("评估功能状况，完成“{item}”，示范训练动作并让家属回示。", "每日坚持训练，循序渐进，防跌倒。"),
    "hospice": ("评估疼痛及症状，完成“{item}”，与家属沟通照护要点，给予心理支持。",
                "按时按量用药，保持舒适体位，有需要随时联系。"),
}

_TUBES = {"HN014": "nasogastric", "HN015": "urinary_catheter", "HN016": "urinary_catheter", "HN017": "drainage",
          "HN018": "tracheostomy", "HN019": "picc", "HN020": "implanted_port", "HN026": "stoma", "HN027": "stoma"}
_WOUND_SITES = {"pressure_sore": ("骶尾部", "左足跟", "右髋部"), "wound": ("腹部切口", "右小腿", "左足背")}


def condition(r: random.Random, spec: ItemSpec) -> str:
    return r.choice(CONDITIONS[spec.category])


def assessment(r: random.Random, spec: ItemSpec) -> dict[str, Any]:
    """The institution's risk assessment of an order (the assess API's fields)."""
    return {"condition": condition(r, spec), "need": f"需上门{spec.name_zh}", "home_environment": r.choice(HOMES),
            "risk_level": spec.risk_level}


def vitals(r: random.Random, spec: ItemSpec) -> dict[str, Any]:
    systolic = r.randint(108, 152)
    out: dict[str, Any] = {"temperature_c": round(r.uniform(36.1, 37.2), 1), "pulse_bpm": r.randint(62, 96),
                           "respiration_per_min": r.randint(14, 20), "systolic_mmhg": systolic,
                           "diastolic_mmhg": r.randint(62, min(94, systolic - 25)), "spo2_percent": r.randint(94, 99)}
    if spec.code in ("HN006", "HN032"):
        out["glucose_mmol_l"] = round(r.uniform(5.4, 11.8), 1)
    return out


def record_assessment(r: random.Random, spec: ItemSpec) -> dict[str, Any]:
    """The structured assessment of a record (wound or tube when the item has one)."""
    if spec.category in _WOUND_SITES:
        return {"wound": {"site": r.choice(_WOUND_SITES[spec.category]),
                          "size_cm": {"length": round(r.uniform(1, 6), 1), "width": round(r.uniform(0.5, 4), 1)},
                          "exudate": r.choice(("none", "low", "low", "moderate")),
                          "granulation": r.choice(("healthy", "healthy", "epithelialising", "pale")),
                          "infection_signs": []},
                "text": "创面较前缩小" if r.random() < 0.7 else "创面无明显变化"}
    tube = _TUBES.get(spec.code)
    if tube:
        row: dict[str, Any] = {"kind": tube, "patency": "patent", "skin": "周围皮肤完整，无红肿渗液"}
        if tube in ("nasogastric", "picc"):
            row["position_cm"] = float(r.randint(45, 55) if tube == "nasogastric" else r.randint(0, 2))
        return {"tube": row, "text": "管道固定良好"}
    return {"text": "一般情况可，神志清，配合操作"}


def record_texts(spec: ItemSpec) -> tuple[str, str]:
    actions, advice = _ACTIONS[spec.category]
    return actions.format(item=spec.name_zh), advice


def signer(r: random.Random, relation: str, age: int, patient_name: str, head_name: str,
           at_door: bool) -> tuple[str, str]:
    """(name, relation to the recipient) of who signs the consent: the recipient, or the account holder."""
    if age < 18:
        return head_name, "guardian"
    if relation == "self" or (at_door and age < 85 and r.random() < 0.6):
        return patient_name, "self"
    return head_name, {"spouse": "spouse", "child": "parent", "parent": "child"}.get(relation, "other_family")


def rating_comment(r: random.Random, stars: int) -> str:
    return r.choice(GOOD if stars == 5 else FAIR if stars == 4 else POOR)


def next_visit(day: date, every_days: int | None) -> date | None:
    return day + timedelta(days=every_days) if every_days else None
