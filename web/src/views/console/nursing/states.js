// The console's groups of order states, and Element Plus tag colours per state.
export const GROUPS = {
  review: ['requested', 'first_visit'],
  to_accept: ['assessed'],
  to_dispatch: ['accepted'],
  dispatched: ['assigned', 'consented'],
  in_service: ['en_route', 'in_service', 'recorded'],
  done: ['completed', 'paid', 'rated'],
  closed: ['rejected', 'cancelled'],
  all: [],
}

export const EL_TYPE = {
  requested: 'warning', first_visit: 'warning', assessed: 'primary', accepted: 'primary', assigned: 'primary',
  consented: 'primary', en_route: 'success', in_service: 'success', recorded: 'success', completed: 'success',
  paid: 'success', rated: 'success', rejected: 'danger', cancelled: 'info',
}
