import { createApp } from 'vue';
import App from './App.vue';
import { router } from './router';
import { i18n, currentLocale, setLocale } from './i18n';
import './styles.css';

setLocale(currentLocale.value); // <html lang> and the title follow the stored choice
createApp(App).use(i18n).use(router).mount('#app');
