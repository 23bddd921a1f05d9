// The lazily loaded division tree shared by the Divisions page and every
// division picker: roots are the user's jurisdiction, children load on expand.
import type { LoadFunction, TreeOptionProps } from 'element-plus';
import { childDivisions, rootDivisions } from './api/divisions';
import type { Division } from './api/types';
import { showError } from './errors';
import { divisionLabel } from './format';
import { currentUser } from './session';

// Tree data is typed loosely by Element Plus; every node here is a Division
// (or, in a picker's cache, its id and names).
/** A node of an Element Plus tree (the class itself is not exported). */
export type TreeNode = Parameters<LoadFunction>[0];

export const divisionTreeProps: TreeOptionProps = {
  label: (d) => divisionLabel(d as Pick<Division, 'name' | 'name_en'>),
  isLeaf: (d) => (d as Division).level === 'building',
};

export async function loadDivisionNode(node: TreeNode, resolve: (children: Division[]) => void): Promise<void> {
  try {
    const parent = node.data as Division | undefined;
    resolve(node.level === 0 || !parent
      ? await rootDivisions(currentUser.value?.jurisdiction.division_id ?? null)
      : await childDivisions(parent.id));
  } catch (e) {
    showError(e);
    resolve([]);
  }
}
