// Form validation rules shared by every form; messages follow the UI language.
import type { FormItemRule } from 'element-plus';
import { i18n } from './i18n';
import { idNumberProblem, normalizeIdNumber } from './idNumber';

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

/** An 18-character identity number with a correct GB 11643 check character. */
export function idNumber(): FormItemRule[] {
  return [
    ...required('persons.idNumber'),
    {
      validator: (_rule, value: string, callback) => {
        const problem = value ? idNumberProblem(normalizeIdNumber(value)) : null;
        callback(problem ? new Error(i18n.global.t(`idNumber.${problem}`)) : undefined);
      },
    },
  ];
}

/** A six-digit GB/T 2260 division code (city or county). */
export function divisionCode(field = 'travel.divisionCode'): FormItemRule[] {
  return [...required(field), { pattern: /^\d{6}$/, message: () => i18n.global.t('travel.divisionCodeRule') }];
}
