// The offline import's Upload with ramcheck in beforeUpload: each package is
// checked in the browser before it is sent. A failing one is not uploaded;
// one with warnings only if the user agrees. antd 3 stops an upload when
// beforeUpload returns false or a Promise that rejects, and sends the file
// when the Promise resolves; a multi-GB check takes seconds, so it is a Promise.
import React, { useRef, useState } from "react";
import { Alert, Button, Icon, Modal, Progress, Upload } from "antd";

// ramcheck is about 410 KiB gzipped, nearly all of it its wasm: it loads
// with the first check, as a chunk of its own, not with the console.
const loadRamcheck = () => import(/* webpackChunkName: "ramcheck" */ "ramcheck");

const TEXT = {
  en: {
    drop: "Click or drop an application package (.tar.gz or .zip) here",
    checking: "Checking",
    verdict: { pass: "will import", warn: "will import, with warnings", fail: "will not import" },
    cancel: "Cancel",
    ok: "OK",
    location: "Location",
    fix: "Fix",
    failTitle: (name) => `${name} will not import`,
    failText: "Fix these problems and export the package again; it was not uploaded.",
    warnTitle: (name) => `${name} has warnings`,
    warnText: "The import should work, but check these first.",
    uploadAnyway: "Upload anyway",
    brokenTitle: "The package could not be checked",
    brokenText: (message) => `${message}. Upload it without the check?`,
    upload: "Upload",
  },
  zh: {
    drop: "点击或拖拽应用模型离线包（.tar.gz 或 .zip）到此处",
    checking: "正在检查",
    verdict: { pass: "可以导入", warn: "可以导入，但有警告", fail: "无法导入" },
    cancel: "取消",
    ok: "知道了",
    location: "位置",
    fix: "修复",
    failTitle: (name) => `${name} 无法导入`,
    failText: "请修复以下问题后重新导出，此文件未上传。",
    warnTitle: (name) => `${name} 有警告`,
    warnText: "导入应能成功，但请先确认以下问题。",
    uploadAnyway: "仍然上传",
    brokenTitle: "无法检查此安装包",
    brokenText: (message) => `${message}。不经检查直接上传？`,
    upload: "上传",
  },
};

const STATUS = { pass: "success", warn: "normal", fail: "exception" };

function Findings({ report, zh, t }) {
  // Info findings (the package summary) are not worth a dialog.
  const findings = report.findings.filter((f) => f.severity !== "info");
  return findings.map((f) => (
    <Alert
      key={`${f.code}@${f.position}`}
      style={{ marginTop: 8 }}
      type={f.severity === "error" ? "error" : "warning"}
      message={
        <span>
          <code>{f.code}</code> {zh ? f.message_zh : f.message}
        </span>
      }
      description={
        <div>
          <div>
            {t.location}: <code>{f.location}</code>
          </div>
          <div>
            {t.fix}: {zh ? f.hint_zh : f.hint}
          </div>
        </div>
      }
    />
  ));
}

/** Resolves when the package may be uploaded, rejects when it may not. */
function decide(report, zh, t) {
  const content = (intro) => (
    <div>
      <p>{intro}</p>
      <Findings report={report} zh={zh} t={t} />
    </div>
  );
  if (report.verdict === "pass") return Promise.resolve();
  if (report.verdict === "fail") {
    Modal.error({ title: t.failTitle(report.file), content: content(t.failText), width: 640, okText: t.ok });
    return Promise.reject(new Error(`${report.file}: ${report.verdict}`));
  }
  return new Promise((resolve, reject) =>
    Modal.confirm({
      title: t.warnTitle(report.file),
      content: content(t.warnText),
      width: 640,
      okText: t.uploadAnyway,
      cancelText: t.cancel,
      onOk: () => resolve(),
      onCancel: () => reject(new Error(`${report.file}: not uploaded`)),
    }),
  );
}

/**
 * `language`: "zh", "zh-CN", "en", ... (the console's locale). Other props go
 * to antd's Upload.Dragger (action, name, headers, data, onChange, ...).
 */
export default function PackageUpload({ language = "en", ...uploadProps }) {
  const zh = /^zh/i.test(language);
  const t = zh ? TEXT.zh : TEXT.en;
  const [checks, setChecks] = useState({});
  const aborts = useRef({});
  const update = (uid, patch) => setChecks((all) => ({ ...all, [uid]: { ...all[uid], ...patch } }));

  const beforeUpload = (file) => {
    const controller = new AbortController();
    aborts.current[file.uid] = controller;
    update(file.uid, { name: file.name, percent: 0, status: "active" });
    const onProgress = ({ bytesRead, total }) =>
      update(file.uid, { percent: total ? Math.floor((bytesRead * 100) / total) : 100 });
    return loadRamcheck()
      .then(({ validatePackage }) => validatePackage(file, { language, onProgress, signal: controller.signal }))
      .finally(() => delete aborts.current[file.uid])
      .then(
        (report) => {
          update(file.uid, { percent: 100, status: STATUS[report.verdict], verdict: report.verdict });
          return decide(report, zh, t);
        },
        (error) => {
          update(file.uid, { status: "exception", verdict: "error", error: error.message });
          if (error.name === "AbortError") throw error;
          // The checker failed, not the package: the server's import decides.
          return new Promise((resolve, reject) =>
            Modal.confirm({
              title: t.brokenTitle,
              content: t.brokenText(error.message),
              okText: t.upload,
              cancelText: t.cancel,
              onOk: () => resolve(),
              onCancel: () => reject(error),
            }),
          );
        },
      );
  };

  return (
    <div>
      <Upload.Dragger {...uploadProps} beforeUpload={beforeUpload}>
        <p className="ant-upload-drag-icon">
          <Icon type="inbox" />
        </p>
        <p className="ant-upload-text">{t.drop}</p>
      </Upload.Dragger>
      {Object.entries(checks).map(([uid, check]) => (
        <div key={uid} className="ramcheck-check" data-verdict={check.verdict} style={{ marginTop: 8 }}>
          {check.name}: {check.verdict ? check.error || t.verdict[check.verdict] : t.checking}
          <Progress percent={check.percent} status={check.status} size="small" />
          {aborts.current[uid] && (
            <Button size="small" onClick={() => aborts.current[uid].abort()}>
              {t.cancel}
            </Button>
          )}
        </div>
      ))}
    </div>
  );
}
