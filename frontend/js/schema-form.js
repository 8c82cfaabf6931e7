// Generates an accessible form from a JSON Schema and reads it back as JSON.
//
// Supported: object with properties/required (nested objects become fieldsets), type string |
// number | integer | boolean (also with "null", e.g. ["integer","null"]), enum (a select),
// array of primitives (one item per line), default, minimum/maximum/exclusiveMinimum/
// exclusiveMaximum, minLength/maxLength, pattern, minItems/maxItems/uniqueItems, description.
// Anything else (anyOf, arrays of objects, free-form objects, mixed types) gets a raw JSON field
// for that property. Every field knows its JSON pointer, so errors (client or server) land next
// to the field they concern.
import { h, uid } from './util.js';

const PRIMITIVES = ['string', 'number', 'integer', 'boolean'];

function typesOf(schema) {
  if (!schema || typeof schema !== 'object') return [];
  if (Array.isArray(schema.type)) return schema.type;
  if (typeof schema.type === 'string') return [schema.type];
  return [];
}

/** The single primitive type of a schema, allowing "null" beside it; null when not simple. */
function simpleType(schema) {
  const types = typesOf(schema).filter((t) => t !== 'null');
  if (types.length !== 1) return null;
  return PRIMITIVES.includes(types[0]) ? types[0] : null;
}

function isEnum(schema) { return schema && Array.isArray(schema.enum) && schema.enum.length > 0 && !schema.anyOf && !schema.oneOf; }
function hasProps(schema) { return schema && typeof schema === 'object' && schema.properties && typeof schema.properties === 'object' && !schema.anyOf && !schema.oneOf && (typesOf(schema).length === 0 || typesOf(schema).includes('object')); }
function isPrimitiveArray(schema) {
  if (!schema || !typesOf(schema).includes('array') || typesOf(schema).length !== 1) return false;
  const items = schema.items;
  return Boolean(items && !Array.isArray(items) && (isEnum(items) ? items.enum.every((v) => typeof v !== 'object') : simpleType(items) && !typesOf(items).includes('null')));
}

const labelOf = (name) => name.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
const escapePointer = (s) => String(s).replace(/~/g, '~0').replace(/\//g, '~1');

/** Checks a primitive against its schema; returns a message or null. */
export function checkValue(value, schema, type) {
  if (value === null) return null;
  if (isEnum(schema)) {
    if (!schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) return `must be one of ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}`;
    return null;
  }
  if (type === 'integer' || type === 'number') {
    if (typeof value !== 'number' || !Number.isFinite(value)) return 'must be a number';
    if (type === 'integer' && !Number.isInteger(value)) return 'must be a whole number';
    if (typeof schema.minimum === 'number' && value < schema.minimum) return `must be at least ${schema.minimum}`;
    if (typeof schema.maximum === 'number' && value > schema.maximum) return `must be at most ${schema.maximum}`;
    if (typeof schema.exclusiveMinimum === 'number' && value <= schema.exclusiveMinimum) return `must be greater than ${schema.exclusiveMinimum}`;
    if (typeof schema.exclusiveMaximum === 'number' && value >= schema.exclusiveMaximum) return `must be less than ${schema.exclusiveMaximum}`;
  }
  if (type === 'string') {
    if (typeof schema.minLength === 'number' && value.length < schema.minLength) return schema.minLength === 1 ? 'must not be empty' : `must be at least ${schema.minLength} characters`;
    if (typeof schema.maxLength === 'number' && value.length > schema.maxLength) return `must be at most ${schema.maxLength} characters`;
    if (typeof schema.pattern === 'string') {
      let re = null;
      try { re = new RegExp(schema.pattern, 'u'); } catch { re = null; }
      if (re && !re.test(value)) return schema.patternMessage || `does not match the expected format (${schema.pattern})`;
    }
  }
  return null;
}

function parseScalar(text, type) {
  if (type === 'integer' || type === 'number') {
    const n = Number(text);
    return Number.isFinite(n) && text.trim() !== '' ? { value: n } : { error: 'must be a number' };
  }
  if (type === 'boolean') {
    if (text === 'true') return { value: true };
    if (text === 'false') return { value: false };
    return { error: 'must be true or false' };
  }
  return { value: text };
}

class FormBuilder {
  constructor(prefix) { this.prefix = prefix || uid('sf'); this.fields = []; }

  /** Wrapper with label, control, hint, error slot; registers the field. */
  wrap(field, control, { name, schema, required, labelFor = true, check = false }) {
    const id = control.id;
    const hintId = `${id}-hint`;
    const errId = `${id}-error`;
    const title = schema.title || labelOf(name);
    const label = check
      ? h('label', { class: 'check', for: id }, control, title, required ? h('span', { class: 'req', 'aria-hidden': 'true' }, '*') : null)
      : h(labelFor ? 'label' : 'span', { class: labelFor ? null : 'label', for: labelFor ? id : null }, title, required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null);
    const hints = [];
    if (schema.description) hints.push(schema.description);
    if (field.hint) hints.push(field.hint);
    const hint = hints.length ? h('p', { class: 'hint', id: hintId }, hints.join(' · ')) : null;
    const error = h('p', { class: 'field-error', id: errId, hidden: true });
    control.setAttribute('aria-describedby', [hint ? hintId : null, errId].filter(Boolean).join(' '));
    if (required) control.setAttribute('aria-required', 'true');
    const el = h('div', { class: 'field', 'data-pointer': field.pointer, 'data-name': name }, check ? null : label, check ? label : control, hint, error);
    if (!check) el.insertBefore(label, el.firstChild);
    field.el = el; field.control = control; field.errorEl = error; field.name = name; field.required = required;
    field.showError = (msg) => {
      error.textContent = msg || '';
      error.hidden = !msg;
      el.classList.toggle('invalid', Boolean(msg));
      if (msg) control.setAttribute('aria-invalid', 'true'); else control.removeAttribute('aria-invalid');
    };
    const revalidate = () => { const r = field.read(); field.showError(r.error || null); };
    control.addEventListener('blur', revalidate);
    control.addEventListener('change', revalidate);
    this.fields.push(field);
    return el;
  }

  build(schema, pointer, name, required) {
    if (hasProps(schema)) return this.object(schema, pointer, name, required);
    if (isEnum(schema)) return this.enumField(schema, pointer, name, required);
    const type = simpleType(schema);
    if (type === 'boolean') return this.booleanField(schema, pointer, name, required);
    if (type) return this.inputField(schema, pointer, name, required, type);
    if (isPrimitiveArray(schema)) return this.arrayField(schema, pointer, name, required);
    return this.jsonField(schema, pointer, name, required);
  }

  object(schema, pointer, name, required, root = false) {
    const req = new Set(Array.isArray(schema.required) ? schema.required : []);
    const children = [];
    const nodes = [];
    for (const [key, sub] of Object.entries(schema.properties)) {
      const node = this.build(sub || {}, `${pointer}/${escapePointer(key)}`, key, req.has(key));
      children.push({ key, node });
      nodes.push(node.el);
    }
    const obj = {
      pointer, kind: 'object', name, required, children,
      read() {
        const out = {}; let any = false; let error = null;
        for (const { key, node } of children) {
          const r = node.read();
          if (r.error) error = error || r.error;
          if (r.present) { out[key] = r.value; any = true; }
        }
        if (!any && !required && !root) return { present: false, error };
        return { present: true, value: out, error };
      },
      write(value) {
        const v = value && typeof value === 'object' && !Array.isArray(value) ? value : {};
        for (const { key, node } of children) node.write(v[key]);
      },
    };
    if (root) {
      obj.el = h('div', { class: 'form-grid schema-root' }, nodes);
    } else {
      const legendText = schema.title || labelOf(name);
      obj.el = h('fieldset', { 'data-pointer': pointer, 'data-name': name },
        h('legend', null, legendText, required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null),
        schema.description ? h('p', { class: 'hint' }, schema.description) : null,
        h('div', { class: 'form-grid' }, nodes));
    }
    return obj;
  }

  enumField(schema, pointer, name, required) {
    const id = `${this.prefix}${pointer.replace(/[^A-Za-z0-9]+/g, '-')}`;
    const hasDefault = schema.default !== undefined;
    const nullable = typesOf(schema).includes('null') || schema.enum.includes(null);
    const select = h('select', { id, name });
    if (!required || !hasDefault) select.append(h('option', { value: '' }, hasDefault ? '(default)' : required ? 'Choose…' : '(not set)'));
    for (const v of schema.enum) select.append(h('option', { value: JSON.stringify(v) }, v === null ? 'null' : String(v)));
    const field = {
      pointer, kind: 'enum',
      read() {
        if (select.value === '') {
          if (required) return { present: false, error: 'is required: choose a value' };
          return { present: false };
        }
        return { present: true, value: JSON.parse(select.value) };
      },
      write(value) { select.value = value === undefined ? (hasDefault ? JSON.stringify(schema.default) : '') : JSON.stringify(value); if (select.selectedIndex < 0) select.value = ''; },
    };
    if (hasDefault) field.hint = `default ${JSON.stringify(schema.default)}`;
    else if (nullable) field.hint = 'may be null';
    field.write(undefined);
    this.wrap(field, select, { name, schema, required });
    return field;
  }

  booleanField(schema, pointer, name, required) {
    const id = `${this.prefix}${pointer.replace(/[^A-Za-z0-9]+/g, '-')}`;
    const hasDefault = typeof schema.default === 'boolean';
    if (hasDefault || required) {
      const box = h('input', { type: 'checkbox', id, name });
      const field = {
        pointer, kind: 'boolean',
        read() {
          if (schema['x-omit-default'] && !required && box.checked === Boolean(schema.default)) return { present: false };
          return { present: true, value: box.checked };
        },
        write(value) { box.checked = typeof value === 'boolean' ? value : Boolean(schema.default); },
      };
      field.write(undefined);
      this.wrap(field, box, { name, schema, required, check: true });
      return field;
    }
    // Not required and no default: "not set" must stay possible.
    const select = h('select', { id, name }, h('option', { value: '' }, '(not set)'), h('option', { value: 'true' }, 'true'), h('option', { value: 'false' }, 'false'));
    const field = {
      pointer, kind: 'boolean',
      read() { return select.value === '' ? { present: false } : { present: true, value: select.value === 'true' }; },
      write(value) { select.value = typeof value === 'boolean' ? String(value) : ''; },
    };
    this.wrap(field, select, { name, schema, required });
    return field;
  }

  inputField(schema, pointer, name, required, type) {
    const id = `${this.prefix}${pointer.replace(/[^A-Za-z0-9]+/g, '-')}`;
    const numeric = type === 'number' || type === 'integer';
    const nullable = typesOf(schema).includes('null');
    const input = h('input', {
      id, name, type: numeric ? 'number' : 'text', inputmode: type === 'integer' ? 'numeric' : numeric ? 'decimal' : null,
      step: numeric ? (type === 'integer' ? '1' : 'any') : null,
      min: numeric && typeof schema.minimum === 'number' ? schema.minimum : null,
      max: numeric && typeof schema.maximum === 'number' ? schema.maximum : null,
      maxlength: !numeric && typeof schema.maxLength === 'number' ? schema.maxLength : null,
      placeholder: schema.examples?.[0] !== undefined ? String(schema.examples[0]) : (schema.placeholder || null),
      autocomplete: 'off', spellcheck: 'false',
    });
    const field = {
      pointer, kind: type,
      read() {
        const raw = input.value;
        if (raw.trim() === '') {
          if (numeric && input.validity && input.validity.badInput) return { present: false, error: 'must be a number' };
          if (required && !nullable) return { present: false, error: 'is required' };
          if (required && nullable) return { present: true, value: null };
          return { present: false };
        }
        const parsed = parseScalar(numeric ? raw.trim() : raw, type);
        if (parsed.error) return { present: false, error: parsed.error };
        const err = checkValue(parsed.value, schema, type);
        return { present: true, value: parsed.value, error: err };
      },
      write(value) { input.value = value === undefined ? (schema.default !== undefined && schema.default !== null ? String(schema.default) : '') : value === null ? '' : String(value); },
    };
    const bounds = [];
    if (typeof schema.minimum === 'number') bounds.push(`≥ ${schema.minimum}`);
    if (typeof schema.exclusiveMinimum === 'number') bounds.push(`> ${schema.exclusiveMinimum}`);
    if (typeof schema.maximum === 'number') bounds.push(`≤ ${schema.maximum}`);
    if (typeof schema.exclusiveMaximum === 'number') bounds.push(`< ${schema.exclusiveMaximum}`);
    const extra = [];
    if (bounds.length) extra.push(`${type === 'integer' ? 'Integer' : 'Number'} ${bounds.join(', ')}`);
    if (schema.default !== undefined) extra.push(`default ${JSON.stringify(schema.default)}`);
    if (nullable) extra.push('empty for null');
    if (extra.length) field.hint = extra.join('; ');
    field.write(undefined);
    this.wrap(field, input, { name, schema, required });
    return field;
  }

  arrayField(schema, pointer, name, required) {
    const id = `${this.prefix}${pointer.replace(/[^A-Za-z0-9]+/g, '-')}`;
    const items = schema.items;
    const itemType = isEnum(items) ? null : simpleType(items);
    const area = h('textarea', { id, name, rows: '3', spellcheck: 'false' });
    const field = {
      pointer, kind: 'array',
      hint: `One ${itemType || 'value'} per line${isEnum(items) ? ` (${items.enum.join(', ')})` : ''}`,
      read() {
        const lines = area.value.split('\n').map((l) => l.trim()).filter((l) => l !== '');
        if (!lines.length) {
          if (required) return { present: false, error: 'is required: add at least one line' };
          return { present: false };
        }
        const out = [];
        for (const [i, line] of lines.entries()) {
          let v;
          if (isEnum(items)) {
            v = items.enum.find((e) => String(e) === line);
            if (v === undefined) return { present: false, error: `line ${i + 1}: must be one of ${items.enum.join(', ')}` };
          } else {
            const p = parseScalar(line, itemType);
            if (p.error) return { present: false, error: `line ${i + 1}: ${p.error}` };
            v = p.value;
            const err = checkValue(v, items, itemType);
            if (err) return { present: false, error: `line ${i + 1}: ${err}` };
          }
          out.push(v);
        }
        if (typeof schema.minItems === 'number' && out.length < schema.minItems) return { present: true, value: out, error: `needs at least ${schema.minItems} item(s)` };
        if (typeof schema.maxItems === 'number' && out.length > schema.maxItems) return { present: true, value: out, error: `takes at most ${schema.maxItems} items` };
        if (schema.uniqueItems && new Set(out.map((v) => JSON.stringify(v))).size !== out.length) return { present: true, value: out, error: 'items must be unique' };
        return { present: true, value: out };
      },
      write(value) { const v = Array.isArray(value) ? value : Array.isArray(schema.default) ? schema.default : []; area.value = v.join('\n'); },
    };
    field.write(undefined);
    this.wrap(field, area, { name, schema, required });
    return field;
  }

  jsonField(schema, pointer, name, required) {
    const id = `${this.prefix}${pointer.replace(/[^A-Za-z0-9]+/g, '-')}`;
    const area = h('textarea', { id, name, class: 'json', rows: '6', spellcheck: 'false' });
    const types = typesOf(schema);
    const expect = types.length === 1 ? types[0] : null;
    const field = {
      pointer, kind: 'json',
      hint: `JSON${expect ? ` ${expect}` : ' value'}${schema.items && typesOf(schema.items).includes('object') ? ' of objects' : ''}`,
      read() {
        const text = area.value.trim();
        if (!text) return required ? { present: false, error: 'is required' } : { present: false };
        let v;
        try { v = JSON.parse(text); } catch (err) { return { present: false, error: `is not valid JSON: ${err.message}` }; }
        if (expect === 'array' && !Array.isArray(v)) return { present: true, value: v, error: 'must be a JSON array' };
        if (expect === 'object' && (v === null || typeof v !== 'object' || Array.isArray(v))) return { present: true, value: v, error: 'must be a JSON object' };
        if (Array.isArray(v) && typeof schema.minItems === 'number' && v.length < schema.minItems) return { present: true, value: v, error: `needs at least ${schema.minItems} item(s)` };
        if (Array.isArray(v) && schema.items && Array.isArray(schema.items.required)) {
          for (const [i, item] of v.entries()) {
            if (item && typeof item === 'object' && !Array.isArray(item)) {
              const missing = schema.items.required.filter((k) => !(k in item));
              if (missing.length) return { present: true, value: v, error: `item ${i}: missing ${missing.join(', ')}` };
            }
          }
        }
        return { present: true, value: v };
      },
      write(value) {
        const v = value !== undefined ? value : schema.default;
        area.value = v === undefined ? '' : JSON.stringify(v, null, 2);
      },
    };
    field.write(undefined);
    this.wrap(field, area, { name, schema, required });
    return field;
  }
}

/**
 * Builds a form for `schema`. Returns {el, read(), write(value), validate(), showProblems(list), clearErrors(), fields}.
 * read() → {value, errors: [{pointer, message, field}]} (errors also shown when validate() is used).
 */
export function schemaForm(schema, { prefix, rootName = 'parameters' } = {}) {
  const b = new FormBuilder(prefix);
  let root;
  if (hasProps(schema)) root = b.object(schema, '', rootName, true, true);
  else root = b.jsonField(schema && typeof schema === 'object' ? schema : {}, '', rootName, false);
  const fields = b.fields;
  const api = {
    el: root.el,
    fields,
    read() {
      const errors = [];
      for (const f of fields) { const r = f.read(); if (r.error) errors.push({ pointer: f.pointer, message: r.error, field: f }); }
      const r = root.read();
      return { value: r.present ? r.value : undefined, errors };
    },
    validate() {
      const { value, errors } = api.read();
      for (const f of fields) f.showError(null);
      for (const e of errors) e.field.showError(e.message);
      return { value, errors };
    },
    write(value) { root.write(value); },
    clearErrors() { for (const f of fields) f.showError(null); },
    /** Finds the field a JSON pointer belongs to: the deepest field whose pointer prefixes it. */
    fieldFor(pointer) {
      let best = null;
      for (const f of fields) {
        if (pointer === f.pointer || pointer.startsWith(`${f.pointer}/`) || f.pointer === '') {
          if (!best || f.pointer.length > best.pointer.length) best = f;
        }
      }
      return best;
    },
    /** Shows problems [{pointer, message, label}] next to their fields; returns those without a field. */
    showProblems(problems) {
      const byField = new Map();
      const unplaced = [];
      for (const p of problems) {
        const f = api.fieldFor(p.pointer);
        if (!f) { unplaced.push(p); continue; }
        const rest = p.pointer.slice(f.pointer.length).replace(/^\//, '');
        const msg = rest ? `${rest}: ${p.message}` : p.message;
        byField.set(f, [...(byField.get(f) || []), msg]);
        p.field = f;
      }
      for (const [f, msgs] of byField) f.showError(msgs.join(' — '));
      return unplaced;
    },
  };
  return api;
}

/** Turns a server problem path ("priority", "task_spec.timeout_seconds", "data_access.input_datasets[0]") into a JSON pointer. */
export function pathToPointer(path) {
  if (!path) return '';
  if (path.startsWith('/')) return path;
  const segs = [];
  for (const part of path.split('.')) {
    const m = part.match(/^([^[\]]*)((?:\[\d+\])*)$/);
    if (!m) { segs.push(part); continue; }
    if (m[1]) segs.push(m[1]);
    for (const idx of m[2].matchAll(/\[(\d+)\]/g)) segs.push(idx[1]);
  }
  return segs.length ? `/${segs.map(escapePointer).join('/')}` : '';
}
