"""The curated table: symptom terms and their synonyms → clinical-subject codes with weights.

Codes are those of ``yihu.registry.codes.CLINICAL_SUBJECTS``. A red flag sends the person to emergency (急诊)
first. Terms are matched longest first, so "胸口痛" is one term and not "胸口" + "痛".
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Symptom:
    key: str
    label: str
    terms: tuple[str, ...]
    departments: tuple[tuple[str, int], ...]
    red_flag: bool = False


def _s(key: str, label: str, terms: str, departments: dict[str, int], red_flag: bool = False) -> Symptom:
    return Symptom(key, label, tuple(terms.split()), tuple(departments.items()), red_flag)


SYMPTOMS: tuple[Symptom, ...] = (
    # red flags: emergency first
    _s("chest_pain", "胸痛", "胸痛 胸口痛 胸口疼 胸前痛 胸前疼 心口痛 心口疼 胸部疼痛 胸口压榨感", {"03.04": 5}, True),
    _s("dyspnoea", "呼吸困难", "呼吸困难 喘不上气 喘不过气 上不来气 憋气 气促 透不过气", {"03.01": 4, "03.04": 1}, True),
    _s("cold_sweat", "出冷汗", "出冷汗 冒冷汗 大汗淋漓", {"03.04": 1}, True),
    _s("unconscious", "意识障碍", "昏迷 意识不清 叫不醒 晕倒 昏倒 晕厥 不省人事", {"03.03": 3}, True),
    _s("seizure", "抽搐", "抽搐 抽筋抽搐 惊厥 口吐白沫", {"03.03": 3}, True),
    _s("stroke", "卒中征象", "口角歪斜 嘴歪 半身不遂 偏瘫 一侧肢体无力 半边身子麻 说话不清 口齿不清", {"03.03": 5}, True),
    _s("haemorrhage", "大出血", "大出血 呕血 吐血 咯血 血流不止", {"03.02": 2, "04.01": 2}, True),
    _s("poisoning", "中毒", "中毒 误服 喝农药", {"16": 1}, True),
    # general
    _s("fever", "发热", "发烧 发热 高烧 低烧 高热 体温高 烧到", {"03": 4, "03.01": 1}),
    _s("cough", "咳嗽", "咳嗽 咳痰 干咳 有痰 老咳 咳", {"03.01": 4}),
    _s("sore_throat", "咽痛", "嗓子疼 嗓子痛 喉咙疼 喉咙痛 咽痛 咽喉痛 扁桃体发炎 嗓子哑 声音嘶哑", {"11": 3, "03.01": 1}),
    _s("nose", "鼻部症状", "流鼻涕 流涕 鼻塞 打喷嚏 鼻子不通气 鼻出血 流鼻血", {"11": 3, "03.01": 1}),
    _s("cold", "感冒", "感冒 着凉 受凉 流感", {"03": 2, "03.01": 2}),
    _s("headache", "头痛", "头疼 头痛 偏头痛 脑袋疼 头胀痛", {"03.03": 3}),
    _s("dizziness", "头晕", "头晕 眩晕 头昏 天旋地转", {"03.03": 3, "03.04": 1}),
    _s("palpitation", "心悸胸闷", "胸闷 心慌 心悸 心跳快 心跳很快 心律不齐", {"03.04": 4}),
    _s("hypertension", "血压高", "血压高 高血压 血压升高", {"03.04": 4}),
    _s("abdominal_pain", "腹痛", "肚子疼 肚子痛 腹痛 胃疼 胃痛 腹胀 胃胀 肚子胀 上腹痛", {"03.02": 4, "04.01": 1}),
    _s("diarrhoea", "腹泻", "拉肚子 腹泻 拉稀 大便稀", {"03.02": 4}),
    _s("vomiting", "恶心呕吐", "恶心 呕吐 想吐 吐了", {"03.02": 3}),
    _s("reflux", "反酸", "反酸 烧心 嗳气 打嗝", {"03.02": 3}),
    _s("constipation", "便秘便血", "便秘 便血 大便带血 黑便", {"03.02": 3, "04.01": 1}),
    _s("joint_pain", "关节疼痛", "膝盖疼 膝盖痛 膝关节 关节痛 关节疼 关节肿 腿疼 腿痛 肩膀疼 肩周炎 脚踝疼 腰疼 腰痛 "
       "腰椎 颈椎 脖子疼 腰酸背痛", {"04.03": 4, "21": 1}),
    _s("injury", "外伤骨折", "骨折 摔伤 摔倒 扭伤 崴脚 崴了 撞伤", {"04.03": 5}),
    _s("wound", "伤口", "伤口 割伤 划伤 烫伤 烧伤 咬伤 化脓", {"04.01": 4}),
    _s("lump", "肿块", "肿块 包块 结节 乳房肿块 乳腺 疝气", {"04.01": 4}),
    _s("skin", "皮肤症状", "起疹子 疹子 皮疹 红疹 痒 瘙痒 湿疹 荨麻疹 长痘 痘痘 脱皮 癣 脱发 皮肤过敏", {"13": 4}),
    _s("eye", "眼部症状", "眼睛红 眼睛疼 眼睛痛 眼睛痒 视力模糊 看不清 视力下降 眼睛干 流眼泪 飞蚊", {"10": 5}),
    _s("ear", "耳部症状", "耳鸣 耳朵疼 耳朵痛 听力下降 听不清 耳朵流脓", {"11": 5}),
    _s("tooth", "口腔症状", "牙疼 牙痛 牙龈出血 牙龈肿 蛀牙 智齿 口腔溃疡 牙齿松动", {"12": 5}),
    _s("urinary", "排尿异常", "尿频 尿急 尿痛 血尿 排尿困难 小便疼 小便痛 尿不出", {"04.04": 4, "03.06": 1}),
    _s("kidney", "肾脏", "浮肿 水肿 蛋白尿 肾功能", {"03.06": 4}),
    _s("menstrual", "月经妇科", "月经不调 痛经 白带 阴道出血 月经 经期 外阴瘙痒", {"05.01": 5}),
    _s("pregnancy", "妊娠", "怀孕 怀了 妊娠 早孕 停经 产检 胎动 孕期 孕妇 孕", {"05.02": 6}),
    _s("endocrine", "内分泌", "血糖高 糖尿病 多饮多尿 甲状腺 甲亢 甲减 口渴", {"03.07": 4}),
    _s("sleep_mood", "睡眠情绪", "失眠 睡不着 焦虑 抑郁 情绪低落 心情不好 压力大", {"15": 3, "03.03": 1}),
    _s("memory", "记忆力下降", "记忆力下降 健忘 记不住事", {"03.03": 3, "03.11": 1}),
    _s("fatigue", "乏力", "乏力 没力气 浑身无力 疲劳 全身酸痛", {"03": 2}),
)

# Words that mark a child; an age "N岁" under CHILD_AGE does too.
CHILD_TERMS: tuple[str, ...] = tuple("孩子 小孩 宝宝 儿子 女儿 婴儿 幼儿 小朋友 新生儿 娃 小儿".split())
CHILD_AGE = 14
# Where a child goes instead of the adult department.
CHILD_DEPARTMENT: dict[str, str] = {"02": "07", "03": "07", "03.01": "07", "03.02": "07", "03.03": "07",
                                    "03.04": "07", "03.06": "07", "03.07": "07", "16": "07",
                                    "04": "08", "04.01": "08", "04.03": "08", "04.04": "08"}
# Departments a man is never sent to.
WOMEN_ONLY: frozenset[str] = frozenset({"05", "05.01", "05.02", "06"})
NEGATIONS: tuple[str, ...] = ("不", "没", "无", "未", "否认")
EMERGENCY = "20"
GENERAL_PRACTICE = "02"
