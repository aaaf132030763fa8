// Inpatient pages (resident): admissions, the cost query and deposit top-up; merged into en.js.
export default {
  inpatient: {
    title: 'Inpatient services', link: 'Inpatient services', empty: 'No hospital stays.', back: 'Back',
    in_hospital: 'In hospital', discharged: 'Discharged', admitted: 'Admitted', discharged_on: 'Discharged',
    ward: 'Ward', bed: 'Bed', bed_no: 'bed {bed}', department: 'Department', hospital: 'Hospital', patient: 'Patient',
    balance: 'Deposit balance', low: 'Low balance: please top up', negative: 'In arrears: please top up soon',
    deposits_total: 'Deposits', charges_total: 'Charges', deposits: 'Deposits', charges: 'Charges',
    no_deposits: 'No deposits yet', no_charges: 'No charges yet', item: 'Item', qty: 'Qty', unit: 'Unit price',
    amount: 'Amount',
    top_up: 'Top up deposit', top_up_title: 'Deposit top-up', amount_label: 'Amount', custom: 'Other',
    custom_placeholder: 'Amount in yuan', amount_format: 'Enter an amount with at most two decimals',
    pay_amount: 'To pay',
    deposit_status: { unpaid: 'Unpaid', paid: 'Paid', refunded: 'Refunded', partially_refunded: 'Partly refunded',
      cancelled: 'Cancelled' },
    paid_ok: 'Top-up complete; the balance is updated', closed_note: 'Discharged and settled: no more top-ups.',
  },
}
