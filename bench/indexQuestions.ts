/**
 * Developer questions over real, permissively licensed repositories, with the
 * files that answer each: the evaluation of the codebase index's ranking
 * (bench/index-quality.bench.ts). Written as developers ask, before looking at
 * what the index returns; an answer is any of the files listed.
 *
 * Repositories: the sources of npm packages this project installs (their
 * licences ship with them: undici MIT, eslint MIT, mocha MIT, happy-dom MIT,
 * preact MIT),
 * and two public repositories read from a local checkout when one is present
 * (HEARTH_EVAL_REPOS=<folder holding pallets+flask and gin-gonic+gin>; flask
 * BSD-3-Clause at 2ac89889, gin MIT at dcaa4296). Nothing of them is committed.
 */
export interface EvalRepo {
  name: string;
  /** `node_modules/…` (relative to the project) or `$EVAL/<owner+name>` (under HEARTH_EVAL_REPOS). */
  root: string;
  questions: { q: string; answers: string[] }[];
}

export const EVAL_REPOS: EvalRepo[] = [
  {
    name: 'undici (JS, with Markdown docs)',
    root: 'node_modules/undici',
    questions: [
      { q: 'how are retries with backoff done?', answers: ['lib/handler/retry-handler.js', 'lib/interceptor/retry.js', 'lib/dispatcher/retry-agent.js'] },
      { q: 'where are redirects followed?', answers: ['lib/handler/redirect-handler.js', 'lib/interceptor/redirect.js'] },
      { q: 'how does the mock agent intercept requests?', answers: ['lib/mock/mock-agent.js', 'lib/mock/mock-interceptor.js', 'lib/mock/mock-utils.js'] },
      { q: 'where are cookies parsed from a Set-Cookie header?', answers: ['lib/web/cookies/parse.js', 'lib/web/cookies/index.js'] },
      { q: 'how is a websocket frame masked before it is sent?', answers: ['lib/web/websocket/frame.js'] },
      { q: 'where is multipart form data parsed?', answers: ['lib/web/fetch/formdata-parser.js'] },
      { q: 'how does the proxy agent tunnel through an HTTP proxy with CONNECT?', answers: ['lib/dispatcher/proxy-agent.js'] },
      { q: 'where is the HTTP_PROXY environment variable read?', answers: ['lib/dispatcher/env-http-proxy-agent.js'] },
      { q: 'how are responses cached in memory?', answers: ['lib/cache/memory-cache-store.js'] },
      { q: 'where do server-sent events get parsed?', answers: ['lib/web/eventsource/eventsource-stream.js'] },
      { q: 'how does the balanced pool pick an upstream?', answers: ['lib/dispatcher/balanced-pool.js'] },
      { q: 'where is a gzip or brotli response body decompressed?', answers: ['lib/interceptor/decompress.js', 'lib/web/fetch/index.js'] },
      { q: 'where are invalid characters in header values rejected?', answers: ['lib/core/request.js', 'lib/core/util.js', 'lib/web/fetch/headers.js'] },
      { q: 'how does the connection timeout work when opening a socket?', answers: ['lib/core/connect.js', 'lib/util/timers.js'] },
      { q: 'how are HTTP/2 streams opened for a request?', answers: ['lib/dispatcher/client-h2.js'] },
    ],
  },
  {
    name: 'eslint (JS)',
    root: 'node_modules/eslint',
    questions: [
      { q: 'which rule reports unused variables?', answers: ['lib/rules/no-unused-vars.js'] },
      { q: 'where is the rule that forbids console calls?', answers: ['lib/rules/no-console.js'] },
      { q: 'how is the flat config file found and loaded?', answers: ['lib/config/config-loader.js', 'lib/eslint/eslint.js', 'lib/eslint/eslint-helpers.js'] },
      { q: 'where are eslint-disable comments applied to the reported problems?', answers: ['lib/linter/apply-disable-directives.js', 'lib/linter/linter.js'] },
      { q: 'which rule enforces strict equality?', answers: ['lib/rules/eqeqeq.js'] },
      { q: 'where are autofixes applied to the source text?', answers: ['lib/linter/source-code-fixer.js'] },
      { q: 'how does the stylish formatter print results?', answers: ['lib/cli-engine/formatters/stylish.js'] },
      { q: 'which rule requires curly braces around if bodies?', answers: ['lib/rules/curly.js'] },
      { q: 'how does RuleTester run valid and invalid cases?', answers: ['lib/rule-tester/rule-tester.js'] },
      { q: 'where is the lint results cache stored between runs?', answers: ['lib/cli-engine/lint-result-cache.js'] },
      { q: 'which rule flags a variable used before it is defined?', answers: ['lib/rules/no-use-before-define.js'] },
      { q: 'how are the command line options parsed?', answers: ['lib/options.js', 'lib/cli.js'] },
      { q: 'which rule reports code after return that never runs?', answers: ['lib/rules/no-unreachable.js'] },
    ],
  },
  {
    name: 'mocha (JS)',
    root: 'node_modules/mocha',
    questions: [
      { q: 'where is the timeout of a test enforced?', answers: ['lib/runnable.js'] },
      { q: 'how does the spec reporter print results?', answers: ['lib/reporters/spec.js'] },
      { q: 'where are describe and it defined for the BDD interface?', answers: ['lib/interfaces/bdd.js', 'lib/interfaces/common.js'] },
      { q: 'how does watch mode rerun tests when files change?', answers: ['lib/cli/watch-run.js'] },
      { q: 'where are .mocharc config files loaded?', answers: ['lib/cli/config.js', 'lib/cli/options.js'] },
      { q: 'how are tests run in parallel with worker processes?', answers: ['lib/nodejs/parallel-buffered-runner.js', 'lib/nodejs/buffered-worker-pool.js', 'lib/nodejs/worker.js'] },
      { q: 'where are beforeEach hooks run?', answers: ['lib/runner.js', 'lib/hook.js', 'lib/suite.js'] },
      { q: 'how is the diff between expected and actual shown on failure?', answers: ['lib/reporters/base.js'] },
      { q: 'where does mocha detect global variable leaks?', answers: ['lib/runner.js'] },
      { q: 'where is the grep option applied to filter tests?', answers: ['lib/mocha.js', 'lib/runner.js'] },
      { q: 'how are spec files collected from the command line globs?', answers: ['lib/cli/collect-files.js', 'lib/cli/lookup-files.js'] },
      { q: 'how are test results written as JUnit XML?', answers: ['lib/reporters/xunit.js'] },
    ],
  },
  {
    name: 'happy-dom (TS)',
    root: 'node_modules/happy-dom/src',
    questions: [
      { q: 'how are CSS selectors matched against elements?', answers: ['query-selector/SelectorItem.ts', 'query-selector/QuerySelector.ts'] },
      { q: 'where is HTML parsed into a DOM tree?', answers: ['html-parser/HTMLParser.ts'] },
      { q: 'how are mutation observers notified of changes?', answers: ['mutation-observer/MutationObserver.ts', 'mutation-observer/MutationObserverListener.ts'] },
      { q: 'where does localStorage keep its items?', answers: ['storage/Storage.ts'] },
      { q: 'how does window.fetch send a request?', answers: ['fetch/Fetch.ts'] },
      { q: 'how are events dispatched to listeners with bubbling?', answers: ['event/EventTarget.ts', 'event/Event.ts', 'nodes/node/Node.ts'] },
      { q: 'where are custom elements defined and upgraded?', answers: ['custom-element/CustomElementRegistry.ts', 'custom-element/CustomElementUtility.ts'] },
      { q: 'how does XMLHttpRequest send a request?', answers: ['xml-http-request/XMLHttpRequest.ts'] },
      { q: 'how is an element serialized to outerHTML?', answers: ['html-serializer/HTMLSerializer.ts', 'nodes/element/Element.ts'] },
      { q: 'where are setTimeout and setInterval implemented?', answers: ['window/BrowserWindow.ts'] },
      { q: 'how is a selector string parsed?', answers: ['query-selector/SelectorParser.ts'] },
      { q: 'where are multipart form bodies encoded for a request?', answers: ['fetch/multipart/MultipartFormDataParser.ts', 'fetch/utilities/FetchBodyUtility.ts', 'form-data/FormData.ts'] },
    ],
  },
  {
    // Written after the ranking was tuned on the others, and not tuned on: a held-out check.
    name: 'preact (JS, held out)',
    root: 'node_modules/preact',
    questions: [
      { q: 'how are keyed children reconciled when the list changes?', answers: ['src/diff/children.js'] },
      { q: 'where are DOM properties and styles set on an element?', answers: ['src/diff/props.js'] },
      { q: 'how does useEffect schedule its callbacks?', answers: ['hooks/src/index.js'] },
      { q: 'where is setState queued and components re-rendered?', answers: ['src/component.js'] },
      { q: 'how does Suspense wait for a lazy component?', answers: ['compat/src/suspense.js'] },
      { q: 'where are errors thrown during render caught?', answers: ['src/diff/catch-error.js'] },
      { q: 'how does createPortal render into another container?', answers: ['compat/src/portals.js'] },
      { q: 'where are invalid prop types reported in development?', answers: ['debug/src/check-props.js', 'debug/src/debug.js'] },
    ],
  },
  {
    name: 'flask (Python, with docs and tests)',
    root: '$EVAL/pallets+flask',
    questions: [
      { q: 'where is the not-found handler set up?', answers: ['src/flask/sansio/scaffold.py', 'src/flask/app.py', 'src/flask/sansio/app.py'] },
      { q: 'how are sessions signed and stored in cookies?', answers: ['src/flask/sessions.py'] },
      { q: 'where is the application context pushed?', answers: ['src/flask/ctx.py', 'src/flask/app.py'] },
      { q: 'how does config load values from environment variables?', answers: ['src/flask/config.py'] },
      { q: 'where are blueprints registered on the app?', answers: ['src/flask/sansio/blueprints.py', 'src/flask/blueprints.py', 'src/flask/sansio/app.py'] },
      { q: 'how does url_for build URLs?', answers: ['src/flask/helpers.py', 'src/flask/app.py', 'src/flask/sansio/app.py'] },
      { q: 'where are Jinja templates rendered?', answers: ['src/flask/templating.py'] },
      { q: 'how does the flask run command find the app?', answers: ['src/flask/cli.py'] },
      { q: 'how are JSON responses serialized?', answers: ['src/flask/json/provider.py', 'src/flask/json/__init__.py'] },
      { q: 'where is send_file implemented?', answers: ['src/flask/helpers.py'] },
      { q: 'how are class-based views dispatched by HTTP method?', answers: ['src/flask/views.py'] },
      { q: 'where is the test client created?', answers: ['src/flask/testing.py', 'src/flask/app.py'] },
    ],
  },
  {
    name: 'gin (Go)',
    root: '$EVAL/gin-gonic+gin',
    questions: [
      { q: 'how does the router match a path with parameters?', answers: ['tree.go'] },
      { q: 'where are panics recovered and turned into a 500?', answers: ['recovery.go'] },
      { q: 'how is each request logged with latency and status code?', answers: ['logger.go'] },
      { q: 'how is a JSON request body bound to a struct?', answers: ['binding/json.go', 'context.go', 'binding/binding.go'] },
      { q: 'where is the basic auth middleware?', answers: ['auth.go'] },
      { q: 'how do route groups add a common prefix?', answers: ['routergroup.go'] },
      { q: 'where are query string parameters read?', answers: ['context.go'] },
      { q: 'how are HTML templates rendered?', answers: ['render/html.go'] },
      { q: 'how are form values mapped into struct fields using tags?', answers: ['binding/form_mapping.go'] },
      { q: 'where is the trailing slash redirect handled?', answers: ['gin.go'] },
      { q: 'how does gin clean up URL paths with .. segments?', answers: ['path.go'] },
      { q: 'where is debug or release mode chosen from an environment variable?', answers: ['mode.go'] },
    ],
  },
];
