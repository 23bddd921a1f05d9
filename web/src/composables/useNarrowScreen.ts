import { onBeforeUnmount, ref } from 'vue';

/** Phones and narrow windows: the side menu becomes a drawer, tables lose minor columns. */
export const NARROW_QUERY = '(max-width: 768px)';

export function useNarrowScreen() {
  const query = window.matchMedia(NARROW_QUERY);
  const narrow = ref(query.matches);
  const update = (e: MediaQueryListEvent) => {
    narrow.value = e.matches;
  };
  query.addEventListener('change', update);
  onBeforeUnmount(() => query.removeEventListener('change', update));
  return narrow;
}
