import { createApp } from 'vue';
import App from './App.vue';
import { router } from './router';
import { i18n, currentLocale, setLocale } from './i18n';
import './styles.css';

import { setCityOffset } from './format';

setLocale(currentLocale.value); // <html lang> and the title follow the stored choice
// The city's clock, before any page asks what "today" is.
fetch('/api/v1/version')
  .then((r) => (r.ok ? r.json() : null))
  .then((v) => { if (v && typeof v.utc_offset_minutes === 'number') setCityOffset(v.utc_offset_minutes); })
  .catch(() => { /* keep the default */ })
  .finally(() => createApp(App).use(i18n).use(router).mount('#app'));
