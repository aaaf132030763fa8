import { createRouter, createWebHistory } from 'vue-router'
import { homeFor, isSignedIn, session } from './session'

const STAFF = ['institution_admin', 'doctor', 'nurse', 'pharmacist', 'system_admin']

const routes = [
  { path: '/', redirect: () => (isSignedIn() ? homeFor(session.account.role) : '/login') },
  { path: '/login', component: () => import('./views/LoginView.vue'), meta: { guest: true } },
  { path: '/register', component: () => import('./views/RegisterView.vue'), meta: { guest: true } },
  {
    path: '/resident',
    component: () => import('./views/resident/ResidentLayout.vue'),
    meta: { roles: ['resident'] },
    children: [
      { path: '', component: () => import('./views/resident/CardsView.vue') },
      { path: 'cards/new', component: () => import('./views/resident/AddCardView.vue'), meta: { subpage: true } },
      { path: 'messages', component: () => import('./views/resident/MessagesView.vue') },
      { path: 'profile', component: () => import('./views/resident/ProfileView.vue') },
      { path: 'reports', component: () => import('./views/resident/ReportsView.vue') },
      { path: 'reports/:id', component: () => import('./views/resident/ReportDetailView.vue'), meta: { subpage: true } },
      { path: 'triage', component: () => import('./views/resident/TriageView.vue'), meta: { subpage: true } },
      { path: 'inpatient', component: () => import('./views/inpatient/AdmissionsView.vue'), meta: { subpage: true } },
      { path: 'inpatient/:id', component: () => import('./views/inpatient/AdmissionDetailView.vue'), meta: { subpage: true } },
      { path: 'book', component: () => import('./views/booking/BookingFind.vue') },
      { path: 'book/:scheduleId', component: () => import('./views/booking/BookingSlots.vue'), meta: { subpage: true } },
      { path: 'appointments', component: () => import('./views/booking/MyAppointments.vue') },
      { path: 'queue', component: () => import('./views/queue/ResidentQueueView.vue') },
      { path: 'queue/:entryId', component: () => import('./views/queue/LiveQueueView.vue'), meta: { subpage: true } },
      { path: 'nursing', component: () => import('./views/nursing/NursingHome.vue') },
      { path: 'nursing/items/:itemId', component: () => import('./views/nursing/NursingOrderForm.vue'), meta: { subpage: true } },
      { path: 'nursing/orders', component: () => import('./views/nursing/NursingOrders.vue'), meta: { subpage: true } },
      { path: 'nursing/orders/:id', component: () => import('./views/nursing/NursingOrderDetail.vue'), meta: { subpage: true } },
      { path: 'nursing/consults', component: () => import('./views/nursing/ConsultList.vue'), meta: { subpage: true } },
      { path: 'nursing/consults/:id', component: () => import('./views/nursing/ConsultDetail.vue'), meta: { subpage: true } },
    ],
  },
  { path: '/console', component: () => import('./views/console/ConsoleHome.vue'), meta: { roles: STAFF } },
  { path: '/console/schedules', component: () => import('./views/console/schedules/SchedulesView.vue'), meta: { roles: STAFF } },
  { path: '/console/queue', component: () => import('./views/queue/DoctorQueueView.vue'), meta: { roles: STAFF } },
  { path: '/console/nursing', component: () => import('./views/console/nursing/NursingOrdersView.vue'), meta: { roles: ['institution_admin'] } },
  { path: '/console/nursing/dispatch', component: () => import('./views/console/nursing/DispatchView.vue'), meta: { roles: ['institution_admin'] } },
  { path: '/console/nursing/alarms', component: () => import('./views/console/nursing/AlarmsView.vue'), meta: { roles: ['institution_admin'] } },
  { path: '/console/nursing/followups', component: () => import('./views/console/nursing/FollowUpsView.vue'), meta: { roles: ['institution_admin'] } },
  { path: '/nurse', component: () => import('./views/nurse/NurseToday.vue'), meta: { roles: ['nurse'] } },
  { path: '/nurse/visits/:id', component: () => import('./views/nurse/NurseVisit.vue'), meta: { roles: ['nurse'] } },
  { path: '/nurse/consults', component: () => import('./views/nurse/NurseConsults.vue'), meta: { roles: ['nurse'] } },
  { path: '/nurse/consults/:id', component: () => import('./views/nurse/NurseConsult.vue'), meta: { roles: ['nurse'] } },
  { path: '/screen/:departmentId', component: () => import('./views/queue/ScreenView.vue') },
  { path: '/regulator', component: () => import('./views/regulator/RegulatorHome.vue'), meta: { roles: ['regulator'] } },
  { path: '/cockpit', component: () => import('./views/cockpit/CockpitView.vue'), meta: { roles: ['regulator', 'institution_admin'] } },
  { path: '/admin', component: () => import('./views/admin/AdminHome.vue'), meta: { roles: ['system_admin'] } },
  { path: '/:rest(.*)*', component: () => import('./views/NotFound.vue') },
]

export const router = createRouter({ history: createWebHistory(), routes })

router.beforeEach((to) => {
  const roles = to.matched.find((r) => r.meta.roles)?.meta.roles
  if (roles) {
    if (!isSignedIn()) return { path: '/login', query: { next: to.fullPath } }
    if (!roles.includes(session.account.role)) return homeFor(session.account.role)
  }
  if (to.meta.guest && isSignedIn()) return homeFor(session.account.role)
  return true
})
