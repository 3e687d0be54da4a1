// A page with the component, as the console's import page would hold it.
// ?lang=zh or the browser's language picks the texts.
import "antd/dist/antd.css";
import React from "react";
import ReactDOM from "react-dom";

import PackageUpload from "./PackageUpload";

const language = new URLSearchParams(window.location.search).get("lang") || navigator.language;

ReactDOM.render(
  <div style={{ maxWidth: 720, margin: "40px auto" }}>
    <h2>{/^zh/i.test(language) ? "离线导入应用模型" : "Import an application model offline"}</h2>
    <PackageUpload language={language} action="/upload" name="appTarFile" multiple />
  </div>,
  document.getElementById("root"),
);
