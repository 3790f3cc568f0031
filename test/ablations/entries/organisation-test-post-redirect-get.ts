import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'issue 25: the organisations page’s Test answers with a redirect to a page showing the result (post/redirect/get), so a refresh shows the result again and does not test again',
  switchedOff: 'the Test action redirects with 307, which a browser follows by posting again',
  edits: [
    {
      file: 'src/support/routes.ts',
      find: '    res.redirect(303, `/organisations?test=${o.testResults.keep(auth.session, tested)}`);',
      replace: '    res.redirect(307, `/organisations?test=${o.testResults.keep(auth.session, tested)}`);',
    },
  ],
  tests: [
    {
      file: 'test/integration/support-organisations.test.ts',
      name: 'shows a Test’s result after a redirect, so a refresh reloads the result and tests nothing again',
    },
  ],
  ci: false,
});
