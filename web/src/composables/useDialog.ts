import { ref, type Ref } from 'vue';

/** A dialog's open state and what it works on (null: a new record). */
export function useDialog<T>() {
  const open = ref(false);
  const subject = ref(null) as Ref<T | null>;
  function show(value: T | null): void {
    subject.value = value;
    open.value = true;
  }
  return { open, subject, show };
}
