// Reports and triage pages (resident), merged into zh-CN.js.
export default {
  reports: {
    title: '检查检验报告', link: '我的报告', empty: '暂无报告。医院发布报告后会立即通知您。',
    lab: '检验', imaging: '检查', abnormal: '{n}项异常', all_normal: '未见异常指标',
    status_final: '正式报告', status_amended: '已更正', 'status_entered-in-error': '错误报告（已作废）',
    superseded: '此为旧版本，已被更正', see_latest: '查看最新版本', versions: '版本记录', version: '第{n}版',
    item: '项目', result: '结果', range: '参考范围', conclusion: '检查结论', modality: '检查类型', body_site: '检查部位',
    collected: '采样/检查时间', published: '报告时间', institution: '报告机构', patient: '就诊人',
    amend_reason: '更正原因', error_reason: '作废原因', back: '返回',
  },
  triage: {
    title: '智能导诊', link: '智能导诊', intro: '用几句话描述症状，例如“孩子发烧咳嗽两天”。我们会推荐就诊科室，并列出可预约的号源。',
    placeholder: '请描述症状、持续时间，以及是谁不舒服', patient: '为谁咨询', anyone: '不指定', submit: '推荐科室',
    matched: '识别到的症状', reasons: '依据', no_slots: '暂无可预约号源', slots: '可预约号源', book: '去预约',
    emergency: '急诊优先', free: '余{n}', disclaimer: '导诊结果仅供参考，不能代替医生诊断。', more: '查看全部',
  },
}
