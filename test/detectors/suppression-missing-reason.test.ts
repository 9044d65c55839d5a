import { ruleTable } from '../support/rule-tester.js';

ruleTable('suppression-missing-reason', {
  language: 'ts',
  invalid: [
    { code: 'const a = 1;\n// shipgate-ignore http-no-timeout\nawait fetch(url);', lines: [2] },
    'await fetch(url); // shipgate-ignore http-no-timeout',
    'await fetch(url); // shipgate-ignore http-no-timeout:',
    '/* shipgate-ignore secret-in-log */ console.log(token);',
    '// shipgate-ignore secret-in-log, cors-permissive\napp.use(cors());',
    { code: '// shipgate-ignore all\nx();', message: /shipgate-ignore all/ },
  ],
  valid: [
    '// shipgate-ignore http-no-timeout: the SDK sets a 5 s timeout\nawait client.fetch(url);',
    'await fetch(url); // shipgate-ignore http-no-timeout: probe with its own abort signal',
    '/* shipgate-ignore secret-in-log: the value is a fake in this demo */',
    "const doc = 'see shipgate-ignore in the README';",
    '// eslint-disable-next-line no-console\nconsole.log(1);',
    '// shipgate: ignore is not the marker\nx();',
  ],
});

ruleTable('suppression-missing-reason', {
  language: 'py',
  invalid: [
    { code: 'import os\n# shipgate-ignore print-logging\nprint("x")', lines: [2] },
    'requests.get(url)  # shipgate-ignore http-no-timeout',
    'requests.get(url)  # shipgate-ignore http-no-timeout:   ',
    '# shipgate-ignore debug-mode-enabled\nDEBUG = True',
    '# shipgate-ignore secret-in-log,print-logging\nprint(token)',
    '# shipgate-ignore all\nx = 1',
  ],
  valid: [
    '# shipgate-ignore print-logging: this module is a CLI entry point\nprint("x")',
    'requests.get(url)  # shipgate-ignore http-no-timeout: session has a default timeout adapter',
    '"""Use shipgate-ignore comments sparingly."""',
    '# noqa: E501\nx = 1',
    '# type: ignore\nx = 1',
    '# shipgate ignore without the dash\nx = 1',
  ],
});

ruleTable('suppression-missing-reason', {
  valid: [{ path: 'Dockerfile', code: '# shipgate-ignore container-runs-as-root: the base image drops privileges itself\nFROM scratch' }],
  invalid: [{ path: 'Dockerfile', code: 'FROM node:20\n# shipgate-ignore container-runs-as-root\nCMD ["node", "x.js"]', lines: [2] }],
});
