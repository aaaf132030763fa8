// The cockpit's own texts (component-local messages; the rest falls back to the app's).
export default {
  'zh-CN': {
    cockpit: {
      title: '护理驾驶舱', nav: '护理驾驶舱', period: '统计时段', institution: '机构', all_region: '全区', refresh: '刷新',
      generated_at: '数据时间 {time}', live_every: '实时数据每{n}秒更新', basis: '各项按当期发生计：下单（下单时间）、完成（签退时间）、收入（支付时间）、评价（评价时间）、上门用时（签到时间）。',
      kpi: {
        orders: '订单数', completed: '完成上门', in_progress: '服务中', alarms_open: '未关闭报警', revenue: '护理收入',
        avg_rating: '平均评分', satisfied: '满意率', median_to_visit: '下单到上门（中位）',
      },
      live: {
        title: '实时', en_route: '护士出发', in_service: '服务中', awaiting_review: '待审核', awaiting_acceptance: '待接单',
        awaiting_dispatch: '待派单', unacknowledged: '未响应报警', today: '今日', today_orders: '今日下单', today_completed: '今日完成',
        today_paid: '今日支付', today_revenue: '今日收入', recent: '最新动态',
      },
      status_title: '订单状态', daily_title: '每日订单与完成上门', by_institution: '按机构', by_item: '按服务项目',
      by_nurse: '按护士（前{n}名）', consumables: '耗材使用', waste: '医疗废物', to_visit: '下单到上门用时',
      col: {
        name: '名称', code: '编码', orders: '订单', completed: '完成', paid: '支付', revenue: '收入（元）', rated: '评价数',
        avg_rating: '平均分', satisfied: '满意率', avg_to_visit: '平均上门用时（分）', status: '状态', count: '数量',
        day: '日期', consumable: '耗材', unit: '单位', amount: '金额（元）', visits: '涉及上门', kind: '类别', records: '记录数',
        weight: '重量（克）', time: '时间', order: '订单号', action: '操作',
      },
      minutes: '{n} 分钟', avg: '平均', median: '中位数', p90: '90%分位', none: '—',
      waste_kind: { infectious: '感染性', sharps: '损伤性', pathological: '病理性', pharmaceutical: '药物性', chemical: '化学性' },
    },
  },
  en: {
    cockpit: {
      title: 'Nursing cockpit', nav: 'Nursing cockpit', period: 'Period', institution: 'Institution', all_region: 'Whole region',
      refresh: 'Refresh', generated_at: 'As of {time}', live_every: 'Live figures refresh every {n} s',
      basis: 'Each figure counts what happened in the period: orders placed, visits completed (check-out), revenue (payment), ratings given, order-to-visit time (check-in).',
      kpi: {
        orders: 'Orders', completed: 'Visits completed', in_progress: 'In progress', alarms_open: 'Alarms open', revenue: 'Revenue',
        avg_rating: 'Average rating', satisfied: 'Satisfied', median_to_visit: 'Order → visit (median)',
      },
      live: {
        title: 'Live', en_route: 'On the way', in_service: 'In service', awaiting_review: 'Awaiting review',
        awaiting_acceptance: 'Awaiting acceptance', awaiting_dispatch: 'Awaiting dispatch', unacknowledged: 'Unanswered alarms',
        today: 'Today', today_orders: 'Orders today', today_completed: 'Completed today', today_paid: 'Paid today',
        today_revenue: 'Revenue today', recent: 'Latest steps',
      },
      status_title: 'Orders by state', daily_title: 'Orders and completed visits per day', by_institution: 'By institution',
      by_item: 'By service item', by_nurse: 'By nurse (top {n})', consumables: 'Consumables used', waste: 'Medical waste',
      to_visit: 'Time from order to visit',
      col: {
        name: 'Name', code: 'Code', orders: 'Orders', completed: 'Completed', paid: 'Paid', revenue: 'Revenue (¥)', rated: 'Ratings',
        avg_rating: 'Avg rating', satisfied: 'Satisfied', avg_to_visit: 'Avg order → visit (min)', status: 'State', count: 'Count',
        day: 'Day', consumable: 'Consumable', unit: 'Unit', amount: 'Amount (¥)', visits: 'Visits', kind: 'Kind', records: 'Records',
        weight: 'Weight (g)', time: 'Time', order: 'Order', action: 'Step',
      },
      minutes: '{n} min', avg: 'Average', median: 'Median', p90: '90th percentile', none: '—',
      waste_kind: { infectious: 'Infectious', sharps: 'Sharps', pathological: 'Pathological', pharmaceutical: 'Pharmaceutical', chemical: 'Chemical' },
    },
  },
}
