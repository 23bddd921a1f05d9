// An inline form's submit (a dialog uses FormDialog): validate, run the action
// once at a time, show a failure; the form stays as it is on failure.
import { ref } from 'vue';
import type { FormInstance } from 'element-plus';
import { showError } from '../errors';

export function useFormAction(action: () => Promise<void>) {
  const form = ref<FormInstance>();
  const busy = ref(false);
  async function submit(): Promise<void> {
    if (busy.value || !(await form.value?.validate().catch(() => false))) return;
    busy.value = true;
    try {
      await action();
    } catch (e) {
      showError(e);
    } finally {
      busy.value = false;
    }
  }
  return { form, busy, submit };
}
