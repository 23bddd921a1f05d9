import { ElMessage } from 'element-plus';
import 'element-plus/es/components/message/style/css';
import { ApiError, NetworkError } from './api/http';
import { i18n } from './i18n';

/** Shows a failed call to the user. A 401 is not shown: the app is already going to the login page. */
export function showError(e: unknown): void {
  if (e instanceof ApiError) {
    if (e.status !== 401) ElMessage.error(e.message);
    return;
  }
  if (e instanceof NetworkError || e instanceof TypeError) {
    ElMessage.error(i18n.global.t('errors.network'));
    return;
  }
  ElMessage.error(e instanceof Error ? e.message : String(e));
}
