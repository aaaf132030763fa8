// Reports and triage pages (resident), merged into en.js.
export default {
  reports: {
    title: 'Lab and exam reports', link: 'My reports', empty: 'No reports yet. You are notified as soon as one is published.',
    lab: 'Lab', imaging: 'Imaging', abnormal: '{n} abnormal', all_normal: 'No abnormal values',
    status_final: 'Final', status_amended: 'Amended', 'status_entered-in-error': 'Entered in error (withdrawn)',
    superseded: 'This is an old version; it was amended', see_latest: 'See the latest version', versions: 'Versions',
    version: 'Version {n}', item: 'Test', result: 'Result', range: 'Reference range', conclusion: 'Conclusion',
    modality: 'Modality', body_site: 'Body site', collected: 'Collected / performed', published: 'Reported',
    institution: 'Reported by', patient: 'Patient', amend_reason: 'Reason for amendment', error_reason: 'Reason withdrawn',
    back: 'Back',
  },
  triage: {
    title: 'Smart triage', link: 'Smart triage',
    intro: 'Describe the symptoms in a few words, e.g. "孩子发烧咳嗽两天". We suggest departments and list their free slots.',
    placeholder: 'Symptoms, how long, and who is unwell', patient: 'For whom', anyone: 'Not specified',
    submit: 'Suggest departments', matched: 'Recognised symptoms', reasons: 'Because of', no_slots: 'No free slots now',
    slots: 'Free slots', book: 'Book', emergency: 'Emergency first', free: '{n} left',
    disclaimer: 'Triage is a guide, not a diagnosis.', more: 'See all',
  },
}
