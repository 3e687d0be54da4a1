// umi 3 as the Rainbond console configures it (rainbond-ui config/config.js):
// webpack 4 (no `webpack5`, no `mfsu`), umi's default `targets` and Babel over
// node_modules, `dynamicImport` on, hashed file names under /static/dists/,
// the locale plugin with zh-CN by default. Nothing here is for ramcheck.
import { defineConfig } from 'umi';

export default defineConfig({
  hash: true,
  history: { type: 'browser' },
  publicPath: '/static/dists/',
  dynamicImport: {},
  locale: { default: 'zh-CN', antd: false, baseNavigator: true },
  routes: [{ path: '/enterprise/:eid/shared/import', component: '@/pages/EnterpriseImport' }],
});
