// The state behind every filtered, paginated table: filters, page, the rows
// of the current page, and loading. Pages bind it to a table and <ListPagination>.
import { onMounted, reactive, ref, shallowRef, toRaw, type Ref } from 'vue';
import type { Page, PageQuery } from '../api/types';
import { showError } from '../errors';

export const DEFAULT_PAGE_SIZE = 20;

export interface PagedList<T, F extends object> {
  filters: F;
  items: Ref<T[]>;
  total: Ref<number>;
  page: Ref<number>;
  pageSize: Ref<number>;
  loading: Ref<boolean>;
  /** Reloads the current page with the current filters. */
  load: () => Promise<void>;
  /** Goes back to page 1 after a filter changed. */
  search: () => Promise<void>;
  /** Clears every filter and searches again. */
  reset: () => Promise<void>;
}

export function usePagedList<T, F extends object>(
  fetchPage: (query: F & PageQuery) => Promise<Page<T>>,
  initialFilters: F,
  /** false when the page sets filters first and then calls search() itself. */
  loadOnMount = true,
): PagedList<T, F> {
  const filters = reactive({ ...initialFilters }) as F;
  const items = shallowRef<T[]>([]);
  const total = ref(0);
  const page = ref(1);
  const pageSize = ref(DEFAULT_PAGE_SIZE);
  const loading = ref(false);
  let latest = 0; // answers to superseded requests are dropped

  async function load(): Promise<void> {
    const mine = ++latest;
    loading.value = true;
    try {
      const result = await fetchPage({ ...toRaw(filters), page: page.value, page_size: pageSize.value });
      if (mine !== latest) return;
      items.value = result.items;
      total.value = result.total;
    } catch (e) {
      if (mine === latest) showError(e);
    } finally {
      if (mine === latest) loading.value = false;
    }
  }

  function search(): Promise<void> {
    page.value = 1;
    return load();
  }

  function reset(): Promise<void> {
    for (const key of Object.keys(filters) as (keyof F)[]) delete filters[key];
    Object.assign(filters, initialFilters);
    return search();
  }

  if (loadOnMount) onMounted(load);
  return { filters, items, total, page, pageSize, loading, load, search, reset };
}
