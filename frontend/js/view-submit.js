// Submit: pick a job type from /api/capabilities, fill a form generated from the executor's
// parameter JSON Schema (or write the whole submission as raw JSON), set priority, resources
// and data access, and see the server's 4xx answers next to the fields they concern.
import { api } from './api.js';
import { h, render, badge, errorAlert, announce, uid } from './util.js';
import { schemaForm, pathToPointer } from './schema-form.js';
import { navigate } from './router.js';

const QUANTITY = '^\\+?(?=[0-9.]*[1-9])(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[KMGTPE]i|[numkMGTPE]|[eE][+-]?0*(?:1[0-8]|[0-9]))?$';
const GENERAL_SCHEMA = {
  type: 'object',
  properties: {
    project_id: { type: 'string', title: 'Project', pattern: '^(?!\\.{1,2}$)[A-Za-z0-9_.-]{1,128}$', patternMessage: 'must be 1 to 128 of A–Z a–z 0–9 _ . - (not . or ..)', description: 'Folder projects/<id>/ of the storage root the job reads and writes.' },
    priority: { type: 'integer', title: 'Priority', minimum: 0, maximum: 9, default: 5, description: '0 lowest, 9 highest.' },
    max_attempts: { type: 'integer', title: 'Max attempts', minimum: 1, maximum: 100, description: 'Empty: the server default.' },
    task_spec: {
      type: 'object', title: 'Task',
      properties: {
        executor_version: { type: 'string', title: 'Executor version range', minLength: 1, placeholder: '^1.0', description: 'e.g. 1.2.3, ^1.0, ~1.2, >=1.0 <2. Empty: any.' },
        timeout_seconds: { type: 'number', title: 'Timeout (seconds)', exclusiveMinimum: 0, maximum: 604800 },
        pipeline_id: { type: 'string', title: 'Pipeline id', minLength: 1 },
        model_id: { type: 'string', title: 'Model id', minLength: 1 },
      },
    },
    resource_requirements: {
      type: 'object', title: 'Resources',
      properties: {
        cpu: { type: 'string', title: 'CPU', pattern: QUANTITY, patternMessage: 'must be a Kubernetes quantity such as 500m or 2', placeholder: '500m' },
        memory: { type: 'string', title: 'Memory', pattern: QUANTITY, patternMessage: 'must be a Kubernetes quantity such as 512Mi or 2Gi', placeholder: '512Mi' },
        gpu: { type: 'boolean', title: 'Needs a GPU', default: false, 'x-omit-default': true },
      },
    },
    data_access: {
      type: 'object', title: 'Data access',
      properties: {
        input_datasets: { type: 'array', title: 'Input datasets', items: { type: 'string', minLength: 1 }, description: 'Paths in the project (a bare name means datasets/<name>), file:// or http(s):// URLs.' },
        output_location: { type: 'string', title: 'Output location', minLength: 1, description: 'A bare name means outputs/<name>.' },
      },
    },
  },
};

export function mount(root, { query }) {
  const state = { caps: null, type: query.type || '', executorIndex: 0, mode: 'form', paramsForm: null, generalForm: null };
  const typeSel = h('select', { id: 'submit-type', name: 'type', required: true, 'aria-required': 'true', 'aria-describedby': 'submit-type-info submit-type-error' });
  const typeError = h('p', { class: 'field-error', id: 'submit-type-error', hidden: true });
  const typeInfo = h('div', { id: 'submit-type-info', class: 'hint' });
  const execSel = h('select', { id: 'submit-executor', name: 'executor' });
  const execField = h('div', { class: 'field', hidden: true }, h('label', { for: 'submit-executor' }, 'Executor (parameter schema)'), execSel);
  const modeForm = h('button', { type: 'button', 'aria-pressed': 'true', id: 'mode-form' }, 'Form');
  const modeRaw = h('button', { type: 'button', 'aria-pressed': 'false', id: 'mode-raw' }, 'Raw JSON');
  const errors = h('div', { id: 'submit-errors', tabindex: '-1' });
  const paramsBox = h('div', { id: 'params-form' });
  const generalBox = h('div', { id: 'general-form' });
  const idemId = uid('idem');
  const idem = h('input', { type: 'text', id: idemId, name: 'idempotency_key', autocomplete: 'off', maxlength: '255', 'aria-describedby': `${idemId}-hint` });
  const rawArea = h('textarea', { id: 'submit-raw', class: 'json', rows: '18', spellcheck: 'false', 'aria-describedby': 'submit-raw-hint submit-raw-error' });
  const rawError = h('div', { id: 'submit-raw-error', class: 'field-error', hidden: true });
  const rawBox = h('div', { hidden: true, id: 'raw-box' },
    h('div', { class: 'field' }, h('label', { for: 'submit-raw' }, 'Submission (JSON)'), rawArea,
      h('p', { class: 'hint', id: 'submit-raw-hint' }, 'The whole body of POST /api/jobs. Switching back to the form keeps what it can represent.'), rawError));
  const submitBtn = h('button', { type: 'submit', class: 'btn primary', id: 'submit-button' }, 'Submit job');
  const formPanels = h('div', { id: 'form-box' },
    h('section', { class: 'panel', 'aria-labelledby': 'submit-h-params' }, h('h2', { id: 'submit-h-params' }, 'Parameters'), paramsBox),
    h('section', { class: 'panel', 'aria-labelledby': 'submit-h-general' }, h('h2', { id: 'submit-h-general' }, 'Job settings'), generalBox,
      h('div', { class: 'field' }, h('label', { for: idemId }, 'Idempotency key'), idem, h('p', { class: 'hint', id: `${idemId}-hint` }, 'Optional: the same key returns the same job instead of a duplicate.'))));
  const form = h('form', { id: 'submit-form', novalidate: true, 'aria-labelledby': 'submit-title' },
    h('section', { class: 'panel', 'aria-labelledby': 'submit-h-type' },
      h('h2', { id: 'submit-h-type' }, 'Job type', h('span', { class: 'seg', role: 'group', 'aria-label': 'Editor' }, modeForm, modeRaw)),
      h('div', { class: 'form-grid' },
        h('div', { class: 'field', 'data-pointer': '/type' }, h('label', { for: 'submit-type' }, 'Job type', h('span', { class: 'req', 'aria-hidden': 'true' }, ' *')), typeSel, typeError),
        execField),
      typeInfo),
    errors, formPanels, rawBox,
    h('div', { class: 'actions' }, submitBtn, h('a', { class: 'btn', href: '#/jobs' }, 'Cancel')));
  render(root, h('div', { class: 'page-head' }, h('h1', { id: 'submit-title' }, 'Submit a job'),
    h('p', { class: 'muted small' }, 'Fields marked * are required.')), h('div', { id: 'submit-load' }, h('p', { class: 'empty' }, 'Loading the capability catalog…')), form);
  form.hidden = true;

  const executors = () => state.caps?.job_types?.[state.type]?.executors || [];

  const buildParams = (keepValue) => {
    const ex = executors()[state.executorIndex];
    if (!state.type) {
      state.paramsForm = schemaForm({ type: 'object', properties: {} }, { prefix: 'p' });
      render(paramsBox, h('p', { class: 'empty' }, 'Choose a job type to see its parameters.'));
      return;
    }
    const prev = keepValue && state.paramsForm ? state.paramsForm.read().value : undefined;
    const schema = ex ? ex.parameters_schema : null;
    state.paramsForm = schemaForm(schema && typeof schema === 'object' ? schema : { type: 'object' }, { prefix: 'p', rootName: 'parameters' });
    if (prev !== undefined) state.paramsForm.write(prev);
    render(paramsBox,
      ex ? h('p', { class: 'hint' }, `Generated from the parameter schema of ${ex.plugin || 'the executor'} ${ex.executor_version}. Fields the form cannot represent take JSON.`)
        : h('p', { class: 'hint' }, 'No executor publishes a schema for this type: write the parameters as JSON.'),
      state.paramsForm.el);
  };

  const showTypeInfo = () => {
    const jt = state.caps?.job_types?.[state.type];
    if (!jt) { render(typeInfo); execField.hidden = true; return; }
    const exs = jt.executors || [];
    render(execSel, exs.map((ex, i) => h('option', { value: String(i) }, `${ex.executor_version}${ex.plugin ? ` (${ex.plugin})` : ''}`)));
    execSel.value = String(state.executorIndex);
    execField.hidden = exs.length < 2;
    const ex = exs[state.executorIndex];
    render(typeInfo,
      jt.available ? badge('ok', 'a live worker serves it') : badge('warn', 'no live worker serves it now'), ' ',
      jt.configured ? null : badge('error', 'not accepted by this orchestrator'), ' ',
      ex ? h('span', { class: 'small' }, `executor ${ex.executor_version}; images: ${ex.images.join(', ') || 'none'}${ex.needs_gpu ? '; needs a GPU' : ''}`) : h('span', { class: 'small' }, 'no executor known'));
  };

  const setMode = (mode) => {
    if (mode === state.mode) return;
    if (mode === 'raw') {
      rawArea.value = JSON.stringify(collect(false).value, null, 2);
    } else {
      let parsed;
      try { parsed = JSON.parse(rawArea.value); } catch (err) {
        rawError.hidden = false; rawError.textContent = `Fix the JSON first: ${err.message}`; rawArea.focus(); return;
      }
      if (parsed && typeof parsed === 'object') loadSubmission(parsed);
    }
    state.mode = mode;
    modeForm.setAttribute('aria-pressed', String(mode === 'form'));
    modeRaw.setAttribute('aria-pressed', String(mode === 'raw'));
    formPanels.hidden = mode !== 'form';
    rawBox.hidden = mode !== 'raw';
    rawError.hidden = true;
    render(errors);
  };
  modeForm.addEventListener('click', () => setMode('form'));
  modeRaw.addEventListener('click', () => setMode('raw'));

  const loadSubmission = (sub) => {
    if (sub.type && sub.type !== state.type && state.caps?.job_types?.[sub.type]) {
      state.type = sub.type; typeSel.value = sub.type; state.executorIndex = 0; showTypeInfo(); buildParams(false);
    }
    const { parameters, ...taskRest } = sub.task_spec || {};
    state.paramsForm.write(parameters);
    state.generalForm.write({ ...sub, task_spec: taskRest });
  };

  /** The submission from the form; validate shows client-side errors. */
  const collect = (validate) => {
    const p = validate ? state.paramsForm.validate() : state.paramsForm.read();
    const g = validate ? state.generalForm.validate() : state.generalForm.read();
    const general = g.value || {};
    const sub = { type: state.type };
    for (const [k, v] of Object.entries(general)) if (k !== 'task_spec') sub[k] = v;
    const task = { ...(general.task_spec || {}) };
    if (p.value !== undefined) task.parameters = p.value;
    if (Object.keys(task).length) sub.task_spec = task;
    const order = ['type', 'project_id', 'priority', 'max_attempts', 'task_spec', 'resource_requirements', 'data_access'];
    const sorted = {};
    for (const k of order) if (k in sub) sorted[k] = sub[k];
    return { value: sorted, errors: [...p.errors, ...g.errors] };
  };

  typeSel.addEventListener('change', () => {
    state.type = typeSel.value; state.executorIndex = 0;
    typeError.hidden = true; typeSel.removeAttribute('aria-invalid');
    showTypeInfo(); buildParams(false); render(errors);
  });
  execSel.addEventListener('change', () => { state.executorIndex = Number(execSel.value) || 0; showTypeInfo(); buildParams(true); });

  const showServerError = (err) => {
    state.paramsForm.clearErrors(); state.generalForm.clearErrors();
    typeError.hidden = true; typeSel.removeAttribute('aria-invalid');
    rawError.hidden = true;
    const placed = [];
    const unplaced = [];
    for (const prob of err.problems || []) {
      const field = prob.field || '';
      if (state.mode === 'raw') { unplaced.push(prob); continue; }
      if (field === 'type') {
        typeError.textContent = prob.message; typeError.hidden = false; typeSel.setAttribute('aria-invalid', 'true');
        placed.push({ ...prob, focus: typeSel }); continue;
      }
      let target; let pointer;
      if (field.startsWith('task_spec.parameters')) {
        const rest = field.slice('task_spec.parameters'.length);
        pointer = rest.startsWith('/') ? rest : rest ? pathToPointer(rest.replace(/^\./, '')) : '';
        target = state.paramsForm;
      } else { pointer = pathToPointer(field); target = state.generalForm; }
      const left = target.showProblems([{ pointer, message: prob.message }]);
      const f = target.fieldFor(pointer);
      if (left.length || !f) unplaced.push(prob); else placed.push({ ...prob, focus: f.control });
    }
    if (state.mode === 'raw' && err.code === 'malformed_json') {
      rawError.hidden = false; rawError.textContent = `${err.message}${err.body?.error?.line ? ` (line ${err.body.error.line}, column ${err.body.error.column})` : ''}`;
    } else if (state.mode === 'raw' && unplaced.length) {
      rawError.hidden = false; rawError.textContent = unplaced.map((p) => `${p.field}: ${p.message}`).join('\n');
    }
    const all = [...placed, ...unplaced];
    const box = h('div', { class: 'alert error', role: 'alert', id: 'submit-error-summary' },
      h('strong', null, `The server refused the job (HTTP ${err.status}${err.code ? `, ${err.code}` : ''}).`), ' ',
      all.length ? `${all.length} problem${all.length === 1 ? '' : 's'}:` : err.message,
      all.length ? h('ul', null, all.map((p) => h('li', null,
        p.focus ? h('a', { href: '#', onclick: (e) => { e.preventDefault(); p.focus.focus(); } }, h('code', null, p.field)) : h('code', null, p.field || '(submission)'),
        `: ${p.message}`))) : null,
      err.knownTypes ? h('p', null, `Known types: ${err.knownTypes.join(', ')}`) : null);
    render(errors, box);
    announce(`Submission refused: ${all.length ? all.map((p) => p.field).join(', ') : err.message}`);
    const first = placed[0]?.focus;
    if (first) first.focus(); else errors.focus();
  };

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    render(errors);
    if (!state.type) { typeError.textContent = 'is required: choose a job type'; typeError.hidden = false; typeSel.setAttribute('aria-invalid', 'true'); typeSel.focus(); return; }
    let body;
    if (state.mode === 'raw') {
      body = rawArea.value; // sent as written: the server reports malformed JSON with its position
    } else {
      const { value, errors: errs } = collect(true);
      if (errs.length) {
        render(errors, h('div', { class: 'alert error', role: 'alert' }, h('strong', null, `Fix ${errs.length} field${errs.length === 1 ? '' : 's'} first:`),
          h('ul', null, errs.map((x) => h('li', null, h('a', { href: '#', onclick: (ev) => { ev.preventDefault(); x.field.control.focus(); } }, x.field.name), `: ${x.message}`)))));
        errs[0].field.control.focus();
        announce(`${errs.length} field${errs.length === 1 ? '' : 's'} need attention`);
        return;
      }
      body = value;
    }
    submitBtn.disabled = true; submitBtn.textContent = 'Submitting…';
    try {
      const job = await api.submit(body, idem.value.trim() || undefined);
      announce(`Job ${job.id.slice(0, 8)} submitted`);
      navigate(`jobs/${job.id}`);
    } catch (err) {
      if (err.status && err.status >= 400 && err.status < 500) showServerError(err);
      else render(errors, errorAlert(err, 'The job was not submitted'));
    } finally { submitBtn.disabled = false; submitBtn.textContent = 'Submit job'; }
  });

  let stopped = false;
  (async () => {
    let caps;
    try { caps = await api.capabilities(); } catch (err) {
      if (!stopped) render(root.querySelector('#submit-load'), errorAlert(err, 'Could not load the job types from /api/capabilities'));
      return;
    }
    if (stopped) return;
    state.caps = caps;
    const types = Object.keys(caps.job_types || {}).sort();
    render(typeSel, h('option', { value: '' }, 'Choose a job type…'), types.map((t) => h('option', { value: t }, `${t}${caps.job_types[t].available ? '' : ' (no live worker)'}`)));
    if (!types.includes(state.type)) state.type = types.length === 1 ? types[0] : '';
    typeSel.value = state.type;
    state.generalForm = schemaForm(GENERAL_SCHEMA, { prefix: 'g', rootName: 'job' });
    render(generalBox, state.generalForm.el);
    showTypeInfo();
    buildParams(false);
    render(root.querySelector('#submit-load'));
    form.hidden = false;
    if (query.from) {
      try {
        const j = await api.job(query.from);
        if (stopped) return;
        loadSubmission({ type: j.type, project_id: j.project_id ?? undefined, priority: j.priority, max_attempts: j.max_attempts, task_spec: j.task_spec, resource_requirements: j.resource_requirements ?? undefined, data_access: j.data_access ?? undefined });
        render(errors, h('div', { class: 'alert ok', role: 'status' }, `Copied from job ${j.id}.`));
      } catch (err) { render(errors, errorAlert(err, 'Could not copy the job')); }
    }
  })();
  return () => { stopped = true; };
}
