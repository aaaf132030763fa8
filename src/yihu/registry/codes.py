"""Code lists of the registry: institution kinds, title ladders, clinical subjects, credentials, relations."""

from __future__ import annotations

INSTITUTION_KINDS: dict[str, tuple[str, str]] = {
    "tertiary_a": ("三级甲等医院", "Tertiary (grade A) hospital"),
    "tertiary": ("三级医院", "Tertiary hospital"),
    "secondary_a": ("二级甲等医院", "Secondary (grade A) hospital"),
    "secondary": ("二级医院", "Secondary hospital"),
    "maternal_child": ("妇幼保健院", "Maternal and child health hospital"),
    "tcm": ("中医院", "Traditional Chinese medicine hospital"),
    "mental": ("精神专科医院", "Mental health hospital"),
    "chc": ("社区卫生服务中心", "Community health centre"),
    "township": ("乡镇卫生院", "Township health centre"),
    "village": ("村卫生室", "Village clinic"),
}

PRACTITIONER_KINDS: dict[str, tuple[str, str]] = {
    "doctor": ("医师", "Doctor"),
    "nurse": ("护士", "Nurse"),
    "pharmacist": ("药师", "Pharmacist"),
    "technician": ("技师", "Technician"),
}

# Title ladders, lowest first. The index is the rank: "护师 or above" is rank >= 1 on the nurse ladder.
TITLE_LADDERS: dict[str, list[tuple[str, str, str]]] = {
    "nurse": [("nurse", "护士", "Nurse"), ("senior_nurse", "护师", "Senior nurse"),
              ("supervisor_nurse", "主管护师", "Supervisor nurse"),
              ("associate_chief_nurse", "副主任护师", "Associate chief nurse"),
              ("chief_nurse", "主任护师", "Chief nurse")],
    "doctor": [("resident_physician", "住院医师", "Resident physician"),
               ("attending_physician", "主治医师", "Attending physician"),
               ("associate_chief_physician", "副主任医师", "Associate chief physician"),
               ("chief_physician", "主任医师", "Chief physician")],
    "pharmacist": [("assistant_pharmacist", "药士", "Assistant pharmacist"), ("pharmacist", "药师", "Pharmacist"),
                   ("supervisor_pharmacist", "主管药师", "Supervisor pharmacist"),
                   ("associate_chief_pharmacist", "副主任药师", "Associate chief pharmacist"),
                   ("chief_pharmacist", "主任药师", "Chief pharmacist")],
    "technician": [("assistant_technician", "技士", "Assistant technician"), ("technician", "技师", "Technician"),
                   ("supervisor_technician", "主管技师", "Supervisor technician"),
                   ("associate_chief_technician", "副主任技师", "Associate chief technician"),
                   ("chief_technician", "主任技师", "Chief technician")],
}


def title_rank(kind: str, title: str) -> int | None:
    for i, (code, _zh, _en) in enumerate(TITLE_LADDERS.get(kind, [])):
        if code == title:
            return i
    return None


def title_label(kind: str, title: str, lang: str = "zh-CN") -> str:
    for code, zh, en in TITLE_LADDERS.get(kind, []):
        if code == title:
            return en if lang == "en" else zh
    return title


# 《医疗机构诊疗科目名录》 (national list of clinical subjects), the codes an institution's departments use.
CLINICAL_SUBJECTS: dict[str, tuple[str, str]] = {
    "01": ("预防保健科", "Preventive care"),
    "02": ("全科医疗科", "General practice"),
    "03": ("内科", "Internal medicine"),
    "03.01": ("呼吸内科专业", "Respiratory medicine"),
    "03.02": ("消化内科专业", "Gastroenterology"),
    "03.03": ("神经内科专业", "Neurology"),
    "03.04": ("心血管内科专业", "Cardiology"),
    "03.06": ("肾病学专业", "Nephrology"),
    "03.07": ("内分泌专业", "Endocrinology"),
    "03.11": ("老年病专业", "Geriatrics"),
    "04": ("外科", "Surgery"),
    "04.01": ("普通外科专业", "General surgery"),
    "04.03": ("骨科专业", "Orthopaedics"),
    "04.04": ("泌尿外科专业", "Urology"),
    "05": ("妇产科", "Obstetrics and gynaecology"),
    "05.01": ("妇科专业", "Gynaecology"),
    "05.02": ("产科专业", "Obstetrics"),
    "06": ("妇女保健科", "Women's health care"),
    "07": ("儿科", "Paediatrics"),
    "08": ("小儿外科", "Paediatric surgery"),
    "09": ("儿童保健科", "Child health care"),
    "10": ("眼科", "Ophthalmology"),
    "11": ("耳鼻咽喉科", "Otorhinolaryngology"),
    "12": ("口腔科", "Stomatology"),
    "13": ("皮肤科", "Dermatology"),
    "15": ("精神科", "Psychiatry"),
    "16": ("传染科", "Infectious diseases"),
    "19": ("肿瘤科", "Oncology"),
    "20": ("急诊医学科", "Emergency medicine"),
    "21": ("康复医学科", "Rehabilitation medicine"),
    "26": ("麻醉科", "Anaesthesiology"),
    "30": ("医学检验科", "Clinical laboratory"),
    "32": ("医学影像科", "Medical imaging"),
    "32.01": ("X线诊断专业", "X-ray diagnosis"),
    "32.02": ("CT诊断专业", "CT diagnosis"),
    "32.03": ("磁共振成像诊断专业", "MR diagnosis"),
    "32.05": ("超声诊断专业", "Ultrasound diagnosis"),
    "32.06": ("心电诊断专业", "ECG diagnosis"),
    "50": ("中医科", "Traditional Chinese medicine"),
    "70": ("护理部", "Nursing department"),
}

CREDENTIAL_KINDS: dict[str, tuple[str, str]] = {
    "home_care_training": ("互联网+护理服务岗前培训合格证", "Home-care pre-job training certificate"),
    "picc": ("PICC专科护士证书", "PICC specialty nurse certificate"),
    "wound_stoma": ("伤口造口专科护士证书", "Wound and stoma specialty nurse certificate"),
    "midwifery": ("助产士资格证书", "Midwifery certificate"),
    "tcm_nursing": ("中医护理专科证书", "TCM nursing certificate"),
    "geriatric_nursing": ("老年专科护士证书", "Geriatric nursing certificate"),
    "hospice_nursing": ("安宁疗护专科护士证书", "Hospice nursing certificate"),
    "prescription": ("处方权", "Prescription right"),
    "remote_consult": ("远程会诊资格", "Remote consultation qualification"),
}

CARD_TYPES: dict[str, tuple[str, str]] = {
    "insurance": ("医保卡", "Medical-insurance card"),
    "visit": ("就诊卡", "Visit card"),
}

RELATIONS: dict[str, tuple[str, str]] = {
    "self": ("本人", "Self"),
    "spouse": ("配偶", "Spouse"),
    "child": ("子女", "Child"),
    "parent": ("父母", "Parent"),
    "grandparent": ("祖父母/外祖父母", "Grandparent"),
    "grandchild": ("孙子女/外孙子女", "Grandchild"),
    "sibling": ("兄弟姐妹", "Sibling"),
    "ward": ("被监护人", "Ward"),
    "other": ("其他", "Other"),
}
GUARDIAN_RELATIONS = ("child", "grandchild", "ward")

ROOM_KINDS: dict[str, tuple[str, str]] = {
    "consulting": ("诊室", "Consulting room"),
    "ct": ("CT室", "CT"),
    "mr": ("磁共振室", "MR"),
    "ultrasound": ("超声室", "Ultrasound"),
    "xray": ("放射室", "X-ray"),
    "ecg": ("心电图室", "ECG"),
    "lab": ("检验科", "Laboratory"),
    "ward": ("病区", "Ward"),
    "pharmacy": ("药房", "Pharmacy"),
}
