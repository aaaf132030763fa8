// Inpatient pages (resident): admissions, the cost query and deposit top-up; merged into zh-CN.js.
export default {
  inpatient: {
    title: '住院服务', link: '住院服务', empty: '暂无住院记录。', back: '返回',
    in_hospital: '在院', discharged: '已出院', admitted: '入院日期', discharged_on: '出院日期',
    ward: '病区', bed: '床号', bed_no: '{bed}床', department: '科室', hospital: '医院', patient: '住院人',
    balance: '预交金余额', low: '余额不足，请及时充值', negative: '已欠费，请尽快充值',
    deposits_total: '预交金合计', charges_total: '费用合计', deposits: '预交金记录', charges: '费用明细',
    no_deposits: '暂无预交金', no_charges: '暂无费用', item: '项目', qty: '数量', unit: '单价', amount: '金额',
    top_up: '预交金充值', top_up_title: '预交金充值', amount_label: '充值金额', custom: '其他金额',
    custom_placeholder: '输入金额（元）', amount_format: '请输入金额，最多两位小数', pay_amount: '支付金额',
    deposit_status: { unpaid: '待支付', paid: '已支付', refunded: '已退款', partially_refunded: '部分退款',
      cancelled: '已取消' },
    paid_ok: '充值成功，余额已更新', closed_note: '已出院结算，不能再充值。',
  },
}
