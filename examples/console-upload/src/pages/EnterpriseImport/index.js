// The Rainbond console's offline import page (rainbond-ui
// src/pages/EnterpriseImport/index.js) with ramcheck before the upload.
// What the console has: a class PureComponent, one plain antd 3 Upload
// (name appTarFile, no list, controlled fileList, one progress bar), the
// uploaded files as checkboxes, the arch radio and 确认导入. What the check
// adds: `beforeUpload`, the check's own progress bar with "Skip check", the
// Upload disabled while a check runs, Modal.error (not sent) on fail,
// Modal.confirm on warn, a notification when the checker itself failed (the
// upload goes on), a verdict Tag beside each uploaded file, and the arch
// radio set from the package's images. The console's dva store is replaced by
// plain fetches (src/services/console.js).
import React, { PureComponent } from 'react';
import { Alert, Button, Card, Checkbox, Col, Modal, notification, Progress, Radio, Row, Tag, Upload } from 'antd';
import { formatMessage, getLocale } from 'umi';

import * as api from '@/services/console';
import { checkPackage, importRegion, importTarget, normaliseArch, packageArch } from '@/utils/ramcheck';

const t = (id, values) => formatMessage({ id: `applicationMarket.Offline.${id}` }, values);

const TAG_COLOR = { pass: 'green', warn: 'orange', unchecked: '' };
const SEVERITY_ORDER = { error: 0, warning: 1 };

/** One Alert per error and warning of the report, errors first, in the page's language. */
function findingAlerts(report, zh) {
  return report.findings
    .filter(f => f.severity !== 'info')
    .sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity])
    .map((f, i) => {
      const hint = zh ? f.hint_zh : f.hint;
      return (
        <Alert
          key={i}
          style={{ marginTop: 8 }}
          type={f.severity === 'error' ? 'error' : 'warning'}
          message={
            <span>
              <b>{f.code}</b> {zh ? f.message_zh : f.message}
            </span>
          }
          description={
            <div>
              {f.location ? (
                <div>
                  {t('check.location')}: <code>{f.location}</code>
                </div>
              ) : null}
              {hint ? (
                <div>
                  {t('check.fix')}: {hint}
                </div>
              ) : null}
              {f.fails_on && f.fails_on.length ? (
                <div>
                  {t('check.failsOn')}: {f.fails_on.join(', ')}
                </div>
              ) : null}
            </div>
          }
        />
      );
    });
}

const UploadIcon = () => (
  <svg viewBox="0 0 1024 1024" width="40" height="40" fill="#4d73b1" aria-hidden="true">
    <path d="M518 146l-184 206h120v300h128V352h120L518 146zM198 716v146h640V716h-96v54H294v-54h-96z" />
  </svg>
);

export default class EnterpriseImport extends PureComponent {
  state = {
    record: {},
    fileList: [],
    percents: false,
    existFileList: [],
    selected: [],
    arch: '',
    archWarning: '',
    clusters: [],
    rainbondInfo: null,
    // The check in flight: {name, percent}.
    checking: null,
    // Verdicts of this session's checks, by file name.
    checks: {},
    imported: false,
  };

  componentDidMount() {
    this.mounted = true;
    const { eid } = this.props.match.params;
    api
      .queryImportRecord(eid)
      .then(record => this.mounted && this.setState({ record }, this.handleQueryImportDir))
      .catch(() => {});
    // The import target: the region's rbd_version and arch, else the console's version.
    api
      .fetchEnterpriseClusters(eid)
      .then(clusters => this.mounted && this.setState({ clusters: clusters || [] }))
      .catch(() => {});
    api
      .fetchRainbondInfo()
      .then(rainbondInfo => this.mounted && this.setState({ rainbondInfo }))
      .catch(() => {});
    this.timer = setInterval(this.handleQueryImportDir, 6000);
  }

  componentWillUnmount() {
    this.mounted = false;
    clearInterval(this.timer);
    if (this.checkAbort) this.checkAbort.abort();
  }

  handleQueryImportDir = () => {
    const { record } = this.state;
    if (!record.event_id) return;
    api
      .queryImportDir(this.props.match.params.eid, record.event_id)
      .then(existFileList => this.mounted && this.setState({ existFileList }))
      .catch(() => {});
  };

  // Resolves (the upload starts) unless the check failed or the user declined
  // a warning; any error of the check or of this code lets the upload go on.
  beforeUpload = file =>
    this.decide(file)
      .catch(() => true)
      .then(send => {
        if (!send) throw new Error(`${file.name}: not uploaded`);
        return file;
      });

  async decide(file) {
    const { record, clusters, rainbondInfo } = this.state;
    const controller = typeof AbortController === 'function' ? new AbortController() : null;
    this.checkAbort = controller;
    this.setState({ checking: { name: file.name, percent: 0 } });
    let result;
    try {
      result = await checkPackage(file, {
        locale: getLocale(),
        target: importTarget(record.upload_url, clusters, rainbondInfo),
        signal: controller ? controller.signal : undefined,
        onProgress: ({ bytesRead, total }) => {
          if (this.mounted && this.checkAbort === controller) {
            this.setState({ checking: { name: file.name, percent: Math.floor((bytesRead / Math.max(total, 1)) * 100) } });
          }
        },
      });
    } finally {
      this.checkAbort = null;
      if (this.mounted) this.setState({ checking: null });
    }
    const { verdict, report, error } = result;
    if (!this.mounted) return verdict !== 'fail';
    this.setState(({ checks }) => ({ checks: { ...checks, [file.name]: verdict } }));
    const zh = getLocale().startsWith('zh');
    if (verdict === 'fail') {
      Modal.error({
        width: 640,
        title: t('check.failTitle', { name: file.name }),
        content: (
          <div className="ramcheck-findings">
            <p>{t('check.failText')}</p>
            {findingAlerts(report, zh)}
          </div>
        ),
      });
      return false;
    }
    if (verdict === 'warn') {
      const send = await new Promise(resolve =>
        Modal.confirm({
          width: 640,
          title: t('check.warnTitle', { name: file.name }),
          content: (
            <div className="ramcheck-findings">
              <p>{t('check.warnText')}</p>
              {findingAlerts(report, zh)}
            </div>
          ),
          okText: t('check.uploadAnyway'),
          cancelText: t('check.cancel'),
          onOk: () => resolve(true),
          onCancel: () => resolve(false),
        }),
      );
      if (!send) return false;
    }
    if (verdict === 'unchecked' && !(controller && controller.signal.aborted)) {
      notification.warning({
        message: t('check.uncheckedTitle', { name: file.name }),
        description: String((error && error.message) || error),
      });
    }
    if (report) this.applyArch(report);
    return true;
  }

  skipCheck = () => {
    if (this.checkAbort) this.checkAbort.abort();
  };

  // The arch radio: the package's one image arch, with a warning when the
  // import region has no node of it.
  applyArch(report) {
    const arch = packageArch(report);
    if (!arch) return;
    const { record, clusters } = this.state;
    const region = importRegion(record.upload_url, clusters);
    const regionArch = region && Array.isArray(region.arch) ? region.arch.map(normaliseArch) : [];
    const archWarning =
      regionArch.length && !regionArch.includes(arch) ? t('check.archMismatch', { arch, regionArch: regionArch.join(', ') }) : '';
    this.setState({ arch, archWarning });
  }

  onChangeUpload = info => {
    const fileList = info.fileList.filter(file => !file.response || file.response.msg === 'success');
    if (info.event && info.event.percent !== undefined) this.setState({ percents: info.event.percent || 0.01 });
    if (info.file.status === 'done' || info.file.status === 'error') {
      this.setState({ percents: false });
      this.handleQueryImportDir();
    }
    this.setState({ fileList });
  };

  handleSubmit = () => {
    const { record, selected, arch } = this.state;
    api
      .importApp(this.props.match.params.eid, record.event_id, { scope: 'enterprise', event_id: record.event_id, file_name: selected.join(','), arch })
      .then(() => this.mounted && this.setState({ imported: true }))
      .catch(() => {});
  };

  render() {
    const { record, fileList, percents, existFileList, selected, arch, archWarning, checking, checks, imported } = this.state;
    return (
      <Card title={t('title')} style={{ maxWidth: 760, margin: '32px auto' }}>
        <Row>
          <Col span={24}>
            {percents ? <Progress className="upload-progress" percent={Math.round(percents)} size="small" /> : null}
            {checking ? (
              <div className="ramcheck-check" data-file={checking.name}>
                {t('check.checking', { name: checking.name })}
                <Progress percent={checking.percent} size="small" status="active" />
                <a className="ramcheck-skip" onClick={this.skipCheck}>
                  {t('check.skip')}
                </a>
              </div>
            ) : null}
            <Upload
              showUploadList={false}
              name="appTarFile"
              accept=".zip,.tar,.gz"
              action={record.upload_url}
              fileList={fileList}
              onChange={this.onChangeUpload}
              beforeUpload={this.beforeUpload}
              disabled={!record.upload_url || !!percents || !!checking}
            >
              <div style={{ textAlign: 'center', padding: 24, border: '1px dashed #d9d9d9', cursor: 'pointer' }}>
                <UploadIcon />
                <div>{t('upload')}</div>
                <div style={{ color: '#999' }}>{t('uploadHint')}</div>
              </div>
            </Upload>
          </Col>
        </Row>
        <Row style={{ marginTop: 24 }}>
          <Col span={24}>
            <h4>{t('files')}</h4>
            {existFileList.length ? (
              <Checkbox.Group className="import-files" value={selected} onChange={value => this.setState({ selected: value })}>
                {existFileList.map(name => (
                  <div key={name} style={{ padding: '4px 0' }}>
                    <Checkbox value={name}>{name}</Checkbox>
                    {checks[name] ? (
                      <span className="ramcheck-verdict" data-file={name} data-verdict={checks[name]}>
                        <Tag color={TAG_COLOR[checks[name]]}>{t(`check.${checks[name]}`)}</Tag>
                      </span>
                    ) : null}
                  </div>
                ))}
              </Checkbox.Group>
            ) : (
              <p style={{ color: '#999' }}>{t('noFiles')}</p>
            )}
          </Col>
        </Row>
        <Row style={{ marginTop: 16 }}>
          <Col span={24}>
            {archWarning ? <Alert className="arch-warning" type="warning" showIcon message={archWarning} style={{ marginBottom: 8 }} /> : null}
            {t('arch')}:{' '}
            <Radio.Group className="import-arch" value={arch} onChange={e => this.setState({ arch: e.target.value, archWarning: '' })}>
              <Radio value="">{t('archAuto')}</Radio>
              <Radio value="arm64">arm64</Radio>
              <Radio value="amd64">amd64</Radio>
            </Radio.Group>
          </Col>
        </Row>
        <Row style={{ marginTop: 16 }}>
          <Col span={24}>
            <Button type="primary" disabled={!selected.length || imported} onClick={this.handleSubmit}>
              {t('import')}
            </Button>
            {imported ? <span style={{ marginLeft: 8 }}>{t('imported')}</span> : null}
          </Col>
        </Row>
      </Card>
    );
  }
}
