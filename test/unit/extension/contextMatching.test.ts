import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DEFAULT_CONTEXT_EXCLUDE } from '../../../src/shared/contextRules';
import { fuzzyScore, rankPaths } from '../../../src/extension/context/fuzzy';
import { GitIgnore } from '../../../src/shared/gitignore';
import { compileGlob, enabledGlobs, globToRegExp, matchesAnyGlob } from '../../../src/shared/glob';
import { countLabel, fixQuestion, formatProblems, linesAround, type ProblemInfo } from '../../../src/extension/context/problems';

describe('context: exclusion globs (files.exclude, search.exclude, hearth.context.exclude)', () => {
  const ex = [...DEFAULT_CONTEXT_EXCLUDE];
  it('the default exclusion matches secrets at any depth, and nothing else', () => {
    for (const p of ['.env', '.env.local', 'config/.env.production', 'certs/server.pem', 'a/b/private.key', '.ssh/id_rsa', 'id_rsa.pub', '/home/me/.env'])
      assert.equal(matchesAnyGlob(p, ex), true, p);
    for (const p of ['src/env.ts', 'environment.md', 'src/keyboard.ts', 'docs/pem-format.md', 'src/x.ts'])
      assert.equal(matchesAnyGlob(p, ex), false, p);
  });

  it('the default exclusion matches each kind of secret file (gitleaks, gitrob and shhgit file rules)', () => {
    const secret = [
      '.envrc', 'sub/.envrc',
      'keys/id_ed25519', 'id_ed25519.pub', '.ssh/id_ecdsa', 'id_ecdsa_sk', 'old/id_dsa', 'server.ppk', 'home/.ssh/config', 'home/.ssh/known_hosts',
      'certs/client.p12', 'certs/CLIENT.PFX', 'a.pkcs12', 'android/release.jks', 'android/app/debug.keystore', 'vault.kdbx', 'vpn/office.ovpn', '.gnupg/private-keys-v1.d/x.key', '.gnupg/pubring.kbx',
      '.npmrc', 'packages/web/.npmrc', '.pypirc', '.gem/credentials',
      '.aws/credentials', '.cargo/credentials.toml', '.cargo/credentials', '.docker/config.json', '.dockercfg', '.kube/config', 'kubeconfig', 'deploy/kubeconfig.yaml', 'prod.kubeconfig', '.s3cfg',
      '.git-credentials', '.netrc', '_netrc', '.pgpass', '.my.cnf', 'public/.htpasswd',
      'infra/terraform.tfstate', 'infra/terraform.tfstate.backup', 'infra/prod.tfvars', 'infra/terraform.tfvars.json',
      'config/secrets.yml', 'secrets.json', 'app/secrets.py', 'secrets', 'credentials', 'gcp/credentials.json',
    ];
    for (const p of secret) assert.equal(matchesAnyGlob(p, ex), true, p);
  });

  it('the default exclusion leaves ordinary files alone, even ones whose names start like a secret', () => {
    const ordinary = [
      'src/secretary.ts', 'src/secretsManager.ts', 'docs/secret-scanning.md', 'src/credentialsProvider.ts', 'src/auth/credential.ts', 'credentials-guide.md',
      'src/keyboard.ts', 'src/keys.ts', 'ssh/README.md', 'src/sshClient.ts', 'docs/npmrc.md', 'src/kube/deploy.ts',
      'main.tf', 'variables.tf', 'docker/config.json', 'src/netrc.ts', 'package.json', 'tsconfig.json', 'README.md', 'src/environment.ts',
    ];
    for (const p of ordinary) assert.equal(matchesAnyGlob(p, ex), false, p);
  });

  it('a matched folder excludes what is inside it', () => {
    assert.equal(matchesAnyGlob('node_modules/lib/index.js', ['**/node_modules']), true);
    assert.equal(matchesAnyGlob('packages/a/node_modules/x.js', ['**/node_modules']), true);
    assert.equal(matchesAnyGlob('src/node_modules_helper.ts', ['**/node_modules']), false);
  });

  it('supports *, ?, **, {a,b} (nested) and [classes]', () => {
    assert.ok(globToRegExp('**/*.{js,map}').test('dist/a.js'));
    assert.ok(globToRegExp('**/*.{js,{css,scss}}').test('a/b.scss'));
    assert.ok(!globToRegExp('*.js').test('dist/a.js'), '* stays within a folder');
    assert.ok(globToRegExp('src/**/test?.ts').test('src/a/b/test1.ts'));
    assert.ok(globToRegExp('src/**/test?.ts').test('src/test1.ts'));
    assert.ok(globToRegExp('**/[ab].txt').test('x/a.txt') && !globToRegExp('**/[!ab].txt').test('x/a.txt'));
    assert.ok(globToRegExp('build/**').test('build/x/y.o'));
    assert.ok(globToRegExp('**/.ENV*').test('.env'), 'case-insensitive: an exclusion errs on the side of leaving out');
  });

  it('a mistyped pattern never throws: it matches nothing and says why, and the other patterns still work', () => {
    for (const bad of ['**/[a-Z]*', '[z-a].txt', 'src/{x,[9-0]}']) {
      assert.doesNotThrow(() => globToRegExp(bad), bad);
      assert.match(compileGlob(bad).error ?? '', /range out of order/i, bad);
      assert.equal(matchesAnyGlob('a/b/Zed.ts', [bad]), false, bad);
    }
    assert.equal(matchesAnyGlob('.env', ['**/[a-Z]*', '**/.env*']), true);
    assert.equal(compileGlob('**/[a-z]*').error, undefined);
  });

  it('reads VS Code’s { glob: true } settings, skipping switched-off and conditional entries', () => {
    assert.deepEqual(enabledGlobs({ '**/.git': true, '**/dist': false, '**/*.js': { when: '$(basename).ts' } }), ['**/.git']);
    assert.deepEqual(enabledGlobs(null), []);
    assert.deepEqual(enabledGlobs(['x']), []);
  });
});

describe('context: .gitignore', () => {
  it('ignores what git ignores: names at any depth, anchored paths, folders only, negation', () => {
    const g = new GitIgnore();
    g.add('', '# build output\nnode_modules/\n/dist\n*.log\n!keep.log\nsecret/*.txt\n\\#hash.md\n');
    assert.equal(g.ignores('node_modules/x/index.js'), true);
    assert.equal(g.ignores('pkg/node_modules/y.js'), true);
    assert.equal(g.ignores('node_modules', false), false, 'a file named node_modules is not a folder');
    assert.equal(g.ignores('dist/app.js'), true);
    assert.equal(g.ignores('src/dist/app.js'), false, 'anchored to the root');
    assert.equal(g.ignores('logs/a.log'), true);
    assert.equal(g.ignores('logs/keep.log'), false);
    assert.equal(g.ignores('secret/a.txt'), true);
    assert.equal(g.ignores('secret/sub/a.txt'), false);
    assert.equal(g.ignores('#hash.md'), true);
    assert.equal(g.ignores('src/app.ts'), false);
  });

  it('a nested .gitignore applies below its folder and wins over the root one', () => {
    const g = new GitIgnore();
    g.add('pkg', '!important.log\ngenerated/\n');
    g.add('', '*.log\n');
    assert.equal(g.ignores('pkg/important.log'), false);
    assert.equal(g.ignores('other/important.log'), true);
    assert.equal(g.ignores('pkg/generated/a.ts'), true);
    assert.equal(g.ignores('generated/a.ts'), false);
  });

  it('an invalid line is skipped and reported; the other rules still apply', () => {
    const g = new GitIgnore();
    let invalid: ReturnType<GitIgnore['add']> = [];
    assert.doesNotThrow(() => (invalid = g.add('', '*.log\n**/[a-Z]*\n!keep.log\n')));
    assert.deepEqual(invalid.map((i) => i.line), ['**/[a-Z]*']);
    assert.match(invalid[0]!.error, /range out of order/i);
    assert.equal(g.ignores('src/a.log'), true);
    assert.equal(g.ignores('src/keep.log'), false);
    assert.equal(g.ignores('src/Zed.ts'), false);
  });

  it('a file inside an ignored folder stays ignored, even if negated', () => {
    const g = new GitIgnore();
    g.add('', 'build/\n!build/keep.txt\n');
    assert.equal(g.ignores('build/keep.txt'), true);
  });
});

describe('context: fuzzy file matching', () => {
  const paths = ['src/app.ts', 'src/application/config.ts', 'test/app.test.ts', 'docs/api.md', 'src/util/strings.ts', 'README.md', 'src/components/AppHeader.tsx'];
  const rank = (q: string) => rankPaths(q, paths.map((path) => ({ path })), 10).map((x) => x.path);

  it('the file name first, shorter paths on ties', () => {
    assert.deepEqual(rank('app').slice(0, 2), ['src/app.ts', 'test/app.test.ts']);
  });
  it('characters in order, like Quick Open', () => {
    assert.equal(rank('strs')[0], 'src/util/strings.ts');
    assert.equal(rank('apphead')[0], 'src/components/AppHeader.tsx');
    assert.equal(fuzzyScore('xyz', 'src/app.ts'), -1);
  });
  it('matches folders too, and several terms must all match', () => {
    assert.deepEqual(rank('util str'), ['src/util/strings.ts']);
    assert.ok(rank('application').includes('src/application/config.ts'));
  });
  it('a letter that also starts a later word does not make a real match fail', () => {
    assert.ok(fuzzyScore('wdgtts', 'ctx/src/widget.ts') > 0);
  });
  it('property: whenever the query is a subsequence of the path, it matches', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-zA-Z0-9_./-]{1,40}$/), fc.array(fc.nat(), { maxLength: 8 }), (path, picks) => {
        const chars = [...new Set(picks.map((p) => p % path.length))].sort((a, b) => a - b).map((i) => path[i]!).join('').replace(/\s/g, '');
        assert.ok(fuzzyScore(chars, path) >= 0, `${chars} in ${path}`);
      }),
      { numRuns: 300 },
    );
  });
  it('an empty query keeps every item', () => {
    assert.equal(rank('').length, paths.length);
  });
});

describe('context: problems as text', () => {
  const p = (over: Partial<ProblemInfo>): ProblemInfo => ({ path: 'src/a.ts', line: 3, column: 5, endLine: 3, severity: 'error', message: 'Type error', ...over });
  it('one line per problem, errors first, then by file and line, with code and source', () => {
    const text = formatProblems([p({ severity: 'warning', line: 1, message: 'unused' }), p({ code: 'TS2322', source: 'ts', message: "Type 'string' is not\nassignable" }), p({ path: 'src/0.ts', line: 9 })]);
    assert.equal(text, ["src/0.ts:9:5 error: Type error", "src/a.ts:3:5 error TS2322: Type 'string' is not assignable (ts)", 'src/a.ts:1:5 warning: unused'].join('\n'));
  });
  it('caps a long list and says how many were left out', () => {
    const text = formatProblems(Array.from({ length: 5 }, (_, i) => p({ line: i + 1 })), 2);
    assert.deepEqual(text.split('\n'), ['src/a.ts:1:5 error: Type error', 'src/a.ts:2:5 error: Type error', '… and 3 more']);
  });
  it('counts, lines around, and the question', () => {
    assert.equal(countLabel([p({}), p({}), p({ severity: 'warning' }), p({ severity: 'hint' })]), '2 errors, 1 warning, 1 other');
    assert.equal(countLabel([]), 'no problems');
    assert.deepEqual(linesAround(3, 4, 100), { startLine: 1, endLine: 14 });
    assert.deepEqual(linesAround(95, 95, 100), { startLine: 85, endLine: 100 });
    assert.equal(fixQuestion(p({ line: 12 })), 'Fix this error at line 12 of src/a.ts: Type error\nExplain the cause briefly, then show the corrected code.');
  });
});
