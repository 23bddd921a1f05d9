// Form validation rules shared by every form; messages follow the UI language.
import type { FormItemRule } from 'element-plus';
import { i18n } from './i18n';

/** A required field; `field` is the i18n key of its label. */
export function required(field: string, kind: 'input' | 'select' = 'input'): FormItemRule[] {
  const t = i18n.global.t;
  // async-validator checks the type of a rule with more than `required` as a
  // string: a select's value (an id) gets `required` alone.
  return kind === 'select'
    ? [{ required: true, message: () => t('common.requiredSelect', { field: t(field) }) }]
    : [{ required: true, whitespace: true, message: () => t('common.required', { field: t(field) }) }];
}

/** Passwords the server will accept: at least 8 characters. */
export const PASSWORD_MIN_LENGTH = 8;
export function password(): FormItemRule[] {
  return [...required('users.password'), { min: PASSWORD_MIN_LENGTH, message: () => i18n.global.t('users.passwordRule') }];
}
