import { createApp } from 'vue'
import App from './App.vue'
import { i18n } from './i18n'
import { router } from './router'
import { whenSessionExpires } from './api'
import './styles.css'

whenSessionExpires(() => {
  if (router.currentRoute.value.path !== '/login') router.replace({ path: '/login', query: { expired: '1' } })
})

createApp(App).use(i18n).use(router).mount('#app')
